/*
 * cli_target.c — shared options and the probe/board session of the
 * engineer commands. A one-board command prints the connect note (e.g.
 * "connected under reset") on stderr so the engineer learns about it too.
 */
#include "cli/cli_target.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cli_target_option(cli_target_args *a, const char *cmd, int c, const char *arg)
{
	uint32_t v;
	int m;

	switch (c) {
	case CLI_OPT_BASE + 0: a->probe = arg; return 1;
	case CLI_OPT_BASE + 1: a->part = arg; return 1;
	case CLI_OPT_BASE + 2:
		if ((m = gang_connect_mode_parse(arg)) < 0) {
			gang_cli_usage(cmd, "unknown connect mode '%s' (auto, normal, under-reset, hot-plug)", arg);
			return -GANG_EXIT_USAGE;
		}
		a->mode = (gang_connect_mode)m;
		return 1;
	case CLI_OPT_BASE + 3:
		if (!gang_cli_parse_u32(&v, arg) || v < 5 || v > 24000) {
			gang_cli_usage(cmd, "--swd-khz takes 5..24000, not '%s'", arg);
			return -GANG_EXIT_USAGE;
		}
		a->swd_khz = v;
		return 1;
	case CLI_OPT_BASE + 4:
		return 1; /* the engineer commands print errors only; accepted for symmetry with run */
	default:
		return 0;
	}
}

int cli_session_open(cli_session *s, const cli_target_args *a, const char *cmd)
{
	gang_connect_opts o = { .mode = a->mode, .swd_khz = a->swd_khz, .part = a->part };
	int err;

	memset(s, 0, sizeof(*s));
	if ((err = gang_usb_new(&s->usb, &s->d)) < 0 ||
	    (err = gang_stlink_open(&s->sl, s->usb, a->probe, &s->d)) < 0 ||
	    (err = gang_target_attach(&s->t, s->sl, &o)) < 0) {
		gang_cli_fail(cmd, err, &s->d);
		cli_session_close(s, GANG_DETACH_RUN);
		return gang_err_exit_code(err);
	}
	if (gang_target_info_get(s->t)->note[0])
		fprintf(stderr, "gang %s: note: %s\n", cmd, gang_target_info_get(s->t)->note);
	return GANG_EXIT_OK;
}

int cli_session_close(cli_session *s, gang_detach_after after)
{
	int err = GANG_OK;

	if (s->t)
		err = gang_target_detach(s->t, after);
	s->t = NULL;
	gang_stlink_close(s->sl);
	s->sl = NULL;
	gang_usb_free(s->usb);
	s->usb = NULL;
	return err;
}
