/*
 * cmd_db.c — `gang db upgrade|void-lease`: the engineer's database
 * maintenance.
 *
 * upgrade opens the database read-write once, which applies the schema
 * migrations of whichever backend it is (SQLite: db/migrations/sqlite/,
 * PostgreSQL: db/migrations/pg/, each in one transaction), and touches
 * nothing else. `gang report --upgrade` stays as an alias (it upgrades,
 * then reports). A missing SQLite file is not created: there is nothing
 * to upgrade.
 *
 * void-lease voids the serial leases of a station that never comes back
 * (or one lease by its id) on the central database, with a reason; the
 * unused values stay in the leases table, void, for audit.
 *
 * pending reads a station's journal (db/journal.h) without the database:
 * how many records wait for delivery (exit 1 when any do, for scripts).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"
#include "db/journal.h"

typedef struct db_args {
	const char *verb;   /* "upgrade" | "void-lease" | "pending" */
	const char *journal; /* pending */
	const char *which;  /* void-lease: a station or a lease id */
	const char *reason; /* void-lease */
	const char *db;
} db_args;

const struct option gang_cmd_db_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "reason", required_argument, NULL, 'r' },
	{ "journal", required_argument, NULL, 'J' },
	{ 0, 0, 0, 0 },
};

static int db_options(db_args *a, int argc, char **argv)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", gang_cmd_db_opts, NULL)) != -1) {
		if (c == 'd')
			a->db = optarg;
		else if (c == 'r')
			a->reason = optarg;
		else if (c == 'J')
			a->journal = optarg;
		else
			return gang_cli_bad_option("db", argv);
	}
	return GANG_EXIT_OK;
}

static int db_parse(db_args *a, int argc, char **argv)
{
	int rc, want;

	if (argc < 2 || argv[1][0] == '-')
		return argc >= 2 && strcmp(argv[1], "--") != 0 ? gang_cli_usage("db", "unknown option '%s'", argv[1])
							     : gang_cli_usage("db", "a verb is needed: upgrade, void-lease or pending");
	a->verb = argv[1];
	if (strcmp(a->verb, "upgrade") != 0 && strcmp(a->verb, "void-lease") != 0 && strcmp(a->verb, "pending") != 0)
		return gang_cli_usage("db", "unknown verb '%s': use upgrade, void-lease or pending", a->verb);
	if ((rc = db_options(a, argc - 1, argv + 1)) != GANG_EXIT_OK)
		return rc;
	if ((strcmp(a->verb, "pending") == 0) != (a->journal != NULL))
		return gang_cli_usage("db", a->journal ? "--journal belongs to db pending" : "db pending needs --journal FILE");
	want = strcmp(a->verb, "void-lease") == 0;
	if (argc - 1 - optind > want)
		return gang_cli_usage("db", "unexpected argument '%s'", argv[1 + optind + want]);
	if (want && argc - 1 - optind < 1)
		return gang_cli_usage("db", "db void-lease needs a STATION or a LEASE-ID");
	a->which = want ? argv[1 + optind] : NULL;
	if (want && (!a->reason || !*a->reason))
		return gang_cli_usage("db", "db void-lease needs --reason TEXT (kept with the lease for audit)");
	if (!want && a->reason)
		return gang_cli_usage("db", "--reason belongs to db void-lease");
	return a->reason ? gang_cli_check_name("db", "--reason", a->reason) : GANG_EXIT_OK;
}

static int db_print_lease(void *user, const gang_db_lease *l, gang_diag *d)
{
	(void)user;
	printf("lease %" PRId64 " of station %s, pool '%s', %" PRId64 "..%" PRId64 ": %" PRId64
	       " used, %" PRId64 " never to be used (void)\n",
	       l->id, l->station, l->pool, l->first, l->last, l->used, l->last - l->first + 1 - l->used);
	return ferror(stdout) ? gang_diag_set(d, GANG_EFILE, "writing to stdout failed") : GANG_OK;
}

static int db_run(gang_db *db, const db_args *a, gang_diag *d)
{
	int n = 0, err;

	if (strcmp(a->verb, "upgrade") == 0) {
		printf("database %s: schema up to date for gang %s\n", gang_db_path(db), GANG_VERSION);
		return GANG_OK;
	}
	if ((err = gang_db_lease_void(&n, db, a->which, a->reason, db_print_lease, NULL, d)) < 0)
		return err;
	fprintf(stderr, "gang db: %d lease(s) void: %s\n", n, a->reason);
	return GANG_OK;
}

/* A station's journal: what waits for delivery. GANG_EXIT_FAILED when anything does. */
static int db_pending(const db_args *a)
{
	gang_journal_summary s;
	gang_diag d = { 0 };
	int err;

	if ((err = gang_journal_peek(&s, a->journal, &d)) < 0)
		return gang_cli_fail("db", err, &d);
	printf("journal %s (station '%s', database %s): %lld record%s waiting for delivery, %lld delivered, %lld "
	       "refused\n", a->journal, s.station, s.database[0] ? s.database : "?", (long long)s.pending,
	       s.pending == 1 ? "" : "s", (long long)s.delivered, (long long)s.refused);
	return s.pending > 0 ? GANG_EXIT_FAILED : GANG_EXIT_OK;
}

int gang_cmd_db(int argc, char **argv)
{
	db_args a = { 0 };
	gang_config cfg;
	const char *path = NULL;
	gang_db *db = NULL;
	gang_diag d = { 0 };
	int rc, err;

	if ((rc = db_parse(&a, argc, argv)) != GANG_EXIT_OK)
		return rc;
	if (a.journal)
		return db_pending(&a);
	if ((err = gang_cli_db(&path, &cfg, a.db, false, &d)) == GANG_OK &&
	    (err = gang_db_open(&db, path, 0, &d)) == GANG_OK)
		err = db_run(db, &a, &d);
	gang_db_close(db);
	if (err == GANG_EUSAGE) {
		fprintf(stderr, "gang db: %s\n", d.msg);
		return GANG_EXIT_USAGE;
	}
	return err < 0 ? gang_cli_fail("db", err, &d) : GANG_EXIT_OK;
}
