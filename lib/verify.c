// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The verdict on a patch file's bytes against its manifest: the size, a
 * kernel module's ELF header for this machine, the sha256. klp-early judges
 * the file it is about to insert with it; klp judges the file an initrd
 * embeds with the very same code, so that "in-sync" means "will load".
 * Streaming: the file is fed in pieces of any size, never held whole.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "klp-core.h"

void klp_verify_init(struct klp_verify *v)
{
	memset(v, 0, sizeof(*v));
	sha256_init(&v->sha);
}

void klp_verify_update(struct klp_verify *v, const void *data, size_t len)
{
	if (v->headlen < sizeof(v->head)) {
		size_t k = sizeof(v->head) - v->headlen;
		memcpy(v->head + v->headlen, data, len < k ? len : k);
		v->headlen += len < k ? len : k;
	}
	sha256_update(&v->sha, data, len);
	v->size += len;
}

int klp_verify_size(uint64_t size, const struct klp_manifest *m, char *why, size_t len)
{
	if (size == m->size)
		return 0;
	snprintf(why, len, "size mismatch: %" PRIu64 " bytes, manifest says %" PRIu64, size, m->size);
	return -EINVAL;
}

int klp_verify_finish(struct klp_verify *v, const struct klp_manifest *m, char hex[65], char *why, size_t len)
{
	uint8_t digest[32];
	char own[65];
	const char *elf;
	int r;

	sha256_final(&v->sha, digest);
	sha256_hex(digest, hex ? hex : own);
	if (!hex)
		hex = own;
	r = klp_verify_size(v->size, m, why, len);
	if (r < 0)
		return r;
	if (klp_elf_check(v->head, v->headlen, &elf) < 0) {
		snprintf(why, len, "%s", elf);
		return -ENOEXEC;
	}
	if (strcmp(hex, m->sha256) != 0) {
		snprintf(why, len, "sha256 mismatch: the file is %.16s..., manifest says %.16s...", hex, m->sha256);
		return -EINVAL;
	}
	return 0;
}
