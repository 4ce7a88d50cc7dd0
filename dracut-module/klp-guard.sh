#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pre-pivot hook, after the stale-initrd fallback: the initrd's last step
# before the switch to the root. The crash-loop guard counted each patch
# inserted this boot; one whose transition has completed is counted no
# longer, so a later death (a reset, a crash of the running system) is not
# held against it. One still in transition stays counted until
# klp-boot-ok.service. klp-early says what it cleared in the kernel log.
# Installed only when the guard is on. Sourced by dracut: return, never exit.
/usr/lib/klp-early/klp-early --pre-pivot >/dev/null || :
