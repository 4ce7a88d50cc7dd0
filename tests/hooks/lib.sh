# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# Shared by tests/hooks/test-dpkg and tests/hooks/test-rpm: a scratch world
# with the real dracut isolated from the host (like tests/klp/test-regenerate):
#
#   $W/dracut-base      a copy of dracut's modules with dracut-module/ as 55klp
#   $W/dracut-conf      the only dracut configuration (--conf /dev/null --confdir)
#   $W/bin/dracut       the dracut klp runs ($KLP_DRACUT): counts its runs in
#                       $W/dracut.calls ("start KVER [MARKERS]" / "end KVER RC"),
#                       builds small images (-m klp, gzip)
#   $W/bin-klp/klp      first on PATH: records each call of klp (klp-hook's) in
#                       $W/klp.calls and the KLP_* variables it got in
#                       $W/klp.env (klp-hook must pass none), then runs
#                       build/tools/klp with this test's KLP_RUN_DIR and
#                       KLP_DRACUT ($HOOK_DRACUT, default $W/bin/dracut)
#   $R                  the scratch root: lib/modules/$kver hard-linked from the
#                       cached Debian kernel, boot/ a tmpfs of this test (dracut's
#                       fsfreeze can never freeze a real filesystem)
#
# The sourcing script sets prog, W and R first, then calls hook_world.
# Every external command runs under a timeout (bounded; bounded_long for package-manager
# transactions, which may run dracut).

