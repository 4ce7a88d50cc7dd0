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

KLP_DIR=/usr/lib/klp-early

klp_loader() {
	echo "${klp_early:-${dracutsysrootdir-}$KLP_DIR/klp-early}"
}

klp_tool() {
	echo "${klp_tool:-klp}"
}

# Prints the field of the active patch of $kernel (quietly: install() reports).
klp_field() {
	"$(klp_tool)" installed --quiet --kver "$kernel" --root "${dracutsysrootdir-}" \
		${srcmods:+--moddir "$srcmods"} --field "$1"
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
	# included by default whenever the kernel being built has a patch
	klp_field name >/dev/null 2>&1 && return 0
	return 255
}

depends() {
	return 0
}

# Copies the patch decompressed: the kernel may have no in-kernel decompression.
klp_install_patch() {
	case $1 in
	*.ko.xz) xz -dc -- "$1" >"$2" ;;
	*.ko.zst) zstd -dcq -- "$1" >"$2" ;;
	*.ko.gz) gzip -dc -- "$1" >"$2" ;;
	*) cp -- "$1" "$2" ;;
	esac
}

klp_write_manifest() {
	_size=$(wc -c <"$2") || return 1
	_sha=$(sha256sum <"$2") || return 1
	{
		echo "# klp-initrd manifest, written by dracut's 55klp module"
		echo "format=1"
		echo "kernel=$kernel"
		echo "module=$1"
		echo "file=${2##*/}"
		echo "size=$((_size + 0))"
		echo "sha256=${_sha%% *}"
		# optional: the kernel records one only with MODULE_VERSION
		[ -z "$3" ] || echo "srcversion=$3"
		echo "source=$4"
	} >"$initdir$KLP_DIR/manifest"
}

# Shim: klp-early becomes /init and the real init moves to $KLP_DIR/init.
klp_install_shim() {
	if [ -L "$initdir/init" ]; then
		# systemd (00systemd ran before us): keep its target as the real init
		_real=$(readlink "$initdir/init")
		rm -f "$initdir/init"
		ln -sf "/${_real#/}" "$initdir$KLP_DIR/init"
	elif [ -e "$initdir/init" ]; then
		mv "$initdir/init" "$initdir$KLP_DIR/init"
	else
		# shell init: 99base installs /init after us and skips it when it
		# exists, so its init.sh goes to $KLP_DIR/init right here
		inst_script "$dracutbasedir/modules.d/99base/init.sh" "$KLP_DIR/init" || return 1
	fi
	cp -- "$(klp_loader)" "$initdir/init" && chmod 0755 "$initdir/init"
}

klp_install_hook() {
	if dracut_module_included systemd; then
		inst_simple "$moddir/klp-early.service" "$systemdsystemunitdir/klp-early.service"
		mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants"
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

# The crash-loop guard keeps its count in an EFI variable: the loader needs
# efivarfs before anything else runs, so a modular one is embedded beside
# the patch (decompressed: the loader inserts it with finit_module).
klp_install_efivarfs() {
	if [ -n "${hostonly-}" ] && [ ! -d /sys/firmware/efi ]; then
		dinfo "55klp: host not booted via UEFI: crash-loop guard not available, efivarfs not embedded"
		return 0
	fi
	_mods=${srcmods:-/lib/modules/$kernel}
	grep -qs '/efivarfs\.ko' "$_mods/modules.builtin" && return 0
	_ko=$(find "$_mods/kernel/fs/efivarfs" -name 'efivarfs.ko*' 2>/dev/null | head -n 1)
	if [ -z "$_ko" ]; then
		dwarning "55klp: $kernel has no efivarfs: the crash-loop guard will not be available"
		return 0
	fi
	klp_install_patch "$_ko" "$initdir$KLP_DIR/efivarfs.ko" ||
		dwarning "55klp: cannot decompress $_ko: the crash-loop guard will not be available"
}

# Is klp-boot-ok.service enabled (and not masked) on the root the initrd is for?
# `make install` ships it enabled by a vendor link, which systemctl is-enabled
# does not report, so the links are looked at directly.
klp_boot_ok_enabled() {
	_r=${dracutsysrootdir-}
	for _d in /etc/systemd/system /run/systemd/system; do
		[ "$(readlink "$_r$_d/klp-boot-ok.service" 2>/dev/null)" = /dev/null ] && return 1
	done
	for _d in /etc/systemd/system /usr/local/lib/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
		[ -e "$_r$_d/multi-user.target.wants/klp-boot-ok.service" ] && return 0
	done
	return 1
}

# The flag file $KLP_DIR/guard turns the loader's crash-loop guard on.
klp_install_guard() {
	case ${klp_guard:-auto} in
	yes) ;;
	no) return 0 ;;
	auto)
		if ! klp_boot_ok_enabled; then
			dinfo "55klp: crash-loop guard off: klp-boot-ok.service is not enabled (klp_guard=auto)"
			return 0
		fi
		;;
	*)
		dwarning "55klp: klp_guard='$klp_guard' is not auto, yes or no: crash-loop guard off"
		return 0
		;;
	esac
	echo "on" >"$initdir$KLP_DIR/guard" || return 0
	klp_install_efivarfs
}

install() {
	# once without --quiet: every skipped file is named, with the reason
	"$(klp_tool)" installed --kver "$kernel" --root "${dracutsysrootdir-}" \
		${srcmods:+--moddir "$srcmods"} 2>&1 >/dev/null | while IFS= read -r _line; do
		dwarning "55klp: $_line"
	done
	_file=$(klp_field file) || {
		dinfo "55klp: no usable livepatch for $kernel: nothing embedded"
		return 0
	}
	_name=$(klp_field name) || return 1
	_srcversion=$(klp_field srcversion) || return 1
	mkdir -p "$initdir$KLP_DIR"
	if ! klp_install_patch "$_file" "$initdir$KLP_DIR/$_name.ko"; then
		derror "55klp: cannot decompress $_file: nothing embedded"
		rm -rf "${initdir:?}$KLP_DIR"
		return 0
	fi
	klp_write_manifest "$_name" "$initdir$KLP_DIR/$_name.ko" "$_srcversion" "$_file" || return 1
	inst_simple "$(klp_loader)" "$KLP_DIR/klp-early" || return 1
	case ${klp_mode:-shim} in
	shim) klp_install_shim || return 1 ;;
	hook) klp_install_hook || return 1 ;;
	*)
		derror "55klp: klp_mode='$klp_mode' is not shim or hook"
		return 1
		;;
	esac
	klp_install_guard
	klp_install_fallback "$_file"
	dinfo "55klp: embedded $_name ($_srcversion) from $_file, mode ${klp_mode:-shim}"
}
