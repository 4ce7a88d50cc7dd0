// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Module files of every platform, read by klp on this one: modinfo comes
 * from libkmod (tools/klp/patch.c), which must read a big-endian s390x or
 * ppc64 module on a little-endian machine and the other way round (klp runs
 * on the machine it builds initrds for, but a test or a chroot may hand it
 * any module). Also the module's way into an initrd and back (cpio newc is
 * ASCII, sha256 is defined on bytes): nothing may depend on the host's byte
 * order. Each module is a complete relocatable ELF64 object written here
 * field by field in its own byte order: header, .modinfo, .shstrtab and the
 * section table.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "patch.h"
#include "initrd.h"
#include "regen.h"

#define KVER "6.1.0-test"

struct platform {
	const char *name;
	bool big;
	uint16_t machine;
	uint32_t flags;
};

static const struct platform platforms[] = {
	{ "x86_64", false, EM_X86_64, 0 },
	{ "s390x", true, EM_S390, 0 },
	{ "ppc64le", false, EM_PPC64, 2 },
	{ "ppc64", true, EM_PPC64, 1 },
};
#define NPLATFORMS (sizeof(platforms) / sizeof(platforms[0]))

static char tmpdir[] = "/tmp/klp-test-modinfo.XXXXXX";

struct buf {
	uint8_t b[4096];
	size_t n;
	bool big;
};

static void put(struct buf *w, size_t at, uint64_t v, unsigned bytes)
{
	unsigned i;

	assert_true(at + bytes <= sizeof(w->b));
	for (i = 0; i < bytes; i++)
		w->b[at + (w->big ? bytes - 1 - i : i)] = (uint8_t)(v >> (8 * i));
}

static void section(struct buf *w, size_t at, uint32_t name, uint32_t type, uint64_t flags, uint64_t off,
		    uint64_t size)
{
	put(w, at + 0, name, 4);
	put(w, at + 4, type, 4);
	put(w, at + 8, flags, 8);
	put(w, at + 24, off, 8);
	put(w, at + 32, size, 8);
	put(w, at + 48, 1, 8); /* sh_addralign */
}

/* A relocatable ELF64 object of platform p whose .modinfo holds the given "key=value" strings. */
static size_t make_module(struct buf *w, const struct platform *p, const char *const *info, size_t ninfo)
{
	static const char shstrtab[] = "\0.modinfo\0.shstrtab";
	size_t i, modinfo, strtab, shoff;

	memset(w, 0, sizeof(*w));
	w->big = p->big;
	memcpy(w->b, ELFMAG, SELFMAG);
	w->b[EI_CLASS] = ELFCLASS64;
	w->b[EI_DATA] = p->big ? ELFDATA2MSB : ELFDATA2LSB;
	w->b[EI_VERSION] = EV_CURRENT;
	put(w, 16, ET_REL, 2);
	put(w, 18, p->machine, 2);
	put(w, 20, EV_CURRENT, 4);
	put(w, 48, p->flags, 4);
	put(w, 52, sizeof(Elf64_Ehdr), 2);
	put(w, 58, sizeof(Elf64_Shdr), 2);
	w->n = modinfo = sizeof(Elf64_Ehdr);
	for (i = 0; i < ninfo; i++) {
		size_t l = strlen(info[i]) + 1;
		assert_true(w->n + l < 2048);
		memcpy(w->b + w->n, info[i], l);
		w->n += l;
	}
	strtab = w->n;
	memcpy(w->b + strtab, shstrtab, sizeof(shstrtab));
	w->n += sizeof(shstrtab);
	shoff = w->n = (w->n + 7) & ~(size_t)7;
	section(w, shoff + 64, 1, SHT_PROGBITS, SHF_ALLOC, modinfo, strtab - modinfo);
	section(w, shoff + 128, 10, SHT_STRTAB, 0, strtab, sizeof(shstrtab));
	w->n += 3 * sizeof(Elf64_Shdr);
	put(w, 40, shoff, 8);
	put(w, 60, 3, 2); /* e_shnum */
	put(w, 62, 2, 2); /* e_shstrndx */
	return w->n;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0644), 0);
}

