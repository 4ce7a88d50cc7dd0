#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The stale-initrd fallback, for every generator: dracut's pre-pivot hook
# (this file), initramfs-tools' scripts/init-bottom/klp (which sources it
# from /usr/lib/klp-early/fallback.sh). The real root is mounted at $NEWROOT
# (dracut) or $rootmnt (initramfs-tools). If it has another active
# cumulative patch for the running kernel than the one this initrd embeds
# (the initrd was not regenerated before a crash), load the root's patch
# now, before switch_root: the kernel replaces
# the embedded one atomically. klp payload writes it as at build time (the
# same checks: livepatch=Y, vermagic, root-owned and not group- or
# world-writable, the folders above it too; the file is opened once and
# copied to /run), and klp-early loads the copy, under the same bound as at
# boot (rd.klp.timeout= plus 5 s). rd.klp=0 as klp-early reads it (klp-early
# --enabled). Sourced: return, never exit.

klp_fallback() {
	_root=${NEWROOT:-${rootmnt:-/sysroot}}
	_dir=/usr/lib/klp-early
	_work=/run/klp/fallback
	_kver=$(uname -r)

	[ -f "$_dir/manifest" ] || return 0
	"$_dir/klp-early" --enabled || return 0
	mkdir -p "$_work" || return 0
	# klp writes the root's patch and its manifest (the same code as at
	# build time), unless it is the very patch this initrd embeds (exit 5).
	# Skipped files are reported (a refused patch on the root is worth a
	# warning), no patch at all is not (nothing to do).
	_out=$(klp payload --root "$_root" --kver "$_kver" --skip-if-same "$_dir/manifest" "$_work" \
		2>/run/klp/fallback.err)
	_rc=$?
	sed -n 's/^klp: \(.*skipped: .*\)/\1/p' /run/klp/fallback.err | while IFS= read -r _line; do
		echo "<4>klp-early: fallback: $_line" >/dev/kmsg
	done
	case $_rc in
	0) ;;
	3 | 5) ;;
	*) echo "<4>klp-early: fallback: $(sed -n '/: skipped: /!{s/^klp: \(payload: \)\{0,1\}//;p;q;}' /run/klp/fallback.err); keeping the embedded patch" >/dev/kmsg ;;
	esac
	rm -f /run/klp/fallback.err
	if [ "$_rc" != 0 ]; then
		rm -rf "$_work"
		return 0
	fi
	echo "<5>klp-early: fallback: the initrd is stale: it embeds $(echo "$_out" | sed -n 's/^replaces: //p'), the root has $(echo "$_out" | sed -n 's/^patch: //p') ($(echo "$_out" | sed -n 's/^file: //p')): loading it" >/dev/kmsg
	[ -f /run/klp/early.status ] && mv /run/klp/early.status /run/klp/early.status.initrd
	/usr/lib/klp-early/klp-early --manifest "$_work/manifest" --mode fallback --quiet
	rm -f "$_work"/*.ko
}

klp_fallback || :
