// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp load reports the kernel's errno in the same words as klp-early at
 * boot: the loader's table is compiled into klp from its one source file
 * (declarations: klp_errno_name/klp_errno_words in klp.h).
 */
#include "../../early-loader/errmap.c" // NOLINT(bugprone-suspicious-include): one table for both
