# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: klp initrd: missing, then regenerate builds an in-sync initrd (reader, JSON, prometheus)

case_verdicts() {
	use_patch none
	bounded rm -f "$initrd"
	n0=$(calls)
	regen --if-needed
	expect_eq "$rc.$(calls).$out" "0.$n0." "--if-needed with no patch and no initrd: nothing done, nothing said"
	[ -e "$initrd" ] && fail "--if-needed with no patch and no initrd made $initrd"
	use_patch v1
	v=0
	bounded "$klp" initrd --kver "$kver" --root "$root" --boot "$boot" >"$W/initrd.out" 2>&1 || v=$?
	expect_in "$(bounded cat "$W/initrd.out")" "$kver: missing: there is no initrd file" "no initrd: missing"
	expect_eq "$v" 3 "klp initrd exits 3 when not in sync"
	n0=$(calls)
	t0=$(bounded date +%s%N)
	regen
	dracut_ms=$(ms_since "$t0")
	expect_eq "$rc" 0 "klp regenerate builds the initrd"
	expect_in "$out" "regenerating initrd for $kver (patch none -> klp_demo_v1)... done in" "one progress line"
	expect_eq "$(calls)" $((n0 + 1)) "dracut ran once"
	expect_eq "$(embedded "$boot")" klp_demo_v1 "the reader finds v1, complete"
	expect_eq "$(verdict)" in-sync "verdict in-sync"
	expect_eq "$(temps "$boot")" 0 "no temporary file left"
	case $(bounded sed -n 1p "$W/dracut.calls") in
	*"--force --kver $kver --kmoddir $root/lib/modules/$kver $boot/.initrd.img-$kver.klp-"*)
		pass "dracut wrote into .initrd.img-K.klp-XXXXXX beside the initrd" ;;
	*) fail "dracut's arguments: $(bounded sed -n 1p "$W/dracut.calls")" ;;
	esac
	j=$(bounded "$klp" initrd --kver "$kver" --root "$root" --boot "$boot" --json)
	want=$(file_sha "$kmoddir/klp_demo_v1.ko")
	expect_in "$j" "\"verdict\":\"in-sync\"" "JSON verdict"
	expect_in "$j" "\"sha256\":\"$want\",\"manifest_sha256\":\"$want\"" "JSON: embedded sha256 = sha256sum of the patch"
	expect_in "$j" "\"in_sync\":true}" "JSON: in_sync true"
	bounded "$klp" initrd --all --root "$root" --boot "$boot" --prometheus "$W/klp.prom"
	p=$(bounded cat "$W/klp.prom")
	expect_in "$p" "klp_initrd_in_sync{kernel=\"$kver\"} 1" "prometheus: in sync"
	expect_in "$p" "klp_patch_installed{kernel=\"$kver\",patch=\"klp_demo_v1\"" "prometheus: patch installed"
	expect_in "$p" "# TYPE klp_initrd_in_sync gauge" "prometheus: TYPE lines"
	expect_in "$p" "klp_early_guard_skipped 0" "prometheus: no patch skipped by the crash-loop guard at this boot"
	# this boot's record says the guard skipped a patch (/run through the test preload)
	bounded mkdir -p "$W/fakerun/run/klp"
	bounded cp "$top/tests/klp/roots/skipped/run/klp/early.status" "$W/fakerun/run/klp/"
	LD_PRELOAD=$preload KLP_TEST_ROOT=$W/fakerun bounded "$klp" initrd --all --root "$root" --boot "$boot" \
		--prometheus "$W/klp-skip.prom"
	expect_in "$(bounded cat "$W/klp-skip.prom")" "klp_early_guard_skipped 1" "prometheus: a patch the crash-loop guard skipped at this boot"
	expect_eq "$(bounded find "$W" -maxdepth 1 -name 'klp.prom.*' | bounded wc -l)" 0 "prometheus: no temporary file left"
	number "dracut run (klp regenerate, -m klp, gzip): $dracut_ms ms"
	built=1
}
