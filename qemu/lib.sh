# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# Shared helpers for the QEMU boot tests. Sourced, never run: the sourcing
# script sets $qemu_dir (the folder of this file) first.
#
#   pass, fail, skip, expect_*, number  tests/lib/harness.sh (sourced here)
#   log_field LOG PREFIX                text after PREFIX on its first line in LOG
#   summary                             the totals line (harness.sh's totals); false on any failure
#   expect_stopped_at_bound LOG MOD MODE BOUND_S
#                                       klp-early's insert of MOD (kmod/klp_demo_stall) did not
#                                       return: stopped at the bound, said so, and the boot went on
#   boot_prepare                        kernel + root image ready: sets kver, vmlinuz, rootimg
#   boot_case CASE INITRD [CMDLINE]     one boot under a timeout: sets boot_log, boot_rc, boot_secs
#   arch_boot NAME INITRD SECONDS       one s390x/ppc64le boot ($qemu -M $machine, $kernel,
#                                       console=$console): sets boot_log, boot_rc, boot_secs
#   console_time LOG REGEX              kernel timestamp of the first console line matching REGEX
#
# Serial logs are stored without carriage returns (qemu/run strips them), so
# plain grep -E works on them; the guest prefixes every fact with "KLPTEST: ".

: "${qemu_dir:?qemu/lib.sh: set qemu_dir before sourcing}"
top=$(cd "$qemu_dir/.." && pwd)
KLP_BUILD=${KLP_BUILD:-$top/build}
KLP_CACHE=${KLP_CACHE:-$KLP_BUILD/cache}
KLP_QEMU_OUT=${KLP_QEMU_OUT:-$KLP_BUILD/qemu}

# shellcheck source=tests/lib/harness.sh
. "$top/tests/lib/harness.sh"

# Rest of the first line that starts with the fixed string $2.
log_field() {
	awk -v p="$2" 'index($0, p) == 1 { print substr($0, length(p) + 1); exit }' "$1" 2>/dev/null
}

# expect_stopped_at_bound LOG MOD MODE BOUND_S: MOD's module init was still
# running (finit_module had not returned) when the real root's init ran, and
# klp-early, run in MODE, had stopped its worker after BOUND_S seconds (at
# most 2 s more: TCG), said so in one kernel log line, and recorded it.
expect_stopped_at_bound() {
	kl='^KLPTEST: kmsg \[ *[0-9.]+\] '
	expect_log "$1" "^KLPTEST: module $2 Loading\$" "$2's module init still running at the real init (the boot went on)"
	expect_no_log "$1" "^KLPTEST: livepatch $2 " "$2 not in /sys/kernel/livepatch"
	expect_log "$1" "${kl}klp-early: $2: did not finish within $4\\.000 s, worker stopped; finit_module has not returned" \
		"kmsg: klp-early says $2 did not finish within $4 s and that finit_module has not returned"
	expect_order "$1" "${kl}klp-early: $2: did not finish" "${kl}klptest: real init started" \
		"klp-early's line before the real init started"
	expect_log "$1" "^KLPTEST: status mode=$3\$" "status: mode=$3"
	expect_log "$1" "^KLPTEST: status patch=$2\$" "status: patch=$2"
	expect_log "$1" '^KLPTEST: status result=failed$' "status: result=failed"
	expect_log "$1" '^KLPTEST: status error=ETIMEDOUT$' "status: error=ETIMEDOUT"
	s0=$(log_field "$1" 'KLPTEST: status start_monotonic=')
	s1=$(log_field "$1" 'KLPTEST: status end_monotonic=')
	took=$(awk -v a="${s0:-0}" -v b="${s1:-0}" 'BEGIN { printf "%.3f", b - a }')
	if awk -v t="$took" -v b="$4" 'BEGIN { exit !(t >= b && t <= b + 2) }'; then
		pass "klp-early returned after $took s (bound $4 s)"
	else
		fail "klp-early returned after $took s, want the bound $4 s (at most 2 s more)"
	fi
}

