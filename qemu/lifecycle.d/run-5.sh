# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: step 6 (old initrd boots, fallback brings v2), step 7 (dpkg --purge klp-initrd), poweroff

case_run_5() {
	if boot 5 "$next_initrd"; then
		expect_log "$L" "${K}klp-early: klp_demo_v1: applied" "run 5: the old initrd (v1) is intact and applied v1"
		expect_log "$L" "${K}klp-early: fallback: the initrd is stale: it embeds klp_demo_v1, the root has klp_demo_v2" \
			"run 5: kmsg: the fallback found the initrd stale"
		expect_log "$L" '^KLPTEST: status mode=fallback$' "run 5: early.status mode=fallback"
		expect_log "$L" '^KLPTEST: status patch=klp_demo_v2$' "run 5: early.status patch=klp_demo_v2"
		expect_log "$L" '^KLPTEST: status.initrd mode=shim$' "run 5: klp-early's own record moved aside to early.status.initrd (mode=shim)"
		expect_log "$L" '^KLPTEST: status.initrd patch=klp_demo_v1$' "run 5: early.status.initrd: patch=klp_demo_v1"
		expect_log "$L" '^KLPTEST: status.initrd result=applied$' "run 5: early.status.initrd: result=applied"
		expect_log "$L" '^KLPTEST: livepatch klp_demo_v2 enabled=1 transition=0$' "run 5: v2 active"
		check_guard 5 cleared
		expect_log "$L" "${K}klp-early: pre-pivot: cleared the count of 2 patches counted this boot" \
			"run 5: the initrd's v1 and the fallback's v2 both counted, both cleared at pre-pivot"
		expect_no_log "$L" '^KLPTEST: livepatch klp_demo_v1 ' "run 5: v1 replaced"
		# the second "running in system mode" is the real root's systemd (after switch_root)
		a=$(first_line "$L" "${K}livepatch: 'klp_demo_v2': patching complete")
		b=$(bounded grep -En -- "${K}systemd\\[1\\]: systemd [0-9.~a-z+-]+ running in system mode" "$L" | bounded sed -n '2s/:.*//p')
		if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then
			pass "run 5: v2 complete before the real root's systemd started"
		else
			fail "run 5: v2 complete before the real root's systemd started (lines '$a', '$b' in $L)"
		fi
		expect_eq "$(verdict_of initrd)" stale "run 5: klp initrd: stale"
		expect_rc initrd 3 "run 5: klp initrd exit 3"
		expect_rc regenerate 0 "run 5: klp regenerate: exit 0"
		expect_eq "$(verdict_of regenerate-initrd)" in-sync "run 5: after klp regenerate: in-sync"
		expect_log "$L" '^KLPTEST: packages .*klp-initrd=0.1:iF;' "run 5: dpkg left klp-initrd half-configured (the crash interrupted its trigger)"
		expect_rc configure-a 0 "run 5: dpkg --configure -a: exit 0"
		expect_eq "$(regen_count configure-a)" 0 "run 5: dpkg --configure -a: no initrd build (klp regenerate made it in step)"
		expect_log "$L" '^KLPTEST: configured ii$' "run 5: klp-initrd configured again"
		expect_rc purge 0 "run 5: dpkg --purge klp-initrd: exit 0"
		expect_log "$L" "^KLPTEST: purge\\| klp-initrd: rebuilding the initrd of $kver without klp-early" \
			"run 5: the postrm says it rebuilds the initrd without klp-early"
		expect_log "$L" '^KLPTEST: purged (none|un|pn)$' "run 5: dpkg no longer has klp-initrd (purged)"
		expect_no_log "$L" '^KLPTEST: left ' "run 5: nothing of the package is left on the root"
		expect_no_log "$L" '^KLPTEST: purged-initrd\| ' "run 5: lsinitrd in the guest: no klp-early, patch or manifest in the initrd"
		expect_rc remove 0 "run 5: dpkg -r klp-demo-livepatch after the purge: exit 0"
		expect_no_log "$L" '^KLPTEST: remove\| .*regenerating' "run 5: dpkg -r: no initrd build (klp-initrd is gone)"
	fi
	after_run 5
	purged=$W/initrd-after-5.kernel
	if [ -s "$purged" ] && bounded lsinitrd "$purged" >"$W/purged.lsinitrd" 2>&1; then
		if bounded grep -Eq 'klp-early|klp_demo' "$W/purged.lsinitrd"; then
			fail "run 5: after the purge the initrd still holds klp files: $(bounded grep -E 'klp-early|klp_demo' "$W/purged.lsinitrd" | bounded head -n 3 | bounded tr '\n' ' ')"
		else
			pass "run 5: after the purge, read on the host: the initrd holds no klp-early, patch or manifest"
		fi
	else
		fail "run 5: after the purge: lsinitrd cannot read $purged ($W/purged.lsinitrd)"
	fi
}
