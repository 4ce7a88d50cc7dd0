# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: the fast-shell image back to v1 by the patch-only update: v1 applied, not v2

case_fast_downgrade() {
	fast_shell_image || return 0
	# fast_update checks that v2's archive was replaced, not appended to
	fast_update fast-downgrade "$img" shell-shim klp_demo_v2 klp_demo_v1 || return 0
	boot fast-downgrade "$img"
	check_fast_applied "$log" klp_demo_v1 "${C}dracut: "
}
