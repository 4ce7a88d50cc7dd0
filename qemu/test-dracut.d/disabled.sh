# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: rd.klp=0: nothing loaded

case_disabled() {
	image shell-shim klp_demo_v1 -f shell -p "$v1" || return 0
	boot disabled "$img" "rd.klp=0"
	expect_one_loader_line "$log"
	expect_log "$log" "${K}klp-early: .*disabled" "kmsg: klp-early says disabled"
	# disabled before the manifest is read: no kernel in the status
	check_status_common "$log" nokernel
	expect_log "$log" '^KLPTEST: status result=disabled$' "status: result=disabled"
	check_nothing_loaded "$log"
}
