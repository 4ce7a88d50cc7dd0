# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: SIGTERM and SIGINT during dracut: temp file removed, dracut stopped, old initrd intact

case_signal() {
	ensure_built
	use_patch v2
	before=$(file_sha "$initrd")
	for sig in TERM INT; do
		bounded rm -f "$W/dracut.pid"
		bounded "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$boot" --dracut "$W/bin/dracut" \
			>"$W/sig.out" 2>&1 &
		p=$!
		bgpids="$bgpids $p"
		until_file "$W/dracut.pid" 6 || :
		bounded sleep 0.5
		dpid=$(bounded cat "$W/dracut.pid")
		kpid=$(bounded cat "$W/klp.pid")
		kill -s "$sig" "$kpid"
		rc=0
		wait "$p" || rc=$?
		want=143
		[ "$sig" = INT ] && want=130
		expect_eq "$rc" "$want" "SIG$sig: klp dies of the signal"
		expect_in "$(bounded cat "$W/sig.out")" "stopped by signal" "SIG$sig: it says so"
		expect_eq "$(temps "$boot")" 0 "SIG$sig: temporary file removed"
		expect_eq "$(file_sha "$initrd")" "$before" "SIG$sig: old initrd untouched"
		# zombies do not count: they wait for init to reap them
		# shellcheck disable=SC2016 # an awk program
		if bounded ps -eo pgid=,stat= | bounded awk -v g="$dpid" '$1 == g && $2 !~ /^Z/ { n++ } END { exit !n }'; then
			fail "SIG$sig: dracut (process group $dpid) still runs"
		else
			pass "SIG$sig: dracut and its children stopped"
		fi
	done
	use_patch v1
}
