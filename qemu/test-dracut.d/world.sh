# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with the runner and the case files
#
# The building blocks of qemu/test-dracut's cases, sourced by it after its
# checks: images built once per run, boots, the checks the cases share.

# ---- building blocks ----------------------------------------------------

built=' '

# build NAME KVER CACHE MOD [mkinitrd-dracut options...]: $work/NAME/initrd.img
# (dracut's log and time beside it), once per run; sets img. MOD is the patch
# the image must embed, - for none: checked on the image's lsinitrd listing.
build() {
	name=$1
	bkver=$2
	bcache=$3
	mod=$4
	shift 4
	img=$work/$name/initrd.img
	case $built in
	*" $name "*) return 0 ;;
	esac
	rm -rf "${work:?}/$name"
	mkdir -p "$work/$name"
	if ! KLP_CACHE=$bcache "$qemu_dir/mkinitrd-dracut" -k "$bkver" -w "$work/$name" -o "$img" "$@" \
		>"$work/$name/mkinitrd.out" 2>&1; then
		fail "image $name: mkinitrd-dracut failed: $(tail -n 1 "$work/$name/mkinitrd.out")"
		return 1
	fi
	built="$built$name "
	lsinitrd "$img" >"$work/$name/lsinitrd.txt" 2>&1 || :
	echo "   image $name: $(stat -c %s "$img") bytes, dracut $(cat "$work/$name/dracut.secs") s"
	[ "$mod" != '?' ] || return 0 # the caller checks the listing
	if [ "$mod" = - ]; then
		expect_no_log "$work/$name/lsinitrd.txt" 'usr/lib/klp-early' "image $name: nothing under usr/lib/klp-early"
		return 0
	fi
	l=$work/$name/lsinitrd.txt
	expect_log "$l" ' usr/lib/klp-early/klp-early$' "image $name: lsinitrd shows usr/lib/klp-early/klp-early"
	expect_log "$l" " usr/lib/klp-early/$mod\\.ko\$" "image $name: lsinitrd shows usr/lib/klp-early/$mod.ko"
	expect_log "$l" ' usr/lib/klp-early/manifest$' "image $name: lsinitrd shows usr/lib/klp-early/manifest"
	lsinitrd -f usr/lib/klp-early/manifest "$img" >"$work/$name/manifest" 2>/dev/null || :
	expect_log "$work/$name/manifest" "^kernel=$bkver\$" "image $name: manifest kernel=$bkver"
	expect_log "$work/$name/manifest" "^module=$mod\$" "image $name: manifest module=$mod"
}

# image NAME MOD [mkinitrd-dracut options...]: build for the kernel under test
image() {
	n=$1
	shift
	build "$n" "$kver" "$KLP_CACHE" "$@"
}

# sha256 of file $2 inside initrd $1
# img_sha IMG FILE: sha256 of FILE in IMG, "missing:FILE" when lsinitrd gives nothing
img_sha() {
	lsinitrd -f "$2" "$1" >"$work/img_sha.out" 2>/dev/null || :
	if [ -s "$work/img_sha.out" ]; then
		sha256sum <"$work/img_sha.out" | cut -d' ' -f1
	else
		echo "missing:$2"
	fi
}

file_sha() {
	sha256sum <"$1" | cut -d' ' -f1
}

# /init of image $1 is the embedded klp-early (shim) or not (hook)
expect_init_is_loader() {
	expect_eq "$(img_sha "$1" init)" "$(img_sha "$1" usr/lib/klp-early/klp-early)" "/init is klp-early"
}
expect_init_not_loader() {
	a=$(img_sha "$1" init)
	b=$(img_sha "$1" usr/lib/klp-early/klp-early)
	if [ "${a#missing:}" != "$a" ] || [ "${b#missing:}" != "$b" ]; then
		fail "/init is not klp-early: cannot tell, lsinitrd gave nothing for $a $b ($1)"
	elif [ "$a" != "$b" ]; then
		pass "/init is not klp-early"
	else
		fail "/init is klp-early in a hook-mode image ($1)"
	fi
}

