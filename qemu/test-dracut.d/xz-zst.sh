# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: patch installed as .ko.xz / .ko.zst: embedded uncompressed (xz booted)

case_xz_zst() {
	d=$work/patches/compressed
	rm -rf "$d"
	mkdir -p "$d"
	cp "$v1" "$d/klp_demo_v1.ko"
	xz -k -f "$d/klp_demo_v1.ko"
	zstd -q -k -f "$d/klp_demo_v1.ko"
	want=$(file_sha "$v1")
	for z in xz zst; do
		image "$z" klp_demo_v1 -f shell -p "$d/klp_demo_v1.ko.$z" || continue
		expect_no_log "$work/$z/lsinitrd.txt" "usr/lib/klp-early/.*\\.ko\\.$z" "image $z: no .ko.$z in the initrd"
		expect_log "$work/$z/manifest" "^sha256=$want\$" "image $z: manifest sha256 = sha256 of the uncompressed .ko"
		expect_log "$work/$z/manifest" "^size=$(stat -c %s "$v1")\$" "image $z: manifest size = size of the uncompressed .ko"
		expect_eq "$(img_sha "$img" usr/lib/klp-early/klp_demo_v1.ko)" "$want" \
			"image $z: the embedded klp_demo_v1.ko is the uncompressed original"
		expect_log "$work/$z/manifest" "^source=.*/klp_demo_v1\\.ko\\.$z\$" "image $z: manifest source names the .ko.$z"
	done
	case $built in
	*" xz "*) ;;
	*) return 0 ;;
	esac
	boot xz "$work/xz/initrd.img"
	check_applied "$log" klp_demo_v1 shim
}
