/*
 * test_install.c — `make install` / `make uninstall` (tools/install.mk and
 * tools/install.sh) into a scratch DESTDIR: every documented file lands
 * where docs/gang.1 FILES says, with its mode and its exact bytes, and
 * nothing else; the installed gang runs (--version, help, check of the
 * installed example profile with its installed firmware); PREFIX=/usr
 * moves the udev rules to /usr/lib/udev/rules.d; uninstall removes exactly
 * what install wrote and leaves other files in bin/ and man1/ alone; bad
 * PREFIX and an uninstall with nothing installed fail with a message.
 * Run from the repository root (as `make test` does).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_help.h"

#define INST_LOCK "/tmp/gang-test-install.lock"

static char inst_dest[64];
static int inst_lock = -1;

/* make may rebuild build/gang: parallel tests must not race on it. */
static void inst_setup(void)
{
	snprintf(inst_dest, sizeof(inst_dest), "/tmp/gang-install-XXXXXX");
	cr_assert_not_null(mkdtemp(inst_dest));
	inst_lock = open(INST_LOCK, O_RDWR | O_CREAT, 0666);
	cr_assert_geq(inst_lock, 0);
	cr_assert_eq(flock(inst_lock, LOCK_EX), 0);
}

static void inst_teardown(void)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.log'", inst_dest, inst_dest);
	cr_expect_eq(system(cmd), 0);
	if (inst_lock >= 0)
		close(inst_lock);
}

TestSuite(install, .init = inst_setup, .fini = inst_teardown, .timeout = 300);

/* Copy DEST.log to stderr, so a failure explains itself. */
static void inst_show_log(void)
{
	char path[96], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s.log", inst_dest);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr); /* cr_log_warn would fail the run */
	fclose(f);
}

/* Run a shell command line; its output goes to DEST.log (logged on failure). */
static int inst_sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	strncat(cmd, " >>'", sizeof(cmd) - strlen(cmd) - 1);
	strncat(cmd, inst_dest, sizeof(cmd) - strlen(cmd) - 1);
	strncat(cmd, ".log' 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	if (st != 0)
		inst_show_log();
	return st;
}

static int inst_make_prefix(const char *target, const char *prefix)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "make -s %s DESTDIR='%s' PREFIX='%%s'", target, inst_dest);
	return inst_sh(cmd, prefix, NULL);
}

typedef struct inst_file {
	char src[256];
	char dst[256]; /* without DESTDIR */
	mode_t mode;
} inst_file;

static size_t inst_add_glob(inst_file *v, size_t n, const char *pattern, const char *dir, mode_t mode)
{
	glob_t g;

	cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "nothing matches %s", pattern);
	for (size_t i = 0; i < g.gl_pathc; i++, n++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;

		snprintf(v[n].src, sizeof(v[n].src), "%s", g.gl_pathv[i]);
		snprintf(v[n].dst, sizeof(v[n].dst), "%s/%s", dir, base);
		v[n].mode = mode;
	}
	globfree(&g);
	return n;
}

/* What the documentation (docs/gang.1 FILES, the brief) says install writes. */
static size_t inst_expected(inst_file *v, const char *prefix, const char *udevdir)
{
	char d[256];
	size_t n = 0;

	snprintf(d, sizeof(d), "%s/bin", prefix);
	n = inst_add_glob(v, n, "build/gang", d, 0755);
	snprintf(d, sizeof(d), "%s/share/man/man1", prefix);
	n = inst_add_glob(v, n, "docs/gang.1", d, 0644);
	n = inst_add_glob(v, n, "tools/udev/49-gang-stlink.rules", udevdir, 0644);
	snprintf(d, sizeof(d), "%s/share/gang/profiles", prefix);
	n = inst_add_glob(v, n, "profiles/*.cfg", d, 0644);
	n = inst_add_glob(v, n, "profiles/README.md", d, 0644);
	snprintf(d, sizeof(d), "%s/share/gang/profiles/firmware", prefix);
	n = inst_add_glob(v, n, "profiles/firmware/*", d, 0644);
	snprintf(d, sizeof(d), "%s/share/gang/db", prefix);
	n = inst_add_glob(v, n, "db/schema.sql", d, 0644);
	snprintf(d, sizeof(d), "%s/share/gang/db/migrations", prefix);
	return inst_add_glob(v, n, "db/migrations/*.sql", d, 0644);
}

static bool inst_same_bytes(const char *a, const char *b)
{
	char cmd[640];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

static void inst_expect_files(const inst_file *v, size_t n)
{
	char path[512];
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s%s", inst_dest, v[i].dst);
		cr_assert_eq(stat(path, &st), 0, "%s was not installed (is 'include tools/install.mk' in the Makefile?)",
			     v[i].dst);
		cr_expect_eq(st.st_mode & 07777, v[i].mode, "%s has mode %o, want %o", v[i].dst, st.st_mode & 07777,
			     v[i].mode);
		cr_expect(inst_same_bytes(v[i].src, path), "%s differs from %s", v[i].dst, v[i].src);
	}
}

