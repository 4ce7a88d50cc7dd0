# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: BOOT frozen only when it is not the run folder's filesystem; SIGKILL while frozen thaws it

# writable_within SEC DIR: a new file can be created in DIR within SEC seconds
# (its filesystem is not frozen); if not, DIR's filesystem is thawed so that
# the test goes on. Nothing else touches DIR: it would hang while frozen.
probes=0
writable_within() {
	probes=$((probes + 1))
	bounded rm -f "$W/probe.done"
	(
		bounded touch "$2/.probe-$probes"
		echo ok >"$W/probe.done"
	) &
	wp=$!
	if until_file "$W/probe.done" "$1"; then
		wait "$wp" || :
		[ -e "$2/.probe-$probes" ]
		return
	fi
	bounded fsfreeze -u "$2" 2>/dev/null || :
	wait "$wp" || :
	return 1
}


case_freeze() {
	ensure_built
	so=$W/freeze-pause.so
	bounded cc -O2 -Wall -shared -fPIC -o "$so" "$here/freeze-pause.c" -ldl || { fail "cannot build $so"; return; }
	fimg=$W/freeze.img
	bounded truncate -s 64M "$fimg"
	bounded mkfs.ext4 -q -F "$fimg" || { fail "mkfs.ext4"; return; }
	loopdev=$(bounded losetup -f --show "$fimg" 2>/dev/null) || {
		skip "freeze: no loop device here"
		return
	}
	fz=$W/mnt/freezefs
	bounded mkdir -p "$fz"
	bounded mount "$loopdev" "$fz"
	mounts="$fz $mounts"
	fb=$fz/boot
	bounded mkdir -p "$fb" "$fz/run"
	bounded cp "$initrd" "$boot/vmlinuz-$kver" "$fb/"
	: >"$W/freeze.log"
	# 1. the run folder is on BOOT's filesystem: never frozen
	use_patch v2
	rc=0
	KLP_RUN_DIR=$fz/run LD_PRELOAD=$so KLP_TEST_FREEZE_LOG=$W/freeze.log bounded "$klp" regenerate --kver "$kver" \
		--root "$root" --boot "$fb" --dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_eq "$rc.$(embedded "$fb")" 0.klp_demo_v2 "BOOT on the run folder's filesystem: rebuilt"
	expect_eq "$(bounded wc -l <"$W/freeze.log")" 0 "BOOT on the run folder's filesystem: not frozen"
	# 2. a separate BOOT: frozen and thawed twice (the new file in place before a name
	# leads to it, then the rename in place)
	use_patch v1
	: >"$W/freeze.log"
	rc=0
	LD_PRELOAD=$so KLP_TEST_FREEZE_LOG=$W/freeze.log bounded "$klp" regenerate --kver "$kver" \
		--root "$root" --boot "$fb" --dracut "$W/bin/dracut" >"$W/out" 2>&1 || rc=$?
	expect_eq "$rc.$(embedded "$fb")" 0.klp_demo_v1 "a separate BOOT: rebuilt"
	expect_eq "$(bounded cut -d' ' -f1-2 "$W/freeze.log" | bounded tr '\n' ' ')" "freeze 0 freeze 0 " \
		"a separate BOOT: frozen twice (the journal written in place before and after the rename)"
	if writable_within 10 "$fb"; then pass "a separate BOOT: thawed"; else fail "a separate BOOT: left frozen"; fi
	# 3. SIGKILL of klp while BOOT is frozen; 4. SIGKILL of the process that froze it (--full: the
	# dracut wrapper names klp's pid)
	for who in klp freezer; do
		if [ "$who" = klp ]; then use_patch v2; else use_patch v1; fi
		bounded rm -f "$W/frozen.pid" "$W/klp.pid"
		LD_PRELOAD=$so KLP_TEST_FREEZE_PAUSE=$W/frozen.pid KLP_TEST_FREEZE_PAUSE_S=$([ "$who" = klp ] && echo 3 || echo 60) \
			bounded "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$fb" --dracut "$W/bin/dracut" >"$W/out" 2>&1 &
		p=$!
		bgpids="$bgpids $p"
		if ! until_file "$W/frozen.pid" 100; then
			fail "SIGKILL of $who while frozen: BOOT was never frozen ($(bounded cat "$W/out"))"
			wait "$p" || :
			continue
		fi
		if [ "$who" = klp ]; then
			victim_pid=$(bounded cat "$W/klp.pid") # dracut's parent
		else
			victim_pid=$(bounded cut -d' ' -f1 "$W/frozen.pid")
		fi
		kill -KILL "$victim_pid"
		if writable_within 10 "$fb"; then
			pass "SIGKILL of $who (pid $victim_pid) while BOOT is frozen: thawed within 10 s"
		else
			fail "SIGKILL of $who (pid $victim_pid) while BOOT is frozen: left frozen (thawed by the test)"
		fi
		wait "$p" || :
		case $(embedded "$fb") in
		klp_demo_v1 | klp_demo_v2) pass "SIGKILL of $who while frozen: the initrd is complete" ;;
		*) fail "SIGKILL of $who while frozen: the initrd is $(embedded "$fb")" ;;
		esac
	done
	# 5. a power cut between the old initrd's second name and its removal leaves
	# .NAME.klp-swap: the next run removes it, and only it
	bounded "$klp" regenerate --kver "$kver" --root "$root" --boot "$fb" --dracut "$W/bin/dracut" >/dev/null 2>&1 || :
	before=$(file_sha "$fb/initrd.img-$kver")
	bounded ln "$fb/initrd.img-$kver" "$fb/.initrd.img-$kver.klp-swap"
	rc=0
	bounded "$klp" regenerate --if-needed --kver "$kver" --root "$root" --boot "$fb" --dracut "$W/bin/dracut" \
		>"$W/out" 2>&1 || rc=$?
	expect_eq "$rc.$(temps "$fb").$(file_sha "$fb/initrd.img-$kver")" "0.0.$before" \
		"a second name left by a power cut (.NAME.klp-swap): removed by the next run, the initrd kept"
	untmpfs "$fz"
	bounded losetup -d "$loopdev" || :
	loopdev=
	use_patch v1
}
