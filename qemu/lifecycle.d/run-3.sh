# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: step 4 (boots with v2), step 5 (downgrade to v1), crash

case_run_3() {
	if boot 3 "$next_initrd"; then
		check_boot_patch 3 klp_demo_v2 "after the crash"
		check_install 3 downgrade-v1 klp_demo_v1 klp_demo_v2 "downgrade to v1"
		expect_log "$L" '^KLPTEST: downgrade-v1\| .*[Dd]owngrading klp-demo-livepatch from 2 to 1' "run 3: dpkg says it downgrades"
	fi
	after_run 3
}
