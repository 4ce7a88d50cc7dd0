// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regen.c: which initrd belongs to which kernel, whether it is in step with
 * the kernel's installed livepatch, and the crash-safe rebuild.
 *
 * A rebuild never touches the initrd until a complete, verified new one is
 * on disk beside it: dracut writes into BOOT/.NAME.klp-XXXXXX, the image is
 * read back (klp_initrd_embedded) and must embed exactly the installed patch
 * (or nothing, when none is installed), then it is fsynced and renamed over
 * BOOT/NAME and the folder is fsynced. Whatever fails before the rename
 * leaves the old initrd as it was; the temporary file is removed, by us, by
 * our SIGINT/SIGTERM/SIGHUP handler, or (after SIGKILL) by the next run,
 * which takes the lock only when every process of the killed run, dracut's
 * included (they inherit the lock), is gone.
 *
 * --if-needed must be quick when everything is in step, so a successful read
 * of an initrd is remembered in RUN_DIR/initrd-K.stamp together with the
 * file's identity (device, inode, size, mtime and ctime in ns): any write or
 * replacement of the file changes ctime, which userspace cannot set back,
 * and the stamp no longer applies. `klp initrd` never uses stamps. The run
 * folder is used only when nobody else can change it (rundir.c).
 *
 * The lock is flock(2) on BOOT itself: every run that writes into a boot
 * folder, or sweeps temporary files out of it, holds that folder's lock,
 * whatever its run folder.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "klp.h"

/* ---- verdicts ---- */
const char *klp_verdict_name(enum klp_verdict v)
{
	switch (v) {
	case KLP_IN_SYNC: return "in-sync";
	case KLP_STALE: return "stale";
	case KLP_MISSING: return "missing";
	case KLP_NO_PATCH: return "no-patch";
	}
	return "?";
}

enum klp_verdict klp_verdict_judge(const struct klp_installed_patch *inst, bool initrd_exists, int read_r,
				   const struct klp_embedded *emb, const char *kver, char *why, size_t whylen)
{
	char kwhy[300];

	if (!initrd_exists) {
		snprintf(why, whylen, "there is no initrd file");
		return KLP_MISSING;
	}
	if (read_r < 0) {
		snprintf(why, whylen, "the initrd cannot be read: %s", emb->problem[0] ? emb->problem : strerror(-read_r));
		return KLP_STALE;
	}
	if (!inst->present) {
		if (emb->found) {
			snprintf(why, whylen, "the initrd embeds %s, but no usable patch is installed",
				 emb->manifest.module[0] ? emb->manifest.module : "a broken patch");
			return KLP_STALE;
		}
		snprintf(why, whylen, "no patch installed, none embedded");
		return KLP_NO_PATCH;
	}
	if (!emb->found) {
		snprintf(why, whylen, "%s is installed, the initrd embeds no patch", inst->module);
		return KLP_MISSING;
	}
	if (!emb->valid) {
		snprintf(why, whylen, "the embedded patch is broken: %s", emb->problem);
		return KLP_STALE;
	}
	if (!emb->loader) {
		snprintf(why, whylen, "the initrd has a manifest but no loader (" KLP_DIR_IN_IMAGE "/klp-early)");
		return KLP_STALE;
	}
	if (klp_manifest_check_kernel(&emb->manifest, kver, kwhy, sizeof(kwhy)) < 0) {
		/* the loader's own rule: it would refuse the patch on kver */
		snprintf(why, whylen, "the embedded %.200s", kwhy);
		return KLP_STALE;
	}
	if (strcmp(emb->manifest.module, inst->module)) {
		snprintf(why, whylen, "the initrd embeds %s, %s is installed", emb->manifest.module, inst->module);
		return KLP_STALE;
	}
	if (strcmp(emb->sha256, inst->sha256)) {
		snprintf(why, whylen, "the embedded %s (sha256 %.12s) differs from the installed one (sha256 %.12s)",
			 emb->manifest.module, emb->sha256, inst->sha256);
		return KLP_STALE;
	}
	snprintf(why, whylen, "the initrd embeds the installed %s", inst->module);
	return KLP_IN_SYNC;
}

int klp_installed_patch_get(const char *root, const char *kver, struct klp_installed_patch *out, char *err,
			    size_t errlen)
{
	char conf[PATH_MAX], dir[PATH_MAX], cerr[200] = "";
	struct klp_candidates c;
	struct klp_conf cf;
	const char *pin;
	int r, sel;

	memset(out, 0, sizeof(*out));
	snprintf(conf, sizeof(conf), "%s%s", root, KLP_CONF);
	r = klp_conf_load(conf, &cf, cerr, sizeof(cerr));
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", conf, cerr[0] ? cerr : strerror(-r));
		return r;
	}
	r = klp_livepatch_dir(root, NULL, kver, dir, sizeof(dir));
	if (r >= 0)
		r = klp_candidates_scan(dir, kver, &c);
	if (r < 0) {
		snprintf(err, errlen, "livepatch folder of %s: %s", kver, strerror(-r));
		klp_conf_free(&cf);
		return r;
	}
	pin = klp_conf_pin(&cf, kver);
	sel = klp_candidates_select(&c, pin);
	if (sel == -ESRCH)
		snprintf(out->note, sizeof(out->note), "%.150s pins %.64s for %.40s, but no usable module of that name is installed",
			 conf, pin, kver);
	if (sel >= 0) {
		const struct klp_candidate *p = &c.v[sel];
		out->present = true;
		snprintf(out->module, sizeof(out->module), "%s", p->name ? p->name : "");
		snprintf(out->srcversion, sizeof(out->srcversion), "%s", p->srcversion ? p->srcversion : "");
		snprintf(out->file, sizeof(out->file), "%s", p->path);
		r = klp_initrd_module_sha256(p->path, out->sha256, &out->size, err, errlen);
	}
	klp_candidates_free(&c);
	klp_conf_free(&cf);
	return r < 0 ? r : 0;
}

/* ---- initrd names ---- */
static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	while (*list) {
		size_t k = strcspn(list, " \t");
		if (k == n && !strncmp(list, w, n))
			return true;
		list += k;
		list += strspn(list, " \t");
	}
	return false;
}

