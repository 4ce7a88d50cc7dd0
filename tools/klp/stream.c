// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stream.c: a buffered byte stream over a file (up to an end offset), a pipe
 * from a decompressor (with a deadline: one that hangs must not hang klp) or
 * memory, for the walk over an initrd's archives (initrd.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "klp.h"
#include "initrd.h"
#include "initrd-read.h"

/* how long a decompressor may take over a whole image (xz of 100 MB: seconds) */
static unsigned filter_timeout_ms = 300000;

void klp_initrd_set_timeout(unsigned ms)
{
	filter_timeout_ms = ms;
}

unsigned klp_initrd_timeout_ms(void)
{
	return filter_timeout_ms;
}

void klp_stream_mem(struct klp_stream *r, const void *mem, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->p = mem;
	r->len = len;
	r->eof = true;
}

int klp_stream_fd(struct klp_stream *r, int fd, uint64_t pos)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->buf = malloc(KLP_STREAM_CAP);
	r->p = r->buf;
	r->pos = pos;
	return r->buf ? 0 : -ENOMEM;
}

void klp_stream_free(struct klp_stream *r)
{
	free(r->buf);
	r->buf = NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void klp_stream_set_deadline(struct klp_stream *r)
{
	r->deadline = now_ms() + filter_timeout_ms;
}

/* A decompressor that hangs must not hang klp: its output is awaited until the deadline only. */
static int wait_readable(const struct klp_stream *r)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };

	for (;;) {
		uint64_t now = now_ms();
		int n;
		if (now >= r->deadline)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(r->deadline - now > 60000 ? 60000 : r->deadline - now));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

ssize_t klp_stream_fill(struct klp_stream *r, size_t want)
{
	while (r->len - r->off < want && !r->eof) {
		ssize_t n;
		if (r->off > 0) {
			memmove(r->buf, r->buf + r->off, r->len - r->off);
			r->len -= r->off;
			r->off = 0;
		}
		size_t room = KLP_STREAM_CAP - r->len;
		uint64_t next = r->pos + (r->len - r->off); /* file offset of the next byte read */
		if (r->end && r->end - next < room)
			room = (size_t)(r->end - next);
		if (r->deadline && wait_readable(r) < 0)
			return -ETIMEDOUT;
		n = room ? read(r->fd, r->buf + r->len, room) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
	}
	return (ssize_t)(r->len - r->off);
}

void klp_stream_advance(struct klp_stream *r, size_t n)
{
	r->off += n;
	r->pos += n;
}

int klp_stream_consume(struct klp_stream *r, uint64_t n, void (*fn)(void *, const void *, size_t), void *ctx)
{
	while (n > 0) {
		ssize_t a = klp_stream_fill(r, 1);
		size_t k;
		if (a < 0)
			return (int)a;
		if (a == 0)
			return -EBADMSG;
		k = (uint64_t)a < n ? (size_t)a : (size_t)n;
		if (fn)
			fn(ctx, r->p + r->off, k);
		klp_stream_advance(r, k);
		n -= k;
	}
	return 0;
}