static void livepatch_of(const struct platform *p, char *path, size_t len, struct buf *w)
{
	static const char vermagic[] = "vermagic=" KVER " SMP preempt mod_unload modversions ";
	char name[64], src[64], lp_name[80];
	const char *info[] = { "version=1", "livepatch=Y", "license=GPL", src, "depends=", lp_name, vermagic, name };

	snprintf(name, sizeof(name), "name=klp_%s", p->name);
	snprintf(src, sizeof(src), "srcversion=%.12s%s", p->big ? "BIGENDIAN000" : "LITTLEENDIAN", "0123456789AB");
	snprintf(lp_name, sizeof(lp_name), "description=a %s-endian livepatch for %s", p->big ? "big" : "little",
		 p->name);
	make_module(w, p, info, sizeof(info) / sizeof(info[0]));
	snprintf(path, len, "%s/lib/modules/" KVER "/livepatch/klp_%s.ko", tmpdir, p->name);
}

static int setup(void **state)
{
	char dir[256];

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(dir, sizeof(dir), "%s/lib", tmpdir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/lib/modules", tmpdir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/lib/modules/" KVER, tmpdir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/lib/modules/" KVER "/livepatch", tmpdir);
	return mkdir(dir, 0755);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const struct klp_candidate *find(const struct klp_candidates *c, const char *file)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const char *slash = strrchr(c->v[i].path, '/');
		if (slash && !strcmp(slash + 1, file))
			return &c->v[i];
	}
	fail_msg("%s not scanned", file);
	return NULL;
}

/* Every platform's livepatch reads the same here, whatever this machine's byte order. */
static void modinfo_in_both_byte_orders(void **state)
{
	struct klp_candidates c;
	char path[512], dir[512], file[64], want[64];
	struct buf w;
	size_t i;

	(void)state;
	for (i = 0; i < NPLATFORMS; i++) {
		livepatch_of(&platforms[i], path, sizeof(path), &w);
		write_file(path, w.b, w.n);
	}
	assert_int_equal(klp_livepatch_dir(tmpdir, NULL, KVER, dir, sizeof(dir)), 0);
	assert_int_equal(klp_candidates_scan(dir, KVER, &c), 0);
	assert_int_equal(c.n, NPLATFORMS);
	for (i = 0; i < NPLATFORMS; i++) {
		const struct platform *p = &platforms[i];
		const struct klp_candidate *k;

		snprintf(file, sizeof(file), "klp_%s.ko", p->name);
		k = find(&c, file);
		snprintf(want, sizeof(want), "klp_%s", p->name);
		assert_non_null(k->name);
		assert_string_equal(k->name, want);
		if (!k->livepatch)
			fail_msg("%s: livepatch=Y not read (problem: %s)", file, k->problem ? k->problem : "none");
		assert_non_null(k->srcversion);
		assert_string_equal(k->srcversion, p->big ? "BIGENDIAN0000123456789AB" : "LITTLEENDIAN0123456789AB");
		assert_non_null(k->vermagic);
		assert_string_equal(k->vermagic, KVER " SMP preempt mod_unload modversions ");
		assert_true(k->vermagic_ok);
		/* what is left to judge is the file's owner and mode, not its contents */
		if (k->problem && !strstr(k->problem, "owned by root"))
			fail_msg("%s: %s", file, k->problem);
	}
	klp_candidates_free(&c);
}

/* A big-endian module without livepatch=Y, or for another kernel, is named as such. */
static void big_endian_refusals(void **state)
{
	const char *plain[] = { "license=GPL", "name=klp_plain", "vermagic=" KVER " SMP mod_unload " };
	const char *other[] = { "livepatch=Y", "name=klp_other", "vermagic=6.1.0-99-s390x SMP mod_unload " };
	const struct platform *s390 = &platforms[1];
	struct klp_candidates c;
	char path[512], dir[256];
	struct buf w;
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/lib/modules/" KVER "/livepatch", tmpdir);
	make_module(&w, s390, plain, 3);
	snprintf(path, sizeof(path), "%s/klp_plain.ko", dir);
	write_file(path, w.b, w.n);
	make_module(&w, s390, other, 3);
	snprintf(path, sizeof(path), "%s/klp_other.ko", dir);
	write_file(path, w.b, w.n);
	assert_int_equal(klp_candidates_scan(dir, KVER, &c), 0);
	for (i = 0; i < c.n; i++) {
		struct klp_candidate *k = &c.v[i];
		/* the owner is not what this test is about */
		k->uid = 0;
		k->mode = S_IFREG | 0644;
		klp_candidate_judge(k, KVER);
	}
	assert_non_null(strstr(find(&c, "klp_plain.ko")->problem, "not a livepatch module"));
	assert_non_null(strstr(find(&c, "klp_other.ko")->problem, "vermagic '6.1.0-99-s390x"));
	assert_null(find(&c, "klp_s390x.ko")->problem);
	assert_null(find(&c, "klp_x86_64.ko")->problem);
	klp_candidates_free(&c);
}

