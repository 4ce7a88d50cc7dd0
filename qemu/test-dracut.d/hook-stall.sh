# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: shell initrd, -M hook, a patch whose init sleeps 60 s: the hook stops at its bound, boot goes on

# The cmdline hook's insert never returns in time (the module init sleeps a
# minute): klp-early stops it at its bound, rd.klp.timeout=1 plus 5 s, like
# the shim does, and dracut's init goes on.
case_hook_stall() {
	image hook-stall klp_demo_stall -f shell -M hook -p "$kmoddir/klp_demo_stall.ko" || return 0
	boot hook-stall "$img" "rd.klp.timeout=1"
	expect_stopped_at_bound "$log" klp_demo_stall hook 6
	expect_one_loader_line "$log"
	expect_order "$log" "${K}klp_demo_stall: stalling module init" "${K}klp-early: klp_demo_stall: did not finish" \
		"the module init began to sleep before klp-early stopped waiting"
	echo "   facts: hook-stall: klp-early returned after $took s; real init at $(kmsg_time "$log" 'klptest: real init started') s"
}
