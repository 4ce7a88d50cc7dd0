# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: shell initrd v1 -> v2 by klp regenerate's patch-only update: v2 applied before udevd

case_fast_shell() {
	fast_shell_image || return 0
	boot fast-shell "$img"
	check_fast_applied "$log" klp_demo_v2 "${C}dracut: "
	facts fast-shell "$log" "$img"
}
