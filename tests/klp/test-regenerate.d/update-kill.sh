# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: SIGKILL at random points of patch-only updates (>= 200): initrd always the complete old or new one

case_update_kill() {
	ensure_built
	ku=$W/mnt/boot-ukill
	tmpfs "$ku" 256m
	bounded cp "$initrd" "$boot/vmlinuz-$kver" "$ku/"
	# the two complete images a patch-only update can leave: the dracut image + v1's or v2's archive
	use_patch v2
	bounded "$klp" regenerate --kver "$kver" --root "$root" --boot "$ku" --dracut "$W/bin/dracut" -q || fail "update to v2"
	img_v2=$(file_sha "$ku/initrd.img-$kver")
	use_patch v1
	bounded "$klp" regenerate --kver "$kver" --root "$root" --boot "$ku" --dracut "$W/bin/dracut" -q || fail "update to v1"
	img_v1=$(file_sha "$ku/initrd.img-$kver")
	# the write phase stretched (a pause before each copy, fsync and rename:
	# tests/klp/write-pause.c), so that random kills land in it as often as
	# around it; the calls themselves are unchanged
	so=$W/write-pause.so
	bounded cc -O2 -Wall -shared -fPIC -o "$so" "$here/write-pause.c" -ldl || { fail "cannot build $so"; return; }
	pause=${KLP_UPDATE_PAUSE_MS:-15}
	paused="env LD_PRELOAD=$so KLP_TEST_WRITE_PAUSE_MS=$pause"
	# one run's length through the same wrapper crash() starts it in (its start-up
	# counts): the shortest of three, as one slow run would put every kill after the end
	D=
	for v in v2 v1 v2; do
		use_patch $v
		t0=$(bounded date +%s%N)
		# shellcheck disable=SC2086 # $paused: env and its assignments
		if [ -n "$crash_ns" ]; then
			bounded unshare -fp --kill-child flock "$W/run/crash.lock" $paused "$klp" regenerate --kver "$kver" \
				--root "$root" --boot "$ku" --dracut "$W/bin/dracut" -q
		else
			bounded setsid flock "$W/run/crash.lock" $paused "$klp" regenerate --kver "$kver" --root "$root" --boot "$ku" \
				--dracut "$W/bin/dracut" -q
		fi
		d1=$(($(bounded date +%s%N) - t0))
		if [ -z "$D" ] || [ "$d1" -lt "$D" ]; then D=$d1; fi
	done
	Ds=$(bounded awk -v n="$D" 'BEGIN { printf "%.3f", n / 1e9 }')
	n0=$(calls)
	runs=${KLP_UPDATE_KILLS:-200}
	ok=0
	bad=0
	mid=0
	done_=0
	maxtemps=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		use_patch_nth "$i"
		# shellcheck disable=SC2086 # $paused: env and its assignments
		crash "$(rand_delay "$Ds" $((seed + 9000 + i)))" $paused "$klp" regenerate --kver "$kver" --root "$root" \
			--boot "$ku" --dracut "$W/bin/dracut"
		h=$(file_sha "$ku/initrd.img-$kver")
		if [ "$h" = "$img_v1" ] || [ "$h" = "$img_v2" ]; then
			ok=$((ok + 1))
			if { [ $((i % 2)) = 0 ] && [ "$h" = "$img_v1" ]; } || { [ $((i % 2)) = 1 ] && [ "$h" = "$img_v2" ]; }; then
				done_=$((done_ + 1))
			fi
		else
			bad=$((bad + 1))
			fail "update kill $i: the initrd is neither complete image ($(embedded "$ku"))"
		fi
		t=$(temps "$ku")
		[ "$t" -gt "$maxtemps" ] && maxtemps=$t
		# killed in the middle: its temporary file or its payload folder is still there
		if [ "$t" -gt 0 ] || [ -n "$(bounded find "$W/run" -maxdepth 1 -name 'payload.*' -newer "$ku/vmlinuz-$kver")" ]; then
			mid=$((mid + 1))
		fi
		i=$((i + 1))
	done
	expect_eq "$bad" 0 "patch-only update killed $runs times: the initrd was always the complete old or new image"
	if [ "$mid" -gt 0 ]; then
		pass "$mid of the $runs kills landed in the middle of an update (a temporary file or payload folder left)"
	else
		fail "none of the $runs kills landed in the middle of an update: the test did not test the write phase"
	fi

	expect_eq "$(calls)" "$n0" "no dracut run in $runs patch-only updates"
	left=$(temps "$ku")
	use_patch v1
	rc=0
	bounded "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$ku" --dracut "$W/bin/dracut" \
		>"$W/out" 2>&1 || rc=$?
	expect_eq "$rc.$(temps "$ku").$(embedded "$ku")" "0.0.klp_demo_v1" \
		"the next run removed the $left temporary file(s) of killed runs; v1 complete"
	expect_eq "$(bounded find "$W/run" -maxdepth 1 -name 'payload.*' | bounded wc -l)" 0 \
		"no payload folder of a killed run is left in the run folder"
	number "patch-only update kill test: one run $Ds s (with its wrapper, $pause ms before each copy, fsync and rename); $ok/$runs intact (SIGKILL of every process at random points, seed $seed), $done_ had finished, $mid killed mid-update, at most $maxtemps temporary file(s) at a time"
	untmpfs "$ku"
}
