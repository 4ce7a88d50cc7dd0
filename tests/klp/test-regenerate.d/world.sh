# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034,SC2119,SC2120 # names shared with the runner and the case files
#
# The scratch world of tests/klp/test-regenerate, sourced by it after its
# checks: BOOT tmpfs, dracut's counting wrapper, ROOT, and the helpers
# the cases share.

# ---- the scratch world ---------------------------------------------------

mounts=
bgpids=
cleanup() {
	for p in $bgpids; do
		kill -KILL "$p" 2>/dev/null || :
	done
	for m in $mounts; do
		# a test that failed may have left its filesystem frozen
		timeout -k 5 30 fsfreeze -u "$m" 2>/dev/null || :
		timeout -k 5 30 umount "$m" 2>/dev/null || timeout -k 5 30 umount -l "$m" 2>/dev/null || :
	done
	if [ -n "${loopdev-}" ]; then
		timeout -k 5 30 losetup -d "$loopdev" 2>/dev/null || :
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# tmpfs DIR SIZE: a fresh tmpfs of this test on DIR
tmpfs() {
	bounded mkdir -p "$1"
	bounded mount -t tmpfs -o "size=$2,mode=0755" klp-regen-test "$1" || die "cannot mount a tmpfs on $1"
	mounts="$1 $mounts"
}
untmpfs() {
	bounded umount "$1" || bounded umount -l "$1" || :
	# shellcheck disable=SC2086 # one mount point per word
	mounts=$(printf '%s\n' $mounts | bounded grep -vxF "$1" | bounded tr '\n' ' ' || :)
}

# leftovers of an earlier run that was stopped hard
if [ -d "$W" ]; then
	# shellcheck disable=SC2016 # an awk program
	bounded awk -v w="$W" '$5 ~ "^" w "/" { print $5 }' /proc/self/mountinfo | bounded sort -r | while read -r m; do
		timeout -k 5 30 umount -l "$m" 2>/dev/null || :
	done
fi
bounded rm -rf "$W"
bounded mkdir -p "$W/bin" "$W/run" "$W/conf.d"
: >"$W/numbers.txt"
: >"$W/dracut.calls"
export KLP_RUN_DIR="$W/run"

# dracut's modules: a scratch copy with ours as 55klp
scratch_dracut "$W/dracut-base"
klp_dracut_conf "$W/conf.d/klp.conf" shim

# the dracut that klp runs: counted, timed, isolated; it records its parent
# (klp) and its own pid (its process group: klp starts it as a group leader)
bounded cat >"$W/bin/dracut" <<EOF
#!/bin/sh
echo "\$PPID" >"$W/klp.pid"
echo "\$\$" >"$W/dracut.pid"
echo "start \$\$ \$(date +%s.%N) \$*" >>"$W/dracut.calls"
dracutbasedir="$W/dracut-base" timeout --foreground -k 5 300 dracut --conf /dev/null --confdir "$W/conf.d" \\
	--no-hostonly --no-early-microcode -m klp --compress gzip "\$@"
rc=\$?
echo "end \$\$ \$(date +%s.%N) \$rc" >>"$W/dracut.calls"
exit \$rc
EOF
bounded chmod 0755 "$W/bin/dracut"

root=$W/root
bounded mkdir -p "$root/lib/modules" "$root/etc"
bounded cp -al "$src" "$root/lib/modules/$kver"
bounded mkdir -p "$root/lib/modules/$kver/livepatch"
echo "ID=debian" >"$root/etc/os-release"
lp=$root/lib/modules/$kver/livepatch

boot=$W/mnt/boot
tmpfs "$boot" 256m
bounded touch "$boot/vmlinuz-$kver"
initrd=$boot/initrd.img-$kver
# klp regenerate's lock: flock(2) on the boot folder itself
lock=$boot

# use_patch v1|v2|none: the patch installed for $kver
use_patch() {
	bounded rm -f "$lp"/*.ko "$lp"/*.ko.xz
	if [ "$1" != none ]; then
		bounded cp "$kmoddir/klp_demo_$1.ko" "$lp/"
		bounded chmod 0644 "$lp/klp_demo_$1.ko"
	fi
}

# use_patch_nth N: v1 for an even N, v2 for an odd one (runs that alternate)
use_patch_nth() {
	if [ $(($1 % 2)) = 0 ]; then use_patch v1; else use_patch v2; fi
}

# twice ARGS...: two klp regenerate ARGS at once on $boot with the counting
# dracut, outputs in $W/twice1.out and $W/twice2.out; their statuses in r1, r2
twice() {
	_pids=
	for _n in 1 2; do
		bounded "$klp" regenerate --kver "$kver" --root "$root" --boot "$boot" --dracut "$W/bin/dracut" "$@" \
			>"$W/twice$_n.out" 2>&1 &
		_pids="$_pids $!"
	done
	bgpids="$bgpids$_pids"
	# shellcheck disable=SC2086 # two pids
	set -- $_pids
	r1=0
	r2=0
	wait "$1" || r1=$?
	wait "$2" || r2=$?
}

calls() {
	bounded grep -c '^start' "$W/dracut.calls" || :
}

# klp regenerate on $boot with the counting dracut: output in $W/out, status in rc
regen() {
	rc=0
	bounded "$klp" regenerate --kver "$kver" --root "$root" --boot "$boot" --dracut "$W/bin/dracut" "$@" \
		>"$W/out" 2>&1 || rc=$?
	out=$(bounded cat "$W/out")
}

# shellcheck source=tests/lib/klp-query.sh
. "$top/tests/lib/klp-query.sh"
# verdict [BOOT] [KVER]
verdict() {
	klp_verdict "$root" "${1:-$boot}" "${2:-$kver}"
}
# embedded BOOT: the embedded module, "none" or BROKEN (klp_embedded)
embedded() {
	klp_embedded "$root" "$1" "$kver"
}

# whole WHAT BOOT: after a kill, the initrd in BOOT is the complete old or new one
# (ours_ok), else it is said and the good copy put back (ours_bad)
whole() {
	e=$(embedded "$2")
	case $e in
	klp_demo_v1 | klp_demo_v2) ours_ok=$((ours_ok + 1)) ;;
	*)
		ours_bad=$((ours_bad + 1))
		fail "$1: the initrd is $e"
		bounded cp "$good" "$2/initrd.img-$kver"
		;;
	esac
}

# temporary files and old initrds' second names (.NAME.klp-swap) in folder $1
temps() {
	bounded find "$1" -maxdepth 1 \( -name '.*.klp-??????' -o -name '.*.klp-swap' \) | bounded wc -l
}

file_sha() {
	bounded sha256sum "$1" | bounded cut -d' ' -f1
}

ms_since() { # start in ns
	echo $((($(bounded date +%s%N) - $1) / 1000000))
}

# ---- cases ---------------------------------------------------------------

built=
ensure_built() { # an in-sync initrd with v1 in $boot
	[ -n "$built" ] && [ "$(embedded "$boot")" = klp_demo_v1 ] && [ -f "$lp/klp_demo_v1.ko" ] && return 0
	use_patch v1
	regen
	built=1
}

# until_file FILE SEC: wait (at most SEC seconds) for FILE to be non-empty
until_file() {
	end=$(($(bounded date +%s) + $2))
	while [ ! -s "$1" ] && [ "$(bounded date +%s)" -lt "$end" ]; do
		bounded sleep 0.05
	done
	[ -s "$1" ]
}

# ---- kills (kill, update-kill) ----------------------------------------

# a random delay for a run that takes $1 s, from seed $2: even seeds anywhere
# in [0, 1.15 x $1], odd seeds in the last part [0.75 x $1, 1.1 x $1], where
# the image is compressed and written (dracut's cp; our verify, fsync, rename)
rand_delay() {
	# r from a multiplicative hash of the seed: awk's first rand() after srand(s)
	# moves little between neighbouring seeds, which bunched all kills together
	bounded awk -v d="$1" -v s="$2" 'BEGIN { r = ((s * 2654435761) % 4294967296) / 4294967296;
		if (s % 2) printf "%.3f", d * (0.75 + 0.35 * r); else printf "%.3f", d * 1.15 * r }'
}

# crash DELAY CMD...: CMD in its own PID namespace, SIGKILLed with every
# process it started after DELAY s (or done before); waits until all are gone.
# Without PID namespaces: its session's process group and dracut's (klp
# starts dracut in a group of its own) are killed instead.
crash_ns=
if [ -z "${KLP_KILL_NO_NS-}" ] && bounded unshare -fp --kill-child true >/dev/null 2>&1; then
	crash_ns=1
fi
crash() {
	d=$1
	shift
	bounded rm -f "$W/dracut.pid"
	if [ -n "$crash_ns" ]; then
		# timeout leads a process group of its own: killing it kills unshare, which takes the namespace
		timeout -k 5 150 unshare -fp --kill-child flock "$W/run/crash.lock" timeout -k 5 120 "$@" \
			>"$W/crash.out" 2>&1 &
	else
		setsid flock "$W/run/crash.lock" timeout --foreground -k 5 120 "$@" >"$W/crash.out" 2>&1 &
	fi
	cp_=$!
	bgpids="$bgpids $cp_"
	bounded sleep "$d"
	if [ -n "$crash_ns" ]; then
		bounded /bin/kill -s KILL -- "-$cp_" 2>/dev/null || :
	else
		# process groups: dash's kill builtin takes no negative pid
		bounded /bin/kill -s KILL -- "-$cp_" 2>/dev/null || :
		if [ -s "$W/dracut.pid" ]; then
			bounded /bin/kill -s KILL -- "-$(bounded cat "$W/dracut.pid")" 2>/dev/null || :
		fi
	fi
	wait "$cp_" 2>/dev/null || :
	# everything of it inherited the lock of flock(1): free means gone
	bounded flock -w 60 "$W/run/crash.lock" true || fail "processes of a killed run still run after 60 s"
}