# staged NAME: the shell-shim image (v1) as base, and an empty
# $work/NAME/stage/usr/lib/klp-early ($d/stage) for overlay; false when that
# image could not be built (said by image)
staged() {
	image shell-shim klp_demo_v1 -f shell -p "$v1" || return 1
	base=$img
	d=$work/$1
	rm -rf "$d"
	mkdir -p "$d/stage/usr/lib/klp-early"
}

# overlay NAME BASE FILE...: $work/NAME/initrd.img = BASE + an uncompressed
# newc cpio of the FILEs (paths relative to $work/NAME/stage, owned by root).
# BASE is padded with zeros to a multiple of 4 bytes first: the kernel takes
# an uncompressed archive only at an aligned offset (else "Initramfs
# unpacking failed: invalid magic" and the appended files are ignored).
overlay() {
	name=$1
	base=$2
	shift 2
	d=$work/$name
	img=$d/initrd.img
	(cd "$d/stage" && for f in "$@"; do echo "$f"; done | cpio -o -H newc --owner 0:0 --quiet) >"$d/overlay.cpio"
	cp "$base" "$img"
	truncate -s %4 "$img"
	cat "$d/overlay.cpio" >>"$img"
}

# Timestamp (seconds) of the first dmesg line matching $2 in log $1.
kmsg_time() {
	grep -E -m1 -- "$K.*$2" "$1" | sed -E 's/^KLPTEST: kmsg \[ *([0-9.]+)\].*/\1/'
}

sub() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'
}

# boot CASE IMG [CMDLINE]: one boot and what every boot must show; sets log
boot() {
	# dracut-ng's shell init starts udevd at log level err, so that it says
	# nothing on the console; at info it announces its start as 059's does
	boot_case "$1" "$2" "${3-}${KLP_DRACUT_PREFIX:+ rd.udev.log_level=info}"
	log=$boot_log
	echo "   boot: ${boot_secs} s, log $boot_log"
	case $boot_rc in
	0) ;;
	124) fail "$1: boot timed out" ;;
	*) fail "$1: boot did not reach KLPTEST: done (run exit $boot_rc)" ;;
	esac
	expect_log "$log" '^KLPTEST: done' "guest reached the end of the real init"
	expect_log "$log" '^KLPTEST: realinit pid=1([^0-9]|$)' "switched root to the real init as PID 1"
	expect_log "$log" "${K}EXT4-fs \\(vda\\): mounted" "real root mounted with ext4"
	expect_no_log "$log" 'Initramfs unpacking failed' "the kernel unpacked the initrd without an error"
}

# The loader's one line per boot. The stale-initrd fallback (pre-pivot hook)
# logs with the same prefix, "klp-early: fallback: ...": counted apart.
expect_one_loader_line() {
	n=$(grep -Ec -- "${K}klp-early: " "$1" || true)
	f=$(grep -Ec -- "${K}klp-early: fallback: " "$1" || true)
	expect_eq "$((n - f))" 1 "exactly one klp-early line from the loader in the kernel log (+$f from the fallback)"
}

# check_status_common LOG [nokernel]: the status file reached the real root
check_status_common() {
	expect_log "$1" '^KLPTEST: status format=1$' "status file carried into the real root's /run"
	[ "${2-}" = nokernel ] || expect_log "$1" "^KLPTEST: status kernel=$kver\$" "status: kernel=$kver"
}

# check_applied LOG MOD MODE: MOD applied by the loader in MODE
check_applied() {
	expect_log "$1" "^KLPTEST: livepatch $2 enabled=1 transition=0\$" "$2 enabled=1 transition=0"
	check_status_common "$1"
	expect_log "$1" '^KLPTEST: status result=applied$' "status: result=applied"
	expect_log "$1" "^KLPTEST: status patch=$2\$" "status: patch=$2"
	expect_log "$1" "^KLPTEST: status mode=$3\$" "status: mode=$3"
	p=$(log_field "$1" 'KLPTEST: status pid=')
	if [ "$3" = shim ]; then
		expect_eq "$p" 1 "status: started as PID 1"
	elif [ "${p:-0}" -gt 1 ]; then
		pass "status: pid=$p (not PID 1: run by the initrd's init)"
	else
		fail "status: pid='$p', want a pid above 1 in mode $3"
	fi
	expect_log "$1" "${K}klp-early: $2: applied" "kmsg: klp-early says applied"
	expect_one_loader_line "$1"
	t=$(log_field "$1" 'KLPTEST: tainted ')
	expect_eq "$(((${t:-0} >> 15) & 1))" 1 "kernel tainted K (livepatch)"
	case $2 in
	klp_demo_v1) expect_log "$1" '^KLPTEST: cmdline .* klp_demo=v1$' "/proc/cmdline shows ' klp_demo=v1'" ;;
	klp_demo_v2)
		expect_log "$1" '^KLPTEST: cmdline .* klp_demo=v2$' "/proc/cmdline shows ' klp_demo=v2'"
		expect_log "$1" '^KLPTEST: version klp_demo=v2$' "/proc/version has v2's line 'klp_demo=v2'"
		;;
	esac
}

