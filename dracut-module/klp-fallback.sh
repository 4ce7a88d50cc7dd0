#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pre-pivot hook: the stale-initrd fallback. The real root is mounted at
# $NEWROOT. If it has another active cumulative patch for the running kernel
# than the one this initrd embeds (the initrd was not regenerated before a
# crash), load the root's patch now, before switch_root: the kernel replaces
# the embedded one atomically. The root's file passes the same checks as at
# build time (klp installed: livepatch=Y, vermagic, root-owned, not group- or
# world-writable); it is copied to /run first, and the copy is what is
# hashed and loaded. Sourced by dracut: return, never exit.

# shellcheck source=/dev/null # dracut-lib.sh exists only inside the initrd
command -v getargbool >/dev/null || . /lib/dracut-lib.sh

klp_fallback() {
	_root=${NEWROOT:-/sysroot}
	_dir=/usr/lib/klp-early
	_work=/run/klp/fallback
	_kver=$(uname -r)
	_file=
	_name=

	[ -f "$_dir/manifest" ] || return 0
	getargbool 1 rd.klp || return 0
	# "patch: NAME" and "file: PATH" lines of klp installed; skipped
	# files are reported (a refused patch on the root is worth a warning),
	# no patch at all is not (nothing to do)
	mkdir -p /run/klp
	_out=$(klp installed --root "$_root" --kver "$_kver" 2>/run/klp/fallback.err)
	_rc=$?
	sed -n 's/^klp: \(.*skipped: .*\)/\1/p' /run/klp/fallback.err | while IFS= read -r _line; do
		echo "<4>klp-early: fallback: $_line" >/dev/kmsg
	done
	if [ "$_rc" != 0 ]; then
		[ "$_rc" = 3 ] || echo "<4>klp-early: fallback: $(sed -n 1p /run/klp/fallback.err)" >/dev/kmsg
		rm -f /run/klp/fallback.err
		return 0
	fi
	rm -f /run/klp/fallback.err
	_name=$(echo "$_out" | sed -n 's/^patch: //p')
	_file=$(echo "$_out" | sed -n 's/^file: //p')
	mkdir -p "$_work" || return 0
	case $_file in
	*.ko.xz) xz -dc -- "$_file" ;;
	*.ko.zst) zstd -dcq -- "$_file" ;;
	*.ko.gz) gzip -dc -- "$_file" ;;
	*) cat -- "$_file" ;;
	esac >"$_work/$_name.ko" || {
		echo "<4>klp-early: fallback: cannot read or decompress $_file (the initrd has the decompressor of the embedded patch's format only); keeping the embedded patch" >/dev/kmsg
		rm -rf "$_work"
		return 0
	}
	# "<size> <sha256>", computed by the loader itself
	_digest=$(/usr/lib/klp-early/klp-early --digest "$_work/$_name.ko") || {
		rm -rf "$_work"
		return 0
	}
	_size=${_digest%% *}
	_sha=${_digest#* }
	if [ "$_sha" = "$(sed -n 's/^sha256=//p' "$_dir/manifest")" ]; then
		rm -rf "$_work"
		return 0
	fi
	{
		echo "format=1"
		echo "kernel=$_kver"
		echo "module=$_name"
		echo "file=$_name.ko"
		echo "size=$_size"
		echo "sha256=$_sha"
		echo "source=${_file#"$_root"}"
	} >"$_work/manifest"
	echo "<5>klp-early: fallback: the initrd is stale: it embeds $(sed -n 's/^module=//p' "$_dir/manifest"), the root has $_name (${_file#"$_root"}): loading $_name" >/dev/kmsg
	[ -f /run/klp/early.status ] && mv /run/klp/early.status /run/klp/early.status.initrd
	/usr/lib/klp-early/klp-early --manifest "$_work/manifest" --mode fallback --quiet
	rm -f "$_work/$_name.ko"
}

klp_fallback || :
