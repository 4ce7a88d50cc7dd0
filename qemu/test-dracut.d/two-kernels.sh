# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: two kernels, build only: each initrd embeds its own kernel's patch

case_two_kernels() {
	# a second release of the same length, so that the vermagic can be
	# rewritten in place: the ABI number's digits complemented (56 -> 43)
	abi=$(echo "$kver" | cut -d- -f2)
	kver2=$(echo "$kver" | sed "s/-$abi-/-$(echo "$abi" | tr 0-9 9876543210)-/")
	if [ "$kver2" = "$kver" ] || [ "${#kver2}" -ne "${#kver}" ]; then
		fail "cannot make a second kernel release from $kver"
		return 0
	fi
	echo "   second kernel: $kver2 (a fake tree, no modules)"
	cache2=$work/cache2
	tree=$cache2/kernel/$kver2/root
	rm -rf "$cache2"
	mkdir -p "$tree/lib/modules/$kver2"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		: >"$tree/lib/modules/$kver2/$f"
	done
	depmod -b "$tree" "$kver2"
	d=$work/patches/k2
	rm -rf "$d"
	mkdir -p "$d"
	LC_ALL=C sed "s/vermagic=$kver /vermagic=$kver2 /" "$kmoddir/klp_demo_v2.ko" >"$d/klp_demo_v2.ko"
	vm=$(modinfo -F vermagic "$d/klp_demo_v2.ko" | cut -d' ' -f1)
	expect_eq "$vm" "$kver2" "klp_demo_v2.ko rewritten: modinfo vermagic names $kver2"
	expect_eq "$(stat -c %s "$d/klp_demo_v2.ko")" "$(stat -c %s "$kmoddir/klp_demo_v2.ko")" \
		"rewritten klp_demo_v2.ko keeps its size"

	image auto-v1 klp_demo_v1 -f auto -p "$v1" || :
	build k2-v2 "$kver2" "$cache2" klp_demo_v2 -f auto -p "$d/klp_demo_v2.ko" || :
	# K's patch installed for K2: check() says no, so add the module by
	# hand to hear install() say why nothing is embedded
	build k2-wrong "$kver2" "$cache2" - -f auto -p "$v1" -- --add klp || return 0
	dl=$work/k2-wrong/dracut.log
	expect_log "$dl" "55klp: no usable livepatch for $kver2" "image k2-wrong: dracut's log says no usable livepatch for $kver2"
	expect_log "$dl" "klp_demo_v1\\.ko.*(another kernel|vermagic)" \
		"image k2-wrong: dracut's log says why (klp_demo_v1.ko built for another kernel)"
}
