# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154 # klp: the caller's
#
# What klp initrd says, for the suites that check initrds on the host
# (tests/hooks/lib.sh, tests/klp/test-regenerate). Sourced after
# tests/lib/harness.sh (bounded); the caller sets klp (the binary).
#
#   klp_verdict ROOT BOOT KVER    the verdict word: in-sync, stale, missing,
#                                 no-patch ("" when klp says none)
#   klp_embedded ROOT BOOT KVER   the embedded module when the initrd is
#                                 complete and verifiable (it parses to its
#                                 end, manifest and patch sha256 agree, the
#                                 loader is there), "none" when complete and
#                                 embedding nothing, else BROKEN

klp_verdict() {
	bounded "$klp" initrd --kver "$3" --root "$1" --boot "$2" 2>/dev/null |
		bounded sed -n 's/^[^:]*: \([a-z-]*\): .*/\1/p' || :
}

klp_embedded() {
	_j=$(bounded "$klp" initrd --kver "$3" --root "$1" --boot "$2" --json 2>/dev/null || :)
	case $_j in
	*'"initrd_readable":true'*'"embedded":null'*) echo none ;;
	*'"initrd_readable":true'*'"valid":true,"loader":true'*)
		printf '%s\n' "$_j" | bounded sed -n 's/.*"embedded":{"module":"\([^"]*\)".*/\1/p' ;;
	*) echo BROKEN ;;
	esac
}
