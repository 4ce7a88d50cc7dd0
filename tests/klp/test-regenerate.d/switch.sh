# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: v1 -> v2 --full: stale, rebuilt by dracut once with v2 inside (reader and lsinitrd)

case_switch() {
	ensure_built
	use_patch v2
	expect_eq "$(verdict)" stale "v2 installed, v1 embedded: stale"
	n0=$(calls)
	regen --if-needed --full
	expect_eq "$rc" 0 "regenerate --if-needed --full rebuilds"
	expect_in "$out" "(patch klp_demo_v1 -> klp_demo_v2)... done in" "progress line names v1 -> v2"
	expect_in "$out" "s (dracut: --full)" "progress line: dracut ran, for --full"
	expect_eq "$(calls)" $((n0 + 1)) "dracut ran exactly once"
	expect_eq "$(embedded "$boot")" klp_demo_v2 "the reader finds v2"
	bounded lsinitrd "$initrd" >"$W/lsinitrd.txt" 2>&1 || :
	if bounded grep -q ' usr/lib/klp-early/klp_demo_v2\.ko$' "$W/lsinitrd.txt" &&
		! bounded grep -q 'klp_demo_v1' "$W/lsinitrd.txt"; then
		pass "lsinitrd shows klp_demo_v2.ko and no v1"
	else
		fail "lsinitrd listing ($W/lsinitrd.txt)"
	fi
	m=$(bounded lsinitrd -f usr/lib/klp-early/manifest "$initrd" 2>/dev/null || :)
	expect_in "$m" "module=klp_demo_v2" "lsinitrd: manifest module=klp_demo_v2"
	expect_in "$m" "sha256=$(file_sha "$kmoddir/klp_demo_v2.ko")" "lsinitrd: manifest sha256 = sha256sum of v2"
	expect_eq "$(bounded lsinitrd -f usr/lib/klp-early/klp_demo_v2.ko "$initrd" | bounded sha256sum | bounded cut -d' ' -f1)" \
		"$(file_sha "$kmoddir/klp_demo_v2.ko")" "lsinitrd: the embedded v2 is byte-identical"
	n0=$(calls)
	regen --if-needed
	expect_eq "$rc.$(calls)" "0.$n0" "then --if-needed is a no-op"
	use_patch v1
	regen --if-needed --full
	expect_eq "$(embedded "$boot")" klp_demo_v1 "back to v1 (a downgrade)"
}
