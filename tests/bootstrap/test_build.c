/*
 * test_build.c — the first `make` on a machine that lacks gang's Debian
 * packages (issue 11): tests/bootstrap/fresh-machine.sh hides the packages
 * behind shims until its apt-get has been asked to install them, then
 * builds gang, the bench and a test binary in a fresh build directory.
 * The build must succeed the first time, serial and with -j2, and the
 * packages must have been asked for before anything was compiled (a
 * Makefile that asks pkg-config when it is read gets no include flags and
 * stops at <libusb.h>). Run from the repository root (as `make test` does).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char bt_work[64];

static void bt_setup(void)
{
	snprintf(bt_work, sizeof(bt_work), "/tmp/gang-build-XXXXXX");
	cr_assert_not_null(mkdtemp(bt_work));
}

static void bt_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bt_work);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(build, .init = bt_setup, .fini = bt_teardown, .timeout = 110);

/* Whole file into a NUL-terminated buffer (empty if absent). */
static char *bt_slurp(const char *path)
{
	char *buf = calloc(1, 65536);
	FILE *f = fopen(path, "r");

	cr_assert_not_null(buf);
	if (f) {
		size_t n = fread(buf, 1, 65535, f);

		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

/* Run fresh-machine.sh with -jJOBS; on failure show the end of make's output. */
static void bt_first_make(int jobs)
{
	char cmd[512], path[128];
	char *log;
	int st;

	snprintf(cmd, sizeof(cmd), "tests/bootstrap/fresh-machine.sh '%s' %d >'%s/make.log' 2>&1", bt_work, jobs, bt_work);
	st = system(cmd);
	snprintf(path, sizeof(path), "%s/make.log", bt_work);
	log = bt_slurp(path);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the first make -j%d failed:\n%s", jobs,
		  strlen(log) > 3000 ? log + strlen(log) - 3000 : log);
	free(log);
}

static void bt_expect_built_and_asked(void)
{
	static const char *pkgs[] = { "pkg-config", "libusb-1.0-0-dev", "libconfig-dev", "libsqlite3-dev",
				      "libncurses-dev", "libcriterion-dev", "libunicorn-dev", "libpq-dev",
				      "postgresql" };
	const char *outs[] = { "build/gang", "build/libgangsim.so", "build/tests/bootstrap" };
	char path[128], *apt;

	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", bt_work, outs[i]);
		cr_expect_eq(access(path, X_OK), 0, "%s was not built", outs[i]);
	}
	snprintf(path, sizeof(path), "%s/apt-get.log", bt_work);
	apt = bt_slurp(path);
	cr_expect_not_null(strstr(apt, "install"), "apt-get was never asked to install (log: '%s')", apt);
	for (size_t i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++)
		cr_expect_not_null(strstr(apt, pkgs[i]), "apt-get was not asked for %s (log: '%s')", pkgs[i], apt);
	free(apt);
}

Test(build, the_first_make_on_a_machine_without_the_packages_installs_them_then_builds)
{
	bt_first_make(1);
	bt_expect_built_and_asked();
}

Test(build, the_first_make_j2_waits_for_the_packages_before_compiling)
{
	bt_first_make(2);
	bt_expect_built_and_asked();
}
