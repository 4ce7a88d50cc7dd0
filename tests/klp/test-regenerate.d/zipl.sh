# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: zipl stand-in: run after replacing a ramdisk= initrd only (patch-only update or dracut); failure is an error

case_zipl() {
	ensure_built
	# a zipl stand-in on PATH: records its arguments and what the initrd is when it runs
	zbin=$W/zipl-bin
	bounded mkdir -p "$zbin"
	bounded cat >"$zbin/zipl" <<EOF
#!/bin/sh
echo "zipl \$* \$(sha256sum <"$initrd" | cut -d' ' -f1)" >>"$W/zipl.calls"
echo "zipl stand-in: \${ZIPL_SAY:-ok}"
exit \${ZIPL_EXIT:-0}
EOF
	bounded chmod 0755 "$zbin/zipl"
	: >"$W/zipl.calls"
	# 1. zipl.conf names another initrd: no zipl (after a patch-only update)
	printf '[defaultboot]\ndefault=other\n[other]\nimage=/boot/vmlinuz-other\nramdisk=/boot/initrd.img-other,0x2000000\n' \
		>"$root/etc/zipl.conf"
	use_patch v2
	rc=0
	PATH=$zbin:$PATH bounded "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_in "$(bounded cat "$W/out")" "(patch archive replaced, dracut not run)" "zipl.conf names another initrd: patch-only update"
	expect_eq "$rc.$(bounded wc -l <"$W/zipl.calls")" 0.0 "zipl.conf names another initrd: zipl not run"
	# 2. it names ours: zipl runs once, after the rename (it sees the new initrd); zipl.log is a
	# link to a root-only file here: never followed
	printf '[defaultboot]\ndefault=linux\n[linux]\nimage=/boot/vmlinuz-%s\nramdisk = /boot/initrd.img-%s\n' \
		"$kver" "$kver" >"$root/etc/zipl.conf"
	printf 'root only\n' >"$W/victim-zipl"
	bounded chmod 0600 "$W/victim-zipl"
	bounded ln -sf "$W/victim-zipl" "$W/run/zipl.log"
	use_patch v1
	rc=0
	PATH=$zbin:$PATH bounded "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_eq "$rc" 0 "zipl.conf names the initrd: success"
	expect_in "$(bounded cat "$W/out")" "(patch archive replaced, dracut not run)" "zipl.conf names the initrd: patch-only update"
	expect_eq "$(bounded wc -l <"$W/zipl.calls")" 1 "zipl ran once"
	expect_eq "$(bounded cut -d' ' -f4 "$W/zipl.calls")" "$(file_sha "$initrd")" "zipl ran after the new initrd was in place"
	expect_eq "$(bounded cut -d' ' -f2-3 "$W/zipl.calls")" "-c $root/etc/zipl.conf" "zipl -c ROOT/etc/zipl.conf"
	expect_in "$(bounded cat "$W/out")" "running zipl (the boot record names $initrd)... done" "zipl progress line"
	expect_eq "$(bounded find "$boot" -name '*.klp-zipl-old' | bounded wc -l)" 0 "no kept old initrd after zipl succeeded"
	expect_eq "$(bounded cat "$W/victim-zipl").$(bounded find "$W/run/zipl.log" -type f | bounded wc -l)" "root only.1" \
		"zipl.log was a link: its target untouched, a new regular file written"
	# 3. zipl fails: an error, the old initrd's blocks stay referenced by a hard link
	use_patch v2
	old=$(file_sha "$initrd")
	rc=0
	ZIPL_EXIT=3 ZIPL_SAY="boot record write error" PATH=$zbin:$PATH bounded "$klp" regenerate --if-needed --kver "$kver" \
		--root "$root" --boot "$boot" --dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_eq "$rc" 1 "zipl fails: exit 1"
	expect_in "$(bounded cat "$W/out")" "(patch archive replaced, dracut not run)" "zipl fails after a patch-only update"
	expect_in "$(bounded cat "$W/out")" "zipl failed (exit 3): zipl stand-in: boot record write error" "zipl failure reported"
	expect_eq "$(embedded "$boot")" klp_demo_v2 "the new initrd is in place"
	expect_eq "$(file_sha "$boot/.initrd.img-$kver.klp-zipl-old")" "$old" "the old initrd is kept for the boot record"
	# 4. the next run, in sync, runs the pending zipl and drops the kept file
	n0=$(calls)
	rc=0
	PATH=$zbin:$PATH bounded "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_eq "$rc.$(calls)" "0.$n0" "next run: no rebuild, success"
	expect_eq "$(bounded wc -l <"$W/zipl.calls")" 3 "next run: the pending zipl ran"
	expect_eq "$(bounded find "$boot" -name '*.klp-zipl-old' | bounded wc -l)" 0 "next run: kept file removed"
	# 5. in step, nothing pending: no zipl; then the same initrd rebuilt by dracut: zipl again
	rc=0
	PATH=$zbin:$PATH bounded "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_eq "$rc.$(calls).$(bounded wc -l <"$W/zipl.calls")" "0.$n0.3" "in step, no zipl pending: nothing run"
	rc=0
	PATH=$zbin:$PATH bounded "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$boot" \
		--dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_in "$(bounded cat "$W/out")" "(dracut: " "--full: dracut ran"
	expect_eq "$rc.$(calls).$(bounded wc -l <"$W/zipl.calls")" "0.$((n0 + 1)).4" "--full: zipl ran after dracut's initrd too"
	bounded rm -f "$root/etc/zipl.conf"
	use_patch v1
	regen --if-needed
}