/* KEY=value or KEY="value" of an os-release text. */
static void osr_value(const char *text, const char *key, char *out, size_t len)
{
	size_t k = strlen(key);
	const char *l;

	out[0] = '\0';
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		if (n > k && !strncmp(l, key, k) && l[k] == '=') {
			const char *v = l + k + 1;
			n -= k + 1;
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
				v++, n -= 2;
			snprintf(out, len, "%.*s", (int)n, v);
		}
	}
}

enum klp_initrd_naming klp_initrd_naming_guess(char *const *names, size_t n, const char *os_release)
{
	static const char *const debian[] = { "debian", "ubuntu" };
	static const char *const suse[] = { "suse", "opensuse", "sles", "sled", "sle-micro" };
	size_t i, nd = 0, ns = 0;
	char id[128], like[256], all[400];

	for (i = 0; i < n; i++) {
		if (!strncmp(names[i], "initrd.img-", 11))
			nd++;
		else if (!strncmp(names[i], "initrd-", 7))
			ns++;
	}
	if (nd && !ns)
		return KLP_NAMING_DEBIAN;
	if (ns && !nd)
		return KLP_NAMING_SUSE;
	if (os_release) {
		osr_value(os_release, "ID", id, sizeof(id));
		osr_value(os_release, "ID_LIKE", like, sizeof(like));
		snprintf(all, sizeof(all), "%s %s", id, like);
		for (i = 0; i < sizeof(suse) / sizeof(suse[0]); i++)
			if (word_in(all, suse[i]))
				return KLP_NAMING_SUSE;
		for (i = 0; i < sizeof(debian) / sizeof(debian[0]); i++)
			if (word_in(all, debian[i]))
				return KLP_NAMING_DEBIAN;
	}
	return KLP_NAMING_SUSE;
}

void klp_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int strv_add(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

int klp_zipl_ramdisks(const char *text, char ***out, size_t *n)
{
	const char *l;

	*out = NULL;
	*n = 0;
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n"), k;
		const char *p = l, *end = l + len;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		// cppcheck-suppress knownConditionTrueFalse ; a short line makes it true (cppcheck 2.10 false positive)
		if (end - p < 7 || strncmp(p, "ramdisk", 7))
			continue;
		p += 7;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || *p != '=')
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && (*p == '"' || *p == '\''))
			p++;
		k = strcspn(p, ",\"' \t\r\n");
		if (k && strv_add(out, n, p, k) < 0) {
			klp_strv_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -ENOMEM;
		}
	}
	return 0;
}

static int by_version(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static bool kernel_image_exists(const char *boot, const char *kver)
{
	static const char *const prefixes[] = { "vmlinuz-", "image-", "Image-", "vmlinux-" };
	char p[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s%s", boot, prefixes[i], kver);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
}

int klp_kernels_installed(const struct klp_sys *sys, char ***out, size_t *n)
{
	char dir[PATH_MAX], p[PATH_MAX + 256];
	struct dirent *d;
	struct stat st;
	DIR *dh;

	*out = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/lib/modules", sys->root);
	if (!(dh = opendir(dir)))
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dh))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode) || !kernel_image_exists(sys->boot, d->d_name))
			continue;
		if (strv_add(out, n, d->d_name, strlen(d->d_name)) < 0) {
			closedir(dh);
			klp_strv_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -ENOMEM;
		}
	}
	closedir(dh);
	if (*n)
		qsort(*out, *n, sizeof(**out), by_version);
	return 0;
}

