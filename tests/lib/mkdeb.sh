# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# mkdeb OUT NAME VERSION ARCH [DEST=SRC]...: the test package
# OUT/NAME_VERSION_ARCH.deb, built with dpkg-deb from a folder
# OUT/pkg/NAME-VERSION: root-owned files, each DEST (a path under the
# package root) a copy of SRC with SRC's mode. A DEST under DEBIAN/ is a
# control file (triggers, postinst). Sourced by the suites that install
# packages (tests/hooks/test-dpkg, tests/pkg/test-packages, tests/pkg/test-itools-triggers,
# qemu/lifecycle); prints the .deb's path; false when dpkg-deb fails. dpkg_db below.
mkdeb() {
	_out=$1 _n=$2 _v=$3 _a=$4
	shift 4
	_d=$_out/pkg/$_n-$_v
	rm -rf "$_d" && mkdir -p "$_d/DEBIAN" || return 1
	printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: klp-initrd tests <root@localhost>\nSection: kernel\nPriority: optional\nDescription: %s test package\n klp-initrd test package.\n' \
		"$_n" "$_v" "$_a" "$_n" >"$_d/DEBIAN/control"
	for _f; do
		_dest=${_f%%=*}
		mkdir -p "$_d/${_dest%/*}" && cp -p "${_f#*=}" "$_d/$_dest" || return 1
	done
	timeout -k 5 120 dpkg-deb --root-owner-group -Zgzip -b "$_d" "$_out/${_n}_${_v}_$_a.deb" >/dev/null || return 1
	echo "$_out/${_n}_${_v}_$_a.deb"
}

# dpkg_db ROOT: the empty database `dpkg --root ROOT` needs (status, available,
# info, updates, triggers) and ROOT/var/log for its log
dpkg_db() {
	bounded mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates" "$1/var/lib/dpkg/triggers" "$1/var/log"
	: >"$1/var/lib/dpkg/status"
	: >"$1/var/lib/dpkg/available"
}
