# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: Fedora initramfs-K.img, a BLS entry's initrd, kernel-install's folder; a UKI or an entry without initrd refused

# regen_k3: klp regenerate of $k3, output in $W/out, status in rc
regen_k3() {
	rc=0
	bounded "$klp" regenerate --kver "$k3" --root "$root" --boot "$boot" --dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	out=$(bounded cat "$W/out")
}

# A third "kernel" (the same tree, another name) in the layouts of Fedora and
# of the Boot Loader Specification: klp writes the initrd the boot loader reads
case_layouts() {
	ensure_built
	k3=$kver-layout
	bounded cp -al "$src" "$root/lib/modules/$k3"
	bounded touch "$boot/vmlinuz-$k3"
	osr=$(bounded cat "$root/etc/os-release" 2>/dev/null || :)
	printf 'ID=fedora\n' >"$root/etc/os-release"
	# 1. Fedora: no initrd yet; BOOT has initrds of two names (Debian's of
	# $kver, a Fedora rescue image), so os-release decides: initramfs-K.img
	bounded touch "$boot/initramfs-0-rescue-0123abcd.img"
	regen_k3
	expect_eq "$rc" 0 "Fedora: regenerate writes $k3's first initrd"
	if [ -s "$boot/initramfs-$k3.img" ] && [ ! -e "$boot/initrd-$k3" ] && [ ! -e "$boot/initrd.img-$k3" ]; then
		pass "Fedora: the initrd is initramfs-$k3.img (no initrd-K, no initrd.img-K)"
	else
		fail "Fedora: initrd names in BOOT: $(bounded find "$boot" -maxdepth 1 -name "initr*$k3*" | tr '\n' ' ')"
	fi
	expect_eq "$(verdict "$boot" "$k3")" no-patch "Fedora: klp initrd reads initramfs-$k3.img (no-patch: the patch is $kver's)"
	# 2. a BLS entry names another file: that one is the initrd, the Fedora name is not
	bounded mkdir -p "$boot/loader/entries"
	# shellcheck disable=SC2016 # $tuned_initrd: GRUB's variable, as Fedora writes it
	printf 'title t\nversion %s\nlinux /vmlinuz-%s\ninitrd /intel-ucode.img\ninitrd /%s/initrd $tuned_initrd\n' \
		"$k3" "$k3" "custom-$k3" >"$boot/loader/entries/t.conf"
	bounded mkdir -p "$boot/custom-$k3"
	n0=$(calls)
	regen_k3
	expect_eq "$rc.$(calls)" "0.$((n0 + 1))" "BLS entry: regenerate builds the entry's initrd, which does not exist yet"
	if [ -s "$boot/custom-$k3/initrd" ]; then
		pass "BLS entry: the initrd is the entry's last initrd path ($boot/custom-$k3/initrd)"
	else
		fail "BLS entry: no $boot/custom-$k3/initrd ($out)"
	fi
	expect_eq "$(verdict "$boot" "$k3")" no-patch "BLS entry: klp initrd reads the entry's initrd"
	# 3. an entry that boots the kernel without an initrd: refused, nothing written
	printf 'title t\nversion %s\nlinux /vmlinuz-%s\noptions quiet\n' "$k3" "$k3" >"$boot/loader/entries/t.conf"
	before=$(cd "$boot" && find . | sort | bounded sha256sum)
	regen_k3
	expect_eq "$rc" 1 "entry without initrd: regenerate exits 1"
	expect_in "$out" "klp: regenerate $k3: the boot entry $boot/loader/entries/t.conf boots $k3 without an initrd" \
		"entry without initrd: one line names the entry"
	expect_eq "$(cd "$boot" && find . | sort | bounded sha256sum)" "$before" "entry without initrd: nothing written to BOOT"
	# 4. a unified kernel image and no initrd: refused, says what to run; never in-sync
	bounded rm -rf "$boot/loader" "$boot/custom-$k3" "$boot/initramfs-$k3.img"
	bounded mkdir -p "$boot/EFI/Linux"
	bounded touch "$boot/EFI/Linux/0123abcd-$k3.efi"
	v=0
	j=$(bounded "$klp" initrd --kver "$k3" --root "$root" --boot "$boot" 2>&1) || v=$?
	expect_eq "$v" 1 "UKI: klp initrd exits 1 (an error, never in-sync)"
	expect_in "$j" "$boot/EFI/Linux/0123abcd-$k3.efi boots $k3 as a unified kernel image" "UKI: klp initrd names the image"
	expect_in "$j" "kernel-install add $k3" "UKI: klp initrd says what to run"
	regen_k3
	expect_eq "$rc" 1 "UKI: regenerate exits 1"
	if [ -e "$boot/initramfs-$k3.img" ] || [ -e "$boot/initrd-$k3" ] || [ -e "$boot/initrd.img-$k3" ]; then
		fail "UKI: regenerate wrote an initrd nothing boots"
	else
		pass "UKI: regenerate wrote no initrd"
	fi
	if [ -n "$osr" ]; then printf '%s\n' "$osr" >"$root/etc/os-release"; else bounded rm -f "$root/etc/os-release"; fi
	bounded rm -rf "$root/lib/modules/$k3" "$boot/vmlinuz-$k3" "$boot/EFI" "$W/run/initrd-$k3.stamp" \
		"$boot/initramfs-0-rescue-0123abcd.img"
}