static char *read_small(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (buf) {
		n = fread(buf, 1, max, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* At most max bytes of an open file, NUL-terminated: its start, or with tail its end. */
static char *read_fd(int fd, size_t max, bool tail)
{
	struct stat st;
	off_t off = 0;
	size_t n = 0;
	char *buf;

	if (fstat(fd, &st) < 0 || !(buf = malloc(max + 1)))
		return NULL;
	if (tail && (unsigned long long)st.st_size > max)
		off = st.st_size - (off_t)max;
	while (n < max) {
		ssize_t k = pread(fd, buf + n, max - n, off + (off_t)n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	return buf;
}

int klp_initrd_path(const struct klp_sys *sys, const char *kver, char *out, size_t len)
{
	char deb[PATH_MAX], suse[PATH_MAX], osr[PATH_MAX];
	char **names = NULL, *text;
	size_t n = 0;
	struct dirent *d;
	enum klp_initrd_naming naming;
	DIR *dh;

	if (!kver[0] || strchr(kver, '/'))
		return -EINVAL;
	snprintf(deb, sizeof(deb), "%s/initrd.img-%s", sys->boot, kver);
	snprintf(suse, sizeof(suse), "%s/initrd-%s", sys->boot, kver);
	if (access(deb, F_OK) == 0 || access(suse, F_OK) != 0) {
		if (access(deb, F_OK) == 0)
			return snprintf(out, len, "%s", deb) >= (int)len ? -ENAMETOOLONG : 0;
	} else {
		return snprintf(out, len, "%s", suse) >= (int)len ? -ENAMETOOLONG : 0;
	}
	/* neither exists: what do the other kernels use, or what is this system */
	if ((dh = opendir(sys->boot))) {
		while ((d = readdir(dh)))
			if (!strncmp(d->d_name, "initrd", 6) && strv_add(&names, &n, d->d_name, strlen(d->d_name)) < 0)
				break;
		closedir(dh);
	}
	snprintf(osr, sizeof(osr), "%s/etc/os-release", sys->root);
	text = read_small(osr, 16384);
	if (!text) {
		snprintf(osr, sizeof(osr), "%s/usr/lib/os-release", sys->root);
		text = read_small(osr, 16384);
	}
	naming = klp_initrd_naming_guess(names, n, text);
	free(text);
	klp_strv_free(names, n);
	return snprintf(out, len, "%s", naming == KLP_NAMING_DEBIAN ? deb : suse) >= (int)len ? -ENAMETOOLONG : 0;
}

/* ---- stamps: a verified read of an initrd, keyed by the file's identity ---- */
struct stamp_key {
	unsigned long long dev, ino, size;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
};

static void stamp_key_of(const struct stat *st, struct stamp_key *k)
{
	k->dev = (unsigned long long)st->st_dev;
	k->ino = (unsigned long long)st->st_ino;
	k->size = (unsigned long long)st->st_size;
	k->mtime_s = (long long)st->st_mtim.tv_sec;
	k->mtime_ns = (long long)st->st_mtim.tv_nsec;
	k->ctime_s = (long long)st->st_ctim.tv_sec;
	k->ctime_ns = (long long)st->st_ctim.tv_nsec;
}

static void stamp_name(const char *kver, char *out, size_t len)
{
	snprintf(out, len, "initrd-%.200s.stamp", kver);
}

/*
 * The stamp keeps a verdict on an initrd file: it holds only as long as the
 * rules that made it. Raise this whenever what makes an embedded patch valid
 * changes (2: the loader's own verdict, lib/verify.c; an empty srcversion=
 * refused), so that an upgrade re-reads every initrd instead of trusting
 * what an older klp concluded.
 */
#define STAMP_RULES 2
#define STAMP_RULES_TEXT "2"

/* Into the run folder (dir_fd; -1: none): a temporary file of ours (O_EXCL), renamed over the stamp. */
static void stamp_save(int dir_fd, const char *kver, const char *initrd, const struct klp_embedded *e)
{
	char p[NAME_MAX + 1], tmp[NAME_MAX + 32];
	struct stamp_key k;
	struct stat st;
	FILE *f;
	int fd;

	if (dir_fd < 0 || stat(initrd, &st) < 0)
		return;
	stamp_key_of(&st, &k);
	stamp_name(kver, p, sizeof(p));
	snprintf(tmp, sizeof(tmp), "%s.%ld", p, (long)getpid());
	if ((fd = klp_run_file_create(dir_fd, tmp)) < 0)
		return;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		unlinkat(dir_fd, tmp, 0);
		return;
	}
	fprintf(f, "rules=%d\npath=%s\nkey=%llu %llu %llu %lld.%09lld %lld.%09lld\n", STAMP_RULES, initrd, k.dev, k.ino, k.size, k.mtime_s,
		k.mtime_ns, k.ctime_s, k.ctime_ns);
	fprintf(f, "flags=%d %d %d %d\nmodule=%s\nsrcversion=%s\nkernel=%s\nfile=%s\nsha256=%s\nmsha256=%s\n",
		e->found, e->valid, e->loader, e->shim, e->manifest.module, e->manifest.srcversion, e->manifest.kernel, e->manifest.file, e->sha256,
		e->manifest.sha256);
	fprintf(f, "size=%llu\ncompression=%s\nproblem=%s\n", e->size, e->compression, e->problem);
	if (fclose(f) != 0 || renameat(dir_fd, tmp, dir_fd, p) < 0)
		unlinkat(dir_fd, tmp, 0);
}

static void line_value(const char *text, const char *key, char *out, size_t len)
{
	osr_value(text, key, out, len);
}

/* "1 0 1 1" as stamp_save writes them: four flags, each 0 or 1 */
static int parse_flags(const char *v, int f[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *v++ != ' ')
			return -EINVAL;
		if (*v != '0' && *v != '1')
			return -EINVAL;
		f[i] = *v++ - '0';
	}
	return *v ? -EINVAL : 0;
}

/* 0 when the stamp applies to the file as it is now. */
static int stamp_load(int dir_fd, const char *kver, const char *initrd, const struct stat *st,
		      struct klp_embedded *e)
{
	char p[NAME_MAX + 1], v[PATH_MAX + 16], want[160], *text;
	int f[4], fd;
	struct stamp_key k;

	stamp_name(kver, p, sizeof(p));
	if ((fd = klp_run_file_open(dir_fd, p)) < 0)
		return fd;
	text = read_fd(fd, 8192, false);
	close(fd);
	if (!text)
		return -ENOMEM;
	stamp_key_of(st, &k);
	snprintf(want, sizeof(want), "%llu %llu %llu %lld.%09lld %lld.%09lld", k.dev, k.ino, k.size, k.mtime_s,
		 k.mtime_ns, k.ctime_s, k.ctime_ns);
	memset(e, 0, sizeof(*e));
	line_value(text, "rules", v, sizeof(v));
	if (strcmp(v, STAMP_RULES_TEXT) != 0)
		goto stale;
	line_value(text, "path", v, sizeof(v));
	if (strcmp(v, initrd))
		goto stale;
	line_value(text, "key", v, sizeof(v));
	if (strcmp(v, want))
		goto stale;
	line_value(text, "flags", v, sizeof(v));
	if (parse_flags(v, f) < 0)
		goto stale;
	e->found = f[0], e->valid = f[1], e->loader = f[2], e->shim = f[3];
	line_value(text, "module", e->manifest.module, sizeof(e->manifest.module));
	line_value(text, "srcversion", e->manifest.srcversion, sizeof(e->manifest.srcversion));
	line_value(text, "kernel", e->manifest.kernel, sizeof(e->manifest.kernel));
	line_value(text, "file", e->manifest.file, sizeof(e->manifest.file));
	line_value(text, "sha256", e->sha256, sizeof(e->sha256));
	line_value(text, "msha256", e->manifest.sha256, sizeof(e->manifest.sha256));
	line_value(text, "size", v, sizeof(v));
	e->size = strtoull(v, NULL, 10);
	line_value(text, "compression", e->compression, sizeof(e->compression));
	line_value(text, "problem", e->problem, sizeof(e->problem));
	free(text);
	return 0;
stale:
	free(text);
	memset(e, 0, sizeof(*e));
	return -ESTALE;
}

/* stamp_fd: the run folder, whose stamps are used and made; -1 none. */
static int kstate_load(const struct klp_sys *sys, const char *kver, struct klp_kstate *ks, int stamp_fd,
		       char *err, size_t errlen)
{
	struct stat st;
	int r;

	memset(ks, 0, sizeof(*ks));
	snprintf(ks->kver, sizeof(ks->kver), "%s", kver);
	r = klp_initrd_path(sys, kver, ks->initrd, sizeof(ks->initrd));
	if (r < 0) {
		snprintf(err, errlen, "initrd of %s: %s", kver, strerror(-r));
		return r;
	}
	r = klp_installed_patch_get(sys->root, kver, &ks->inst, err, errlen);
	if (r < 0)
		return r;
	ks->initrd_exists = stat(ks->initrd, &st) == 0;
	if (!ks->initrd_exists) {
		ks->read_r = -ENOENT;
	} else if (stamp_fd >= 0 && stamp_load(stamp_fd, kver, ks->initrd, &st, &ks->emb) == 0) {
		ks->read_r = 0;
	} else {
		ks->read_r = klp_initrd_embedded(ks->initrd, &ks->emb);
		if (ks->read_r == 0)
			stamp_save(stamp_fd, kver, ks->initrd, &ks->emb);
	}
	ks->verdict = klp_verdict_judge(&ks->inst, ks->initrd_exists, ks->read_r, &ks->emb, kver, ks->why,
					sizeof(ks->why));
	return 0;
}

int klp_kstate_load(const struct klp_sys *sys, const char *kver, struct klp_kstate *ks, char *err, size_t errlen)
{
	return kstate_load(sys, kver, ks, -1, err, errlen);
}

/* ---- the rebuild ---- */
bool klp_regen_is_temp(const char *name)
{
	const char *k = strrchr(name, '.');
	size_t i;

	if (name[0] != '.' || !k || k == name || strncmp(k, ".klp-", 5) || strlen(k + 5) != 6)
		return false;
	for (i = 5; k[i]; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9')))
			return false;
	return k - name > 1;
}

#define KEEP_SUFFIX ".klp-zipl-old"
static bool is_keep(const char *name)
{
	size_t n = strlen(name), k = strlen(KEEP_SUFFIX);

	return name[0] == '.' && n > k + 1 && !strcmp(name + n - k, KEEP_SUFFIX);
}

bool klp_regen_space_ok(unsigned long long need, unsigned long long avail)
{
	return need <= avail;
}

static volatile sig_atomic_t got_signal, got_alarm;
static volatile pid_t child_pgid;
static char tmp_path[PATH_MAX]; /* the temporary file to remove if we are stopped */

static void on_signal(int sig)
{
	if (sig == SIGALRM) {
		got_alarm = 1;
		return;
	}
	got_signal = sig;
	/* dracut and its children stop now: nothing may write the temporary file after we removed it */
	if (child_pgid > 0)
		kill(-child_pgid, sig == SIGINT ? SIGINT : SIGTERM);
}

static void signals_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGALRM };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Called when stopped by a signal: the temporary file goes, then we die of that signal. */
static void die_of_signal(const char *kver)
{
	int sig = got_signal;

	if (tmp_path[0]) {
		unlink(tmp_path);
		tmp_path[0] = '\0';
	}
	fprintf(stderr, "klp: regenerate%s%s: stopped by signal %d (%s): %s\n", kver ? " " : "", kver ? kver : "", sig,
		strsignal(sig),
		kver ? "the old initrd is untouched" : "every initrd is either rebuilt completely or untouched");
	signal(sig, SIG_DFL);
	raise(sig);
	// cppcheck-suppress unreachableCode ; raise() returns if the signal is blocked (cppcheck calls it noreturn)
	_exit(128 + sig);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The exclusive lock: flock(2) on the boot folder, waited for up to timeout seconds; returns its fd. */
static int lock_take(const struct klp_regen_opts *o)
{
	char holder[32] = "?";
	double deadline = now_s() + o->lock_timeout;
	bool said = false;
	int fd, r;

	fd = open(o->sys.boot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		fprintf(stderr, "klp: regenerate: cannot open %s: %s\n", o->sys.boot, strerror(-r));
		return r;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = -errno;
			fprintf(stderr, "klp: regenerate: cannot lock %s: %s\n", o->sys.boot, strerror(-r));
			close(fd);
			return r;
		}
		if (got_signal) {
			close(fd);
			die_of_signal(NULL);
		}
		if (!said) {
			long pid = klp_kernel_flock_holder(fd);
			if (pid > 0)
				snprintf(holder, sizeof(holder), "%ld", pid);
			fprintf(stderr, "klp: regenerate: waiting for the lock on %s (taken by pid %s, another klp regenerate)"
					" for up to %u s\n", o->sys.boot, holder, o->lock_timeout);
			said = true;
		}
		if (now_s() >= deadline) {
			fprintf(stderr, "klp: regenerate: timed out after %u s waiting for the lock on %s (taken by pid %s)\n",
				o->lock_timeout, o->sys.boot, holder);
			close(fd);
			return -ETIMEDOUT;
		}
		nanosleep(&ts, NULL);
	}
	return fd;
}

/* Temporary files of runs that died (SIGKILL, power loss): we hold the lock, so nobody writes them. */
static void temps_remove(const char *boot, time_t taken)
{
	struct dirent *d;
	struct stat st;
	DIR *dh = opendir(boot);

	if (!dh)
		return;
	while ((d = readdir(dh))) {
		if (!klp_regen_is_temp(d->d_name) || fstatat(dirfd(dh), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime > taken)
			continue;
		if (unlinkat(dirfd(dh), d->d_name, 0) == 0)
			fprintf(stderr, "klp: regenerate: removed %s/%s, left by an interrupted run\n", boot, d->d_name);
	}
	closedir(dh);
}

static bool dir_has(const char *dir, bool (*pred)(const char *))
{
	struct dirent *d;
	bool found = false;
	DIR *dh = opendir(dir);

	if (!dh)
		return false;
	while (!found && (d = readdir(dh)))
		found = pred(d->d_name);
	closedir(dh);
	return found;
}

static bool keeps_exist(const char *boot)
{
	return dir_has(boot, is_keep);
}

/* Nothing to rebuild, but an interrupted run left a temporary file: remove it if nobody holds the lock. */
static void temps_sweep(const struct klp_regen_opts *o)
{
	int fd;

	if (!dir_has(o->sys.boot, klp_regen_is_temp))
		return;
	fd = open(o->sys.boot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		temps_remove(o->sys.boot, time(NULL));
	close(fd);
}

static void keeps_remove(const char *boot)
{
	struct dirent *d;
	DIR *dh = opendir(boot);

	if (!dh)
		return;
	while ((d = readdir(dh)))
		if (is_keep(d->d_name))
			(void)unlinkat(dirfd(dh), d->d_name, 0);
	closedir(dh);
}

static int fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* The environment of helpers, with LC_ALL=C so that their messages can be matched. */
static char **env_c(void)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7))
			env[k++] = environ[i];
	env[k++] = (char *)"LC_ALL=C";
	return env;
}

/*
 * Runs argv in its own process group, output into log_fd, the lock fd
 * inherited; waits up to timeout s (then SIGTERM, 10 s later SIGKILL).
 * Returns the wait status, -ETIMEDOUT, -EINTR (a signal stopped us), -errno.
 */
static int run_child(char *const argv[], int log_fd, int lock_fd, unsigned timeout)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	char **env = env_c();
	pid_t pid;
	int r, st = 0, fl = lock_fd >= 0 ? fcntl(lock_fd, F_GETFD) : -1;
	bool termed = false, killed = false;

	if (!env)
		return -ENOMEM;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
	posix_spawnattr_init(&at);
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
	/* the children hold the lock as long as any of them lives, even if we are killed */
	if (lock_fd >= 0)
		fcntl(lock_fd, F_SETFD, fl & ~FD_CLOEXEC);
	got_alarm = 0;
	r = -posix_spawnp(&pid, argv[0], &fa, &at, argv, env);
	if (lock_fd >= 0)
		fcntl(lock_fd, F_SETFD, fl);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	if (r < 0)
		return r;
	child_pgid = pid;
	if (got_signal) /* arrived before child_pgid was set */
		kill(-pid, SIGTERM);
	alarm(timeout);
	for (;;) {
		if (waitpid(pid, &st, 0) == pid)
			break;
		if (errno != EINTR) {
			r = -errno;
			break;
		}
		if (got_alarm && termed && !killed) {
			kill(-pid, SIGKILL);
			killed = true;
		} else if ((got_alarm || got_signal) && !termed) {
			kill(-pid, SIGTERM);
			termed = true;
			got_alarm = 0;
			alarm(10);
		}
	}
	alarm(0);
	/* whatever it left running in its group goes too */
	kill(-pid, SIGKILL);
	child_pgid = 0;
	if (r < 0)
		return r;
	if (got_signal)
		return -EINTR;
	if (termed)
		return -ETIMEDOUT;
	return st;
}

/* The first line of the log's last MiB that holds needle (dracut's ENOSPC). */
static bool log_find(int log_fd, const char *needle, char *line, size_t len)
{
	char *text = read_fd(log_fd, 1 << 20, true), *hit, *start;
	bool found = false;

	if (text && (hit = strstr(text, needle))) {
		for (start = hit; start > text && start[-1] != '\n'; start--)
			;
		snprintf(line, len, "%.*s", (int)(strcspn(start, "\n") < 300 ? strcspn(start, "\n") : 300), start);
		found = true;
	}
	free(text);
	return found;
}

static void log_tail(int log_fd, unsigned lines)
{
	char *text = read_fd(log_fd, 1 << 20, true), *p;
	unsigned n = 0;

	if (!text)
		return;
	p = text + strlen(text);
	while (p > text && n <= lines)
		if (*--p == '\n' && p[1])
			n++;
	fprintf(stderr, "%s%s", p == text ? "" : "...\n", p == text ? p : p + 1);
	if (text[0] && text[strlen(text) - 1] != '\n')
		fputc('\n', stderr);
	free(text);
}

static double mib(unsigned long long b)
{
	return (double)b / (1024.0 * 1024.0);
}

static unsigned long long space_avail(const char *dir)
{
	struct statvfs v;

	if (statvfs(dir, &v) < 0)
		return ~0ull;
	return (unsigned long long)(geteuid() == 0 ? v.f_bfree : v.f_bavail) * v.f_frsize;
}

/* How big the new initrd will be, about: the current one (+10%), else the largest other one. */
static unsigned long long space_need(const char *boot, const char *initrd)
{
	unsigned long long max = 0;
	struct dirent *d;
	struct stat st;
	DIR *dh;

	if (stat(initrd, &st) == 0)
		return (unsigned long long)st.st_size + (unsigned long long)st.st_size / 10;
	if (!(dh = opendir(boot)))
		return 0;
	while ((d = readdir(dh)))
		if (!strncmp(d->d_name, "initrd", 6) && fstatat(dirfd(dh), d->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
		    (unsigned long long)st.st_size > max)
			max = (unsigned long long)st.st_size;
	closedir(dh);
	return max + max / 10;
}

/* Does the boot record point at this initrd: a ramdisk= of ROOT/etc/zipl.conf names it (/boot is BOOT). */
static bool zipl_names(const struct klp_regen_opts *o, const char *initrd)
{
	char conf[PATH_MAX], p[PATH_MAX * 2], a[PATH_MAX], b[PATH_MAX], **rd = NULL, *text;
	bool hit = false;
	size_t n = 0, i;

	snprintf(conf, sizeof(conf), "%s/etc/zipl.conf", o->sys.root);
	if (!(text = read_small(conf, 1 << 20)))
		return klp_machine_is_s390(); /* no zipl.conf to tell: run zipl anyway */
	klp_zipl_ramdisks(text, &rd, &n);
	free(text);
	if (!realpath(initrd, b))
		snprintf(b, sizeof(b), "%s", initrd);
	for (i = 0; i < n && !hit; i++) {
		if (!strncmp(rd[i], "/boot/", 6))
			snprintf(p, sizeof(p), "%s/%s", o->sys.boot, rd[i] + 6);
		else
			snprintf(p, sizeof(p), "%s%s", o->sys.root, rd[i]);
		hit = realpath(p, a) ? !strcmp(a, b) : !strcmp(p, initrd);
	}
	klp_strv_free(rd, n);
	return hit;
}

static bool zipl_wanted(const struct klp_regen_opts *o)
{
	char conf[PATH_MAX];

	snprintf(conf, sizeof(conf), "%s/etc/zipl.conf", o->sys.root);
	return klp_machine_is_s390() || access(conf, F_OK) == 0;
}

static int run_zipl(const struct klp_regen_opts *o, int lock_fd, int run_fd, const char *why)
{
	char conf[PATH_MAX], log[PATH_MAX], line[512] = "";
	char *argv[4] = { (char *)"zipl", NULL, NULL, NULL };
	double t0 = now_s();
	int fd, st;

	snprintf(conf, sizeof(conf), "%s/etc/zipl.conf", o->sys.root);
	if (o->sys.root[0] && access(conf, F_OK) == 0) {
		argv[1] = (char *)"-c";
		argv[2] = conf;
	}
	snprintf(log, sizeof(log), "%s/zipl.log", o->run_dir);
	fd = klp_run_file_create(run_fd, "zipl.log");
	if (fd < 0) {
		fprintf(stderr, "klp: regenerate: cannot write %s: %s\n", log, strerror(-fd));
		return KLP_REGEN_FAILED;
	}
	if (!o->quiet) {
		printf("running zipl (%s)... ", why);
		fflush(stdout);
	}
	st = run_child(argv, fd, lock_fd, 600);
	if (st == 0) {
		close(fd);
		keeps_remove(o->sys.boot);
		if (!o->quiet)
			printf("done in %.1f s\n", now_s() - t0);
		return 0;
	}
	if (!o->quiet)
		printf("failed\n");
	fflush(stdout);
	if (st == -EINTR)
		die_of_signal(NULL);
	{
		char *text = read_fd(fd, 65536, true), *last = NULL, *s;
		for (s = text ? strtok(text, "\n") : NULL; s; s = strtok(NULL, "\n"))
			last = s;
		snprintf(line, sizeof(line), "%s", last ? last : "");
		free(text);
	}
	close(fd);
	if (st < 0)
		fprintf(stderr, "klp: regenerate: zipl: %s\n", strerror(-st));
	else
		fprintf(stderr, "klp: regenerate: zipl failed (%s %d)%s%s; the boot record may still point at the"
				" previous initrd, kept in %s as .NAME" KEEP_SUFFIX " until zipl succeeds: fix it and run"
				" klp regenerate again\n",
			WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			line[0] ? ": " : "", line, o->sys.boot);
	return KLP_REGEN_FAILED;
}

static const char *patch_word(const struct klp_kstate *ks, bool embedded, char *buf, size_t len)
{
	if (embedded) {
		if (!ks->initrd_exists)
			return "none";
		if (ks->read_r < 0)
			return "unreadable";
		if (!ks->emb.found)
			return "none";
		if (ks->inst.present && !strcmp(ks->emb.manifest.module, ks->inst.module) && strcmp(ks->emb.manifest.srcversion, ks->inst.srcversion)) {
			snprintf(buf, len, "%s %s", ks->emb.manifest.module, ks->emb.manifest.srcversion);
			return buf;
		}
		return ks->emb.manifest.module[0] ? ks->emb.manifest.module : "broken";
	}
	if (!ks->inst.present)
		return "none";
	if (ks->emb.found && !strcmp(ks->emb.manifest.module, ks->inst.module) && strcmp(ks->emb.manifest.srcversion, ks->inst.srcversion)) {
		snprintf(buf, len, "%s %s", ks->inst.module, ks->inst.srcversion);
		return buf;
	}
	return ks->inst.module;
}

static void say_failed(const struct klp_regen_opts *o)
{
	if (!o->quiet)
		printf("failed\n");
	fflush(stdout);
}

/* Why dracut failed, from its status and its log; what klp exits with. */
static int dracut_failed(const struct klp_regen_opts *o, const struct klp_kstate *ks, int st, int log_fd,
			 const char *log, unsigned long long avail)
{
	char line[512];

	say_failed(o);
	if (log_find(log_fd, "No space left on device", line, sizeof(line))) {
		fprintf(stderr, "klp: regenerate %s: not enough space in %s: need more than %.1f MiB, have %.1f MiB"
				" (%s); the old initrd is untouched\n",
			ks->kver, o->sys.boot, mib(avail), mib(avail), line);
		return KLP_REGEN_NOSPACE;
	}
	if (st == -ETIMEDOUT)
		fprintf(stderr, "klp: regenerate %s: %s did not finish within %u s; the old initrd is untouched\n",
			ks->kver, o->dracut, o->dracut_timeout);
	else if (st < 0)
		fprintf(stderr, "klp: regenerate %s: cannot run %s: %s\n", ks->kver, o->dracut, strerror(-st));
	else
		fprintf(stderr, "klp: regenerate %s: %s failed (%s %d); the old initrd is untouched; its log (%s) ends:\n",
			ks->kver, o->dracut, WIFEXITED(st) ? "exit" : "signal",
			WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), log);
	if (st > 0)
		log_tail(log_fd, 8);
	return KLP_REGEN_FAILED;
}

/* dracut into tmp_path, its output in the run folder's dracut-K.log (log names it); 0 or what klp exits with. */
static int run_dracut(const struct klp_regen_opts *o, const struct klp_kstate *ks, int lock_fd, int run_fd,
		      const char *log, unsigned long long avail)
{
	char logname[NAME_MAX + 1], kdir[PATH_MAX], **argv = calloc(o->ndracut_args + 8, sizeof(*argv));
	size_t i, k = 0;
	int fd, st;

	snprintf(logname, sizeof(logname), "dracut-%.200s.log", ks->kver);
	fd = klp_run_file_create(run_fd, logname);
	if (fd < 0 || !argv) {
		say_failed(o);
		fprintf(stderr, "klp: regenerate %s: %s: %s\n", ks->kver, log, strerror(fd < 0 ? -fd : ENOMEM));
		if (fd >= 0)
			close(fd);
		free(argv);
		return KLP_REGEN_FAILED;
	}
	argv[k++] = (char *)o->dracut;
	for (i = 0; i < o->ndracut_args; i++)
		argv[k++] = o->dracut_args[i];
	argv[k++] = (char *)"--force";
	argv[k++] = (char *)"--kver";
	argv[k++] = (char *)ks->kver;
	if (o->sys.root[0]) {
		snprintf(kdir, sizeof(kdir), "%s/lib/modules/%s", o->sys.root, ks->kver);
		argv[k++] = (char *)"--kmoddir";
		argv[k++] = kdir;
	}
	argv[k++] = tmp_path;
	st = run_child(argv, fd, lock_fd, o->dracut_timeout);
	free(argv);
	if (st == -EINTR)
		die_of_signal(ks->kver);
	if (st != 0)
		st = dracut_failed(o, ks, st, fd, log, avail);
	close(fd);
	return st;
}

bool klp_regen_may_freeze(unsigned long long boot, unsigned long long root, unsigned long long run)
{
	return boot && root && run && boot != root && boot != run;
}

/*
 * fsync leaves the rename in the journal; a boot loader that does not
 * replay it (GRUB's ext2 driver) would read the old directory entry after a
 * crash. Freezing BOOT's filesystem writes everything in place; it is done
 * only when that filesystem holds neither / nor the run folder (dracut
 * freezes only an output folder that is not on / either). Otherwise ext4's
 * journal checkpoint writes it in place without a freeze.
 */
static void sync_in_place(const struct klp_regen_opts *o, int run_fd, const char *kver)
{
	unsigned long long boot = 0, root = 0, run = 0;
	int b = open(o->sys.boot, O_PATH | O_DIRECTORY | O_CLOEXEC), s = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), r;

	if (b < 0 || s < 0 || klp_kernel_fs_id(b, &boot) < 0 || klp_kernel_fs_id(s, &root) < 0 ||
	    klp_kernel_fs_id(run_fd, &run) < 0)
		boot = 0;
	if (b >= 0)
		close(b);
	if (s >= 0)
		close(s);
	if (!klp_regen_may_freeze(boot, root, run)) {
		/* no freeze of / (or of our own files): ext4's journal checkpoint does it without one */
		if ((r = klp_kernel_fs_checkpoint(o->sys.boot)) < 0)
			fprintf(stderr, "klp: regenerate %s: journal checkpoint of %s: %s (a boot loader that ignores "
				"the journal may see the old initrd until it is written back)\n", kver, o->sys.boot,
				strerror(-r));
		return;
	}
	if ((r = klp_kernel_fs_sync_in_place(o->sys.boot)) < 0)
		fprintf(stderr, "klp: regenerate %s: freeze/thaw %s: %s (a boot loader that ignores the journal "
			"may see the old initrd until the next journal commit)\n", kver, o->sys.boot, strerror(-r));
}

