// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Status file round trip: what klp-early writes (lib/status.c,
 * klp_status_format) klp reads back (tools/klp/earlystatus.c,
 * klp_early_parse) with the same values. The input supplies the strings
 * (separated by 0xff bytes: mode, kernel, patch, message; control bytes
 * included), then the numbers.
 * Limits of the round trip, as the writer is used: times are clock readings
 * (below 2^63 ns), the pid is a pid_t, and a string longer than klp's field
 * for it is refused by the reader ("too long") rather than truncated.
 */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "klp-core.h"
#include "klp.h"
#include "status.h"

/* What put_value writes for s: control bytes and DEL become spaces. */
static void sanitized(const char *s, char *out)
{
	for (; *s; s++)
		*out++ = (char)(((unsigned char)*s < ' ' || *s == 0x7f) ? ' ' : *s);
	*out = '\0';
}

static uint64_t truncated_to_us(uint64_t ns)
{
	return ns / 1000u * 1000u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct klp_status st;
	struct klp_early_record e;
	char *mode, *kernel, *patch, *message, *want, *buf, err[256], line[1024];
	size_t buflen;
	int n, r;
	bool fits;

	mode = fuzz_field(&in, 0xff);
	kernel = fuzz_field(&in, 0xff);
	patch = fuzz_field(&in, 0xff);
	message = fuzz_field(&in, 0xff);
	memset(&st, 0, sizeof(st));
	st.mode = mode;
	st.kernel = kernel;
	st.patch = patch;
	st.message = message;
	st.pid = (int)(uint32_t)fuzz_u64(&in);
	st.result = (enum klp_result)(fuzz_u8(&in) % (KLP_UNSUPPORTED + 2));
	st.error = (int)(uint32_t)fuzz_u64(&in);
	st.start_boot_ns = fuzz_u64(&in) >> 1;
	st.end_boot_ns = fuzz_u64(&in) >> 1;
	st.start_mono_ns = fuzz_u64(&in) >> 1;
	st.end_mono_ns = fuzz_u64(&in) >> 1;
	buflen = 1 + (size_t)fuzz_u8(&in) * 16; /* 1 .. 4081 bytes: too small must say -ENOSPC */
	buf = malloc(buflen);
	if (!buf)
		abort();

	n = klp_status_format(&st, buf, buflen);
	if (n < 0) {
		FUZZ_ASSERT(n == -ENOSPC);
		goto out;
	}
	FUZZ_ASSERT((size_t)n < buflen && buf[n] == '\0' && strlen(buf) == (size_t)n);

	fits = strlen(mode) < sizeof(e.mode) && strlen(kernel) < sizeof(e.kernel) && strlen(patch) < sizeof(e.patch) &&
	       strlen(message) < sizeof(e.message);
	r = klp_early_parse(buf, (size_t)n, &e, err, sizeof(err));
	if (!fits) {
		FUZZ_ASSERT(r == -EINVAL && strstr(err, "too long"));
		goto out;
	}
	if (r < 0)
		fprintf(stderr, "klp_early_parse: %s\n", err);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(e.format == 1 && e.pid == st.pid);
	want = malloc(strlen(message) + strlen(kernel) + strlen(patch) + strlen(mode) + 1);
	if (!want)
		abort();
	sanitized(mode, want);
	FUZZ_ASSERT(!strcmp(e.mode, want));
	sanitized(kernel, want);
	FUZZ_ASSERT(!strcmp(e.kernel, want));
	sanitized(patch, want);
	FUZZ_ASSERT(!strcmp(e.patch, want));
	sanitized(message, want);
	FUZZ_ASSERT(!strcmp(e.message, want));
	free(want);
	FUZZ_ASSERT(!strcmp(e.result, klp_result_name(st.result)));
	FUZZ_ASSERT(!strcmp(e.error, st.error ? klp_errno_name(st.error) : ""));
	FUZZ_ASSERT(e.start_boot_ns == truncated_to_us(st.start_boot_ns));
	FUZZ_ASSERT(e.end_boot_ns == truncated_to_us(st.end_boot_ns));
	FUZZ_ASSERT(e.start_mono_ns == truncated_to_us(st.start_mono_ns));
	FUZZ_ASSERT(e.end_mono_ns == truncated_to_us(st.end_mono_ns));
	/* and what klp status prints from it */
	klp_early_describe(&e, line, sizeof(line));
	klp_early_summary(&e, line, sizeof(line));
out:
	free(buf);
	free(mode);
	free(kernel);
	free(patch);
	free(message);
	return 0;
}