# check_only_patch LOG MOD: MOD is the one livepatch in sysfs and the one
# klp_demo module loaded (the other demo patch was in the image too)
check_only_patch() {
	expect_eq "$(grep -Ec '^KLPTEST: livepatch [^ ]+ enabled=' "$1" || true)" 1 "one livepatch in /sys/kernel/livepatch"
	expect_log "$1" "^KLPTEST: modules (.* )?$2 " "$2 in /proc/modules"
	for m in klp_demo_v1 klp_demo_v2; do
		[ "$m" = "$2" ] || expect_no_log "$1" "^KLPTEST: modules (.* )?$m " "$m not in /proc/modules"
	done
}

# Nothing was loaded: no livepatch, no klp module, no livepatch taint.
check_nothing_loaded() {
	expect_log "$1" '^KLPTEST: livepatch none$' "no livepatch in /sys/kernel/livepatch"
	expect_no_log "$1" '^KLPTEST: modules .*klp_demo' "no klp_demo module loaded"
	t=$(log_field "$1" 'KLPTEST: tainted ')
	expect_eq "$(((${t:-0} >> 15) & 1))" 0 "kernel not tainted K (livepatch)"
}

# facts LABEL LOG IMAGE: the gap 'Run /init' -> 'patching complete' (pass
# line), when the real init started (kernel time, and after 'Run /init'),
# initrd size, dracut time; kept for the closing numbers. Sets t_real, t_user.
facts() {
	t_run=$(kmsg_time "$2" 'Run /init as init process')
	t_done=$(kmsg_time "$2" "livepatch: '[^']*': patching complete")
	t_real=$(kmsg_time "$2" 'klptest: real init started')
	gap=-
	if [ -n "$t_run" ] && [ -n "$t_done" ]; then
		gap=$(sub "$t_done" "$t_run")
		number "gap from 'Run /init' to 'patching complete': $gap s"
	elif [ "$1" != no-klp ]; then
		fail "cannot measure the gap from 'Run /init' to 'patching complete'"
	fi
	if [ -n "$t_real" ] && [ -n "$t_run" ]; then
		t_real=$(sub "$t_real" 0)
		t_user=$(sub "$t_real" "$t_run")
	else
		# no kernel timestamp: the wall time of the whole boot stands in
		t_real=$boot_secs
		t_user=-
	fi
	size=$(stat -c %s "$3")
	# an image of klp regenerate's patch-only update has no dracut time
	secs=$(cat "$(dirname "$3")/dracut.secs" 2>/dev/null || echo -)
	line=$(printf '%-13s gap %6s s   real init at %6s s (%6s s after Run /init)   boot wall %5s s   initrd %9s B   dracut %4s s' \
		"$1" "$gap" "$t_real" "$t_user" "$boot_secs" "$size" "$secs")
	echo "   facts: $line"
	echo "$line" >>"$numbers"
}


# the shell-shim boot's times, which no-klp compares with
shim_real=
shim_user=

# dracut's shell init, as its base module installs it as /init
klp_base_init_sh() {
	for f in "$KLP_QEMU_OUT"/dracut-base/modules.d/[0-9][0-9]base/init.sh; do
		[ -f "$f" ] && echo "$f"
	done
}

# shellcheck source=qemu/test-dracut.d/fast.sh
. "$case_dir/fast.sh"
