# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: shell initrd, klp-early as /init: v1 applied before dracut's init

case_shell_shim() {
	image shell-shim klp_demo_v1 -f shell -p "$v1" || return 0
	expect_init_is_loader "$img"
	expect_log "$work/shell-shim/lsinitrd.txt" ' usr/lib/klp-early/init$' "dracut's init.sh moved to usr/lib/klp-early/init"
	boot shell-shim "$img"
	check_applied "$log" klp_demo_v1 shim
	# nothing of dracut ran before: its init logs "dracut: ..." from its start
	expect_order "$log" "${K}livepatch: 'klp_demo_v1': patching complete" "${K}dracut: " \
		"patching complete before the first dracut: line (kmsg)"
	expect_order "$log" "${K}klp-early: " "${K}dracut: " "klp-early line before the first dracut: line (kmsg)"
	expect_order "$log" "${C}livepatch: 'klp_demo_v1': patching complete" "${C}dracut: " \
		"patching complete before the first dracut: line (console)"
	expect_order "$log" "${C}klp-early: " "$UDEV" "klp-early line before udevd started"
	facts shell-shim "$log" "$img"
	shim_real=$t_real
	shim_user=$t_user
}
