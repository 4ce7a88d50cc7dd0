# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with the runner and the runs
#
# The blocks of qemu/lifecycle, sourced by it after its checks: the cached
# Debian root, the guest disk, what happens between runs, one boot, and the
# checks the runs share.

# The mirror apt uses here for $suite (deb822 .sources or one-line .list).
debian_mirror() {
	if [ -n "${KLP_DEBIAN_MIRROR-}" ]; then
		echo "$KLP_DEBIAN_MIRROR"
		return
	fi
	m=$(
		# shellcheck disable=SC2016 # awk programs
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] && bounded awk -v s="$suite" '$1 == "deb" { u = $2; if (u ~ /^\[/) u = $3; for (i = 2; i <= NF; i++) if ($i == s) { print u; exit } }' "$f"
		done
		# shellcheck disable=SC2016 # awk programs
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && bounded awk -v s="$suite" '
				/^[ \t]*$/ { if (ok && u != "") { print u; exit } ok = 0; u = "" }
				/^URIs:/ { u = $2 }
				/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
				END { if (ok && u != "") print u }' "$f"
		done
	)
	m=$(printf '%s\n' "$m" | bounded sed -n '1p')
	echo "${m:-http://deb.debian.org/debian}"
}

# in_root DIR CMD...: CMD chrooted into DIR with /proc and /sys mounted in a
# private mount namespace (the mounts vanish with it)
in_root() {
	d=$1
	shift
	# shellcheck disable=SC2016 # a script for the inner sh
	bounded_long unshare --mount --propagation private --fork sh -c '
		d=$1
		shift
		mount -t proc proc "$d/proc" && mount -t sysfs sys "$d/sys" || exit 125
		exec chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
			DEBIAN_FRONTEND=noninteractive "$@"' sh "$d" "$@"
}

# ---- the cached Debian root: debootstrap + the Debian kernel (dpkg -i) ----
# the Debian kernel's .deb, downloaded once by tools/deps --debs
kernel_deb() {
	d=$(bounded "$top/tools/deps" --debs) || die "tools/deps --debs failed"
	set -- "$d/linux-image-${kver}_"*.deb
	[ -f "$1" ] || die "tools/deps --debs left no linux-image-${kver}_*.deb in $d"
	echo "$1"
}

# Only for building the first initrd in the chroot: nothing to detect there.
BUILD_DRACUT_CONF='# klp-initrd lifecycle test: the first initrd, made in a chroot
hostonly="no"
drivers=" virtio_blk virtio_pci ext4 "
'
# The guest's own dracut configuration (every later initrd).
GUEST_DRACUT_CONF='# klp-initrd lifecycle test: small and fast initrds for this VM
hostonly="yes"
hostonly_cmdline="no"
'

base_tar() {
	mirror=$(debian_mirror)
	deb=$(kernel_deb)
	key=$(printf '%s\n' "$BASE_RECIPE" "$suite" "$mirror" "$GUEST_PACKAGES" "${deb##*/}" "$BUILD_DRACUT_CONF" |
		bounded sha256sum | bounded cut -c1-16)
	tarball=$lc_cache/guest-$suite-$key.tar.zst
	if [ -f "$tarball" ]; then
		echo "$tarball"
		return
	fi
	t0=$(now)
	echo "lifecycle: debootstrap $suite from $mirror (cached as ${tarball##*/})" >&2
	b=$lc_cache/base.tmp
	bounded rm -rf "$b"
	bounded_long debootstrap --variant=minbase --include="$GUEST_PACKAGES" "$suite" "$b" "$mirror" \
		>"$lc_cache/debootstrap.log" 2>&1 || die "debootstrap failed: $lc_cache/debootstrap.log"
	bounded cp "$deb" "$b/tmp/"
	printf '%s' "$BUILD_DRACUT_CONF" >"$b/etc/dracut.conf.d/90-klptest-build.conf"
	echo "lifecycle: dpkg -i ${deb##*/} in the chroot (its postinst.d runs dracut)" >&2
	in_root "$b" dpkg -i "/tmp/${deb##*/}" >"$lc_cache/kernel-install.log" 2>&1 ||
		die "dpkg -i of the kernel failed: $lc_cache/kernel-install.log"
	bounded rm -f "$b/tmp/${deb##*/}" "$b/etc/dracut.conf.d/90-klptest-build.conf"
	bounded rm -rf "$b/var/cache/apt/archives/"*.deb
	[ -f "$b/boot/initrd.img-$kver" ] || die "the kernel's postinst made no /boot/initrd.img-$kver"
	(cd "$b" && bounded_long tar --numeric-owner --xattrs -cf - .) | bounded_long zstd -q -T0 -3 >"$tarball.tmp" ||
		die "cannot pack $tarball"
	bounded mv "$tarball.tmp" "$tarball"
	bounded rm -rf "$b"
	note "guest root built (debootstrap + kernel): $(secs_since "$t0") s" >&2
	echo "$tarball"
}

