# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154 # top, loader, klp: the caller's
#
# A scratch dracut for the host suites (tests/hooks/lib.sh,
# tests/klp/test-regenerate, qemu/bench-update): dracut's modules copied,
# with this tree's dracut-module/ as 55klp (run dracut with
# dracutbasedir=BASE), and 55klp's settings naming the build's loader and
# klp. Sourced after tests/lib/harness.sh (bounded).
#
#   scratch_dracut BASE            /usr/lib/dracut copied to BASE, ours as 55klp
#   klp_dracut_conf FILE [MODE]    klp_early=$loader, klp_tool=$klp (and
#                                  klp_mode=MODE) written to FILE

scratch_dracut() {
	bounded cp -a /usr/lib/dracut "$1"
	bounded rm -rf "$1/modules.d/55klp"
	bounded cp -a "$top/dracut-module" "$1/modules.d/55klp"
}

klp_dracut_conf() {
	{
		echo "klp_early=\"$loader\""
		echo "klp_tool=\"$klp\""
		[ -z "${2-}" ] || echo "klp_mode=\"$2\""
	} >"$1"
}
