/*
 * test_clones.c — clone ST-Links sharing one USB serial (cheap clones do,
 * as observed): the bench accepts a shared serial
 * only between probes marked clone, gives each its own boards, tray file
 * and claim lock, and shows them on different USB port paths so a host can
 * tell them apart (tools/sim/benches/README.md).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "ctl.h"
#include "libusb_shim.h"

#define CLONES "tests/fixtures/benches/run-clones.cfg"
#define SHARED "543F72067577574934311230"

static char tc_dir[64];
static char tc_err[1024];

static void tc_setup(void)
{
	snprintf(tc_dir, sizeof(tc_dir), "/tmp/gangsim-tc-XXXXXX");
	cr_assert_not_null(mkdtemp(tc_dir));
	setenv("GANGSIM_STATE", tc_dir, 1);
	unsetenv("GANGSIM_STATS");
	unsetenv("GANGSIM_TRACE");
	unsetenv("GANGSIM_REALTIME");
	tc_err[0] = '\0';
}

static void tc_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tc_dir);
	(void)system(cmd);
}

TestSuite(sim_clones, .init = tc_setup, .fini = tc_teardown, .timeout = 20);

static const char *tc_file(const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench.cfg", tc_dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(sim_clones, two_clones_may_share_a_serial_and_keep_their_own_boards)
{
	sim_bench *b = NULL;

	cr_assert_eq(sim_bench_load(&b, CLONES, tc_err, sizeof(tc_err)), 0, "%s", tc_err);
	cr_assert_eq(b->n_probes, 3);
	cr_assert_str_eq(b->probes[0].serial, b->probes[1].serial);
	cr_assert_str_eq(b->probes[0].key, SHARED, "the first keeps the bare serial");
	cr_assert_str_eq(b->probes[1].key, SHARED "-2");
	cr_assert_str_eq(b->probes[2].key, b->probes[2].serial);
	for (size_t i = 0; i < 2; i++)
		for (size_t k = 0; k < 2; k++)
			cr_assert_neq(memcmp(b->probes[0].boards[i].cfg.uid, b->probes[1].boards[k].cfg.uid, 12), 0,
				      "clone boards %zu and %zu share a UID", i, k);
	cr_assert_neq(b->probes[0].seed == b->probes[1].seed, true, "clones roll the same fault dice");
	sim_bench_free(b);
}

Test(sim_clones, a_serial_shared_with_a_genuine_probe_is_refused_with_file_line_and_key)
{
	const char *path = tc_file("probes = (\n"
				   "  { serial = \"543F72067577574934311230\"; clone = true; target = \"STM32F103RC\"; },\n"
				   "  { serial = \"543F72067577574934311230\"; target = \"STM32F103RC\"; }\n);\n");
	sim_bench *b = NULL;

	cr_assert_eq(sim_bench_load(&b, path, tc_err, sizeof(tc_err)), -1);
	cr_assert(strstr(tc_err, "bench.cfg:3: key 'serial'") && strstr(tc_err, "only clones"), "%s", tc_err);
}

/* The devices whose descriptor serial (as libusb shows it) is the shared one. */
static int tc_list_shared(libusb_device **out, size_t cap)
{
	libusb_device **l;
	ssize_t n = libusb_get_device_list(NULL, &l);
	int found = 0;

	for (ssize_t i = 0; i < n; i++)
		if (strcmp(sim_probe_cfg(l[i]->probe)->serial, SHARED) == 0 && (size_t)found < cap)
			out[found++] = libusb_ref_device(l[i]);
	libusb_free_device_list(l, 1);
	return found;
}

Test(sim_clones, clones_sharing_a_serial_sit_on_different_port_paths_and_open_together)
{
	libusb_device *d[4];
	libusb_device_handle *h[2] = { NULL, NULL };
	uint8_t path[2][8];
	int n, len[2];
	char lock[2][160];

	setenv("GANGSIM_BENCH", CLONES, 1);
	cr_assert_eq(libusb_init(NULL), LIBUSB_SUCCESS);
	n = tc_list_shared(d, 4);
	cr_assert_eq(n, 2);
	for (int i = 0; i < 2; i++) {
		len[i] = libusb_get_port_numbers(d[i], path[i], (int)sizeof(path[i]));
		cr_assert_gt(len[i], 0);
		cr_assert_eq(libusb_open(d[i], &h[i]), LIBUSB_SUCCESS);
		/* Each clone has its own claim lock: the second is not "busy". */
		cr_assert_eq(libusb_claim_interface(h[i], 0), LIBUSB_SUCCESS, "clone %d", i);
	}
	cr_assert(len[0] != len[1] || memcmp(path[0], path[1], (size_t)len[0]) != 0, "same port path");
	for (int i = 0; i < 2; i++) {
		libusb_release_interface(h[i], 0);
		libusb_close(h[i]);
		libusb_unref_device(d[i]);
	}
	libusb_exit(NULL);
	/* Each clone took its own claim lock file in the state directory. */
	snprintf(lock[0], sizeof(lock[0]), "%s/claim-" SHARED, tc_dir);
	snprintf(lock[1], sizeof(lock[1]), "%s/claim-" SHARED "-2", tc_dir);
	cr_assert_eq(access(lock[0], F_OK), 0, "%s", lock[0]);
	cr_assert_eq(access(lock[1], F_OK), 0, "%s", lock[1]);
}

Test(sim_clones, ctl_names_a_clone_by_position_or_state_key_never_by_the_shared_serial)
{
	sim_bench *b = NULL;
	size_t i = 99;

	cr_assert_eq(sim_bench_load(&b, CLONES, tc_err, sizeof(tc_err)), 0, "%s", tc_err);
	cr_expect_eq(sim_ctl_find(&i, b, SHARED, tc_err, sizeof(tc_err)), -1, "a shared serial names two fixtures");
	cr_expect_not_null(strstr(tc_err, "serial " SHARED " is shared by 2 clone probes: name the fixture as "
				  "S<n> or " SHARED "-2"), "%s", tc_err);
	cr_assert_eq(sim_ctl_find(&i, b, SHARED "-2", tc_err, sizeof(tc_err)), 0, "%s", tc_err);
	cr_expect_eq(i, 1);
	cr_assert_eq(sim_ctl_find(&i, b, "s1", tc_err, sizeof(tc_err)), 0, "%s", tc_err);
	cr_expect_eq(i, 0);
	cr_assert_eq(sim_ctl_find(&i, b, "066dff485457725187084919", tc_err, sizeof(tc_err)), 0, "%s", tc_err);
	cr_expect_eq(i, 2);
	cr_expect_eq(sim_ctl_find(&i, b, "S4", tc_err, sizeof(tc_err)), -1);
	cr_expect_not_null(strstr(tc_err, "no fixture 'S4' on bench " CLONES ": name it S1..S3"), "%s", tc_err);
	cr_expect_eq(sim_ctl_find(&i, b, "S01", tc_err, sizeof(tc_err)), -1, "S01 is not a fixture name");
	sim_bench_free(b);
}
