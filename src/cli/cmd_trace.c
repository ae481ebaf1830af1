/*
 * cmd_trace.c — `gang trace SERIAL|UID`: everything recorded about one
 * board — which firmware, profile, serial, option bytes, probe, slot,
 * operator and steps, on every attempt — found by serial text, serial
 * value or chip UID (24 hex digits, any case). Read-only. Exit 1 when no
 * board matches, so scripts can test for presence.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/text.h"
#include "db/db.h"
#include "db/db_report.h"
#include "report/report.h"

const struct option gang_cmd_trace_opts[] = {
	{ "format", required_argument, NULL, 'f' }, { "db", required_argument, NULL, 'd' }, { 0, 0, 0, 0 },
};

static int ct_parse(const char **key, int *json, const char **db, int argc, char **argv)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", gang_cmd_trace_opts, NULL)) != -1) {
		if (c == 'f' && (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0))
			*json = strcmp(optarg, "json") == 0;
		else if (c == 'f')
			return gang_cli_usage("trace", "--format '%s': use text or json", optarg);
		else if (c == 'd')
			*db = optarg;
		else
			return gang_cli_usage("trace", "unknown option or missing value: '%s'", argv[optind - 1]);
	}
	if (optind != argc - 1 || !*argv[optind])
		return gang_cli_usage("trace", optind >= argc ? "name one board: a serial number or a chip UID"
							       : "name exactly one board (serial or UID)");
	*key = argv[optind];
	return gang_cli_check_name("trace", "SERIAL|UID", *key);
}

static int ct_print(gang_db *db, char **uids, size_t n, int json, gang_diag *d)
{
	gang_trace_board *b = NULL;
	int err = GANG_OK;

	if (json)
		fputc('[', stdout);
	for (size_t i = 0; i < n && err == GANG_OK; i++) {
		if ((err = gang_db_trace_board(&b, db, uids[i], d)) < 0)
			break;
		if (json && i)
			fputc(',', stdout);
		else if (!json && i)
			fputs("\n", stdout);
		err = json ? gang_report_trace_json(stdout, b) : gang_report_trace_text(stdout, b);
		if (err == GANG_EFILE)
			err = gang_diag_set(d, GANG_EOUTPUT, "writing to stdout failed");
		gang_db_trace_board_free(b);
	}
	if (json && err == GANG_OK)
		fputs("]\n", stdout);
	if (err == GANG_OK && fflush(stdout) != 0)
		err = gang_diag_set(d, GANG_EOUTPUT, "writing to stdout failed");
	return err;
}

int gang_cmd_trace(int argc, char **argv)
{
	const char *key = NULL, *flag = NULL, *path;
	gang_config cfg;
	gang_db *db = NULL;
	char **uids = NULL;
	size_t n = 0;
	gang_diag d = { 0 };
	char shown[GANG_TEXT_TERM_LEN];
	int json = 0, rc, err;

	if ((rc = ct_parse(&key, &json, &flag, argc, argv)) != GANG_EXIT_OK)
		return rc;
	if ((err = gang_cli_db(&path, &cfg, flag, false, &d)) < 0 ||
	    (err = gang_db_open(&db, path, GANG_DB_READONLY, &d)) < 0 ||
	    (err = gang_db_trace_find(&uids, &n, db, key, &d)) < 0)
		goto out;
	if (n == 0) { /* key passed gang_cli_check_name; the path is the user's, shown escaped */
		fprintf(stderr, "gang trace: no board with serial or UID '%s' in DB (%s)\n", key,
			gang_text_term(shown, sizeof(shown), gang_db_path(db)));
		rc = GANG_EXIT_FAILED;
		goto out;
	}
	err = ct_print(db, uids, n, json, &d);
out:
	gang_db_trace_uids_free(uids, n);
	gang_db_close(db);
	return err < 0 ? gang_cli_fail("trace", err, &d) : rc;
}
