# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: systemd initrd v1 -> v2 by the patch-only update: v2 applied before systemd and udevd

case_fast_systemd() {
	image systemd-shim klp_demo_v1 -f systemd -p "$v1" || return 0
	fast_update fast-systemd "$img" systemd-shim klp_demo_v1 klp_demo_v2 || return 0
	boot fast-systemd "$img"
	check_fast_applied "$log" klp_demo_v2 "${C}systemd\\[1\\]: "
	expect_log "$log" "${C}systemd\\[1\\]: Running in initrd" "systemd ran in the initrd"
	facts fast-systemd "$log" "$img"
}
