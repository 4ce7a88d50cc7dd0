# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: patch replaced (appended cpio) by a corrupted copy: sha256 refused

case_corrupt_ko() {
	staged corrupt-ko || return 0
	ko=$d/stage/usr/lib/klp-early/klp_demo_v1.ko
	lsinitrd -f usr/lib/klp-early/klp_demo_v1.ko "$base" >"$ko"
	# One byte changed in the middle, same size: only the checksum can tell.
	size=$(stat -c %s "$ko")
	sha0=$(file_sha "$ko")
	flip_byte "$ko" $((size / 2))
	expect_eq "$(stat -c %s "$ko")" "$size" "corrupted copy keeps the size"
	if [ "$(file_sha "$ko")" != "$sha0" ]; then
		pass "corrupted copy differs from the embedded patch"
	else
		fail "corrupted copy is the embedded patch unchanged"
	fi
	overlay corrupt-ko "$base" usr/lib/klp-early/klp_demo_v1.ko
	boot corrupt-ko "$img"
	expect_one_loader_line "$log"
	expect_log "$log" "${K}klp-early: klp_demo_v1: refused: .*sha256" "kmsg: klp-early refuses on sha256 (the appended .ko won)"
	check_status_common "$log"
	expect_log "$log" '^KLPTEST: status result=refused$' "status: result=refused"
	check_nothing_loaded "$log"
}
