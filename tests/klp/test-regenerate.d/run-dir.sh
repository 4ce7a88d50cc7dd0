# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: a run folder someone else can write is refused; links in ours are never followed

# regen_in RUN-DIR [ARG]...: regen --full (dracut's log is one of the run folder's files) with KLP_RUN_DIR=RUN-DIR
regen_in() {
	rd=$1
	shift
	rc=0
	KLP_RUN_DIR=$rd bounded "$klp" regenerate --full --kver "$kver" --root "$root" --boot "$boot" --dracut "$W/bin/dracut" "$@" \
		>"$W/out" 2>&1 || rc=$?
	out=$(bounded cat "$W/out")
}

case_run_dir() {
	ensure_built
	use_patch v2 # v1 is embedded: stale, a rebuild is due
	victim=$W/victim
	printf 'root only\n' >"$victim"
	bounded chmod 0600 "$victim"
	n0=$(calls)
	# 1. the review's attack: nobody's run folder holds dracut-K.log -> a root-only file
	rn=$W/run-nobody
	bounded mkdir -p "$rn"
	bounded ln -sf "$victim" "$rn/dracut-$kver.log"
	bounded chown -h nobody "$rn" "$rn/dracut-$kver.log"
	regen_in "$rn"
	expect_eq "$rc" 6 "a run folder owned by another user: exit 6"
	expect_in "$out" "klp: regenerate: the run folder $rn is owned by uid $(bounded id -u nobody)" "it says why"
	expect_eq "$(bounded cat "$victim").$(calls)" "root only.$n0" "the file its link names is untouched, dracut not run"
	# 2. a stamp forged there: it says the initrd embeds v2 (it embeds v1)
	bounded sed -e "s/^module=klp_demo_v1$/module=klp_demo_v2/" \
		-e "s/=$(file_sha "$kmoddir/klp_demo_v1.ko")$/=$(file_sha "$kmoddir/klp_demo_v2.ko")/" \
		"$W/run/initrd-$kver.stamp" >"$rn/initrd-$kver.stamp"
	bounded chown nobody "$rn/initrd-$kver.stamp"
	regen_in "$rn" --if-needed
	expect_eq "$rc.$(calls)" "6.$n0" "a stamp in another user's run folder is not believed (exit 6)"
	expect_eq "$(verdict)" stale "the initrd is still stale"
	# 3. group- or world-writable run folders, and one inside a world-writable folder
	for m in 0775 0757 1777; do
		bounded mkdir -p "$W/run-$m"
		bounded chmod "$m" "$W/run-$m"
		regen_in "$W/run-$m"
		expect_eq "$rc" 6 "a run folder of mode $m: exit 6"
		expect_in "$out" "is writable by others" "mode $m: it says why"
	done
	bounded mkdir -p "$W/open/run"
	bounded chmod 0777 "$W/open"
	regen_in "$W/open/run"
	expect_eq "$rc" 6 "a run folder inside a folder others can write (not sticky): exit 6"
	expect_in "$out" "$W/open is writable by others" "it names that folder"
	expect_eq "$(calls)" "$n0" "refused run folders: dracut never ran"
	# 4. our own run folder with links in it: never followed
	ro=$W/run-ours
	bounded mkdir -p "$ro"
	bounded ln -sf "$rn/initrd-$kver.stamp" "$ro/initrd-$kver.stamp"
	regen_in "$ro" --if-needed
	expect_eq "$rc.$(calls)" "0.$((n0 + 1))" "a stamp that is a link (to the forged one) is not read: the stale initrd is rebuilt"
	expect_eq "$(embedded "$boot")" klp_demo_v2 "v2 embedded"
	if [ -f "$ro/initrd-$kver.stamp" ] && [ ! -L "$ro/initrd-$kver.stamp" ]; then
		pass "the stamp is a new regular file"
	else
		fail "the stamp is still a link: $(bounded ls -l "$ro")"
	fi
	use_patch v1
	bounded ln -sf "$victim" "$ro/dracut-$kver.log"
	regen_in "$ro"
	expect_eq "$rc.$(embedded "$boot")" 0.klp_demo_v1 "a dracut log that is a link: rebuilt"
	expect_eq "$(bounded cat "$victim")" "root only" "the dracut log link's target is untouched"
	if [ -f "$ro/dracut-$kver.log" ] && [ ! -L "$ro/dracut-$kver.log" ]; then
		pass "the dracut log is a new regular file"
	else
		fail "the dracut log is still a link: $(bounded ls -l "$ro")"
	fi
	bounded rm -rf "$rn" "$ro" "$W/open" "$W"/run-[0-9]*
}
