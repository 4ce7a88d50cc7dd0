# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with the runner and the case files
#
# The fast-* cases' blocks: an image turned into another patch's by klp
# regenerate's patch-only update. Sourced by world.sh.

# ---- the patch-only update of klp regenerate, booted ------------------------

# fast_update NAME BASE BUILD FROM TO: $work/NAME/boot/initrd.img-$kver, a
# copy of image BASE (embedding FROM: dracut's $work/BUILD/initrd.img, or an
# update of it) updated by the real `klp regenerate` with TO installed in a
# scratch root (the cached kernel's tree, hard-linked) and BUILD's dracut
# (mkinitrd-dracut's $work/BUILD/dracut: same flavour and loader) as the one
# it would run instead. The patch-only update must run: progress line,
# dracut's image kept at the start, then one klp archive holding only TO
# (read with cpio), klp initrd in-sync. Once per run; sets img.
fast_update() {
	name=$1
	base=$2
	bdir=$work/$3
	from=$4
	to=$5
	d=$work/$name
	img=$d/boot/initrd.img-$kver
	case $built in
	*" $name "*) return 0 ;;
	esac
	rm -rf "${work:?}/$name"
	mkdir -p "$d/boot" "$d/root/lib/modules"
	mkdir -m 0700 "$d/run"
	cp -al "$ksrc" "$d/root/lib/modules/$kver"
	mkdir -p "$d/root/lib/modules/$kver/livepatch"
	cp "$kmoddir/$to.ko" "$d/root/lib/modules/$kver/livepatch/"
	chmod 0644 "$d/root/lib/modules/$kver/livepatch/$to.ko"
	: >"$d/boot/vmlinuz-$kver"
	cp "$base" "$img"
	rc=0
	t0=$(date +%s.%N)
	KLP_RUN_DIR=$d/run bounded "$klp" regenerate --kver "$kver" --root "$d/root" --boot "$d/boot" --no-boot-check \
		--dracut "$bdir/dracut" >"$d/regenerate.out" 2>"$d/regenerate.err" || rc=$?
	t1=$(date +%s.%N)
	expect_eq "$rc" 0 "image $name: klp regenerate exits 0"
	expect_eq "$(cat "$d/regenerate.err")" "" "image $name: klp regenerate says nothing on stderr"
	expect_log "$d/regenerate.out" "^regenerating initrd for $kver \\(patch $from -> $to\\)\\.\\.\\. done in [0-9.]+ s \\(patch archive replaced, dracut not run\\)\$" \
		"image $name: klp regenerate says $from -> $to by the patch-only update (dracut not run)"
	[ "$rc" = 0 ] || return 1
	built="$built$name "
	n=$(stat -c %s "$bdir/initrd.img")
	expect_eq "$(head -c "$n" "$img" | sha256sum | cut -d' ' -f1)" "$(file_sha "$bdir/initrd.img")" \
		"image $name: dracut's image is kept byte for byte at the start"
	mkdir -p "$d/archive"
	archive_part "$img" >"$d/archive.cpio" || :
	(cd "$d/archive" && bounded cpio -id --quiet <../archive.cpio) 2>/dev/null || :
	expect_eq "$(file_sha "$d/archive/usr/lib/klp-early/$to.ko" 2>/dev/null || echo none)" "$(file_sha "$kmoddir/$to.ko")" \
		"image $name: the appended klp archive holds $to.ko (cpio), byte for byte"
	expect_log "$d/archive/usr/lib/klp-early/manifest" "^module=$to\$" "image $name: the appended manifest names $to"
	expect_eq "$(cd "$d/archive" && find . -type f | sort | tr '\n' ' ')" \
		"./usr/lib/klp-early/.klp-archive ./usr/lib/klp-early/$to.ko ./usr/lib/klp-early/manifest " \
		"image $name: the klp archive holds $to.ko, the manifest and the footer"
	expect_eq "$(stat -c %s "$img")" "$(((n + 3) / 4 * 4 + $(wc -c <"$d/archive.cpio")))" \
		"image $name: dracut's image, zeros to a multiple of 4, the klp archive: nothing else"
	klp_verdict "$name"
	expect_eq "$verdict_rc" 0 "image $name: klp initrd exits 0"
	expect_log "$d/initrd.out" "^$kver: in-sync" "image $name: klp initrd says in-sync"
	expect_log "$d/initrd.out" "then a patch archive" "image $name: klp initrd -v says the image ends with a patch archive"
	secs=$(sub "$t1" "$t0")
	echo "   image $name: $(stat -c %s "$img") bytes (dracut's + $(($(stat -c %s "$img") - n))), klp regenerate $secs s"
	echo "$name: klp regenerate's patch-only update $from -> $to: $secs s (wall, incl. verification), dracut's image + $(($(stat -c %s "$img") - n)) B" >>"$numbers.diff"
}

# klp_verdict NAME: klp initrd -v on $work/NAME's root and boot; output in
# $work/NAME/initrd.out, exit status in verdict_rc
klp_verdict() {
	verdict_rc=0
	bounded "$klp" initrd -v --kver "$kver" --root "$work/$1/root" --boot "$work/$1/boot" >"$work/$1/initrd.out" 2>&1 ||
		verdict_rc=$?
}

# The shell image with v2 by the patch-only update: the base of the others.
fast_shell_image() {
	image shell-shim klp_demo_v1 -f shell -p "$v1" || return 1
	fast_update fast-shell "$img" shell-shim klp_demo_v1 klp_demo_v2
}

# check_fast_applied LOG MOD WHO: MOD applied by the shim before WHO (a
# console regex: udevd, systemd) and no other patch
check_fast_applied() {
	check_applied "$1" "$2" shim
	check_only_patch "$1" "$2"
	expect_order "$1" "${C}livepatch: '$2': patching complete" "$3" "patching complete before /$3/ (console)"
	expect_order "$1" "${C}klp-early: $2: applied" "$UDEV" "klp-early's line before udevd started"
}

# ko_offset IMG MOD: byte offset in IMG of MOD.ko's data in the appended klp
# archive (a newc header is 110 bytes, then the name and its NUL padded to 4)
ko_offset() {
	a=$(archive_part "$1" | wc -c)
	a=$(($(stat -c %s "$1") - a))
	nm=usr/lib/klp-early/$2.ko
	h=$(archive_part "$1" | grep -obaF "$nm" | head -n 1 | cut -d: -f1)
	h=$((h - 110))
	echo $((a + h + (110 + ${#nm} + 1 + 3) / 4 * 4))
}

# fast_broken NAME: $work/NAME/boot/initrd.img-$kver (sets img), a copy of the
# fast-shell image in a root and boot like its own, to be broken by the caller
fast_broken() {
	fast_shell_image || return 1
	d=$work/$1
	rm -rf "${work:?}/$1"
	mkdir -p "$d/boot"
	cp -al "$work/fast-shell/root" "$d/root"
	: >"$d/boot/vmlinuz-$kver"
	cp "$img" "$d/boot/initrd.img-$kver"
	img=$d/boot/initrd.img-$kver
}
