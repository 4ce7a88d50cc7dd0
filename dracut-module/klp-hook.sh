#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cmdline hook, priority 00: apply the embedded livepatch before udev starts.
# Sourced by dracut's init: return, never exit. klp-early reads rd.klp=0,
# rd.klp.timeout= and rd.klp.debug itself, and returns at the latest at its
# bound (the timeout plus 5 s), also when the insert never returns.
/usr/lib/klp-early/klp-early --mode hook --quiet || :