summary() {
	totals
}

die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 2
}

# The kernel release under test: $KLP_KVER, else the one tools/deps resolves.
klp_kver() {
	if [ -n "${KLP_KVER-}" ]; then
		echo "$KLP_KVER"
	else
		"$top/tools/deps" --kver
	fi
}

# The unpacked kernel tree of release $1 (fetched by tools/deps).
klp_kernel_root() {
	echo "$KLP_CACHE/kernel/$1/root"
}

# Sets kver, vmlinuz and rootimg for boot_case: the kernel tree comes from
# tools/deps (fetched when missing), the root image from qemu/mkroot.
boot_prepare() {
	kver=$(klp_kver) || die "cannot tell the kernel release (tools/deps --kver)"
	vmlinuz=$(klp_kernel_root "$kver")/boot/vmlinuz-$kver
	if [ ! -f "$vmlinuz" ]; then
		KLP_CACHE=$KLP_CACHE "$top/tools/deps" --kernel >&2 || die "cannot fetch kernel $kver"
	fi
	[ -f "$vmlinuz" ] || die "no $vmlinuz"
	rootimg=$KLP_QEMU_OUT/root.ext4
	"$qemu_dir/mkroot" "$rootimg" >&2 || die "cannot build $rootimg"
}

# boot_case CASE INITRD [EXTRA CMDLINE]: boots once, serial log in
# $KLP_QEMU_OUT/logs/CASE.log; sets boot_log, boot_rc (qemu/run's status)
# and boot_secs (wall time). Timeout: $KLP_QEMU_TIMEOUT (default 120 s).
# shellcheck disable=SC2034 # boot_rc, boot_secs: read by the caller
boot_case() {
	boot_log=$KLP_QEMU_OUT/logs/$1.log
	t0=$(date +%s.%N)
	boot_rc=0
	"$qemu_dir/run" -n "$1" -t "${KLP_QEMU_TIMEOUT:-120}" -a "${3-}" \
		-k "$vmlinuz" -i "$2" -r "$rootimg" -l "$boot_log" || boot_rc=$?
	t1=$(date +%s.%N)
	boot_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

# arch_boot NAME INITRD SECONDS: one boot of the s390x or ppc64le machine the
# caller set up ($qemu, $machine, $kernel, $console) under a hard timeout,
# serial console in $KLP_QEMU_OUT/logs/NAME.log; sets boot_log, boot_rc (0:
# the guest said "KLPTEST: done", 1: it stopped without, 124: timeout) and
# boot_secs.
# shellcheck disable=SC2034,SC2154 # boot_rc, boot_secs: the caller's; qemu, machine, kernel, console: set by it
arch_boot() {
	boot_log=$KLP_QEMU_OUT/logs/$1.log
	mkdir -p "$(dirname "$boot_log")"
	: >"$boot_log"
	t0=$(date +%s.%N)
	rc=0
	# panic=-1 with -no-reboot turns a guest panic into a QEMU exit
	timeout -k 5 "$3" "$qemu" -M "$machine" -accel tcg -m 512 -smp 1 \
		-nodefaults -no-user-config -display none -monitor none \
		-serial "file:$boot_log" -no-reboot \
		-kernel "$kernel" -initrd "$2" \
		-append "console=$console panic=-1 printk.time=1" </dev/null || rc=$?
	t1=$(date +%s.%N)
	boot_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	tr -d '\r' <"$boot_log" >"$boot_log.tmp" && mv "$boot_log.tmp" "$boot_log"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		boot_rc=124
	elif grep -q '^KLPTEST: done' "$boot_log"; then
		boot_rc=0
	else
		echo "${0##*/}: $1: guest stopped (qemu exit $rc) before \"KLPTEST: done\"" >&2
		boot_rc=1
	fi
}

# console_time LOG REGEX: the kernel timestamp of LOG's first console line matching REGEX
console_time() {
	grep -E -m1 -- "^\[ *[0-9.]+\] $2" "$1" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'
}