/* The verified tmp_path becomes the initrd: the old one's owner and mode, fsync, rename; 0 or what klp exits with. */
static int put_in_place(const struct klp_regen_opts *o, const struct klp_kstate *ks, const struct stat *old)
{
	const char *base = strrchr(ks->initrd, '/') ? strrchr(ks->initrd, '/') + 1 : ks->initrd;
	char keep[PATH_MAX];
	int r;

	/* the same owner and mode as the old one, then durable before it is visible */
	if (old && (chown(tmp_path, old->st_uid, old->st_gid) < 0 || chmod(tmp_path, old->st_mode & 07777) < 0))
		fprintf(stderr, "klp: regenerate %s: cannot give the new initrd the old one's owner and mode: %s\n",
			ks->kver, strerror(errno));
	if ((r = fsync_path(tmp_path, O_RDONLY)) < 0) {
		say_failed(o);
		fprintf(stderr, "klp: regenerate %s: fsync %s: %s; the old initrd is untouched\n", ks->kver, tmp_path,
			strerror(-r));
		return r == -ENOSPC ? KLP_REGEN_NOSPACE : KLP_REGEN_FAILED;
	}
	/* the boot record of IBM Z points at the old file's blocks until zipl ran: keep them */
	snprintf(keep, sizeof(keep), "%.3800s/.%.255s" KEEP_SUFFIX, o->sys.boot, base);
	if (old && zipl_names(o, ks->initrd) && access(keep, F_OK) != 0) {
		if (link(ks->initrd, keep) < 0)
			fprintf(stderr, "klp: regenerate %s: cannot keep the old initrd as %s: %s\n", ks->kver, keep,
				strerror(errno));
	}
	if (got_signal)
		die_of_signal(ks->kver);
	if (rename(tmp_path, ks->initrd) < 0) {
		r = -errno;
		say_failed(o);
		fprintf(stderr, "klp: regenerate %s: rename %s to %s: %s; the old initrd is untouched\n", ks->kver,
			tmp_path, ks->initrd, strerror(-r));
		return KLP_REGEN_FAILED;
	}
	return 0;
}

