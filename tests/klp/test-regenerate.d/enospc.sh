# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: small tmpfs /boot: refused up front with the space needed; dracut's ENOSPC; dracut -f baseline

case_enospc() {
	ensure_built
	use_patch v2
	size=$(bounded stat -c %s "$initrd")
	# 1. the old initrd fits, a second one does not: refused before dracut runs
	b2=$W/mnt/boot-small
	tmpfs "$b2" "$((size * 3 / 2 / 1024))k"
	bounded cp "$initrd" "$boot/vmlinuz-$kver" "$b2/"
	before=$(file_sha "$b2/initrd.img-$kver")
	n0=$(calls)
	regen --if-needed --boot "$b2"
	expect_eq "$rc" 4 "small /boot: exit 4"
	expect_in "$out" "klp: regenerate $kver: not enough space in $b2: need " "small /boot: names the space needed"
	printf '%s\n' "$out" | bounded grep 'not enough space' | bounded sed 's/^/   /'
	number "ENOSPC up front: $(printf '%s\n' "$out" | bounded grep 'not enough space')"
	expect_eq "$(calls)" "$n0" "small /boot: dracut not run"
	expect_eq "$(file_sha "$b2/initrd.img-$kver").$(temps "$b2")" "$before.0" "small /boot: old initrd untouched"
	untmpfs "$b2"
	# 2. a tiny old initrd (no patch) passes the estimate; dracut runs out of space
	b3=$W/mnt/boot-tiny
	stage=$W/mnt/stage
	tmpfs "$stage" 64m
	use_patch none
	bounded "$klp" regenerate --kver "$kver" --root "$root" --boot "$stage" --dracut "$W/bin/dracut" \
		--no-boot-check -q >/dev/null 2>&1 || :
	tiny=$(bounded stat -c %s "$stage/initrd.img-$kver")
	tmpfs "$b3" "$(((tiny + size / 2) / 1024 + 64))k"
	bounded cp "$stage/initrd.img-$kver" "$boot/vmlinuz-$kver" "$b3/"
	untmpfs "$stage"
	before=$(file_sha "$b3/initrd.img-$kver")
	use_patch v2
	regen --if-needed --boot "$b3"
	expect_eq "$rc" 4 "dracut's ENOSPC: exit 4"
	expect_in "$out" "not enough space in $b3: need more than" "dracut's ENOSPC: reported as such"
	expect_in "$out" "No space left on device" "dracut's ENOSPC: dracut's words"
	number "ENOSPC in dracut: $(printf '%s\n' "$out" | bounded grep 'not enough space')"
	expect_eq "$(file_sha "$b3/initrd.img-$kver").$(temps "$b3")" "$before.0" "dracut's ENOSPC: old initrd untouched, temp removed"
	expect_eq "$(embedded "$b3")" none "dracut's ENOSPC: the old initrd still reads to its end (embedding nothing, as before)"
	# 3. baseline: plain dracut -f on the same full /boot
	rc=0
	bounded "$W/bin/dracut" -f --kver "$kver" --kmoddir "$root/lib/modules/$kver" "$b3/initrd.img-$kver" \
		>"$W/out" 2>&1 || rc=$?
	if [ -e "$b3/initrd.img-$kver" ]; then
		res="initrd still there ($(embedded "$b3"))"
	else
		res="initrd GONE"
	fi
	number "baseline: dracut -f on the same full /boot: exit $rc, $res"
	untmpfs "$b3"
	use_patch v1
}