# ---- the test packages ----
# shellcheck source=tests/lib/mkdeb.sh
. "$top/tests/lib/mkdeb.sh"


# ---- the guest disk ----
# klptest-run (in this folder) as /usr/local/sbin/klptest-run, started by
# klptest.service (in this folder) once the system is
# up: reads /root/klptest/next (the run number the host wrote with debugfs),
# reports on /dev/ttyS1 (a serial port of its own: no kernel or systemd
# output mixes in), then crashes or powers off.
build_disk() {
	tarball=$1
	t0=$(now)
	g=$W/root
	bounded rm -rf "$g"
	bounded mkdir -p "$g"
	bounded_long zstd -q -d -c "$tarball" | (cd "$g" && bounded_long tar --numeric-owner --xattrs -xf -) ||
		die "cannot unpack $tarball"
	printf '%s' "$GUEST_DRACUT_CONF" >"$g/etc/dracut.conf.d/50-klptest.conf"
	bounded mkdir -p "$g/root/klptest/debs" "$g/usr/local/sbin" "$g/etc/systemd/system/multi-user.target.wants"
	bounded cp "$W/debs/"*.deb "$g/root/klptest/debs/"
	bounded install -m 0755 "$case_dir/klptest-run" "$g/usr/local/sbin/klptest-run"
	bounded install -m 0644 "$case_dir/klptest.service" "$g/etc/systemd/system/klptest.service"
	bounded ln -sf ../klptest.service "$g/etc/systemd/system/multi-user.target.wants/klptest.service"
	# no login prompt on the console, no first-boot questions
	bounded ln -sf /dev/null "$g/etc/systemd/system/serial-getty@ttyS0.service"
	bounded ln -sf /dev/null "$g/etc/systemd/system/systemd-firstboot.service"
	echo 0123456789abcdef0123456789abcdef >"$g/etc/machine-id"
	echo klptest >"$g/etc/hostname"
	printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$g/etc/fstab"
	# klp-initrd's own package, the Debian way: its postinst runs klp-hook
	# (in a chroot: no live load)
	bounded cp "$klp_deb" "$g/tmp/klp-initrd.deb"
	in_root "$g" dpkg -i /tmp/klp-initrd.deb >"$W/klp-initrd-install.log" 2>&1 ||
		die "dpkg -i klp-initrd in the chroot failed: $W/klp-initrd-install.log"
	bounded rm -f "$g/tmp/klp-initrd.deb"
	bounded rm -f "$W/disk.ext4"
	bounded truncate -s 2G "$W/disk.ext4"
	bounded_long mke2fs -q -F -t ext4 -L klpguest -E root_owner=0:0 -d "$g" "$W/disk.ext4" ||
		die "mke2fs -d failed"
	bounded rm -rf "$g"
	note "guest disk built (unpack, klp-initrd package, mke2fs -d): $(secs_since "$t0") s"
}

