# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: patch removed: stale, rebuilt with nothing embedded: no-patch

case_no_patch() {
	ensure_built
	use_patch none
	expect_eq "$(verdict)" stale "none installed, v1 embedded: stale"
	regen --if-needed
	expect_eq "$rc" 0 "rebuilt without a patch"
	expect_in "$out" "(patch klp_demo_v1 -> none)" "progress line v1 -> none"
	expect_eq "$(verdict)" no-patch "verdict no-patch"
	expect_eq "$(embedded "$boot")" none "nothing embedded"
	if bounded lsinitrd "$initrd" 2>/dev/null | bounded grep -q 'usr/lib/klp-early'; then
		fail "lsinitrd still shows usr/lib/klp-early"
	else
		pass "lsinitrd: no usr/lib/klp-early"
	fi
	v=0
	bounded "$klp" initrd --kver "$kver" --root "$root" --boot "$boot" >/dev/null || v=$?
	expect_eq "$v" 0 "klp initrd exits 0 for no-patch"
	use_patch v1
	regen --if-needed
	expect_eq "$(embedded "$boot")" klp_demo_v1 "v1 again"
}
