// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * initrd-read.h: the rooms initrd.c reads an image with: compress.c (which
 * compression, from magic bytes or a file name, and its decompressor's
 * argv), filter.c (a decompressor run as a child, its output a pipe) and
 * stream.c (a buffered byte stream over a file, a pipe or memory, with a
 * deadline for pipes).
 */
#ifndef KLP_INITRD_READ_H
#define KLP_INITRD_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* compress.c: the index of the compression these magic bytes start, -1 if none */
int klp_compression_find(const void *magic, size_t len);
const char *klp_compression_name(int i);
const char *const *klp_compression_argv(int i);

/* filter.c: a decompressor child: stdin = in, stdout = a pipe we read, stderr kept */
struct klp_filter {
	pid_t pid;
	int out;   /* read end of its stdout */
	int errfd; /* memfd holding its stderr */
	const char *name;
};
int klp_filter_start(const char *const argv[], int in, struct klp_filter *f);
/* Waits for the child; abandon: we stopped reading on an error of our own (it is killed). */
int klp_filter_end(struct klp_filter *f, bool abandon, char *err, size_t errlen);

/* stream.c */
#define KLP_STREAM_CAP (256 * 1024)
struct klp_stream {
	int fd;			/* -1: memory */
	uint64_t deadline;	/* CLOCK_MONOTONIC ms after which a pipe that gives nothing fails; 0: none */
	uint64_t end;		/* a file stream ends at this offset (a klp archive follows); 0: at EOF */
	const unsigned char *p; /* window p[off, len) */
	unsigned char *buf;	/* owned buffer of an fd stream */
	size_t off, len;
	uint64_t pos; /* stream offset of p[off] */
	bool eof;
};
void klp_stream_mem(struct klp_stream *r, const void *mem, size_t len);
int klp_stream_fd(struct klp_stream *r, int fd, uint64_t pos);
void klp_stream_free(struct klp_stream *r);
/* A pipe from a decompressor: it must give all its output within klp_initrd_timeout_ms(). */
void klp_stream_set_deadline(struct klp_stream *r);
unsigned klp_initrd_timeout_ms(void);
/* Makes at least want (<= KLP_STREAM_CAP) bytes available unless the stream ends; returns how many are. */
ssize_t klp_stream_fill(struct klp_stream *r, size_t want);
void klp_stream_advance(struct klp_stream *r, size_t n);
/* Passes the next n bytes to fn (NULL: skip); -EBADMSG if the stream ends first. */
int klp_stream_consume(struct klp_stream *r, uint64_t n, void (*fn)(void *, const void *, size_t), void *ctx);

#endif
