#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2154 # kernel, initdir, moddir, ... are set by dracut
#
# 55klp: embed the active cumulative livepatch of $kernel, the static loader
# klp-early and a manifest into the initrd, so that the patch is applied
# before any other userspace runs.
#
# Configuration (dracut.conf.d):
#   klp_mode="shim"   (default) klp-early is the initrd's /init and execs the
#                     real init; nothing runs before it
#   klp_mode="hook"   klp-early runs from a cmdline hook (shell init) or a unit
#                     before systemd-udevd (systemd init); /init is untouched
#   klp_early="/usr/lib/klp-early/klp-early"   the loader to embed
#   klp_tool="klp"    the tool that picks the patch (libkmod)
#   klp_guard="auto"  the crash-loop guard (klp-early(8)): "auto" (default)
#                     turns it on when the root runs klp-boot-ok.service at
#                     every boot (enabled for multi-user.target), "yes" when
#                     something else runs `klp-early --boot-ok`, "no" off.
#                     Without a boot-ok mark every reboot would count as a
#                     crash, so it is never on without one.
#
# The payload (the patch, its manifest, efivarfs.ko for the guard) is the
# kernel's part and goes into the image from installkernel(); klp-early, the
# shim or hook and the fallback from install(). dracut runs a module's
# install() first (not with --kernel-only), then its installkernel() (not
# with --no-kernel): install() has klp write the payload into a staging
# folder of dracut's temporary folder, installkernel() puts it in. So
# `--kernel-only` embeds the patch without klp-early, `--no-kernel` neither;
# both say so in one line. Only functions are defined in dracut's shell;
# their variables are dracut's or _local.

KLP_DIR=/usr/lib/klp-early

klp_loader() {
	echo "${klp_early:-${dracutsysrootdir-}$KLP_DIR/klp-early}"
}

klp_tool() {
	echo "${klp_tool:-klp}"
}

# klp's options for the kernel being built: the root and module tree dracut uses
klp_run() {
	_cmd=$1
	shift
	"$(klp_tool)" "$_cmd" --kver "$kernel" --root "${dracutsysrootdir-}" ${srcmods:+--moddir "$srcmods"} "$@"
}

# Each line of file $2 to dracut's log at level $1 (dwarning, dinfo, ...), "klp: " replaced by "55klp: ".
klp_log_lines() {
	while IFS= read -r _line; do
		"$1" "55klp: ${_line#klp: }"
	done <"$2"
}

check() {
	if [ ! -x "$(klp_loader)" ]; then
		derror "55klp: the loader $(klp_loader) is missing: cannot embed a livepatch"
		return 1
	fi
	if ! command -v "$(klp_tool)" >/dev/null 2>&1; then
		derror "55klp: the klp tool ($(klp_tool)) is missing: cannot choose a livepatch"
		return 1
	fi
	# included by default whenever the kernel being built has a usable patch
	_err=${DRACUT_TMPDIR:-/tmp}/klp-check.$$
	if klp_run installed --field name >/dev/null 2>"$_err"; then
		rm -f "$_err"
		return 0
	fi
	# none usable: say why, so that a refused patch is never silently left out
	# (install() names them when one is used)
	klp_log_lines dwarning "$_err"
	rm -f "$_err"
	return 255
}

depends() {
	return 0
}

# Copies a kernel module decompressed: the kernel may have no in-kernel decompression.
klp_install_decompressed() {
	case $1 in
	*.ko.xz) xz -dc -- "$1" >"$2" ;;
	*.ko.zst) zstd -dcq -- "$1" >"$2" ;;
	*.ko.gz) gzip -dc -- "$1" >"$2" ;;
	*) cp -- "$1" "$2" ;;
	esac
}

# The init.sh of dracut's base module: 99base in dracut 059, 80base in dracut-ng.
klp_base_init() {
	for _f in "$dracutbasedir"/modules.d/[0-9][0-9]base/init.sh; do
		if [ -f "$_f" ]; then
			echo "$_f"
			return 0
		fi
	done
	derror "55klp: no init.sh of dracut's base module in $dracutbasedir/modules.d (99base, 80base): klp-early cannot go before dracut's init (klp_mode=hook does not need it)"
	return 1
}

