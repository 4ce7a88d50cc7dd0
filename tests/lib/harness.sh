# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# The one test harness of the shell and QEMU suites (every suite sources
# it, the QEMU ones through qemu/lib.sh). Sourced, never run.
#
#   pass WHAT / fail WHAT               count one result
#   skip WHAT                           count a check that could not run here, and why:
#                                       shown apart in the totals, never as a pass
#   expect_eq GOT WANT WHAT             two strings are equal
#   expect_in TEXT NEEDLE WHAT          NEEDLE is in TEXT
#   expect_not_in TEXT NEEDLE WHAT      NEEDLE is not in TEXT
#   expect_log LOG REGEX WHAT           some line of LOG matches REGEX (grep -E)
#   expect_no_log LOG REGEX WHAT        LOG can be read and no line matches REGEX
#   expect_order LOG RE1 RE2 WHAT       the first RE1 line comes before the first RE2 line
#   select_cases [--list | CASE...]     a suite's cases: $ALL_CASES, each described by the
#                                       suite's describe CASE (false for an unknown one);
#                                       --list prints them and exits 0, else sets cases (the
#                                       arguments, default all; an unknown one exits 2)
#   byte_at FILE OFFSET                 the byte at OFFSET (decimal)
#   flip_byte FILE OFFSET               that byte changed in place (+1 mod 256): the same
#                                       size, only a checksum can tell
#   bounded CMD...                      CMD under a hard timeout: $bound seconds (default
#                                       120), killed 5 s later; a hang fails one check
#                                       (timeout's 124), not the whole run
#   bounded_long CMD...                 the same for builds, dracut and package
#                                       transactions: $bound_long seconds (default 600)
#   describe CASE                       WHAT of a suite whose cases are files: the
#                                       "# case: WHAT" line of $case_dir/CASE.sh (false
#                                       when there is none); suites with their cases
#                                       inline define their own
#   run_cases                           each selected case: its file $case_dir/CASE.sh
#                                       sourced, "== CASE: WHAT", its function
#                                       case_CASE (dashes as underscores), its seconds
#   number TEXT                         a measurement: printed, and kept in
#                                       $harness_numbers when set; never counted
#   totals                              "N passed, N failed" (", N skipped" when some
#                                       were); false on any failure
#   totals_of FILE                      "PASSED FAILED SKIPPED" of the last totals line a
#                                       suite wrote into FILE; false when it wrote none
#
# Every result line starts with "ok   ", "FAIL " or "SKIP "; tests/run-suites
# adds up the totals lines.

passed=0
failed=0
skipped=0

pass() {
	passed=$((passed + 1))
	printf 'ok   %s\n' "$*"
}

fail() {
	failed=$((failed + 1))
	printf 'FAIL %s\n' "$*"
}

skip() {
	skipped=$((skipped + 1))
	printf 'SKIP %s\n' "$*"
}

expect_eq() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3 (got '$1', want '$2')"
	fi
}

expect_in() {
	case $1 in
	*"$2"*) pass "$3" ;;
	*) fail "$3 (no '$2' in: $(printf '%s' "$1" | head -c 800))" ;;
	esac
}

expect_not_in() {
	case $1 in
	*"$2"*) fail "$3 ('$2' in: $(printf '%s' "$1" | head -c 800))" ;;
	*) pass "$3" ;;
	esac
}

expect_log() {
	if grep -Eq -- "$2" "$1" 2>/dev/null; then
		pass "$3"
	else
		fail "$3 (no line matches /$2/ in $1)"
	fi
}

expect_no_log() {
	if [ ! -r "$1" ]; then
		fail "$3 (cannot read $1)"
	elif grep -Eq -- "$2" "$1" 2>/dev/null; then
		fail "$3 (unexpected line in $1: $(grep -E -m1 -- "$2" "$1"))"
	else
		pass "$3"
	fi
}

# Line number of the first line of $1 matching $2, empty if none.
first_line() {
	grep -En -m1 -- "$2" "$1" 2>/dev/null | cut -d: -f1
}

expect_order() {
	a=$(first_line "$1" "$2")
	b=$(first_line "$1" "$3")
	if [ -z "$a" ]; then
		fail "$4 (no line matches /$2/ in $1)"
	elif [ -z "$b" ]; then
		fail "$4 (no line matches /$3/ in $1)"
	elif [ "$a" -lt "$b" ]; then
		pass "$4"
	else
		fail "$4 (/$2/ at line $a is not before /$3/ at line $b in $1)"
	fi
}

select_cases() {
	if [ "${1-}" = --list ]; then
		_w=0
		for _c in $ALL_CASES; do [ "${#_c}" -le "$_w" ] || _w=${#_c}; done
		for _c in $ALL_CASES; do printf "%-${_w}s  %s\n" "$_c" "$(describe "$_c")"; done
		exit 0
	fi
	cases=${*:-$ALL_CASES}
	for _c in $cases; do
		if ! describe "$_c" >/dev/null; then
			printf "%s: unknown case '%s' (see --list)\n" "${prog:-${0##*/}}" "$_c" >&2
			exit 2
		fi
	done
}

describe() {
	[ -f "${case_dir:?}/$1.sh" ] && sed -n 's/^# case: //p' "$case_dir/$1.sh" | grep .
}

run_cases() {
	for _c in $cases; do
		# shellcheck source=/dev/null # the case's file
		. "$case_dir/$_c.sh"
		echo "== $_c: $(describe "$_c")"
		_t=$(bounded date +%s)
		"case_$(echo "$_c" | bounded tr - _)"
		echo "   ($_c: $(($(bounded date +%s) - _t)) s)"
	done
}

# byte_at FILE OFFSET: the byte there, as a decimal number
byte_at() {
	bounded od -An -tu1 -j "$2" -N1 "$1" | bounded tr -d ' '
}

# flip_byte FILE OFFSET: that byte plus one (mod 256), in place: the same
# size, only a checksum can tell
flip_byte() {
	_b=$(byte_at "$1" "$2")
	# shellcheck disable=SC2059 # the format is the octal escape
	printf "\\$(printf %o $(((_b + 1) % 256)))" | bounded dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

bounded() {
	timeout -k 5 "${bound:-120}" "$@"
}

bounded_long() {
	timeout -k 10 "${bound_long:-600}" "$@"
}

number() {
	printf 'number: %s\n' "$*"
	[ -z "${harness_numbers-}" ] || printf '%s\n' "$*" >>"$harness_numbers"
}

totals() {
	if [ "$skipped" -gt 0 ]; then
		printf '%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
	else
		printf '%s passed, %s failed\n' "$passed" "$failed"
	fi
	[ "$failed" -eq 0 ]
}

totals_of() {
	grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" 2>/dev/null | tail -n 1 |
		awk '{ print $1, $3 + 0, $5 + 0; found = 1 } END { exit !found }'
}
