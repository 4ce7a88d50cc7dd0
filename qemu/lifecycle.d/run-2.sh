# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: step 3 (boots with v1 from its initrd), step 4 (dpkg -i v2), crash

case_run_2() {
	if boot 2 "$next_initrd"; then
		# the run's two boots: up to kexec -e, and the kernel kexec -e started
		full=$L
		second='/^KLPTEST: run 2 kexec-boot start/'
		bounded sed "$second,\$d" "$full" >"$W/logs/run2-first.log"
		bounded sed -n "$second,\$p" "$full" >"$W/logs/run2-kexec.log"
		L=$W/logs/run2-first.log
		check_boot_patch 2 klp_demo_v1 "after the crash"
		expect_rc kexec-load 0 "run 2: kexec -s -l of the running kernel with its initrd (v1): exit 0"
		expect_log "$L" '^KLPTEST: kexec_loaded 1$' "run 2: /sys/kernel/kexec_loaded is 1"
		check_install 2 upgrade-v2 klp_demo_v2 klp_demo_v1 "upgrade to v2"
		expect_log "$L" "^KLPTEST: upgrade-v2\\| klp: regenerate: the loaded kexec kernel loaded again \\(kexec = reload\\): /boot/vmlinuz-$kver with /boot/initrd.img-$kver and this boot's command line\$" \
			"run 2: upgrade to v2: klp loaded the kexec kernel again with the new initrd, said in one line"
		expect_no_log "$L" '^KLPTEST: kexec -e returned' "run 2: kexec -e did not return"
		L=$W/logs/run2-kexec.log
		expect_log "$L" '^KLPTEST: run 2 kexec-boot start' \
			"run 2: kexec -e booted the loaded kernel in the same QEMU (no firmware reset: -no-reboot)"
		check_boot_patch 2 klp_demo_v2 "after kexec -e: the initrd klp loaded again"
		expect_no_log "$L" '^KLPTEST: livepatch klp_demo_v1 ' "run 2: after kexec -e: no v1"
		L=$full
	fi
	after_run 2
}
