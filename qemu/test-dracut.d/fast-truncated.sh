# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: fast-shell image cut in its appended .ko: the kernel unpacks what is there, v1 applied

# A copy cut in the middle of the appended v2.ko: no footer, no manifest of
# the archive. The kernel unpacks the uncompressed archive as far as it
# goes; the dracut image's manifest (v1) and v1.ko stand, and the loader
# applies v1. klp's reader finds no klp archive and the dracut image's gzip
# stream followed by bytes it cannot read: stale.
case_fast_truncated() {
	fast_broken fast-truncated || return 0
	off=$(ko_offset "$img" klp_demo_v2)
	cut=$((off + $(stat -c %s "$kmoddir/klp_demo_v2.ko") / 2))
	truncate -s "$cut" "$img"
	echo "   cut at byte $cut of $(stat -c %s "$work/fast-shell/boot/initrd.img-$kver") (v2.ko's data from byte $off)"
	klp_verdict fast-truncated
	expect_eq "$verdict_rc" 3 "klp initrd exits 3"
	expect_log "$work/fast-truncated/initrd.out" "^$kver: stale" "klp initrd says stale"
	boot fast-truncated "$img"
	check_fast_applied "$log" klp_demo_v1 "${C}dracut: "
}