/* Builds, verifies and installs the initrd of one kernel. */
static int rebuild(const struct klp_regen_opts *o, const struct klp_kstate *ks, int lock_fd, int run_fd, bool *replaced)
{
	const char *base = strrchr(ks->initrd, '/') ? strrchr(ks->initrd, '/') + 1 : ks->initrd;
	char log[PATH_MAX], why[512], w1[200], w2[200];
	unsigned long long need = space_need(o->sys.boot, ks->initrd), avail = space_avail(o->sys.boot);
	struct klp_embedded emb;
	struct stat old;
	double t0 = now_s();
	int fd, st, r;
	bool have_old = stat(ks->initrd, &old) == 0;

	*replaced = false;
	if (!klp_regen_space_ok(need, avail)) {
		fprintf(stderr, "klp: regenerate %s: not enough space in %s: need %.1f MiB, have %.1f MiB\n", ks->kver,
			o->sys.boot, mib(need), mib(avail));
		return KLP_REGEN_NOSPACE;
	}
	if (!o->quiet) {
		printf("regenerating initrd for %s (patch %s -> %s)... ", ks->kver, patch_word(ks, true, w1, sizeof(w1)),
		       patch_word(ks, false, w2, sizeof(w2)));
		fflush(stdout);
	}
	snprintf(tmp_path, sizeof(tmp_path), "%.3800s/.%.255s.klp-XXXXXX", o->sys.boot, base);
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		r = -errno;
		tmp_path[0] = '\0';
		say_failed(o);
		fprintf(stderr, "klp: regenerate %s: cannot create a temporary file in %s: %s\n", ks->kver, o->sys.boot,
			strerror(-r));
		return r == -ENOSPC ? KLP_REGEN_NOSPACE : KLP_REGEN_FAILED;
	}
	close(fd);
	snprintf(log, sizeof(log), "%s/dracut-%s.log", o->run_dir, ks->kver);
	if ((st = run_dracut(o, ks, lock_fd, run_fd, log, avail)) != 0)
		goto fail;
	/* the new image must hold exactly what is installed */
	r = klp_initrd_embedded(tmp_path, &emb);
	if (got_signal)
		die_of_signal(ks->kver);
	if (klp_verdict_judge(&ks->inst, true, r, &emb, ks->kver, why, sizeof(why)) !=
	    (ks->inst.present ? KLP_IN_SYNC : KLP_NO_PATCH)) {
		say_failed(o);
		fprintf(stderr, "klp: regenerate %s: the new initrd is not right: %s%s; the old initrd is untouched (dracut log: %s)\n",
			ks->kver, why,
			ks->inst.present && r == 0 && !emb.found ? " (is the 55klp dracut module installed?)" : "", log);
		st = KLP_REGEN_FAILED;
		goto fail;
	}
	if ((st = put_in_place(o, ks, have_old ? &old : NULL)) != 0)
		goto fail;
	tmp_path[0] = '\0';
	*replaced = true;
	if ((r = fsync_path(o->sys.boot, O_RDONLY | O_DIRECTORY)) < 0)
		fprintf(stderr, "klp: regenerate %s: fsync %s: %s\n", ks->kver, o->sys.boot, strerror(-r));
	sync_in_place(o, run_fd, ks->kver);
	stamp_save(run_fd, ks->kver, ks->initrd, &emb);
	if (!o->quiet)
		printf("done in %.1f s\n", now_s() - t0);
	fflush(stdout);
	return 0;
