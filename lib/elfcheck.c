// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A kernel module is a relocatable ELF object for this machine. Checking the
 * header first turns "ENOEXEC" into a message that says what is wrong.
 */
#include <elf.h>
#include <errno.h>

#include "klp-core.h"

#if defined(__x86_64__)
#define KLP_EM EM_X86_64
#elif defined(__s390x__)
#define KLP_EM EM_S390
#elif defined(__powerpc64__)
#define KLP_EM EM_PPC64
#elif defined(__aarch64__)
#define KLP_EM EM_AARCH64
#else
#define KLP_EM EM_NONE /* unknown build target: machine not checked */
#endif

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define KLP_ELFDATA ELFDATA2MSB
#else
#define KLP_ELFDATA ELFDATA2LSB
#endif

#if UINTPTR_MAX > 0xffffffffu
#define KLP_ELFCLASS ELFCLASS64
#else
#define KLP_ELFCLASS ELFCLASS32
#endif

static uint16_t get16(const uint8_t *p, int data)
{
	return data == ELFDATA2MSB ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

int klp_elf_check(const uint8_t *h, size_t len, const char **why)
{
	/* e_type and e_machine sit at the same offsets in ELF32 and ELF64 */
	if (len < 20 || h[EI_MAG0] != ELFMAG0 || h[EI_MAG1] != ELFMAG1 || h[EI_MAG2] != ELFMAG2 ||
	    h[EI_MAG3] != ELFMAG3) {
		*why = "not an ELF file (compressed or corrupt?)";
		return -ENOEXEC;
	}
	if (h[EI_CLASS] != KLP_ELFCLASS) {
		*why = "ELF class does not match this machine";
		return -ENOEXEC;
	}
	if (h[EI_DATA] != KLP_ELFDATA) {
		*why = "ELF byte order does not match this machine";
		return -ENOEXEC;
	}
	if (get16(h + 16, h[EI_DATA]) != ET_REL) {
		*why = "not a kernel module (ELF type is not relocatable)";
		return -ENOEXEC;
	}
	if (KLP_EM != EM_NONE && get16(h + 18, h[EI_DATA]) != KLP_EM) {
		*why = "module is built for another architecture";
		return -ENOEXEC;
	}
	return 0;
}
