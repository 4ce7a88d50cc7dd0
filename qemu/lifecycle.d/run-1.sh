# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: step 1 (no patch), step 2 (dpkg -i v1), crash

case_run_1() {
	if boot 1 "$W/initrd-first"; then
		expect_log "$L" '^KLPTEST: status\| ready$' "run 1: klp status: ready"
		expect_no_log "$L" '^KLPTEST: livepatch ' "run 1: no livepatch loaded at boot"
		expect_eq "$(verdict_of initrd)" no-patch "run 1: klp initrd: no-patch"
		check_guard 1
		check_install 1 install-v1 klp_demo_v1 "" "dpkg -i v1"
	fi
	after_run 1
}
