/*
 * test_log_path.c — gang_config_default_log_path, where the engineer log goes
 * while the console owns the terminal: $XDG_STATE_HOME/gang/gang.log, else ~/.local/state/gang/gang.log
 * (relative values ignored, as the XDG Base Directory Specification asks),
 * directories created 0700; unusable places are one clear error.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"

static char tmp[64];

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/gang-logpath-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	/* no gang.conf of the machine or the user may steer the default */
	setenv("GANG_SYSTEM_CONFIG", "", 1);
	setenv("XDG_CONFIG_HOME", tmp, 1);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	(void)system(cmd);
}

TestSuite(log_path, .init = setup, .fini = teardown, .timeout = 10);

static void assert_dir_0700(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "%s missing", path);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0700, "%s has mode %o", path, st.st_mode & 0777);
}

Test(log_path, xdg_state_home_wins_and_its_gang_directory_is_created)
{
	char state[128], want[192], out[256], dir[160];
	gang_diag d = { 0 };

	snprintf(state, sizeof(state), "%s/state", tmp);
	setenv("XDG_STATE_HOME", state, 1);
	setenv("HOME", "/nonexistent", 1);
	cr_assert_eq(gang_config_default_log_path(out, sizeof(out), &d), GANG_OK, "%s", d.msg);
	snprintf(want, sizeof(want), "%s/gang/gang.log", state);
	cr_assert_str_eq(out, want);
	snprintf(dir, sizeof(dir), "%s/gang", state);
	assert_dir_0700(dir);
	assert_dir_0700(state);
}

Test(log_path, unset_or_relative_xdg_state_home_falls_back_to_home)
{
	char want[192], out[256], dir[160];
	gang_diag d = { 0 };

	setenv("HOME", tmp, 1);
	setenv("XDG_STATE_HOME", "relative/state", 1);
	cr_assert_eq(gang_config_default_log_path(out, sizeof(out), &d), GANG_OK, "%s", d.msg);
	snprintf(want, sizeof(want), "%s/.local/state/gang/gang.log", tmp);
	cr_assert_str_eq(out, want);
	snprintf(dir, sizeof(dir), "%s/.local/state/gang", tmp);
	assert_dir_0700(dir);
	unsetenv("XDG_STATE_HOME");
	cr_assert_eq(gang_config_default_log_path(out, sizeof(out), &d), GANG_OK, "%s", d.msg);
	cr_assert_str_eq(out, want, "an existing directory is fine");
}

Test(log_path, a_file_where_the_directory_should_be_is_one_clear_error)
{
	char state[128], out[256] = "";
	gang_diag d = { 0 };
	FILE *f;

	snprintf(state, sizeof(state), "%s/state", tmp);
	f = fopen(state, "w");
	cr_assert_not_null(f);
	fclose(f);
	setenv("XDG_STATE_HOME", state, 1);
	cr_assert_eq(gang_config_default_log_path(out, sizeof(out), &d), GANG_EFILE);
	cr_assert(strstr(d.msg, "cannot create directory"), "%s", d.msg);
	cr_assert(strstr(d.msg, state), "names the path: %s", d.msg);
	cr_assert_str_eq(out, "", "nothing half-written");
}

Test(log_path, neither_variable_usable_says_use_log)
{
	char out[256];
	gang_diag d = { 0 };

	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	cr_assert_eq(gang_config_default_log_path(out, sizeof(out), &d), GANG_ECONFIG);
	cr_assert(strstr(d.msg, "name a file with --log"), "%s", d.msg);
}

Test(log_path, a_buffer_too_small_is_an_error_not_a_cut_path)
{
	char out[16];
	gang_diag d = { 0 };

	setenv("XDG_STATE_HOME", tmp, 1);
	cr_assert_eq(gang_config_default_log_path(out, sizeof(out), &d), GANG_EFILE);
	cr_assert(strstr(d.msg, "too long"), "%s", d.msg);
}
