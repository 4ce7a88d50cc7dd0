# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: dracut instead of the patch-only update: loader changed, compression changed, no patch, broken archive

case_update_refused() {
	ensure_built
	# the loader's source file changed: dracut, with the reason
	bounded cp "$loader" "$W/klp-early.copy"
	bounded cp "$W/conf.d/klp.conf" "$W/klp.conf.saved"
	bounded sed -i "s|^klp_early=.*|klp_early=\"$W/klp-early.copy\"|" "$W/conf.d/klp.conf"
	regen --full
	printf '\n' >>"$W/klp-early.copy"
	use_patch v2
	n0=$(calls)
	regen --if-needed
	expect_in "$out" "(dracut: $W/klp-early.copy changed)" "klp-early's source changed: dracut runs, says why"
	expect_eq "$(calls).$(embedded "$boot")" "$((n0 + 1)).klp_demo_v2" "and embeds v2"
	bounded cp "$W/klp.conf.saved" "$W/conf.d/klp.conf"
	regen --full
	# another compression: the base's fallback could not read it
	use_patch none
	bounded xz -c "$kmoddir/klp_demo_v1.ko" >"$lp/klp_demo_v1.ko.xz"
	n0=$(calls)
	regen --if-needed
	expect_in "$out" "(dracut: the patch comes as .ko.xz now, .ko before)" "compression changed: dracut runs, says why"
	use_patch none
	bounded xz -c "$kmoddir/klp_demo_v2.ko" >"$lp/klp_demo_v2.ko.xz"
	regen --if-needed
	expect_in "$out" "(patch archive replaced, dracut not run)" "then .ko.xz -> .ko.xz: patch-only"
	expect_eq "$(calls).$(embedded "$boot")" "$((n0 + 1)).klp_demo_v2" "dracut ran once for both; v2 embedded"
	# no patch: an archive cannot take the old one away
	use_patch none
	regen --if-needed
	expect_in "$out" "(dracut: no patch to embed)" "patch removed: dracut runs"
	expect_eq "$(embedded "$boot")" none "nothing embedded"
	use_patch v1
	regen --if-needed
	expect_in "$out" "(dracut: the initrd has no klp-early)" "none -> v1: dracut (the image has no loader)"
	# a truncated patch archive: stale, and dracut rebuilds
	use_patch v2
	regen --if-needed
	sz=$(bounded stat -c %s "$initrd")
	bounded truncate -s $((sz - 100)) "$initrd"
	expect_eq "$(verdict)" stale "a truncated patch archive: klp initrd says stale"
	n0=$(calls)
	regen --if-needed
	expect_in "$out" "(dracut: the initrd cannot be read)" "a truncated patch archive: dracut rebuilds"
	expect_eq "$(calls).$(embedded "$boot")" "$((n0 + 1)).klp_demo_v2" "and v2 is embedded"
	use_patch v1
	regen --full
}
