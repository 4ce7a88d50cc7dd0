# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: --add klp without a patch: nothing embedded, boot unchanged

case_no_patch() {
	image no-patch - -f shell || return 0
	dl=$work/no-patch/dracut.log
	expect_log "$dl" 'Including module: klp ' "image no-patch: module klp included (--add klp)"
	expect_log "$dl" "55klp: no usable livepatch for $kver: nothing embedded" "image no-patch: dracut's log says nothing embedded"
	boot no-patch "$img"
	expect_no_log "$log" "${K}klp-early" "no klp-early line in the kernel log"
	expect_log "$log" '^KLPTEST: status missing$' "no status file"
	check_nothing_loaded "$log"
}
