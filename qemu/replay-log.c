// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay-log: read a dm-log-writes log (the kernel's drivers/md/dm-log-writes.c
 * format) and replay its writes onto a copy of the device, for
 * qemu/test-powercut. The log: a super block in the first sector (magic,
 * version, number of entries, sector size); then, from the second sector on,
 * one entry after another: a header sector (the written sector, the number of
 * sectors, flags, and a mark's text after the header), followed by the
 * written data unless the entry is a discard.
 *
 *   replay-log --list LOG             one line per entry: INDEX FLAGS SECTOR NR_SECTORS [MARK]
 *   replay-log --apply FROM TO LOG DEV    write entries FROM..TO-1 onto DEV
 *                                          (a discard writes zeros)
 *
 * FLAGS is a word of letters: F flush, U FUA, D discard, M mark, m metadata,
 * or "-". Exit status 0, 1 on a bad log or an I/O error (said on stderr),
 * 2 on usage.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_FLUSH (1u << 0)
#define LOG_FUA (1u << 1)
#define LOG_DISCARD (1u << 2)
#define LOG_MARK (1u << 3)
#define LOG_METADATA (1u << 4)
#define LOG_MAGIC 0x6a736677736872ULL
#define LOG_VERSION 1
#define MAX_SECTOR 65536u

struct log_super {
	uint64_t magic, version, nr_entries;
	uint32_t sectorsize;
} __attribute__((packed));

struct log_entry {
	uint64_t sector, nr_sectors, flags, data_len;
} __attribute__((packed));

struct log {
	int fd;
	uint32_t sectorsize;
	uint64_t nr_entries;
	off_t pos; /* the next entry's header */
};

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "replay-log: %s%s%s\n", what, path ? ": " : "", path ? path : "");
	return 1;
}

static int read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int log_open(struct log *l, const char *path)
{
	struct log_super s;

	l->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (l->fd < 0)
		return fail(strerror(errno), path);
	if (read_at(l->fd, &s, sizeof(s), 0) < 0)
		return fail("cannot read the super block", path);
	if (le64toh(s.magic) != LOG_MAGIC || le64toh(s.version) != LOG_VERSION)
		return fail("not a dm-log-writes log (magic or version)", path);
	l->sectorsize = le32toh(s.sectorsize);
	l->nr_entries = le64toh(s.nr_entries);
	if (l->sectorsize < 512 || l->sectorsize > MAX_SECTOR || (l->sectorsize & (l->sectorsize - 1)))
		return fail("bad sector size in the super block", path);
	l->pos = l->sectorsize;
	return 0;
}

/* The entry at l->pos into e (host order) and its mark text; moves l->pos past it. */
static int log_next(struct log *l, struct log_entry *e, char *mark, size_t marklen, off_t *data)
{
	char hdr[MAX_SECTOR];
	size_t n;

	if (read_at(l->fd, hdr, l->sectorsize, l->pos) < 0)
		return -EIO;
	memcpy(e, hdr, sizeof(*e));
	e->sector = le64toh(e->sector);
	e->nr_sectors = le64toh(e->nr_sectors);
	e->flags = le64toh(e->flags);
	e->data_len = le64toh(e->data_len);
	mark[0] = '\0';
	if (e->flags & LOG_MARK) {
		n = e->data_len < l->sectorsize - sizeof(*e) ? e->data_len : l->sectorsize - sizeof(*e);
		n = n < marklen - 1 ? n : marklen - 1;
		memcpy(mark, hdr + sizeof(*e), n);
		mark[n] = '\0';
	} else if (e->data_len) {
		return -EOPNOTSUPP; /* inline data (DAX): not written by a block device */
	}
	*data = l->pos + l->sectorsize;
	l->pos = *data;
	if (!(e->flags & LOG_DISCARD))
		l->pos += (off_t)(e->nr_sectors * l->sectorsize);
	return 0;
}

static void flag_word(uint64_t f, char *w)
{
	static const struct {
		uint64_t bit;
		char c;
	} names[] = { { LOG_FLUSH, 'F' }, { LOG_FUA, 'U' }, { LOG_DISCARD, 'D' }, { LOG_MARK, 'M' },
		      { LOG_METADATA, 'm' } };
	size_t i, k = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit)
			w[k++] = names[i].c;
	if (!k)
		w[k++] = '-';
	w[k] = '\0';
}

/* Entry e's data (at data in the log) onto dev; zeros for a discard. */
static int apply(const struct log *l, const struct log_entry *e, off_t data, int dev)
{
	static char buf[1 << 20];
	uint64_t left = e->nr_sectors * l->sectorsize;
	off_t to = (off_t)(e->sector * l->sectorsize);

	if (e->flags & LOG_DISCARD)
		memset(buf, 0, sizeof(buf));
	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);
		ssize_t w;

		if (!(e->flags & LOG_DISCARD) && read_at(l->fd, buf, n, data) < 0)
			return -EIO;
		w = pwrite(dev, buf, n, to);
		if (w < 0)
			return -errno;
		if ((size_t)w != n)
			return -EIO;
		left -= n;
		data += (off_t)n;
		to += (off_t)n;
	}
	return 0;
}

static int walk(struct log *l, uint64_t from, uint64_t to, int dev)
{
	struct log_entry e;
	char mark[512], w[8];
	uint64_t i;
	off_t data;
	int r;

	if (to > l->nr_entries)
		return fail("the log has fewer entries than asked for", NULL);
	for (i = 0; i < to; i++) {
		if ((r = log_next(l, &e, mark, sizeof(mark), &data)) < 0) {
			fprintf(stderr, "replay-log: entry %" PRIu64 ": %s\n", i, strerror(-r));
			return 1;
		}
		if (i < from)
			continue;
		if (dev < 0) {
			flag_word(e.flags, w);
			printf("%" PRIu64 " %s %" PRIu64 " %" PRIu64 "%s%s\n", i, w, e.sector, e.nr_sectors,
			       mark[0] ? " " : "", mark);
		} else if ((e.flags & LOG_MARK) == 0 && (r = apply(l, &e, data, dev)) < 0) {
			fprintf(stderr, "replay-log: entry %" PRIu64 ": write: %s\n", i, strerror(-r));
			return 1;
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: replay-log --list LOG\n       replay-log --apply FROM TO LOG DEV\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct log l;
	char *end1, *end2;
	uint64_t from, to;
	int dev, r;

	if (argc == 3 && !strcmp(argv[1], "--list")) {
		if (log_open(&l, argv[2]))
			return 1;
		return walk(&l, 0, l.nr_entries, -1);
	}
	if (argc != 6 || strcmp(argv[1], "--apply"))
		return usage();
	from = strtoull(argv[2], &end1, 10);
	to = strtoull(argv[3], &end2, 10);
	if (*end1 || *end2 || !argv[2][0] || !argv[3][0] || from > to)
		return usage();
	if (log_open(&l, argv[4]))
		return 1;
	dev = open(argv[5], O_WRONLY | O_CLOEXEC);
	if (dev < 0)
		return fail(strerror(errno), argv[5]);
	r = walk(&l, from, to, dev);
	if (close(dev) < 0 && !r)
		r = fail(strerror(errno), argv[5]);
	return r;
}
