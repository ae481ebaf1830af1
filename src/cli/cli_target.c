/*
 * cli_target.c — shared options and the probe/board session of the
 * engineer commands. A one-board command prints the connect note (e.g.
 * "connected under reset") on stderr so the engineer learns about it too.
 */
#include "cli/cli_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"

int cli_target_option(cli_target_args *a, const char *cmd, int c, const char *arg)
{
	uint32_t v;
	int m;

	switch (c) {
	case CLI_OPT_BASE + 0: a->probe = arg; return 1;
	case CLI_OPT_BASE + 1:
		if (!gang_part_find(arg)) {
			char hint[256];

			gang_part_suggest_text(hint, sizeof(hint), arg);
			gang_cli_usage(cmd, "--target: unknown part '%s'%s", arg, hint);
			return -GANG_EXIT_USAGE;
		}
		a->part = arg;
		return 1;
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
		if ((m = gang_log_level_parse(arg)) < 0) {
			gang_cli_usage(cmd, "--log-level takes error, warn, info or debug, not '%s'", arg);
			return -GANG_EXIT_USAGE;
		}
		a->log_level = m + 1;
		return 1;
	default:
		return 0;
	}
}

/*
 * Without --probe, more than one ST-Link is a usage error that lists them,
 * so the engineer can copy a selector from the message.
 */
static int cli_session_one_probe(gang_usb *usb, const char *cmd, gang_diag *d)
{
	gang_probe_id *ids = NULL;
	char list[GANG_DIAG_LEN] = "";
	size_t n = 0, len = 0;
	int err = gang_usb_list(&ids, &n, usb, d);

	if (err < 0)
		return gang_cli_fail(cmd, err, d);
	if (n < 2) {
		free(ids);
		return GANG_EXIT_OK;
	}
	for (size_t i = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s (port %s)", i ? ", " : "",
					ids[i].serial, ids[i].port_path);
	free(ids);
	return gang_cli_usage(cmd, "%zu ST-Links are attached: %s; name one with --probe SERIAL or --probe PORT", n,
			      list);
}

static void cli_session_log(const cli_session *s, const cli_target_args *a, const char *cmd)
{
	const gang_target_info *i = gang_target_info_get(s->t);
	gang_log_level level = a->log_level ? (gang_log_level)(a->log_level - 1) : GANG_LOG_WARN;
	gang_log lg, *log = &lg;
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "gang %s:", cmd);
	gang_log_init(log, stderr, level, prefix);
	gang_log_info(log, "%s (DEV_ID 0x%03X, %u KiB flash), UID %s, RDP %s, connected %s at %u kHz",
		      i->part ? i->part->name : "unknown part", (unsigned)i->dev_id, (unsigned)i->flash_kib, i->uid,
		      i->rdp_level05 ? "0.5" : i->rdp_level == 0 ? "0" : i->rdp_level == 1 ? "1" : i->rdp_level == 2 ?
		      "2" : "unknown", gang_connect_mode_name(i->mode), i->swd_khz);
	/* the note is the operator's sentence, kept in the plain form the engineer greps for */
	if (i->note[0] && level >= GANG_LOG_WARN)
		fprintf(stderr, "gang %s: note: %s: %s\n", cmd, i->headline, i->note);
}

int cli_session_open(cli_session *s, const cli_target_args *a, const char *cmd)
{
	gang_connect_opts o = { .mode = a->mode, .swd_khz = a->swd_khz, .part = a->part };
	int err, rc;

	memset(s, 0, sizeof(*s));
	if ((err = gang_usb_new(&s->usb, &s->d)) < 0)
		goto fail;
	if (!a->probe && (rc = cli_session_one_probe(s->usb, cmd, &s->d)) != GANG_EXIT_OK) {
		cli_session_close(s, GANG_DETACH_RUN);
		return rc;
	}
	if ((err = gang_stlink_open(&s->sl, s->usb, a->probe, &s->d)) < 0 ||
	    (err = gang_target_attach(&s->t, s->sl, &o)) < 0)
		goto fail;
	cli_session_log(s, a, cmd);
	return GANG_EXIT_OK;
fail:
	gang_cli_fail(cmd, err, &s->d);
	cli_session_close(s, GANG_DETACH_RUN);
	return gang_err_exit_code(err);
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
