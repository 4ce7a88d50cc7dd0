# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: two regenerates with different run folders and the same boot folder are serialized

# two klp regenerate on the same boot folder with different run folders: one lock
case_lock_scope() {
	ensure_built
	use_patch v2
	: >"$W/dracut.calls"
	rc1=0
	rc2=0
	KLP_RUN_DIR=$W/run-a bounded "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$boot" --dracut "$W/bin/dracut" \
		>"$W/scope1.out" 2>&1 &
	p1=$!
	KLP_RUN_DIR=$W/run-b bounded "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$boot" --dracut "$W/bin/dracut" \
		>"$W/scope2.out" 2>&1 &
	p2=$!
	bgpids="$bgpids $p1 $p2"
	wait "$p1" || rc1=$?
	wait "$p2" || rc2=$?
	expect_eq "$rc1.$rc2" 0.0 "two run folders, one boot folder: both succeed"
	# shellcheck disable=SC2016 # an awk program
	seq=$(bounded awk '{ print $1 }' "$W/dracut.calls" | bounded tr '\n' ' ')
	expect_eq "$seq" "start end start end " "two run folders, one boot folder: serialized (dracut runs do not overlap)"
	expect_in "$(bounded cat "$W/scope1.out" "$W/scope2.out")" "waiting for the lock on $boot" "the second one waited for the boot folder's lock"
	expect_eq "$(bounded cat "$W/scope1.out" "$W/scope2.out" | bounded grep -c 'left by an interrupted run' || :)" 0 \
		"neither removed the other's temporary file as left over"
	expect_eq "$(embedded "$boot").$(temps "$boot")" klp_demo_v2.0 "v2 embedded, no temporary file left"
	use_patch v1
	regen --if-needed
}
