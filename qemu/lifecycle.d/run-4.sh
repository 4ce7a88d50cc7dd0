# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: step 5 (boots with v1), step 6 (dpkg -i v2, crash while dracut runs)

case_run_4() {
	if boot 4 "$next_initrd"; then
		check_boot_patch 4 klp_demo_v1 "after the crash"
		expect_log "$L" '^KLPTEST: window dracut pid=[0-9]+ ' "run 4: the crash came while the hook's dracut ran"
		expect_no_log "$L" '^KLPTEST: window\| .*done in' "run 4: the hook's regeneration had not finished"
	fi
	after_run 4
}
