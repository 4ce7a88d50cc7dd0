# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: --all: two kernels, Debian and SUSE initrd names, only the stale one rebuilt

case_all_kernels() {
	ensure_built
	# a second "kernel": the same tree under another name; the patch's vermagic names $kver only
	k2=$kver-klptest
	bounded cp -al "$src" "$root/lib/modules/$k2"
	bounded touch "$boot/vmlinuz-$k2"
	bounded touch "$boot/initrd-$k2" # SUSE's name, and broken (empty)
	j=$(bounded "$klp" initrd --all --root "$root" --boot "$boot" 2>&1 || :)
	expect_in "$j" "$kver: in-sync" "--all: $kver in-sync"
	expect_in "$j" "$k2: stale: the initrd cannot be read: empty file" "--all: the empty initrd-K2 is stale"
	n0=$(calls)
	rc=0
	bounded "$klp" regenerate --all --if-needed --root "$root" --boot "$boot" --dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	out=$(bounded cat "$W/out")
	expect_eq "$rc" 0 "regenerate --all --if-needed"
	expect_eq "$(calls)" $((n0 + 1)) "only the stale kernel was rebuilt"
	expect_in "$out" "regenerating initrd for $k2 (patch unreadable -> none)" "progress line for $k2"
	expect_eq "$(verdict "$boot" "$k2")" no-patch "$k2: no-patch (its name kept: initrd-K2)"
	if [ -s "$boot/initrd-$k2" ] && [ ! -e "$boot/initrd.img-$k2" ]; then
		pass "SUSE name kept for $k2"
	else
		fail "initrd name of $k2"
	fi
	bounded rm -rf "$root/lib/modules/$k2" "$boot/vmlinuz-$k2" "$boot/initrd-$k2" "$W/run/initrd-$k2.stamp"
}
