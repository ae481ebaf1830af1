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
#define INST_MAX_FILES 96

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
	char cmd[2048];
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
	char prefix[64]; /* "": installed byte for byte; else /usr/local/share/ made PREFIX/share/ */
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
		v[n].prefix[0] = '\0';
	}
	globfree(&g);
	return n;
}

/* share/doc/gang: README, the profile reference, the docs' Markdown, examples (gang.conf, the profiles). */
static size_t inst_expected_docs(inst_file *v, size_t n, const char *prefix)
{
	char d[200];

	snprintf(d, sizeof(d), "%s/share/doc/gang", prefix);
	n = inst_add_glob(v, n, "./README.md", d, 0644);
	n = inst_add_glob(v, n, "docs/*.md", d, 0644);
	snprintf(d, sizeof(d), "%s/share/doc/gang/profiles", prefix);
	n = inst_add_glob(v, n, "profiles/README.md", d, 0644);
	snprintf(d, sizeof(d), "%s/share/doc/gang/examples", prefix);
	n = inst_add_glob(v, n, "tools/gang.conf.example", d, 0644);
	snprintf(v[n - 1].dst, sizeof(v[n - 1].dst), "%s/gang.conf", d);
	snprintf(d, sizeof(d), "%s/share/doc/gang/examples/profiles", prefix);
	n = inst_add_glob(v, n, "profiles/*.cfg", d, 0644);
	snprintf(d, sizeof(d), "%s/share/doc/gang/examples/profiles/firmware", prefix);
	return inst_add_glob(v, n, "profiles/firmware/*", d, 0644);
}

/* What the documentation (docs/gang.1 FILES, README.md) says install writes. */
static size_t inst_expected(inst_file *v, const char *prefix, const char *udevdir)
{
	char d[256];
	size_t n = 0;

	snprintf(d, sizeof(d), "%s/bin", prefix);
	n = inst_add_glob(v, n, "build/gang", d, 0755);
	snprintf(d, sizeof(d), "%s/share/man/man1", prefix);
	n = inst_add_glob(v, n, "docs/gang.1", d, 0644);
	snprintf(v[n - 1].prefix, sizeof(v[n - 1].prefix), "%s", prefix);
	n = inst_add_glob(v, n, "tools/udev/49-gang-stlink.rules", udevdir, 0644);
	snprintf(d, sizeof(d), "%s/share/gang/profiles", prefix);
	n = inst_add_glob(v, n, "profiles/*.cfg", d, 0644);
	n = inst_add_glob(v, n, "profiles/README.md", d, 0644);
	snprintf(d, sizeof(d), "%s/share/gang/profiles/firmware", prefix);
	n = inst_add_glob(v, n, "profiles/firmware/*", d, 0644);
	snprintf(d, sizeof(d), "%s/share/gang/db", prefix);
	n = inst_add_glob(v, n, "db/schema.sql", d, 0644);
	snprintf(d, sizeof(d), "%s/share/gang/db/migrations/sqlite", prefix);
	n = inst_add_glob(v, n, "db/migrations/sqlite/*.sql", d, 0644);
	return inst_expected_docs(v, n, prefix);
}

/* Installed file b is a's bytes, or with prefix: a with /usr/local/share/ made prefix's. */
static bool inst_same_bytes(const char *a, const char *b, const char *prefix)
{
	char cmd[800];

	if (prefix[0])
		snprintf(cmd, sizeof(cmd), "sed 's#/usr/local/share/#%s/share/#g' '%s' | cmp -s - '%s'", prefix, a, b);
	else
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
		cr_expect(inst_same_bytes(v[i].src, path, v[i].prefix), "%s differs from %s", v[i].dst, v[i].src);
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
	inst_file v[INST_MAX_FILES];
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
	inst_file v[INST_MAX_FILES];
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
	cr_expect_not(inst_exists("/usr/local/share/doc/gang"), "share/doc/gang should be gone");
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

/* The man page's paths are rewritten with sed: a PREFIX that sed would misread is refused. */
Test(install, a_prefix_with_a_sed_special_character_is_refused_and_installs_nothing)
{
	cr_expect_neq(inst_make_prefix("install", "/opt/a#b"), 0);
	cr_expect_eq(inst_count_files(), 0);
	cr_expect_neq(inst_make_prefix("install", "/opt/a&b"), 0);
	cr_expect_eq(inst_count_files(), 0);
}

Test(install, prefix_usr_man_page_names_the_usr_paths_and_never_usr_local)
{
	char path[256], *man;
	FILE *f;
	long n;

	cr_assert_eq(inst_make_prefix("install", "/usr"), 0, "make install failed (output above)");
	snprintf(path, sizeof(path), "%s/usr/share/man/man1/gang.1", inst_dest);
	f = fopen(path, "r");
	cr_assert_not_null(f, "no %s", path);
	man = calloc(1, 1 << 20);
	cr_assert_not_null(man);
	n = (long)fread(man, 1, (1 << 20) - 1, f);
	fclose(f);
	cr_assert_gt(n, 0);
	cr_expect_null(strstr(man, "/usr/local"), "the man page installed with PREFIX=/usr still says /usr/local");
	cr_expect_not_null(strstr(man, "/usr/share/gang/profiles/"));
	cr_expect_not_null(strstr(man, "/usr/share/doc/gang/examples/gang.conf"));
	free(man);
}

Test(install, the_installed_gang_run_from_another_directory_opens_its_default_database)
{
	char cmd[1536], root[128], env[512], path[256];

	cr_assert_not_null(getcwd(root, sizeof(root)));
	cr_assert_eq(inst_make_prefix("install", "/usr"), 0, "make install failed (output above)");
	/* a station user: HOME in DESTDIR, no XDG variables, no system gang.conf */
	snprintf(env, sizeof(env),
		 "mkdir -p '%s/home' '%s/elsewhere' && cd '%s/elsewhere' && env -u XDG_DATA_HOME -u XDG_STATE_HOME "
		 "-u XDG_CONFIG_HOME HOME='%s/home' GANG_SYSTEM_CONFIG='%s/etc/gang/gang.conf'",
		 inst_dest, inst_dest, inst_dest, inst_dest, inst_dest);
	snprintf(cmd, sizeof(cmd),
		 "%s '%s/tools/gangsim' --bench '%s/tools/sim/benches/default.cfg' -- '%s/usr/bin/gang' run "
		 "'%s/usr/share/gang/profiles/demo-f103.cfg' --boards 1 --plain --batch installed",
		 env, root, root, inst_dest, inst_dest);
	cr_assert_eq(inst_sh("%s", cmd, NULL), 0, "the installed gang run failed (output above)");
	snprintf(path, sizeof(path), "/home/.local/share/gang/gang.sqlite");
	cr_expect(inst_exists(path), "no default database %s in DESTDIR", path);
	snprintf(cmd, sizeof(cmd), "%s '%s/usr/bin/gang' report --batch installed | grep -q 'installed'", env, inst_dest);
	cr_expect_eq(inst_sh("%s", cmd, NULL), 0, "gang report did not find the batch in the default database");
}
