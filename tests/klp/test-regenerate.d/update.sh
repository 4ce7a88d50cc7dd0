# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: v1 -> v2 -> v1: only the patch archive replaced, no dracut run; checked with cpio; a loaded kexec kernel

case_update() {
	ensure_built
	bounded cp "$initrd" "$W/dracut-v1.img"
	size0=$(bounded stat -c %s "$initrd")
	use_patch v2
	n0=$(calls)
	t0=$(bounded date +%s%N)
	regen --if-needed
	ms=$(ms_since "$t0")
	expect_eq "$rc" 0 "v1 -> v2: regenerate --if-needed"
	expect_in "$out" "(patch klp_demo_v1 -> klp_demo_v2)... done in" "progress line names v1 -> v2"
	expect_in "$out" "s (patch archive replaced, dracut not run)" "progress line: the patch-only update ran"
	expect_eq "$(calls)" "$n0" "dracut did not run"
	expect_eq "$(embedded "$boot")" klp_demo_v2 "klp's reader: v2, complete, loader present"
	expect_eq "$(verdict)" in-sync "verdict in-sync"
	expect_eq "$(bounded head -c "$size0" "$initrd" | bounded sha256sum | bounded cut -d' ' -f1)" "$(file_sha "$W/dracut-v1.img")" \
		"the dracut image is kept byte for byte at the start"
	bounded rm -rf "$W/cpio" && bounded mkdir -p "$W/cpio"
	archive_part "$initrd" >"$W/cpio/a" || fail "no klp archive footer at the end of the initrd"
	(cd "$W/cpio" && bounded cpio -id --quiet <a) || fail "cpio cannot read the appended archive"
	expect_eq "$(file_sha "$W/cpio/usr/lib/klp-early/klp_demo_v2.ko" 2>/dev/null || :)" "$(file_sha "$kmoddir/klp_demo_v2.ko")" \
		"cpio: the appended archive holds v2, byte-identical"
	expect_in "$(bounded cat "$W/cpio/usr/lib/klp-early/manifest" 2>/dev/null || :)" "module=klp_demo_v2" "cpio: its manifest names v2"
	size1=$(bounded stat -c %s "$initrd")
	number "patch-only update v1 -> v2: $ms ms (klp regenerate, incl. verification); initrd $size0 -> $size1 bytes (+$((size1 - size0)))"
	j=$(bounded "$klp" initrd --kver "$kver" --root "$root" --boot "$boot" --json)
	expect_in "$j" '"patch_archive":true' "JSON: patch_archive true"
	expect_in "$(bounded "$klp" initrd -v --kver "$kver" --root "$root" --boot "$boot")" "then a patch archive" \
		"klp initrd -v says the image ends with a patch archive"
	# the downgrade replaces the archive: the same base, no growth
	use_patch v1
	regen --if-needed
	expect_in "$out" "(patch klp_demo_v2 -> klp_demo_v1)... done in" "v2 -> v1: progress line"
	expect_in "$out" "(patch archive replaced, dracut not run)" "v2 -> v1: patch-only"
	expect_eq "$(calls)" "$n0" "v2 -> v1: dracut did not run"
	expect_eq "$(embedded "$boot")" klp_demo_v1 "v2 -> v1: the reader finds v1"
	expect_eq "$(bounded head -c "$size0" "$initrd" | bounded sha256sum | bounded cut -d' ' -f1)" "$(file_sha "$W/dracut-v1.img")" \
		"v2 -> v1: the dracut image is still the start"
	expect_eq "$(archive_part "$initrd" | bounded wc -c)" "$((size1 - size0 - (4 - size0 % 4) % 4 + $(bounded stat -c %s "$kmoddir/klp_demo_v1.ko") - $(bounded stat -c %s "$kmoddir/klp_demo_v2.ko")))" \
		"v2 -> v1: one archive after the dracut image (the old one replaced, not appended to)"
	regen --if-needed
	expect_eq "$rc.$(calls).$out" "0.$n0." "then --if-needed is a no-op"
	# a kexec kernel loaded in memory keeps its old initrd: said in one line (sysfs through the test preload)
	bounded mkdir -p "$W/fakesys/sys/kernel"
	echo 1 >"$W/fakesys/sys/kernel/kexec_loaded"
	use_patch v2
	rc=0
	LD_PRELOAD=$preload KLP_TEST_ROOT=$W/fakesys bounded "$klp" regenerate --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	out=$(bounded cat "$W/out")
	expect_in "$out" "klp: regenerate: a kexec kernel is loaded (/sys/kernel/kexec_loaded is 1); if it was loaded with $initrd," \
		"a loaded kexec kernel: one line names the replaced initrd and what to do"
	echo 0 >"$W/fakesys/sys/kernel/kexec_loaded"
	use_patch v1
	rc=0
	LD_PRELOAD=$preload KLP_TEST_ROOT=$W/fakesys bounded "$klp" regenerate --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	case $(bounded cat "$W/out") in
	*kexec*) fail "kexec_loaded 0: klp still speaks of kexec" ;;
	*) expect_eq "$rc.$(embedded "$boot")" 0.klp_demo_v1 "kexec_loaded 0: nothing said of kexec; v1 again" ;;
	esac
	kexec_reload
}

