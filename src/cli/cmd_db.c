/*
 * cmd_db.c — `gang db upgrade`: the engineer's database maintenance. upgrade
 * opens the database read-write once, which applies the schema migrations
 * of whichever backend it is (SQLite: db/migrations/sqlite/, PostgreSQL:
 * db/migrations/pg/, each in one transaction), and touches nothing else.
 * `gang report --upgrade` stays as an alias (it upgrades, then reports).
 * A missing SQLite file is not created: there is nothing to upgrade.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"

typedef struct db_args {
	const char *verb; /* "upgrade" */
	const char *db;
} db_args;

const struct option gang_cmd_db_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ 0, 0, 0, 0 },
};

static int db_parse(db_args *a, int argc, char **argv)
{
	int c;

	if (argc < 2 || argv[1][0] == '-')
		return argc >= 2 && strcmp(argv[1], "--") != 0 ? gang_cli_usage("db", "unknown option '%s'", argv[1])
							     : gang_cli_usage("db", "a verb is needed: upgrade");
	a->verb = argv[1];
	if (strcmp(a->verb, "upgrade") != 0)
		return gang_cli_usage("db", "unknown verb '%s': use upgrade", a->verb);
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", gang_cmd_db_opts, NULL)) != -1) {
		if (c != 'd')
			return gang_cli_bad_option("db", argv + 1);
		a->db = optarg;
	}
	if (optind < argc - 1)
		return gang_cli_usage("db", "unexpected argument '%s'", argv[1 + optind]);
	return GANG_EXIT_OK;
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
	if ((err = gang_cli_db(&path, &cfg, a.db, false, &d)) == GANG_OK &&
	    (err = gang_db_open(&db, path, 0, &d)) == GANG_OK)
		printf("database %s: schema up to date for gang %s\n", gang_db_path(db), GANG_VERSION);
	gang_db_close(db);
	return err < 0 ? gang_cli_fail("db", err, &d) : GANG_EXIT_OK;
}
