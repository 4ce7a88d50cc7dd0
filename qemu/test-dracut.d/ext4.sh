# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: klp_demo_ext4 embedded: ext4 patched as it loads from the initrd

case_ext4() {
	image ext4 klp_demo_ext4 -f shell -p "$kmoddir/klp_demo_ext4.ko" || return 0
	boot ext4 "$img"
	check_applied "$log" klp_demo_ext4 shim
	expect_log "$log" '^KLPTEST: livepatch klp_demo_ext4 object ext4 patched=1$' "klp_demo_ext4/ext4/patched = 1"
	expect_log "$log" "${K}livepatch: applying patch 'klp_demo_ext4' to loading module 'ext4'" \
		"ext4 loaded from the initrd after the patch (patched as it loaded)"
	expect_order "$log" "${K}klp-early: klp_demo_ext4: applied" "${K}EXT4-fs \\(vda\\): mounted" \
		"patch applied before the root was mounted"
	expect_log "$log" "^KLPTEST: ext4 vda options $marker\$" "/proc/fs/ext4/vda/options shows the marker '$marker'"
	expect_log "$log" '^KLPTEST: ext4 vda options rw$' "/proc/fs/ext4/vda/options keeps the real content"
}
