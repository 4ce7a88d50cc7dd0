# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: shell initrd, -M hook: v1 applied by the cmdline hook before udev

case_shell_hook() {
	image shell-hook klp_demo_v1 -f shell -M hook -p "$v1" || return 0
	l=$work/shell-hook/lsinitrd.txt
	expect_init_not_loader "$img"
	expect_no_log "$l" ' usr/lib/klp-early/init( |$)' "no usr/lib/klp-early/init: /init is dracut's own"
	# dracut 059 keeps its hooks in usr/lib/dracut/hooks, dracut-ng in var/lib/dracut/hooks
	expect_log "$l" ' (usr|var)/lib/dracut/hooks/cmdline/00-klp-hook\.sh$' "cmdline hook 00-klp-hook.sh installed"
	boot shell-hook "$img"
	check_applied "$log" klp_demo_v1 hook
	expect_order "$log" "${K}dracut: " "${K}klp-early: " "dracut's init ran first (its first line before klp-early's)"
	expect_order "$log" "${C}klp-early: klp_demo_v1: applied" "$UDEV" \
		"applied before udevd started ('Starting systemd-udevd version')"
	expect_order "$log" "${C}klp-early: klp_demo_v1: applied" "${C}virtio_blk virtio0: " \
		"applied before udev loaded the disk driver"
	facts shell-hook "$log" "$img"
}