/* Header fields in the wrong byte order make a broken file, reported, never a crash. */
static void byte_order_flipped(void **state)
{
	const char *info[] = { "livepatch=Y", "name=klp_flipped", "vermagic=" KVER " SMP " };
	struct platform p = platforms[1];
	struct klp_candidates c;
	char path[512], dir[256];
	struct buf w;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/flipped", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	make_module(&w, &p, info, 3);
	w.b[EI_DATA] = ELFDATA2LSB; /* says little-endian, is written big-endian */
	snprintf(path, sizeof(path), "%s/klp_flipped.ko", dir);
	write_file(path, w.b, w.n);
	assert_int_equal(klp_candidates_scan(dir, KVER, &c), 0);
	assert_int_equal(c.n, 1);
	assert_non_null(c.v[0].problem);
	assert_false(c.v[0].livepatch);
	klp_candidates_free(&c);
}

/* One newc entry. */
static size_t cpio_put(uint8_t *b, size_t n, const char *name, unsigned mode, const void *data, size_t len)
{
	char hdr[KLP_CPIO_HEADER_SIZE + 1];

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u, mode, 0u, 0u,
		 1u, 0u, (unsigned)len, 0u, 0u, 0u, 0u, (unsigned)strlen(name) + 1, 0u);
	memcpy(b + n, hdr, KLP_CPIO_HEADER_SIZE);
	n += KLP_CPIO_HEADER_SIZE;
	memcpy(b + n, name, strlen(name) + 1);
	n += strlen(name) + 1;
	while (n & 3)
		b[n++] = 0;
	memcpy(b + n, data, len);
	n += len;
	while (n & 3)
		b[n++] = 0;
	return n;
}

/* The s390x module into an initrd and back: the same sha256 and size on every machine. */
static void big_endian_module_in_initrd(void **state)
{
	static uint8_t img[16384];
	struct klp_embedded e;
	char path[512], sha[65], manifest[512], err[256];
	unsigned long long size = 0;
	struct buf w;
	size_t n = 0;

	(void)state;
	livepatch_of(&platforms[1], path, sizeof(path), &w);
	write_file(path, w.b, w.n);
	assert_int_equal(klp_initrd_module_sha256(path, sha, &size, err, sizeof(err)), 0);
	assert_int_equal(size, w.n);
	snprintf(manifest, sizeof(manifest),
		 "format=1\nkernel=" KVER "\nmodule=klp_s390x\nfile=klp_s390x.ko\nsize=%zu\nsha256=%s\n"
		 "srcversion=BIGENDIAN0000123456789AB\n",
		 w.n, sha);
	n = cpio_put(img, n, "usr/lib/klp-early/klp-early", 0100755, "\177ELF", 4);
	n = cpio_put(img, n, "usr/lib/klp-early/klp_s390x.ko", 0100644, w.b, w.n);
	n = cpio_put(img, n, "usr/lib/klp-early/manifest", 0100644, manifest, strlen(manifest));
	n = cpio_put(img, n, "TRAILER!!!", 0, "", 0);
	assert_int_equal(klp_initrd_embedded_mem(img, n, &e), 0);
	/* the loader's verdict (lib/verify.c): valid only where the loader would insert it */
#if defined(__s390x__)
	if (!e.valid)
		fail_msg("embedded module not valid: %s", e.problem);
#else
	assert_false(e.valid);
	assert_non_null(strstr(e.problem, "byte order"));
#endif
	assert_string_equal(e.manifest.module, "klp_s390x");
	assert_string_equal(e.sha256, sha);
	assert_int_equal(e.size, w.n);
	/* the sha256 of a fixed big-endian file is the same number on every machine */
	klp_initrd_sha256_hex("\x00\x16\x00\x01", 4, sha);
	assert_string_equal(sha, "867314e767153eb70b7b76df4ee98e98ab97c24439f0ee44e2e9b78ded5e9735");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modinfo_in_both_byte_orders),
		cmocka_unit_test(big_endian_refusals),
		cmocka_unit_test(byte_order_flipped),
		cmocka_unit_test(big_endian_module_in_initrd),
	};

	return cmocka_run_group_tests_name("modinfo of every platform (libkmod), byte order", tests, setup, teardown);
}
