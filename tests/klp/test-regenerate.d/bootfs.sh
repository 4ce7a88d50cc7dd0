# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: fstab names a separate /boot (UUID of a loop device): mounted, unmounted, another device

case_bootfs() {
	ensure_built
	b2=$W/mnt/boot-bootfs
	bounded mkdir -p "$b2"
	img=$W/bootfs.img
	bounded truncate -s 32M "$img"
	bounded mkfs.ext4 -q -F "$img" || { fail "mkfs.ext4"; return; }
	loopdev=$(bounded losetup -f --show "$img" 2>/dev/null) || {
		skip "bootfs: no loop device here"
		return
	}
	uuid=$(bounded blkid -p -s UUID -o value "$loopdev" || :)
	echo "UUID=$uuid /boot ext4 defaults 0 2" >"$root/etc/fstab"
	bounded mount "$loopdev" "$b2"
	mounts="$b2 $mounts"
	bounded cp "$initrd" "$boot/vmlinuz-$kver" "$b2/"
	use_patch v2
	rc=0
	bounded "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$b2" --dracut "$W/bin/dracut" \
		>"$W/out" 2>&1 || rc=$?
	expect_eq "$rc" 0 "fstab UUID= is the device mounted on BOOT (libblkid): rebuilt"
	expect_eq "$(embedded "$b2")" klp_demo_v2 "rebuilt on the mounted /boot"
	untmpfs "$b2"
	use_patch v1
	regen --if-needed --boot "$b2"
	expect_eq "$rc" 3 "/boot not mounted: exit 3"
	expect_in "$out" "mounts UUID=$uuid on /boot, but nothing is mounted on $b2" "/boot not mounted: says so"
	expect_eq "$(bounded find "$b2" -mindepth 1 | bounded wc -l)" 0 "/boot not mounted: nothing written into the folder"
	tmpfs "$b2" 64m
	regen --if-needed --boot "$b2"
	expect_eq "$rc" 3 "another filesystem on /boot: exit 3"
	expect_in "$out" "but $root/etc/fstab mounts UUID=$uuid ($loopdev" "another filesystem on /boot: names both"
	regen --if-needed --boot "$b2" --no-boot-check
	expect_eq "$rc" 0 "--no-boot-check skips the check"
	untmpfs "$b2"
	bounded rm -f "$root/etc/fstab"
	bounded losetup -d "$loopdev" || :
	loopdev=
}