fail:
	if (tmp_path[0])
		unlink(tmp_path);
	tmp_path[0] = '\0';
	return st;
}

/* Without the lock, with the stamps: which kernels need a rebuild; 0 or KLP_REGEN_FAILED. */
static int look(const struct klp_regen_opts *o, char *const *kvers, size_t n, int run_fd, struct klp_kstate *ks,
		bool *need, bool *any)
{
	char err[512];
	int ret = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (kstate_load(&o->sys, kvers[i], &ks[i], run_fd, err, sizeof(err)) < 0) {
			fprintf(stderr, "klp: regenerate %s: %s\n", kvers[i], err);
			ret = KLP_REGEN_FAILED;
			continue;
		}
		if (ks[i].inst.note[0])
			fprintf(stderr, "klp: %s\n", ks[i].inst.note);
		need[i] = !o->if_needed || (ks[i].verdict != KLP_IN_SYNC && ks[i].verdict != KLP_NO_PATCH);
		*any |= need[i];
	}
	return ret;
}

/* Under the lock: rebuild what still needs it, then zipl when due; the first failure's status. */
static int work(const struct klp_regen_opts *o, char *const *kvers, size_t n, int lock_fd, int run_fd,
		struct klp_kstate *ks, const bool *need, bool pending)
{
	char err[512], *zipl_why = NULL;
	bool zipl = false;
	int ret = 0, r;
	size_t i;