static size_t inst_nfiles;
static int inst_count(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)p, (void)st, (void)ftw;
	inst_nfiles += flag == FTW_F;
	return 0;
}

/* Regular files below DESTDIR. */
static size_t inst_count_files(void)
{
	inst_nfiles = 0;
	cr_assert_eq(nftw(inst_dest, inst_count, 16, FTW_PHYS), 0);
	return inst_nfiles;
}

static bool inst_exists(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", inst_dest, rel);
	return access(path, F_OK) == 0;
}

Test(install, puts_every_documented_file_in_place_with_its_mode_and_nothing_else)
{
	inst_file v[64];
	size_t n = inst_expected(v, "/usr/local", "/etc/udev/rules.d");

	cr_assert_eq(inst_make_prefix("install", "/usr/local"), 0, "make install failed (output above)");
	inst_expect_files(v, n);
	/* + the manifest that uninstall reads */
	cr_expect(inst_exists("/usr/local/share/gang/install-manifest"));
	cr_expect_eq(inst_count_files(), n + 1, "install wrote files beyond the documented ones");
}

Test(install, the_installed_gang_runs_and_checks_the_installed_example_profile)
{
	char gang[128], out[256] = "", cmd[512];
	FILE *f;

	cr_assert_eq(inst_make_prefix("install", "/usr/local"), 0, "make install failed (output above)");
	snprintf(gang, sizeof(gang), "%s/usr/local/bin/gang", inst_dest);
	snprintf(cmd, sizeof(cmd), "'%s' --version", gang);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	cr_expect_not_null(fgets(out, sizeof(out), f));
	cr_expect_eq(pclose(f), 0);
	cr_expect_str_eq(out, "gang " GANG_VERSION "\n");
	/* the profile finds its firmware relative to its installed directory */
	snprintf(cmd, sizeof(cmd), "'%s' check '%s/usr/local/share/gang/profiles/demo-f103.cfg' --db '%%s'", gang,
		 inst_dest);
	cr_expect_eq(inst_sh(cmd, "/nonexistent/gang.sqlite", NULL), 0, "check of the installed profile failed (output above)");
}

Test(install, prefix_usr_puts_the_udev_rules_in_usr_lib_udev_rules_d)
{
	inst_file v[64];
	size_t n = inst_expected(v, "/usr", "/usr/lib/udev/rules.d");

	cr_assert_eq(inst_make_prefix("install", "/usr"), 0, "make install failed (output above)");
	inst_expect_files(v, n);
	cr_expect_not(inst_exists("/etc"), "PREFIX=/usr must not write to /etc");
	cr_expect_eq(inst_make_prefix("uninstall", "/usr"), 0);
	cr_expect_eq(inst_count_files(), 0);
}

Test(install, uninstall_removes_exactly_what_install_wrote)
{
	const char *foreign[] = { "/usr/local/bin/other-tool", "/usr/local/share/man/man1/other-tool.1",
				  "/etc/udev/rules.d/50-other.rules" };
	char path[512];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "mkdir -p \"$(dirname '%s%s')\" && echo x >'%s%s'", inst_dest, foreign[i],
			 inst_dest, foreign[i]);
		cr_assert_eq(system(path), 0);
	}
	cr_assert_eq(inst_make_prefix("install", "/usr/local"), 0);
	cr_assert_gt(inst_count_files(), 3);
	cr_assert_eq(inst_make_prefix("uninstall", "/usr/local"), 0);
	cr_expect_eq(inst_count_files(), 3, "uninstall left files behind or removed foreign ones");
	for (size_t i = 0; i < 3; i++)
		cr_expect(inst_exists(foreign[i]), "uninstall removed %s, which gang did not install", foreign[i]);
	cr_expect_not(inst_exists("/usr/local/share/gang"), "share/gang should be gone");
	cr_expect(inst_exists("/usr/local/bin"), "bin/ is shared: it must stay");
}

Test(install, uninstall_with_nothing_installed_fails_naming_the_manifest)
{
	char log[128];
	char *text;
	FILE *f;
	long n;

	cr_expect_neq(inst_make_prefix("uninstall", "/usr/local"), 0);
	snprintf(log, sizeof(log), "%s.log", inst_dest);
	f = fopen(log, "r");
	cr_assert_not_null(f);
	text = calloc(1, 4096);
	n = (long)fread(text, 1, 4095, f);
	fclose(f);
	cr_expect_gt(n, 0);
	cr_expect_not_null(strstr(text, "share/gang/install-manifest does not exist"), "%s", text);
	free(text);
}

Test(install, a_relative_prefix_is_refused_and_installs_nothing)
{
	cr_expect_neq(inst_make_prefix("install", "usr/local"), 0);
	cr_expect_eq(inst_count_files(), 0);
}
