# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: build only: --kernel-only embeds the patch without klp-early, --no-kernel neither; both say so

# dracut's split images: the patch is the kernel's part (installkernel()),
# klp-early the rest's (install())
case_kernel_split() {
	image split-kernel-only '?' -f shell -p "$v1" -- --kernel-only || :
	l=$work/split-kernel-only/lsinitrd.txt
	if [ -f "$l" ]; then
		expect_log "$l" ' usr/lib/klp-early/klp_demo_v1\.ko$' "--kernel-only: the patch is in"
		expect_log "$l" ' usr/lib/klp-early/manifest$' "--kernel-only: its manifest is in"
		expect_no_log "$l" ' usr/lib/klp-early/klp-early$' "--kernel-only: klp-early is not"
		expect_eq "$(img_sha "$img" init)" "missing:init" "--kernel-only: no /init"
		expect_log "$work/split-kernel-only/dracut.log" "55klp: --kernel-only: klp_demo_v1 embedded without klp-early" \
			"--kernel-only: dracut's output says klp-early is not in this image"
	fi
	image split-no-kernel '?' -f shell -p "$v1" -- --no-kernel || return 0
	l=$work/split-no-kernel/lsinitrd.txt
	expect_no_log "$l" 'usr/lib/klp-early' "--no-kernel: nothing under usr/lib/klp-early"
	expect_eq "$(img_sha "$img" init)" "$(file_sha "$(klp_base_init_sh)")" "--no-kernel: /init is dracut's own"
	expect_log "$work/split-no-kernel/dracut.log" "55klp: --no-kernel: a livepatch is part of the kernel's files: none embedded, and no klp-early" \
		"--no-kernel: dracut's output says so"
}
