# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: patch not owned by root / group-writable: nothing embedded, log says why

case_insecure_patch() {
	image not-root - -f shell -p "$v1" -O 65534:65534 || :
	if [ -f "$work/not-root/dracut.log" ]; then
		expect_log "$work/not-root/dracut.log" 'not owned by root' "image not-root: dracut's log says 'not owned by root'"
	fi
	image group-writable - -f shell -p "$v1" -C 0664 || return 0
	expect_log "$work/group-writable/dracut.log" 'group- or world-writable' \
		"image group-writable: dracut's log says 'group- or world-writable'"
}