here=$(cd "${0%/*}" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/initrd-view.sh
. "$top/tests/lib/initrd-view.sh"
build=${KLP_BUILD:-$top/build}
klp=$build/tools/klp
loader=$build/early-loader/klp-early
kmoddir=${KLP_KMOD_DIR:-$build/kmod}
# the hooks under test (another copy: KLP_HOOKS_DIR)
hooks=${KLP_HOOKS_DIR:-$top/tools/hooks}

# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"
# shellcheck source=tests/lib/dracut-scratch.sh
. "$top/tests/lib/dracut-scratch.sh"
die() {
	printf '%s: %s\n' "${prog:-tests/hooks}" "$*" >&2
	exit 2
}
ms_since() { # start in ns
	echo $((($(bounded date +%s%N) - $1) / 1000000))
}
file_sha() {
	bounded sha256sum "$1" | bounded cut -d' ' -f1
}
finish() {
	echo "numbers:"
	bounded sed 's/^/  /' "$W/numbers.txt"
	totals || exit 1
	exit 0
}

# the inputs every hook test needs; $@: more commands
hook_inputs() {
	[ "$(bounded id -u)" = 0 ] || die "needs root (tmpfs mounts, root-owned patches)"
	for f in "$klp" "$loader"; do
		[ -x "$f" ] || die "no $f (build it: make)"
	done
	for m in klp_demo_v1 klp_demo_v2; do
		[ -f "$kmoddir/$m.ko" ] || die "no $kmoddir/$m.ko (make kmod)"
	done
	for t in dracut lsinitrd cpio gzip flock mount umount sha256sum awk sed modinfo "$@"; do
		command -v "$t" >/dev/null 2>&1 || die "$t missing (tools/deps installs it)"
	done
	[ -x "$hooks/klp-hook" ] || die "no $hooks/klp-hook"
	kver=${KLP_KVER:-$(bounded "$top/tools/deps" --kver)} || die "cannot tell the kernel release (tools/deps --kver)"
	src=${KLP_CACHE:-$build/cache}/kernel/$kver/root/lib/modules/$kver
	[ -d "$src" ] || die "no kernel tree $src (run tools/deps)"
	# a second release of the same length, so that a patch's vermagic can be
	# rewritten in place (as qemu/test-dracut does): the ABI digits complemented
	abi=$(echo "$kver" | bounded cut -d- -f2)
	kver2=$(echo "$kver" | bounded sed "s/-$abi-/-$(echo "$abi" | bounded tr 0-9 9876543210)-/")
	if [ "$kver2" = "$kver" ] || [ "${#kver2}" -ne "${#kver}" ]; then
		die "cannot make a second kernel release from $kver"
	fi
}

mounts=
cleanup() {
	for m in $mounts; do
		timeout -k 5 30 umount "$m" 2>/dev/null || timeout -k 5 30 umount -l "$m" 2>/dev/null || :
	done
}

# hook_world OS-ID: the scratch world ($W, $R with kernel $kver and an initrd
# without a patch), PATH with klp and klp-hook ($hooks_path), KLP_DRACUT,
# KLP_RUN_DIR (for klp run by the test; the wrapper sets them again for
# klp-hook's calls, which get none from the environment)
hook_world() {
	harness_numbers=$W/numbers.txt
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# leftovers of an earlier run that was stopped hard
	if [ -d "$W" ]; then
		# shellcheck disable=SC2016 # an awk program
		bounded awk -v w="$W" '$5 ~ "^" w "/" { print $5 }' /proc/self/mountinfo | bounded sort -r | while read -r m; do
			timeout -k 5 30 umount -l "$m" 2>/dev/null || :
		done
	fi
	bounded rm -rf "$W"
	bounded mkdir -p "$W/bin" "$W/bin-klp" "$W/klp-run" "$W/dracut-conf" "$W/patches"
	: >"$W/numbers.txt"
	: >"$W/dracut.calls"
	: >"$W/klp.calls"
	: >"$W/klp.env"
	bounded cat >"$W/bin-klp/klp" <<EOF
#!/bin/sh
echo "\$*" >>"$W/klp.calls"
echo "\$(env | sed -n 's/^\\(KLP_[A-Za-z0-9_]*\\)=.*/\\1/p' | sort | tr '\\n' ' ')" >>"$W/klp.env"
export KLP_RUN_DIR="$W/klp-run" KLP_DRACUT="\${HOOK_DRACUT:-$W/bin/dracut}"
exec "$klp" "\$@"
EOF
	bounded chmod 0755 "$W/bin-klp/klp"

	scratch_dracut "$W/dracut-base"
	klp_dracut_conf "$W/dracut-conf/klp.conf" shim
	# the dracut klp runs: records the kernel and the markers present when it
	# starts (the rpm triggers' R/run/regenerate-initrd), and its result; the
	# system's dracut by its path (a test may put another dracut first on PATH)
	real_dracut=$(command -v dracut)
	bounded cat >"$W/bin/dracut" <<EOF
#!/bin/sh
k=
prev=
for a; do
	[ "\$prev" = --kver ] && k=\$a
	prev=\$a
done
m=\$(ls "$R/run/regenerate-initrd" 2>/dev/null | tr '\n' ' ' | sed 's/ \$//')
echo "start \$k [\$m]" >>"$W/dracut.calls"
dracutbasedir="$W/dracut-base" timeout --foreground -k 5 300 "$real_dracut" --conf /dev/null --confdir "$W/dracut-conf" \\
	--no-hostonly --no-early-microcode -m klp --compress gzip "\$@" >>"$W/dracut.log" 2>&1
rc=\$?
echo "end \$k \$rc" >>"$W/dracut.calls"
exit \$rc
EOF
	bounded chmod 0755 "$W/bin/dracut"
	# a dracut that fails after writing half an image
	bounded cat >"$W/bin/dracut-fails" <<EOF
#!/bin/sh
for a; do out=\$a; done
head -c 1000 /dev/urandom >"\$out"
echo "start-fails" >>"$W/dracut.calls"
echo "dracut: something broke" >&2
exit 1
EOF
	bounded chmod 0755 "$W/bin/dracut-fails"

	bounded mkdir -p "$R/lib/modules" "$R/etc" "$R/run"
	bounded cp -al "$src" "$R/lib/modules/$kver"
	echo "ID=$1" >"$R/etc/os-release"
	bounded mkdir -p "$R/boot"
	bounded mount -t tmpfs -o size=256m,mode=0755 klp-hook-test "$R/boot" || die "cannot mount a tmpfs on $R/boot"
	mounts="$R/boot $mounts"
	bounded touch "$R/boot/vmlinuz-$kver" # klp needs it to count the kernel as installed; dracut does not read it

	# the patches: build/kmod's, and copies for $kver2 (vermagic rewritten)
	for v in v1 v2; do
		bounded install -m 0644 "$kmoddir/klp_demo_$v.ko" "$W/patches/klp_demo_$v.ko"
		LC_ALL=C bounded sed "s/vermagic=$kver /vermagic=$kver2 /" "$kmoddir/klp_demo_$v.ko" >"$W/patches/k2-klp_demo_$v.ko"
		bounded chmod 0644 "$W/patches/k2-klp_demo_$v.ko"
		vm=$(bounded modinfo -F vermagic "$W/patches/k2-klp_demo_$v.ko" | bounded cut -d' ' -f1)
		[ "$vm" = "$kver2" ] || die "cannot rewrite the vermagic of klp_demo_$v.ko for $kver2 (got '$vm')"
	done

	export KLP_RUN_DIR="$W/klp-run" KLP_DRACUT="$W/bin/dracut"
	hooks_path=$W/bin-klp:$hooks
	PATH=$hooks_path:$PATH
	export PATH

	# the initrd before any package: no patch
	bounded "$klp" regenerate --kver "$kver" --root "$R" --boot "$R/boot" -q >"$W/out" 2>&1 ||
		die "cannot build the first initrd: $(bounded cat "$W/out")"
	[ "$(verdict)" = no-patch ] || die "the first initrd is not no-patch: $(verdict)"
	: >"$W/dracut.calls"
}

# a second kernel: $kver's tree under the name $kver2, with a vmlinuz
add_kernel2() {
	bounded cp -al "$src" "$R/lib/modules/$kver2"
	bounded touch "$R/boot/vmlinuz-$kver2"
}

# dracut runs since the last mark_calls: "K1 K2 ..." (sorted), "" for none
mark_calls() {
	calls_from=$(($(bounded wc -l <"$W/dracut.calls") + 1))
	klp_from=$(($(bounded wc -l <"$W/klp.calls") + 1))
}
# klp's calls (by klp-hook) since mark_calls: "regenerate regenerate ..."
klp_calls() {
	bounded tail -n "+$klp_from" "$W/klp.calls" | bounded cut -d' ' -f1 | bounded tr '\n' ' ' | bounded sed 's/ $//'
}
# failed dracut runs (bin/dracut-fails) since mark_calls
failed_runs() {
	bounded tail -n "+$calls_from" "$W/dracut.calls" | bounded grep -c '^start-fails' || :
}
fails_note() {
	f=$(failed_runs)
	[ "$f" = 0 ] || echo ", failed dracut runs: $f"
}
# kernels whose initrd got a patch-only update (klp's progress lines in $out), sorted
updates() {
	# shellcheck disable=SC2154 # out: set by dpkg_run / rpm_run
	printf '%s\n' "$out" | bounded sed -n 's/^.*regenerating initrd for \([^ ]*\) (patch .*(patch archive replaced, dracut not run)$/\1/p' |
		bounded sort | bounded tr '\n' ' ' | bounded sed 's/ $//'
}
runs() {
	# shellcheck disable=SC2016 # an awk program
	bounded tail -n "+$calls_from" "$W/dracut.calls" | bounded awk '$1 == "start" { print $2 }' | bounded sort | bounded tr '\n' ' ' |
		bounded sed 's/ $//'
}
# the markers present when the runs since mark_calls started
run_markers() {
	bounded tail -n "+$calls_from" "$W/dracut.calls" | bounded sed -n 's/^start [^ ]* \[\(.*\)\]$/\1/p' | bounded tr '\n' '|'
}

# sorted WORD...: the words sorted, on one line
sorted() {
	printf '%s\n' "$@" | bounded sort | bounded tr '\n' ' ' | bounded sed 's/ $//'
}

# shellcheck source=tests/lib/klp-query.sh
. "$top/tests/lib/klp-query.sh"
# verdict [KVER]: klp initrd's verdict
verdict() {
	klp_verdict "$R" "$R/boot" "${1:-$kver}"
}
# embedded [KVER]: the embedded module, "none" or BROKEN (klp_embedded)
embedded() {
	klp_embedded "$R" "$R/boot" "${1:-$kver}"
}

# initrd_of [KVER]: the initrd file klp uses
initrd_of() {
	for f in "$R/boot/initrd.img-${1:-$kver}" "$R/boot/initrd-${1:-$kver}"; do
		[ -e "$f" ] && echo "$f" && return 0
	done
	echo "$R/boot/initrd.img-${1:-$kver}"
}

# the view without klp (lsinitrd, cpio on a klp archive): "module=X sha256=Y", or "none" without a manifest
lsinitrd_patch() {
	m=$(image_file "$(initrd_of "${1:-$kver}")" usr/lib/klp-early/manifest)
	if [ -z "$m" ]; then
		echo none
	else
		# shellcheck disable=SC2016 # an awk program
		printf '%s\n' "$m" | bounded awk -F= '$1 == "module" { m = $2 } $1 == "sha256" { s = $2 } END { print "module=" m " sha256=" s }'
	fi
}

# check_state WHAT KVER PATCH-FILE|none: the initrd of KVER embeds PATCH-FILE's
# module (klp initrd: in-sync; lsinitrd: its manifest names it, same sha256),
# or nothing (no-patch)
check_state() {
	if [ "$3" = none ]; then
		expect_eq "$(verdict "$2")" no-patch "$1: klp initrd says no-patch for $2"
		expect_eq "$(embedded "$2").$(lsinitrd_patch "$2")" none.none "$1: nothing embedded (klp initrd, lsinitrd)"
	else
		want=$(bounded modinfo -F name "$3")
		expect_eq "$(verdict "$2")" in-sync "$1: klp initrd says in-sync for $2"
		expect_eq "$(embedded "$2")" "$want" "$1: the initrd of $2 embeds $want"
		expect_eq "$(lsinitrd_patch "$2")" "module=$want sha256=$(file_sha "$3")" \
			"$1: lsinitrd: manifest module=$want, sha256 of ${3##*/}"
	fi
}

# klp_env_leaks: how many of klp-hook's calls of klp got KLP_* variables from
# the environment (the hooks must remove them all), and which
klp_env_leaks() {
	n=$(bounded grep -c '[^ ]' "$W/klp.env" || :)
	echo "$n$(bounded grep '[^ ]' "$W/klp.env" | bounded sort -u | bounded tr '\n' ';' | bounded sed 's/^/: /;s/;$//')"
}

# temporary files klp left in boot/
temps() {
	bounded find "$R/boot" -maxdepth 1 -name '.*.klp-*' | bounded wc -l
}