	for (i = 0; i < n; i++) {
		bool replaced = false;
		if (!need[i])
			continue;
		if (o->if_needed) {
			/* another run may have done it while we waited for the lock */
			if (kstate_load(&o->sys, kvers[i], &ks[i], run_fd, err, sizeof(err)) < 0) {
				fprintf(stderr, "klp: regenerate %s: %s\n", kvers[i], err);
				if (!ret)
					ret = KLP_REGEN_FAILED;
				continue;
			}
			if (ks[i].verdict == KLP_IN_SYNC || ks[i].verdict == KLP_NO_PATCH)
				continue;
		}
		r = rebuild(o, &ks[i], lock_fd, run_fd, &replaced);
		if (r && !ret)
			ret = r;
		if (replaced && zipl_names(o, ks[i].initrd)) {
			zipl = true;
			free(zipl_why);
			if (asprintf(&zipl_why, "the boot record names %s", ks[i].initrd) < 0)
				zipl_why = NULL;
		}
		if (got_signal)
			die_of_signal(NULL);
	}
	if (zipl || (pending && keeps_exist(o->sys.boot))) {
		r = run_zipl(o, lock_fd, run_fd, zipl_why ? zipl_why : "a previous zipl run failed");
		if (r && !ret)
			ret = r;
	}
	free(zipl_why);
	return ret;
}