# Shim: klp-early becomes /init and the real init moves to $KLP_DIR/init.
# /init is replaced last, by a rename: on any failure before, it is untouched.
klp_install_shim() {
	if [ -L "$initdir/init" ]; then
		# systemd (its module ran before us): keep its target as the real init
		_real=$(readlink "$initdir/init")
		ln -sf "/${_real#/}" "$initdir$KLP_DIR/init" || return 1
	elif [ -e "$initdir/init" ]; then
		cp -a -- "$initdir/init" "$initdir$KLP_DIR/init" || return 1
	else
		# shell init: the base module installs /init after us and skips it
		# when it exists, so its init.sh goes to $KLP_DIR/init right here
		_init_sh=$(klp_base_init) || return 1
		inst_script "$_init_sh" "$KLP_DIR/init" || return 1
	fi
	cp -- "$(klp_loader)" "$initdir/init.klp-early" &&
		chmod 0755 "$initdir/init.klp-early" &&
		mv -f -- "$initdir/init.klp-early" "$initdir/init"
}

klp_install_hook() {
	if dracut_module_included systemd; then
		inst_simple "$moddir/klp-early.service" "$systemdsystemunitdir/klp-early.service" &&
			mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants" &&
			ln -sf ../klp-early.service "$initdir$systemdsystemunitdir/sysinit.target.wants/klp-early.service"
	else
		inst_hook cmdline 00 "$moddir/klp-hook.sh"
	fi
}

# The stale-initrd fallback runs in pre-pivot: dracut's shell init sources it,
# dracut-systemd's dracut-pre-pivot.service runs it in the systemd initrd.
klp_install_fallback() {
	_tool=$(command -v "$(klp_tool)") || return 0
	inst_binary "$_tool" /usr/sbin/klp || {
		dwarning "55klp: cannot install $_tool: no stale-initrd fallback"
		return 0
	}
	inst_multiple sed mkdir mv rm cat uname
	# only the decompressor of the installed patch's format: a later patch
	# of the same package comes in the same format (zstd alone is 1.2 MiB)
	case $1 in
	*.ko.xz) inst_multiple xz ;;
	*.ko.zst) inst_multiple zstd ;;
	*.ko.gz) inst_multiple gzip ;;
	esac
	inst_hook pre-pivot 90 "$moddir/klp-fallback.sh"
}

# The crash-loop guard: klp payload --guard decides (klp_guard=, and for auto
# whether the root enables klp-boot-ok.service) and writes the flag and the
# kernel's efivarfs.ko beside the patch; $1 is its "guard:" line. When on, a
# patch in and whole at the initrd's last step is counted no longer.
klp_install_guard() {
	_why=${1#* (}
	_why=${_why%)}
	case $1 in
	on*) inst_hook pre-pivot 95 "$moddir/klp-guard.sh" ;;
	"" | "off (klp_guard=no)") ;;
	"off (klp_guard='"*) dwarning "55klp: crash-loop guard off: $_why" ;;
	*) dinfo "55klp: crash-loop guard off: $_why" ;;
	esac
}

# The staging folder of the payload, between install() and installkernel()
# (one dracut run: its temporary folder and its pid)
klp_stage() {
	echo "${DRACUT_TMPDIR:-/tmp}/klp-payload.$$"
}

