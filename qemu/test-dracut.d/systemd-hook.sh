# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: systemd initrd, -M hook: klp-early.service applies v1 before udevd

case_systemd_hook() {
	image systemd-hook klp_demo_v1 -f systemd -M hook -p "$v1" || return 0
	l=$work/systemd-hook/lsinitrd.txt
	expect_log "$l" ' init -> /?usr/lib/systemd/systemd$' "/init is systemd"
	expect_log "$l" ' usr/lib/systemd/system/klp-early\.service$' "klp-early.service installed"
	expect_log "$l" ' usr/lib/systemd/system/sysinit\.target\.wants/klp-early\.service -> ' \
		"klp-early.service wanted by sysinit.target"
	boot systemd-hook "$img"
	check_applied "$log" klp_demo_v1 systemd
	expect_order "$log" 'Starting .*klp-early\.service' "${C}klp-early: " "klp-early ran from klp-early.service"
	expect_order "$log" "${C}klp-early: klp_demo_v1: applied" "$UDEV" "applied before systemd-udevd started"
	expect_order "$log" 'Finished .*klp-early\.service' "$UDEV" "klp-early.service finished before systemd-udevd started"
	facts systemd-hook "$log" "$img"
}
