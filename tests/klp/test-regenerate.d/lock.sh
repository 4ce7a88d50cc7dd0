# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: two concurrent regenerates are serialized; --lock-timeout

case_lock() {
	ensure_built
	use_patch v2
	n0=$(calls)
	twice --full --if-needed
	expect_eq "$r1.$r2" 0.0 "two concurrent --if-needed: both succeed"
	expect_eq "$(calls)" $((n0 + 1)) "two concurrent --if-needed: one dracut run"
	expect_in "$(bounded cat "$W/twice1.out" "$W/twice2.out")" "klp: regenerate: waiting for the lock on $lock (taken by pid " \
		"the second one waited for the lock, naming its holder"
	expect_eq "$(embedded "$boot")" klp_demo_v2 "v2 embedded"
	# two forced rebuilds: their dracut runs must not overlap
	use_patch v1
	: >"$W/dracut.calls"
	twice --full
	expect_eq "$r1.$r2" 0.0 "two concurrent forced rebuilds: both succeed"
	# shellcheck disable=SC2016 # an awk program
	seq=$(bounded awk '{ print $1 }' "$W/dracut.calls" | bounded tr '\n' ' ')
	expect_eq "$seq" "start end start end " "two concurrent forced rebuilds: serialized (dracut runs do not overlap)"
	expect_eq "$(embedded "$boot")" klp_demo_v1 "v1 embedded"
	# a lock held elsewhere: bounded wait
	use_patch v2
	bounded flock "$lock" sleep 3 &
	hp=$!
	bgpids="$bgpids $hp"
	bounded sleep 0.3
	regen --full --if-needed --lock-timeout 1
	expect_eq "$rc" 5 "lock held: exit 5 after --lock-timeout"
	expect_in "$out" "timed out after 1 s waiting for the lock on $lock (taken by pid " "lock held: message"
	holder=$(printf '%s\n' "$out" | bounded sed -n 's/.*timed out .*(taken by pid \([0-9]*\)).*/\1/p')
	expect_eq "$(bounded cat "/proc/$holder/comm" 2>/dev/null || :)" flock "lock held: the pid named is the holder's (flock(1))"
	wait "$hp" || :
	regen --full --if-needed
	expect_eq "$rc.$(embedded "$boot")" 0.klp_demo_v2 "lock free again: rebuilt"
	use_patch v1
	regen --if-needed
}
