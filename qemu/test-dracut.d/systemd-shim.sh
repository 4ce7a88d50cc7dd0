# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: systemd initrd, klp-early as /init: v1 applied before systemd

case_systemd_shim() {
	image systemd-shim klp_demo_v1 -f systemd -p "$v1" || return 0
	expect_init_is_loader "$img"
	expect_log "$work/systemd-shim/lsinitrd.txt" ' usr/lib/klp-early/init -> /?usr/lib/systemd/systemd$' \
		"usr/lib/klp-early/init -> systemd"
	boot systemd-shim "$img"
	check_applied "$log" klp_demo_v1 shim
	expect_order "$log" "${C}livepatch: 'klp_demo_v1': patching complete" "${C}systemd\\[1\\]: " \
		"patching complete before systemd's first line"
	expect_order "$log" "${C}klp-early: " "${C}systemd\\[1\\]: " "klp-early line before systemd's first line"
	expect_order "$log" "${C}klp-early: " "$UDEV" "klp-early line before systemd-udevd started"
	expect_log "$log" "${C}systemd\\[1\\]: systemd [0-9].* running in system mode" "systemd ran as PID 1"
	expect_log "$log" "${C}systemd\\[1\\]: Running in initrd" "systemd ran in the initrd"
	expect_log "$log" 'Starting .*initrd-switch-root' "systemd started initrd-switch-root"
	facts systemd-shim "$log" "$img"
}
