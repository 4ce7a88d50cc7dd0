# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: boots clean, klp-initrd gone

case_run_6() {
	if boot 6 "$next_initrd"; then
		expect_no_log "$L" '^KLPTEST: livepatch ' "run 6: no livepatch loaded"
		expect_no_log "$L" "${K}klp-early: " "run 6: klp-early did not run (nothing embedded)"
		expect_rc status 127 "run 6: klp is no longer installed (klp status: command not found)"
	fi
	after_run 6
}
