// SPDX-License-Identifier: GPL-2.0-or-later
/* klp's one whole-file reader, one atomic writer and one helper-program starter (fileio.c, spawn.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"

static char dir[] = "/tmp/klp-test-fileio.XXXXXX";
static char path[PATH_MAX];

static void put(const char *name, const char *text, size_t len, mode_t mode)
{
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	chmod(path, mode);
}

/* entries of dir other than . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void reader_takes_up_to_max_and_no_more(void **state)
{
	char big[10000], *text = NULL;
	size_t len = 0;

	(void)state;
	memset(big, 'a', sizeof(big));
	put("f", big, sizeof(big), 0644);
	assert_int_equal(klp_read_text(path, sizeof(big), &text, &len), 0);
	assert_int_equal(len, sizeof(big));
	assert_int_equal(text[len], '\0');
	free(text);
	assert_int_equal(klp_read_text(path, sizeof(big) - 1, &text, &len), -EFBIG);
	/* a limit below the first block is a limit too */
	put("small", "0123456789", 10, 0644);
	assert_int_equal(klp_read_text(path, 9, &text, NULL), -EFBIG);
	assert_int_equal(klp_read_text(path, 10, &text, &len), 0);
	assert_string_equal(text, "0123456789");
	free(text);
	assert_null(klp_file_read(path, 9));
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(klp_read_text(path, 10, &text, NULL), -ENOENT);
}

static void atomic_writer_renames_or_leaves_nothing(void **state)
{
	struct klp_atomic a;
	struct stat st;
	char *text = NULL;
	mode_t old = umask(077);
	int fd;

	(void)state;
	put("target", "old\n", 4, 0600);
	fd = klp_atomic_open(&a, AT_FDCWD, path, 0644);
	assert_true(fd >= 0);
	assert_non_null(strstr(a.tmp, "/.target.klp-"));
	assert_int_equal(strlen(strstr(a.tmp, ".klp-")), 11);
	assert_int_equal(write(fd, "new\n", 4), 4);
	assert_int_equal(klp_atomic_commit(&a, 0), 0);
	assert_int_equal(klp_read_text(path, 100, &text, NULL), 0);
	assert_string_equal(text, "new\n");
	free(text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644); /* whatever the umask */
	/* a failure: the old file stays, the temporary file goes */
	fd = klp_atomic_open(&a, AT_FDCWD, path, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "half", 4), 4);
	assert_int_equal(klp_atomic_commit(&a, -EIO), -EIO);
	assert_int_equal(klp_read_text(path, 100, &text, NULL), 0);
	assert_string_equal(text, "new\n");
	free(text);
	assert_int_equal(entries(), 1);
	umask(old);
}

static void atomic_writer_is_relative_to_a_folder(void **state)
{
	struct klp_atomic a;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY), fd;

	(void)state;
	assert_true(dfd >= 0);
	fd = klp_atomic_open(&a, dfd, "stamp", 0644);
	assert_true(fd >= 0);
	assert_int_equal(strncmp(a.tmp, ".stamp.klp-", 11), 0);
	assert_int_equal(klp_atomic_commit(&a, 0), 0);
	assert_int_equal(faccessat(dfd, "stamp", F_OK, 0), 0);
	assert_int_equal(entries(), 1);
	close(dfd);
}

/* argv under klp_proc_start, its stdout captured; returns its exit status */
static int run(const char *const argv[], struct klp_proc *p, char *out, size_t len)
{
	int pfd[2], st = 0, r;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(pfd), 0);
	p->out = pfd[1];
	r = klp_proc_start(argv, p, &pid);
	close(pfd[1]);
	if (r < 0) {
		close(pfd[0]);
		return r;
	}
	n = read(pfd[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WEXITSTATUS(st);
}

static void starter_sets_locale_signals_and_group(void **state)
{
	static const char *const env[] = { "sh", "-c", "echo \"$LC_ALL\"", NULL };
	/* field 5 of /proc/self/stat (after the name in parentheses) is the process group */
	static const char *const grp[] = { "sh", "-c",
					   "read -r l </proc/$$/stat; set -- ${l##*) }; "
					   "[ \"$3\" = $$ ] && echo own || echo inherited",
					   NULL };
	static const char *const blk[] = { "sh", "-c", "sed -n 's/^SigBlk:[[:space:]]*//p' /proc/self/status", NULL };
	struct klp_proc p = { .in = KLP_FD_NULL, .err = KLP_FD_KEEP, .keep_fd = -1 };
	sigset_t usr1, old;
	char out[256];

	(void)state;
	assert_int_equal(run(env, &p, out, sizeof(out)), 0);
	assert_string_equal(out, "C\n");
	assert_int_equal(run(grp, &p, out, sizeof(out)), 0);
	assert_string_equal(out, "inherited\n");
	p.group = true;
	assert_int_equal(run(grp, &p, out, sizeof(out)), 0);
	assert_string_equal(out, "own\n");
	/* what we block, it does not */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	assert_int_equal(run(blk, &p, out, sizeof(out)), 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	assert_string_equal(out, "0000000000000000\n");
}

static void starter_names_why_a_program_cannot_run(void **state)
{
	static const char *const missing[] = { "klp-no-such-program", NULL };
	const char *plain[] = { path, NULL };
	struct klp_proc p = { .in = KLP_FD_NULL, .err = KLP_FD_NULL, .keep_fd = -1 };
	char out[16];

	(void)state;
	assert_int_equal(run(missing, &p, out, sizeof(out)), -ENOENT);
	put("not-executable", "#!/bin/sh\n", 10, 0644);
	assert_int_equal(run(plain, &p, out, sizeof(out)), -EACCES);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/klp-test-fileio.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reader_takes_up_to_max_and_no_more, setup, teardown),
		cmocka_unit_test_setup_teardown(atomic_writer_renames_or_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(atomic_writer_is_relative_to_a_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(starter_sets_locale_signals_and_group, setup, teardown),
		cmocka_unit_test_setup_teardown(starter_names_why_a_program_cannot_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
