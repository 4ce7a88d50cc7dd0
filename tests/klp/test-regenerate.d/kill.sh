# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: SIGKILL at random points (dracut runs, --full): initrd always complete; the same against dracut -f

case_kill() {
	ensure_built
	kb=$W/mnt/boot-kill
	tmpfs "$kb" 256m
	bounded cp "$initrd" "$boot/vmlinuz-$kver" "$kb/"
	good=$W/good-initrd
	bounded cp "$initrd" "$good"
	# how long one run takes
	use_patch v2
	t0=$(bounded date +%s%N)
	bounded "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$kb" --dracut "$W/bin/dracut" -q
	D=$(($(bounded date +%s%N) - t0))
	Ds=$(bounded awk -v n="$D" 'BEGIN { printf "%.2f", n / 1e9 }')
	number "kill test: one klp regenerate run takes $Ds s; kill delays: half uniform in [0, 1.15 x that], half in [0.75, 1.1 x that] (the write phase), seed $seed"
	ours_ok=0
	ours_bad=0
	during=0
	maxtemps=0
	i=0
	while [ "$i" -lt "$kills" ]; do
		use_patch_nth "$i"
		d=$(rand_delay "$Ds" $((seed + i)))
		: >"$W/dracut.calls"
		crash "$d" "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$kb" --dracut "$W/bin/dracut"
		bounded grep -q '^end' "$W/dracut.calls" || during=$((during + 1))
		whole "kill $i after $d s" "$kb"
		t=$(temps "$kb")
		[ "$t" -gt "$maxtemps" ] && maxtemps=$t
		i=$((i + 1))
	done
	expect_eq "$ours_bad" 0 "klp regenerate killed $kills times: the initrd was always complete (old or new)"
	# SIGKILL of klp alone: dracut goes on as an orphan, holding the lock
	orphans=0
	ended=0
	j=0
	while [ "$j" -lt 10 ]; do
		use_patch_nth "$j"
		bounded rm -f "$W/klp.pid" "$W/dracut.pid"
		bounded "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$kb" --dracut "$W/bin/dracut" >/dev/null 2>&1 &
		p=$!
		bgpids="$bgpids $p"
		until_file "$W/klp.pid" 6 || :
		bounded sleep "$(bounded awk -v d="$Ds" -v s=$((seed + 1000 + j)) 'BEGIN { srand(s); printf "%.3f", rand() * d * 0.5 }')"
		kill -KILL "$(bounded cat "$W/klp.pid")" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
		# the lock first, then whether dracut still runs: free while it runs is the fault;
		# free because it had ended before the kill (the delay is random, the load varies) is not
		if ! bounded flock -n "$kb" true; then
			orphans=$((orphans + 1))
		elif [ -s "$W/dracut.pid" ] && kill -0 "$(bounded cat "$W/dracut.pid")" 2>/dev/null; then
			fail "klp-only kill $j: the lock is free while klp's orphaned dracut still runs"
		else
			ended=$((ended + 1))
		fi
		bounded flock -w 60 "$kb" true || fail "orphaned dracut still holds the lock after 60 s"
		whole "klp-only kill $j" "$kb"
		j=$((j + 1))
	done
	number "klp alone killed 10 times: $orphans times while its dracut ran, $ended times after it had ended"
	if [ "$orphans" -ge 3 ]; then
		pass "klp alone killed: its orphaned dracut kept the lock until it ended ($orphans of $orphans orphans)"
	else
		fail "klp alone killed: only $orphans of 10 kills came while dracut ran (want >= 3): the delays miss the window"
	fi
	left=$(temps "$kb")
	use_patch v1
	rc=0
	bounded "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$kb" --dracut "$W/bin/dracut" \
		>"$W/out" 2>&1 || rc=$?
	expect_eq "$rc.$(temps "$kb")" "0.0" "the next run removed the $left temporary file(s) left by killed runs"
	expect_eq "$(embedded "$kb")" klp_demo_v1 "and the initrd is complete"
	number "klp regenerate: $ours_ok/$((kills + 10)) intact ($kills kills of every process at random points, $during of them before dracut had finished; 10 kills of klp alone), at most $maxtemps temporary file(s) at a time, all removed by the next run"

	# baseline: the same kills against plain dracut -f TARGET
	t0=$(bounded date +%s%N)
	bounded "$W/bin/dracut" -f --kver "$kver" --kmoddir "$root/lib/modules/$kver" "$kb/initrd.img-$kver" >/dev/null 2>&1
	Db=$(bounded awk -v n="$(($(bounded date +%s%N) - t0))" 'BEGIN { printf "%.2f", n / 1e9 }')
	base_ok=0
	base_missing=0
	base_partial=0
	bduring=0
	i=0
	while [ "$i" -lt "$base_kills" ]; do
		use_patch_nth "$i"
		d=$(rand_delay "$Db" $((seed + 5000 + i)))
		: >"$W/dracut.calls"
		crash "$d" "$W/bin/dracut" -f --kver "$kver" --kmoddir "$root/lib/modules/$kver" "$kb/initrd.img-$kver"
		bounded grep -q '^end' "$W/dracut.calls" || bduring=$((bduring + 1))
		e=$(embedded "$kb")
		case $e in
		klp_demo_v1 | klp_demo_v2) base_ok=$((base_ok + 1)) ;;
		*)
			if [ -e "$kb/initrd.img-$kver" ]; then
				base_partial=$((base_partial + 1))
			else
				base_missing=$((base_missing + 1))
			fi
			bounded cp "$good" "$kb/initrd.img-$kver"
			;;
		esac
		i=$((i + 1))
	done
	number "dracut -f (baseline, one run $Db s): $base_ok/$base_kills intact, $base_missing missing, $base_partial partial ($bduring kills before dracut had finished)"
	untmpfs "$kb"
}