# ---- between runs ----
# dump FILE-IN-IMAGE OUT [-c]: debugfs, read-only (no journal replay); its
# messages and the file's inode in OUT.debugfs. -c: catastrophic mode, no
# bitmaps read (a boot loader reads none; before the journal is replayed
# their checksums may not match, and plain debugfs then refuses to open)
dump() {
	bounded rm -f "$2"
	{
		# shellcheck disable=SC2086 # an optional flag
		bounded debugfs ${3-} -R "stat $1" "$W/disk.ext4" 2>&1 | bounded head -n 20
		# shellcheck disable=SC2086 # an optional flag
		bounded debugfs ${3-} -R "dump $1 $2" "$W/disk.ext4" 2>&1
	} >"$2.debugfs"
	[ -s "$2" ]
}
sha() {
	bounded sha256sum "$1" 2>/dev/null | bounded cut -c1-64
}
# after_run N: the initrd the next boot loads (bootloader view before the
# journal is replayed, kernel view after); sets next_initrd
after_run() {
	b=$W/initrd-after-$1.bootloader
	k=$W/initrd-after-$1.kernel
	dump "/boot/initrd.img-$kver" "$b" -c || : >"$b"
	rc=0
	bounded e2fsck -fy "$W/disk.ext4" >"$W/e2fsck-$1.log" 2>&1 || rc=$?
	case $rc in
	0 | 1) pass "run $1: e2fsck after the run: clean or journal replayed (exit $rc)" ;;
	*) fail "run $1: e2fsck exit $rc (log $W/e2fsck-$1.log)" ;;
	esac
	dump "/boot/initrd.img-$kver" "$k" || : >"$k"
	if [ ! -s "$b" ] || [ ! -s "$k" ]; then
		fail "run $1: debugfs could not read /boot/initrd.img-$kver ($(bounded stat -c %s "$b") bytes before the journal replay, $(bounded stat -c %s "$k") after; $b.debugfs)"
	elif [ "$(sha "$b")" = "$(sha "$k")" ]; then
		pass "run $1: a boot loader that does not replay the journal (GRUB) reads the same initrd as the kernel"
	else
		fail "run $1: a boot loader that does not replay the journal (GRUB) reads another /boot/initrd.img-$kver than the kernel: $(bounded stat -c %s "$b") bytes vs $(bounded stat -c %s "$k") (debugfs: $b.debugfs)"
	fi
	if [ "$view" = bootloader ]; then next_initrd=$b; else next_initrd=$k; fi
}
# set_next N: the guest's command file
set_next() {
	echo "$1" >"$W/next"
	bounded chmod 0644 "$W/next"
	bounded debugfs -w -R "rm /root/klptest/next" "$W/disk.ext4" >/dev/null 2>&1 || :
	bounded debugfs -w -R "write $W/next /root/klptest/next" "$W/disk.ext4" >/dev/null 2>&1 ||
		die "debugfs cannot write /root/klptest/next"
}

# boot N INITRD: one guest run; console log $W/logs/runN.console, the test's
# own lines $W/logs/runN.log (ttyS1); sets L, boot_rc, boot_secs
boot() {
	L=$W/logs/run$1.log
	C=$W/logs/run$1.console
	bounded mkdir -p "$W/logs"
	: >"$L"
	: >"$C"
	set_next "$1"
	t0=$(now)
	boot_rc=0
	timeout -k 5 "$boot_timeout" qemu-system-x86_64 \
		-accel tcg -m "$mem" -smp "$smp" \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code" \
		-drive "if=pflash,format=raw,unit=1,file=$W/vars.fd" \
		-nodefaults -no-user-config -display none -monitor none \
		-serial "file:$C" -serial "file:$L" -no-reboot \
		-kernel "$vmlinuz" -initrd "$2" \
		-drive "file=$W/disk.ext4,format=raw,if=virtio" \
		-append "console=ttyS0 panic=-1 printk.time=1 root=/dev/vda rw" </dev/null || boot_rc=$?
	boot_secs=$(secs_since "$t0")
	for f in "$L" "$C"; do
		bounded tr -d '\r' <"$f" >"$f.tmp" && bounded mv "$f.tmp" "$f"
	done
	note "run $1: $boot_secs s (qemu exit $boot_rc)"
	if [ "$boot_rc" = 124 ] || [ "$boot_rc" = 137 ]; then
		fail "run $1: timed out after $boot_timeout s (logs $L, $C)"
		return 1
	fi
	expect_log "$L" '^KLPTEST: end ' "run $1: the guest ran its step to the end"
}

# ---- assertions on a run's log ($L, $C) ----
K='^KLPTEST: kmsg \[ *[0-9.]+\] '
field() { # LINE-PREFIX: rest of the first line starting with it
	log_field "$L" "KLPTEST: $1"
}
lines() { # NAME: the output lines of "run NAME"
	bounded sed -n "s/^KLPTEST: $1| //p" "$L"
}
expect_rc() { # NAME RC WHAT
	expect_eq "$(bounded sed -n "s/^KLPTEST: $1 rc=\([0-9]*\) .*/\1/p" "$L" | bounded head -n1)" "$2" "$3"
}
verdict_of() { # NAME of a "klp initrd" run: the verdict word
	lines "$1" | bounded sed -n 's/^[^:]*: \([a-z-]*\): .*/\1/p' | bounded head -n1
}
step_secs() {
	bounded sed -n "s/^KLPTEST: $1 rc=[0-9]* secs=//p" "$L" | bounded head -n1
}
regen_count() { # NAME: how many initrd builds klp reported in that run's output
	lines "$1" | bounded grep -c 'regenerating initrd for' || :
}

