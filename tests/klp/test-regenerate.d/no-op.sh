# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: regenerate --if-needed in sync: no dracut run, the image not read (its time a number)

case_no_op() {
	ensure_built
	n0=$(calls)
	times=
	for _ in 1 2 3 4 5 6 7; do
		t0=$(bounded date +%s%N)
		regen --if-needed
		times="$times $(ms_since "$t0")"
		[ "$rc" = 0 ] || fail "--if-needed in sync exits $rc: $out"
	done
	expect_eq "$(calls)" "$n0" "--if-needed in sync: no dracut run (7 runs)"
	expect_eq "$out" "" "--if-needed in sync prints nothing"
	# shellcheck disable=SC2086 # one time per word
	med=$(printf '%s\n' $times | bounded sort -n | bounded sed -n 4p)
	# shellcheck disable=SC2086
	max=$(printf '%s\n' $times | bounded sort -n | bounded tail -n 1)
	# in sync by the stamp: the image is not read (no decompressor needed);
	# the same read without the stamp's help (klp initrd) needs gzip
	rc=0
	bounded env PATH=/nonexistent "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_eq "$rc.$(bounded cat "$W/out")" "0." "--if-needed in sync with no decompressor on PATH: exit 0, nothing said (the stamp, not the image)"
	rc=0
	bounded env PATH=/nonexistent "$klp" initrd --kver "$kver" --root "$root" --boot "$boot" >"$W/out" 2>&1 || rc=$?
	expect_eq "$rc" 3 "(control: klp initrd, which reads the image, is not in sync without gzip on PATH)"
	number "klp regenerate --if-needed, in sync: median $med ms, max $max ms (runs, ms:$times; includes fork/exec of klp and date)"
	# the same check without the stamp: the whole image is read
	bounded rm -f "$W/run/initrd-$kver.stamp"
	t0=$(bounded date +%s%N)
	regen --if-needed
	number "klp regenerate --if-needed, in sync, first run after boot (no stamp: the image is read): $(ms_since "$t0") ms"
	t0=$(bounded date +%s%N)
	bounded "$klp" initrd --kver "$kver" --root "$root" --boot "$boot" >/dev/null
	number "klp initrd (reads the whole $(bounded stat -c %s "$initrd")-byte gzip image): $(ms_since "$t0") ms"
	# touching the initrd invalidates the stamp: the image is read again (so,
	# without gzip on PATH, it cannot be judged in sync), and then in sync
	bounded touch "$initrd"
	rc=0
	bounded env PATH=/nonexistent "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	if [ "$rc.$(bounded cat "$W/out")" = "0." ]; then
		fail "a touched initrd was still judged by its stamp (in sync without reading it)"
	else
		pass "a touched initrd is read again (without gzip on PATH: not judged in sync, exit $rc)"
	fi
	bounded touch "$initrd"
	n1=$(calls)
	regen --if-needed
	expect_eq "$rc.$(calls)" "0.$n1" "a touched initrd, read with gzip: still in sync, no dracut run"
}
