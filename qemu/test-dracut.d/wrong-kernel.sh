# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: manifest replaced (appended cpio) for another kernel: refused

case_wrong_kernel() {
	staged wrong-kernel || return 0
	sed 's/^kernel=.*/kernel=0.0.0-not-this-kernel/' "$work/shell-shim/manifest" >"$d/stage/usr/lib/klp-early/manifest"
	overlay wrong-kernel "$base" usr/lib/klp-early/manifest
	boot wrong-kernel "$img"
	expect_one_loader_line "$log"
	expect_log "$log" "${K}klp-early: klp_demo_v1: refused: .*kernel.*0\\.0\\.0-not-this-kernel" \
		"kmsg: klp-early refuses, naming the manifest's kernel (the appended manifest won)"
	check_status_common "$log"
	expect_log "$log" '^KLPTEST: status result=refused$' "status: result=refused"
	check_nothing_loaded "$log"
}
