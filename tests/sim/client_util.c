/*
 * client_util.c — the stock-client tests' shared helpers (client_util.h).
 */
#include "client_util.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char cl_dir[64];
char cl_out[CL_OUT_MAX];

void cl_setup(void)
{
	snprintf(cl_dir, sizeof(cl_dir), "/tmp/gangsim-cl-XXXXXX");
	cr_assert_not_null(mkdtemp(cl_dir));
	cr_assert_eq(access("build/libgangsim.so", R_OK), 0, "build/libgangsim.so missing: run make");
}

void cl_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", cl_dir);
	(void)system(cmd);
}

void cl_need(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (system(cmd) != 0)
		cr_skip_test("%s is not installed", tool);
}

int cl_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *p;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(cl_out, 1, sizeof(cl_out) - 1, p);
	cl_out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
