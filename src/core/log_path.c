/*
 * log_path.c — the default engineer log location (XDG state directory).
 * Reference: XDG Base Directory Specification 0.8, "Environment variables"
 * ($XDG_STATE_HOME, default $HOME/.local/state; absolute paths only; create
 * missing directories with permission 0700).
 */
#include "core/log_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOG_PATH_DIR_MODE 0700

/* mkdir -p dir (modified in place, restored): every missing component gets LOG_PATH_DIR_MODE. */
static int log_path_mkdirs(char *dir, gang_diag *d)
{
	struct stat st;

	for (char *p = dir + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, LOG_PATH_DIR_MODE) < 0 && errno != EEXIST) {
			int e = errno;

			*p = c;
			return gang_diag_set(d, GANG_EFILE, "cannot create the log directory %s: %s", dir, strerror(e));
		}
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			int ret = gang_diag_set(d, GANG_EFILE, "cannot create the log directory %s: not a directory",
						dir);

			*p = c;
			return ret;
		}
		*p = c;
		if (c == '\0')
			return GANG_OK;
	}
}

int gang_log_default_path(char *out, size_t cap, gang_diag *d)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[1024];
	int n;

	if (state && state[0] == '/')
		n = snprintf(dir, sizeof(dir), "%s/gang", state);
	else if (home && home[0] == '/')
		n = snprintf(dir, sizeof(dir), "%s/.local/state/gang", home);
	else
		return gang_diag_set(d, GANG_EFILE,
				     "no place for the log: neither XDG_STATE_HOME nor HOME is an absolute path; "
				     "use --log FILE");
	if (n < 0 || (size_t)n >= sizeof(dir) || (size_t)n + sizeof("/gang.log") > cap)
		return gang_diag_set(d, GANG_EFILE, "the log directory path is too long; use --log FILE");
	if ((n = log_path_mkdirs(dir, d)) < 0)
		return n;
	snprintf(out, cap, "%s/gang.log", dir);
	return GANG_OK;
}
