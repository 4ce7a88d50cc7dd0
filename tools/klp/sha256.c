// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp hashes embedded patches with the loader's SHA-256, compiled into klp
 * from its one source file (declarations: early-loader/klp-early.h).
 */
#include "../../early-loader/sha256.c" // NOLINT(bugprone-suspicious-include): one implementation for both