# check_guard RUN [cleared]: the guard's EFI record, read without klp-early, holds nothing at the
# end of the boot; klp-boot-ok.service ran (its journal) and succeeded; with "cleared", the
# initrd's pre-pivot step had cleared the count of what klp-early inserted
check_guard() {
	expect_log "$L" '^KLPTEST: efivar none$' "run $1: the guard's EFI variable (efivarfs, read without klp-early) is gone"
	expect_log "$L" '^KLPTEST: bootok success 0$' "run $1: klp-boot-ok.service succeeded"
	expect_log "$L" '^KLPTEST: bootok\| klp-early: boot-ok: the crash-loop guard has no record$' \
		"run $1: klp-boot-ok.service ran (its journal), nothing left for it"
	if [ "${2-}" = cleared ]; then
		expect_log "$L" "${K}klp-early: pre-pivot: cleared the count of [0-9]+ patch(es)? counted this boot" \
			"run $1: the initrd's pre-pivot step cleared this boot's count (transition complete)"
	fi
}

check_boot_patch() { # RUN PATCH WHAT: PATCH active, applied by the initrd before the real root
	r=$1 p=$2
	check_guard "$r" cleared
	expect_log "$L" "^KLPTEST: livepatch $p enabled=1 transition=0\$" "run $r: $p enabled, transition done ($3)"
	expect_log "$L" "^KLPTEST: cmdline .* klp_demo=${p#klp_demo_}\$" "run $r: /proc/cmdline shows ${p#klp_demo_}'s marker"
	expect_log "$L" "${K}klp-early: $p: applied" "run $r: kmsg: klp-early applied $p"
	expect_log "$L" '^KLPTEST: status mode=shim$' "run $r: early.status mode=shim"
	expect_log "$L" "^KLPTEST: status patch=$p\$" "run $r: early.status patch=$p"
	expect_log "$L" '^KLPTEST: status result=applied$' "run $r: early.status result=applied"
	expect_order "$L" "${K}livepatch: '$p': patching complete" "${K}EXT4-fs \\(vda\\): mounted" \
		"run $r: $p complete before the real root was even mounted"
	expect_log "$L" "^KLPTEST: status\\| +origin: applied in initrd \\(shim\\) at [0-9.]+ s after boot" \
		"run $r: klp status -v: applied in initrd (shim) with the time"
	t=$(lines status | bounded sed -n 's/.*origin: applied in initrd (shim) at \([0-9.]*\) s after boot.*/\1/p' | bounded head -n1)
	[ -z "$t" ] || note "run $r: $p applied at $t s after boot (klp status -v)"
	expect_eq "$(verdict_of initrd)" in-sync "run $r: klp initrd: in-sync"
}

check_install() { # RUN NAME PATCH FROM WHAT: a dpkg -i that live-applies PATCH and rebuilds once
	r=$1 n=$2 p=$3
	expect_rc "$n" 0 "run $r: $5: dpkg exit 0"
	expect_log "$L" "^KLPTEST: $n-after livepatch $p enabled=1 transition=0\$" "run $r: $5: $p live right after dpkg"
	expect_log "$L" "^KLPTEST: $n-after cmdline .* klp_demo=${p#klp_demo_}\$" "run $r: $5: marker ${p#klp_demo_} at once"
	[ -z "$4" ] || expect_no_log "$L" "^KLPTEST: $n-after livepatch $4 " "run $r: $5: $4 replaced"
	expect_eq "$(regen_count "$n")" 1 "run $r: $5: the initrd regenerated exactly once"
	expect_log "$L" "^KLPTEST: $n\\| .*regenerating initrd for $kver \\(patch ${4:-none} -> $p\\)\\.\\.\\. done in" \
		"run $r: $5: klp's progress line ${4:-none} -> $p"
	if [ -n "$4" ]; then
		expect_log "$L" "^KLPTEST: $n\\| .*\\(patch $4 -> $p\\)\\.\\.\\. done in [0-9.]+ s \\(patch archive replaced, dracut not run\\)" \
			"run $r: $5: a patch-only update (no dracut run)"
	else
		expect_log "$L" "^KLPTEST: $n\\| .*\\(patch none -> $p\\)\\.\\.\\. done in [0-9.]+ s \\(dracut: the initrd has no klp-early\\)" \
			"run $r: $5: dracut ran (the first initrd has no klp-early)"
	fi
	expect_eq "$(verdict_of "$n-initrd")" in-sync "run $r: $5: klp initrd: in-sync"
	note "run $r: $5: dpkg took $(step_secs "$n") s in the guest"
}
