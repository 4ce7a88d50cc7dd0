# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: patch-only update on a /boot too small for it: exit 4, old initrd untouched

case_update_enospc() {
	ensure_built
	big=$kmoddir/klp_demo_big.ko
	[ -f "$big" ] || { fail "no $big (make kmod)"; return; }
	size=$(bounded stat -c %s "$initrd")
	bsz=$(bounded stat -c %s "$big")
	# room for the old initrd and the estimate (+10%), not for a copy with a 4 MiB patch
	b4=$W/mnt/boot-upd
	tmpfs "$b4" "$(((size * 2 + size / 10 + bsz / 2) / 1024 + 64))k"
	bounded cp "$initrd" "$boot/vmlinuz-$kver" "$b4/"
	before=$(file_sha "$b4/initrd.img-$kver")
	use_patch none
	bounded cp "$big" "$lp/" && bounded chmod 0644 "$lp/klp_demo_big.ko"
	n0=$(calls)
	regen --if-needed --boot "$b4"
	expect_eq "$rc" 4 "patch-only update out of space: exit 4"
	expect_in "$out" "No space left on device; the old initrd is untouched" "out of space: said, old initrd untouched"
	number "ENOSPC in the patch-only update: $(printf '%s\n' "$out" | bounded grep 'No space' || :)"
	expect_eq "$(calls)" "$n0" "out of space: dracut not run"
	expect_eq "$(file_sha "$b4/initrd.img-$kver").$(temps "$b4")" "$before.0" "out of space: old initrd untouched, temp removed"
	untmpfs "$b4"
	use_patch v1
}