# The payload, written by klp (the one writer of manifests): the patch,
# decompressed, its manifest and what the guard needs, into folder $1.
# Prints klp's report ("patch: NAME", "file: PATH", ...); false when nothing
# was written.
klp_install_payload() {
	_err=${DRACUT_TMPDIR:-/tmp}/klp-payload.$$.err
	rm -rf "$1" && mkdir -p "$1" || return 1
	klp_run payload --guard "${klp_guard:-auto}" "$1" 2>"$_err"
	_rc=$?
	case $_rc in
	0) klp_log_lines dwarning "$_err" ;;
	3) dinfo "55klp: no usable livepatch for $kernel: nothing embedded" ;;
	4) grep -v ': skipped: ' "$_err" | klp_log_lines dwarning /dev/stdin ;;
	*) klp_log_lines derror "$_err" ;;
	esac
	rm -f "$_err"
	[ "$_rc" = 0 ] && return 0
	[ "$_rc" = 3 ] || derror "55klp: no livepatch embedded for $kernel: the initrd boots unpatched"
	rm -rf "$1"
	return 1
}

# After the payload was staged, a step failed: say so in dracut's output and
# take out what went in; installkernel() then finds no staged payload
# (dracut itself ignores a module's failed install()).
klp_install_failed() {
	derror "55klp: $1: no livepatch embedded for $kernel, the initrd boots unpatched"
	rm -rf "${initdir:?}$KLP_DIR" "$(klp_stage)" "$(klp_stage).report"
	rm -f "$initdir/init.klp-early"
}

install() {
	if [ "${no_kernel-}" = yes ]; then
		dwarning "55klp: --no-kernel: a livepatch is part of the kernel's files: none embedded, and no klp-early"
		return 0
	fi
	_report=$(klp_install_payload "$(klp_stage)") || return 0
	printf '%s\n' "$_report" >"$(klp_stage).report"
	_name=$(echo "$_report" | sed -n 's/^patch: //p')
	_file=$(echo "$_report" | sed -n 's/^file: //p')
	_srcversion=$(echo "$_report" | sed -n 's/^srcversion: //p')
	_guard=$(echo "$_report" | sed -n 's/^guard: //p')
	if ! inst_simple "$(klp_loader)" "$KLP_DIR/klp-early"; then
		klp_install_failed "cannot install the loader $(klp_loader)"
		return 1
	fi
	# which file the loader came from: klp regenerate replaces only the
	# patch while that file still has these bytes
	klp_loader >"$initdir$KLP_DIR/klp-early.source"
	case ${klp_mode:-shim} in
	shim) klp_install_shim || {
		klp_install_failed "cannot make klp-early the initrd's /init"
		return 1
	} ;;
	hook) klp_install_hook || {
		klp_install_failed "cannot install klp-early's hook"
		return 1
	} ;;
	*)
		klp_install_failed "klp_mode='$klp_mode' is not shim or hook"
		return 1
		;;
	esac
	klp_install_guard "$_guard"
	klp_install_fallback "$_file"
}

# The kernel's part: the payload install() staged (with --kernel-only, written
# here). A failure takes out only the payload: klp-early then finds no
# manifest and execs the real init.
installkernel() {
	_stage=$(klp_stage)
	if [ ! -f "$_stage.report" ]; then
		# --kernel-only (install() did not run), or install() embedded nothing
		[ "${kernel_only-}" = yes ] || return 0
		klp_install_payload "$_stage" >"$_stage.report" || {
			rm -f "$_stage.report"
			return 0
		}
		dwarning "55klp: --kernel-only: $(sed -n 's/^patch: //p' "$_stage.report") embedded without klp-early, which goes in with the initrd's other part (built without --kernel-only): this image alone loads nothing"
	fi
	_name=$(sed -n 's/^patch: //p' "$_stage.report")
	_file=$(sed -n 's/^file: //p' "$_stage.report")
	_srcversion=$(sed -n 's/^srcversion: //p' "$_stage.report")
	if mkdir -p "$initdir$KLP_DIR" && cp -a "$_stage/." "$initdir$KLP_DIR/"; then
		dinfo "55klp: embedded $_name (${_srcversion:-no srcversion}) from $_file, mode ${klp_mode:-shim}"
	else
		derror "55klp: cannot copy the payload into the initrd: no livepatch embedded for $kernel, the initrd boots unpatched"
		for _f in "$_stage"/*; do
			rm -f "$initdir$KLP_DIR/${_f##*/}"
		done
	fi
	rm -rf "$_stage" "$_stage.report"
	return 0
}
