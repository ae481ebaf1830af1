/*
 * client_util.h — what the stock-client tests (test_clients.c,
 * test_clients_f4.c) share: a private directory per test, a check that a
 * tool is installed, and running a shell command line with its output
 * captured. Test-only state: Criterion runs each test in its own process.
 */
#ifndef GANGSIM_TEST_CLIENT_UTIL_H
#define GANGSIM_TEST_CLIENT_UTIL_H

#define CL_OUT_MAX (256 * 1024)

extern char cl_dir[64];              /* this test's private directory */
extern char cl_out[CL_OUT_MAX];      /* stdout and stderr of the last cl_run */

/* Suite init/fini: make and remove cl_dir; the bench library must be built. */
void cl_setup(void);
void cl_teardown(void);
/* Skip the test when tool is not on PATH. */
void cl_need(const char *tool);
/* Run a shell command line, output in cl_out; its exit status (-1 when killed). */
int cl_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