int klp_regen_run(const struct klp_regen_opts *o, char *const *kvers, size_t n)
{
	struct klp_kstate *ks = calloc(n ? n : 1, sizeof(*ks));
	char err[512];
	bool *need = calloc(n ? n : 1, sizeof(*need)), any = false, pending;
	int ret = KLP_REGEN_FAILED, lock_fd = -1, run_fd = -1, r;

	if (!ks || !need)
		goto out;
	signals_install();
	run_fd = klp_run_dir_open(o->run_dir, err, sizeof(err));
	if (run_fd < 0) {
		fprintf(stderr, "klp: regenerate: %s%s\n", err,
			run_fd == -EPERM ? ": refusing it (KLP_RUN_DIR must name a folder only klp's user can change)" : "");
		ret = run_fd == -EPERM ? KLP_REGEN_RUNDIR : KLP_REGEN_FAILED;
		goto out;
	}
	/* without the lock first: in step is the common case and must be quick */
	ret = look(o, kvers, n, run_fd, ks, need, &any);
	pending = zipl_wanted(o) && keeps_exist(o->sys.boot);
	if (!any && !pending) {
		temps_sweep(o);
		goto out;
	}
	if (o->boot_check && klp_bootfs_check(o->sys.root, o->sys.boot, err, sizeof(err)) < 0) {
		fprintf(stderr, "klp: regenerate: %s\n", err);
		ret = KLP_REGEN_BOOTFS;
		goto out;
	}
	lock_fd = lock_take(o);
	if (lock_fd < 0) {
		ret = lock_fd == -ETIMEDOUT ? KLP_REGEN_LOCK : KLP_REGEN_FAILED;
		goto out;
	}
	temps_remove(o->sys.boot, time(NULL));
	r = work(o, kvers, n, lock_fd, run_fd, ks, need, pending);
	if (r && !ret)
		ret = r;
out:
	if (got_signal)
		die_of_signal(NULL);
	if (lock_fd >= 0)
		close(lock_fd);
	if (run_fd >= 0)
		close(run_fd);
	free(ks);
	free(need);
	return ret;
}

int klp_kernels_select(const struct klp_sys *sys, const char *kver, char ***out, size_t *n)
{
	if (!kver)
		return klp_kernels_installed(sys, out, n);
	*out = NULL;
	*n = 0;
	return strv_add(out, n, kver, strlen(kver));
}

const char *klp_root_norm(const char *root, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", root ? root : "");
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return buf;
}
