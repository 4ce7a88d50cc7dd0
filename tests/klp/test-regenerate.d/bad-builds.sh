# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: dracut fails / omits 55klp / writes a truncated image: old initrd untouched

# bad_dracut NAME BODY: a dracut that misbehaves
bad_dracut() {
	{
		echo "#!/bin/sh"
		printf '%s\n' "$2"
	} >"$W/bin/$1"
	bounded chmod 0755 "$W/bin/$1"
}

case_bad_builds() {
	ensure_built
	use_patch v2
	before=$(file_sha "$initrd")
	# 1. dracut fails after writing half an image
	# shellcheck disable=SC2016 # expanded by the generated script
	bad_dracut fails 'for a; do out=$a; done; head -c 1000 /dev/urandom >"$out"; echo "dracut: something broke" >&2; exit 1'
	regen --full --dracut "$W/bin/fails"
	expect_eq "$rc" 1 "dracut fails: exit 1"
	expect_in "$out" "fails failed (exit 1); the old initrd is untouched" "dracut fails: message"
	expect_in "$out" "dracut: something broke" "dracut fails: the end of its log is shown"
	expect_eq "$(file_sha "$initrd").$(temps "$boot")" "$before.0" "dracut fails: old initrd untouched, temp removed"
	# 2. the image is built by a dracut that does not have our module
	bounded cp -a "$W/dracut-base" "$W/dracut-base-no55klp"
	bounded rm -rf "$W/dracut-base-no55klp/modules.d/55klp"
	bad_dracut no55klp "dracutbasedir=\"$W/dracut-base-no55klp\" timeout --foreground -k 5 300 dracut --conf /dev/null \
	--confdir \"$W/conf.d\" --no-hostonly --no-early-microcode --no-kernel -m usrmount --compress gzip \"\$@\""
	regen --full --dracut "$W/bin/no55klp"
	expect_eq "$rc" 1 "55klp omitted: exit 1"
	expect_in "$out" "the new initrd is not right: klp_demo_v2 is installed, the initrd embeds no patch (is the 55klp dracut module installed?)" "55klp omitted: the verification says why"
	expect_eq "$(file_sha "$initrd").$(temps "$boot")" "$before.0" "55klp omitted: old initrd untouched, temp removed"
	# 3. dracut says success but the image is cut short
	bad_dracut truncates "\"$W/bin/dracut\" \"\$@\" || exit; for a; do out=\$a; done; truncate -s 3000000 \"\$out\""
	regen --full --dracut "$W/bin/truncates"
	expect_eq "$rc" 1 "truncated image: exit 1"
	expect_in "$out" "the new initrd is not right: the initrd cannot be read: gzip failed" "truncated image: refused"
	expect_eq "$(file_sha "$initrd").$(temps "$boot")" "$before.0" "truncated image: old initrd untouched, temp removed"
	# 4. no dracut at all
	regen --full --dracut "$W/bin/no-such-dracut"
	expect_eq "$rc" 1 "no dracut: exit 1"
	expect_eq "$(file_sha "$initrd").$(temps "$boot")" "$before.0" "no dracut: old initrd untouched"
	use_patch v1
}
