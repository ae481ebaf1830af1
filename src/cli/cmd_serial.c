/*
 * cmd_serial.c — `gang serial list|void`: the engineer's look at a serial
 * pool and the one change allowed on it, voiding a serial with a reason
 * (a misprinted label, a board scrapped after its pass). A void serial
 * keeps its row, board and times, is never handed out again, and its
 * board gets a new serial on its next run. No SQL by hand.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"
#include "serial/serial_alloc.h"

typedef struct serial_args {
	const char *verb;   /* "list" | "void" */
	const char *pool;
	const char *value;  /* void: number or rendered text */
	const char *state;  /* list: database state name, or NULL */
	const char *reason;
	const char *db;
} serial_args;

/* --state as the operator says it ("voided") to the database's word ("void"). */
static const char *serial_state(const char *s)
{
	if (strcmp(s, "reserved") == 0 || strcmp(s, "burned") == 0)
		return s;
	if (strcmp(s, "voided") == 0 || strcmp(s, "void") == 0)
		return "void";
	return NULL;
}

const struct option gang_cmd_serial_opts[] = {
	{ "state", required_argument, NULL, 's' }, { "reason", required_argument, NULL, 'r' },
	{ "db", required_argument, NULL, 'd' }, { 0, 0, 0, 0 },
};

static int serial_options(serial_args *a, int argc, char **argv)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", gang_cmd_serial_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!(a->state = serial_state(optarg)))
				return gang_cli_usage("serial", "--state '%s': use reserved, burned or voided", optarg);
			break;
		case 'r': a->reason = optarg; break;
		case 'd': a->db = optarg; break;
		default: return gang_cli_bad_option("serial", argv);
		}
	}
	return GANG_EXIT_OK;
}

static int serial_parse(serial_args *a, int argc, char **argv)
{
	int rc, want;

	if (argc < 2 || argv[1][0] == '-')
		return argc >= 2 && strcmp(argv[1], "--") != 0 ? gang_cli_usage("serial", "unknown option '%s'", argv[1])
							     : gang_cli_usage("serial", "a verb is needed: list or void");
	a->verb = argv[1];
	if (strcmp(a->verb, "list") != 0 && strcmp(a->verb, "void") != 0)
		return gang_cli_usage("serial", "unknown verb '%s': use list or void", a->verb);
	if ((rc = serial_options(a, argc - 1, argv + 1)) != GANG_EXIT_OK)
		return rc;
	want = strcmp(a->verb, "void") == 0 ? 2 : 1;
	if (argc - 1 - optind != want)
		return gang_cli_usage("serial", want == 2 ? "serial void needs POOL and VALUE" : "serial list needs one POOL");
	a->pool = argv[1 + optind];
	a->value = want == 2 ? argv[2 + optind] : NULL;
	if (want == 2 && (!a->reason || !*a->reason))
		return gang_cli_usage("serial", "serial void needs --reason TEXT (kept with the serial for audit)");
	if (want == 1 && a->reason)
		return gang_cli_usage("serial", "--reason belongs to serial void");
	if (want == 2 && a->state)
		return gang_cli_usage("serial", "--state belongs to serial list");
	return GANG_EXIT_OK;
}

static int serial_print_row(void *user, const gang_serial_row *r, gang_diag *d)
{
	unsigned *n = user;

	(*n)++;
	printf("%-12llu %-8s %-24s %-20s %-24s %-24s %s\n", (unsigned long long)r->value, r->state, r->uid,
	       *r->text ? r->text : "-", *r->burned_at ? r->burned_at : "-", *r->voided_at ? r->voided_at : "-",
	       *r->reason ? r->reason : "");
	return ferror(stdout) ? gang_diag_set(d, GANG_EFILE, "writing to stdout failed") : GANG_OK;
}

static int serial_list(gang_db *db, const serial_args *a, gang_diag *d)
{
	unsigned n = 0;
	int err;

	printf("%-12s %-8s %-24s %-20s %-24s %-24s %s\n", "VALUE", "STATE", "UID", "TEXT", "BURNED", "VOIDED",
	       "REASON");
	if ((err = gang_serial_list(db, a->pool, a->state, serial_print_row, &n, d)) < 0)
		return err;
	if (fflush(stdout) != 0)
		return gang_diag_set(d, GANG_EFILE, "writing to stdout failed");
	fprintf(stderr, "gang serial: %u serial(s) of pool '%s'%s%s\n", n, a->pool, a->state ? " in state " : "",
		a->state ? a->state : "");
	return GANG_OK;
}

/* VALUE: a plain decimal number is the value; anything else the text rendered into boards. */
static int serial_value(uint64_t *out, gang_db *db, const serial_args *a, gang_diag *d)
{
	const char *p = a->value;
	char *end;

	while (*p && isdigit((unsigned char)*p))
		p++;
	if (*a->value && !*p) {
		errno = 0;
		*out = strtoull(a->value, &end, 10);
		if (errno == 0)
			return GANG_OK;
	}
	return gang_serial_find_text(out, db, a->pool, a->value, d);
}

static int serial_void(gang_db *db, const serial_args *a, gang_diag *d)
{
	uint64_t value;
	int err;

	if ((err = serial_value(&value, db, a, d)) < 0 ||
	    (err = gang_serial_void(db, a->pool, value, a->reason, d)) < 0)
		return err;
	printf("serial %llu of pool '%s' is void: %s\n", (unsigned long long)value, a->pool, a->reason);
	return GANG_OK;
}

int gang_cmd_serial(int argc, char **argv)
{
	serial_args a = { 0 };
	gang_config cfg;
	const char *path = NULL;
	gang_db *db = NULL;
	gang_diag d = { 0 };
	int rc, err;

	if ((rc = serial_parse(&a, argc, argv)) != GANG_EXIT_OK)
		return rc;
	/* the database every command finds: --db, else gang.conf's, else the XDG default */
	if ((err = gang_cli_db(&path, &cfg, a.db, false, &d)) == GANG_OK &&
	    (err = gang_db_open(&db, path, strcmp(a.verb, "list") == 0 ? GANG_DB_READONLY : 0, &d)) == GANG_OK &&
	    (err = gang_serial_pool_known(db, a.pool, &d)) == GANG_OK)
		err = strcmp(a.verb, "list") == 0 ? serial_list(db, &a, &d) : serial_void(db, &a, &d);
	gang_db_close(db);
	if (err == GANG_EUSAGE) {
		fprintf(stderr, "gang serial: %s\n", d.msg);
		return GANG_EXIT_USAGE;
	}
	return err < 0 ? gang_cli_fail("serial", err, &d) : GANG_EXIT_OK;
}
