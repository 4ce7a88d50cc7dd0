# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: fast-shell image, one byte of the appended .ko changed: refused on sha256, boot goes on

# A copy whose appended v2.ko has one byte changed in the middle, same size:
# its manifest names v2 and the sha256 refuses it; nothing else is loaded
# (v1's manifest was replaced) and the boot goes on.
case_fast_corrupt() {
	fast_broken fast-corrupt || return 0
	off=$(($(ko_offset "$img" klp_demo_v2) + $(stat -c %s "$kmoddir/klp_demo_v2.ko") / 2))
	size=$(stat -c %s "$img")
	b=$(byte_at "$img" "$off")
	flip_byte "$img" "$off"
	expect_eq "$(stat -c %s "$img")" "$size" "corrupted copy keeps the size"
	expect_eq "$(byte_at "$img" "$off")" "$(((b + 1) % 256))" "byte $off of the image changed"
	klp_verdict fast-corrupt
	expect_eq "$verdict_rc" 3 "klp initrd exits 3"
	expect_log "$work/fast-corrupt/initrd.out" "^$kver: stale" "klp initrd says stale"
	boot fast-corrupt "$img"
	expect_one_loader_line "$log"
	expect_log "$log" "${K}klp-early: klp_demo_v2: refused: .*sha256" "kmsg: klp-early refuses v2 on sha256"
	check_status_common "$log"
	expect_log "$log" '^KLPTEST: status result=refused$' "status: result=refused"
	check_nothing_loaded "$log"
}
