# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: default module set: klp included only when a patch is installed

case_auto_include() {
	image auto-none - -f auto || :
	if [ -f "$work/auto-none/dracut.log" ]; then
		expect_no_log "$work/auto-none/dracut.log" 'Including module: klp ' \
			"image auto-none (no patch): module klp not included by default"
	fi
	image auto-v1 klp_demo_v1 -f auto -p "$v1" || return 0
	expect_log "$work/auto-v1/dracut.log" 'Including module: klp ' \
		"image auto-v1 (patch installed): module klp included by default (check())"
	expect_log "$work/auto-v1/dracut.log" '55klp: embedded klp_demo_v1 ' "image auto-v1: dracut's log says what it embedded"
}