# kexec = reload in klp.conf: klp regenerate of the running kernel's initrd on
# this system (no --root) loads the running kernel again with the new initrd.
# klp runs in a mount namespace where this case's module tree and boot folder
# are /lib/modules and /boot, under the test preload (kexec_loaded, uname,
# /proc/cmdline, klp.conf from its fake tree, whose lib/modules and boot lead
# to the same folders; kexec_file_load(2) logged there)
kexec_reload() {
	F=$W/fakesys
	bounded mkdir -p "$F/etc/klp" "$F/proc/1" "$F/lib"
	bounded ln -sfn / "$F/proc/1/root"
	bounded ln -sfn "$root/lib/modules" "$F/lib/modules"
	bounded ln -sfn "$boot" "$F/boot"
	printf 'BOOT_IMAGE=/boot/vmlinuz-%s root=/dev/vda ro quiet\n' "$kver" >"$F/proc/cmdline"
	echo "kexec = reload" >"$F/etc/klp/klp.conf"
	echo 1 >"$F/sys/kernel/kexec_loaded"
	bounded rm -f "$F/kexec_file_load.log" "$F/kexec_file_load.result"
	# sys_regen [RELEASE [ARG...]]: klp regenerate of $kver (and ARGs) on that system, uname saying
	# RELEASE (default $kver)
	sys_regen() {
		rc=0
		rel=${1:-$kver}
		[ $# -eq 0 ] || shift
		# shellcheck disable=SC2016 # expanded by the inner sh
		LD_PRELOAD=$preload KLP_TEST_ROOT=$F KLP_TEST_UNAME=$rel bounded unshare -m sh -c \
			'mount --make-rprivate / && mount --bind "$1" /lib/modules && mount --bind "$2" /boot &&
			k=$3 kv=$4 d=$5 && shift 5 && exec "$k" regenerate --kver "$kv" --dracut "$d" "$@"' \
			sh "$root/lib/modules" "$boot" "$klp" "$kver" "$W/bin/dracut" "$@" >"$W/out" 2>&1 || rc=$?
		out=$(bounded cat "$W/out")
	}
	use_patch v2
	sys_regen
	expect_eq "$rc" 0 "kexec = reload: klp regenerate of the running kernel: exit 0"
	expect_in "$out" "
klp: regenerate: the loaded kexec kernel loaded again (kexec = reload): /boot/vmlinuz-$kver with /boot/initrd.img-$kver and this boot's command line" \
		"kexec = reload: the running kernel loaded again, said in one line"
	expect_eq "$(bounded cat "$F/kexec_file_load.log" 2>&1)" \
		"kexec_file_load(kernel=$boot/vmlinuz-$kver, initrd=$initrd, cmdline='root=/dev/vda ro quiet', len=23) = 0" \
		"kexec = reload: kexec_file_load(2) got the kernel image, the new initrd, the command line without BOOT_IMAGE="
	expect_eq "$(embedded "$boot")" klp_demo_v2 "kexec = reload: v2 in the initrd"
	echo EPERM >"$F/kexec_file_load.result"
	use_patch v1
	sys_regen
	expect_eq "$rc" 0 "kexec = reload refused by the kernel: regenerate still succeeds (the initrd is in step)"
	expect_in "$out" "klp: regenerate: could not load the kexec kernel $kver again with /boot/initrd.img-$kver (Operation not permitted): it still holds the old initrd" \
		"kexec = reload refused by the kernel: said in one line"
	bounded rm -f "$F/kexec_file_load.result" "$F/kexec_file_load.log"
	use_patch v2
	sys_regen other-kernel
	expect_in "$out" "set kexec = reload in /etc/klp/klp.conf" \
		"kexec = reload, another kernel's initrd replaced: not loaded, the one line instead"
	expect_eq "$(bounded cat "$F/kexec_file_load.log" 2>/dev/null)" "" "another kernel's initrd: no kexec_file_load"
	# --initrd FILE (kernel-install's staging area): not what a loaded kexec kernel was loaded from
	bounded rm -f "$F/kexec_file_load.log"
	use_patch v1
	sys_regen "$kver" --initrd "/boot/initrd.img-$kver"
	expect_in "$rc.$out" "set kexec = reload in /etc/klp/klp.conf" "kexec = reload, --initrd FILE: not loaded, the one line instead"
	expect_eq "$(bounded cat "$F/kexec_file_load.log" 2>/dev/null)" "" "--initrd FILE: no kexec_file_load"
	# another root (--root): its kexec = reload is not this machine's
	bounded mkdir -p "$root/etc/klp"
	echo "kexec = reload" >"$root/etc/klp/klp.conf"
	use_patch v1
	LD_PRELOAD=$preload KLP_TEST_ROOT=$F KLP_TEST_UNAME=$kver bounded "$klp" regenerate --kver "$kver" --root "$root" \
		--boot "$boot" --dracut "$W/bin/dracut" >"$W/out" 2>&1 || :
	bounded rm -rf "$root/etc/klp"
	expect_in "$(bounded cat "$W/out")" "set kexec = reload in /etc/klp/klp.conf" "kexec = reload in another root (--root): the one line instead"
	expect_eq "$(bounded cat "$F/kexec_file_load.log" 2>/dev/null)" "" "another root: no kexec_file_load"
	echo "kexec = sometimes" >"$F/etc/klp/klp.conf"
	use_patch v1
	sys_regen
	expect_in "$out" "/etc/klp/klp.conf: line 1: expected kexec = warn or kexec = reload, not 'sometimes'" \
		"a bad kexec line: klp.conf's error said"
	expect_eq "$(bounded cat "$F/kexec_file_load.log" 2>/dev/null)" "" "a bad kexec line: no kexec_file_load"
	bounded rm -f "$F/etc/klp/klp.conf" "$F/proc/cmdline"
	echo 0 >"$F/sys/kernel/kexec_loaded"
}
