# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: module.sig_enforce=1: unsigned patch rejected, boot continues

case_sig_enforce() {
	image shell-shim klp_demo_v1 -f shell -p "$v1" || return 0
	boot sig-enforce "$img" "module.sig_enforce=1"
	expect_one_loader_line "$log"
	expect_log "$log" "${K}klp-early: klp_demo_v1: .*signature rejected" "kmsg: klp-early says signature rejected"
	check_status_common "$log"
	expect_log "$log" '^KLPTEST: status error=EKEYREJECTED$' "status: error=EKEYREJECTED"
	expect_log "$log" '^KLPTEST: status result=failed$' "status: result=failed"
	check_nothing_loaded "$log"
}
