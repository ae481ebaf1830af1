/*
 * cmd_pool.c — `gang pool import|list|void`: the engineer's tools for data
 * pools (serial/data_pool.h). import reads a supplier's file into a list
 * pool, all or nothing; list shows what was handed out (a secret list
 * shows each value's index and SHA-256, never the value); void takes a
 * value out of use with a reason. No SQL by hand.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"
#include "serial/data_pool.h"

typedef struct pool_args {
	const char *verb;   /* "import" | "list" | "void" */
	const char *pool;
	const char *arg;    /* import: FILE; void: INDEX */
	const char *state;  /* list: database state name, or NULL */
	const char *reason;
	const char *db;
	bool secret;
} pool_args;

const struct option gang_cmd_pool_opts[] = {
	{ "secret", no_argument, NULL, 'S' }, { "state", required_argument, NULL, 's' },
	{ "reason", required_argument, NULL, 'r' }, { "db", required_argument, NULL, 'd' }, { 0, 0, 0, 0 },
};

static const char *pool_state(const char *s)
{
	if (strcmp(s, "reserved") == 0 || strcmp(s, "burned") == 0)
		return s;
	return strcmp(s, "voided") == 0 || strcmp(s, "void") == 0 ? "void" : NULL;
}

static int pool_options(pool_args *a, int argc, char **argv)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", gang_cmd_pool_opts, NULL)) != -1) {
		switch (c) {
		case 'S': a->secret = true; break;
		case 's':
			if (!(a->state = pool_state(optarg)))
				return gang_cli_usage("pool", "--state '%s': use reserved, burned or voided", optarg);
			break;
		case 'r': a->reason = optarg; break;
		case 'd': a->db = optarg; break;
		default: return gang_cli_bad_option("pool", argv);
		}
	}
	return GANG_EXIT_OK;
}

/* Which options each verb takes: anything else is a usage error naming it. */
static int pool_check_verb(const pool_args *a)
{
	bool import = strcmp(a->verb, "import") == 0, list = strcmp(a->verb, "list") == 0;

	if (a->secret && !import)
		return gang_cli_usage("pool", "--secret belongs to pool import");
	if (a->state && !list)
		return gang_cli_usage("pool", "--state belongs to pool list");
	if (a->reason && (import || list))
		return gang_cli_usage("pool", "--reason belongs to pool void");
	if (!import && !list && (!a->reason || !*a->reason))
		return gang_cli_usage("pool", "pool void needs --reason TEXT (kept with the value for audit)");
	return GANG_EXIT_OK;
}

static int pool_parse(pool_args *a, int argc, char **argv)
{
	int rc, want;

	if (argc < 2 || argv[1][0] == '-')
		return argc >= 2 && strcmp(argv[1], "--") != 0 ? gang_cli_usage("pool", "unknown option '%s'", argv[1])
							     : gang_cli_usage("pool", "a verb is needed: import, list or void");
	a->verb = argv[1];
	if (strcmp(a->verb, "import") != 0 && strcmp(a->verb, "list") != 0 && strcmp(a->verb, "void") != 0)
		return gang_cli_usage("pool", "unknown verb '%s': use import, list or void", a->verb);
	if ((rc = pool_options(a, argc - 1, argv + 1)) != GANG_EXIT_OK)
		return rc;
	want = strcmp(a->verb, "list") == 0 ? 1 : 2;
	if (argc - 1 - optind != want)
		return gang_cli_usage("pool", "pool %s needs %s", a->verb, want == 1 ? "one NAME" :
				      strcmp(a->verb, "import") == 0 ? "NAME and FILE" : "NAME and INDEX");
	a->pool = argv[1 + optind];
	a->arg = want == 2 ? argv[2 + optind] : NULL;
	return pool_check_verb(a);
}

static int pool_print_row(void *user, const gang_data_row *r, gang_diag *d)
{
	const gang_data_pool *p = user;
	char value[40];

	if (p->kind == GANG_DATA_MAC)
		gang_mac_text(value, sizeof(value), p->first + r->index);
	else
		snprintf(value, sizeof(value), "%s%.24s%s", *r->hex ? "0x" : "", *r->hex ? r->hex : "(secret)",
			 strlen(r->hex) > 24 ? "..." : "");
	printf("%-8llu %-8s %-24s %-32s %-16.16s %-24s %-24s %s\n", (unsigned long long)r->index, r->state, r->uid,
	       value, *r->sha256 ? r->sha256 : "-", *r->burned_at ? r->burned_at : "-",
	       *r->voided_at ? r->voided_at : "-", r->reason);
	return ferror(stdout) ? gang_diag_set(d, GANG_EFILE, "writing to stdout failed") : GANG_OK;
}

static int pool_list(gang_db *db, const pool_args *a, gang_diag *d)
{
	gang_data_pool p;
	int found, err;

	if ((err = gang_data_pool_get(&p, &found, db, a->pool, d)) < 0)
		return err;
	if (!found)
		return gang_diag_set(d, GANG_EUSAGE, "no data pool '%s' in this database", a->pool);
	printf("%-8s %-8s %-24s %-32s %-16s %-24s %-24s %s\n", "INDEX", "STATE", "UID", "VALUE", "SHA256", "BURNED",
	       "VOIDED", "REASON");
	if ((err = gang_data_list(db, a->pool, a->state, pool_print_row, &p, d)) < 0)
		return err;
	if (fflush(stdout) != 0)
		return gang_diag_set(d, GANG_EFILE, "writing to stdout failed");
	fprintf(stderr, "gang pool: %s pool '%s'%s: %llu of %llu value(s) handed out, %llu left\n",
		gang_data_kind_name(p.kind), a->pool, p.secret ? " (secret)" : "", (unsigned long long)p.next,
		(unsigned long long)p.size, (unsigned long long)(p.size - p.next));
	return GANG_OK;
}

static int pool_import(gang_db *db, const pool_args *a, gang_diag *d)
{
	size_t n = 0;
	int err;

	if ((err = gang_data_import(&n, db, a->pool, a->arg, a->secret, d)) < 0)
		return err;
	printf("imported %zu value(s) into %slist pool '%s'\n", n, a->secret ? "secret " : "", a->pool);
	return GANG_OK;
}

static int pool_void(gang_db *db, const pool_args *a, gang_diag *d)
{
	unsigned long long index;
	char *end;
	int err;

	errno = 0;
	index = strtoull(a->arg, &end, 10);
	if (!*a->arg || *end || errno || a->arg[0] == '-')
		return gang_diag_set(d, GANG_EUSAGE, "INDEX '%s' is not a number (the INDEX column of pool list)",
				     a->arg);
	if ((err = gang_data_void(db, a->pool, index, a->reason, d)) < 0)
		return err;
	printf("index %llu of data pool '%s' is void: %s\n", index, a->pool, a->reason);
	return GANG_OK;
}

int gang_cmd_pool(int argc, char **argv)
{
	pool_args a = { 0 };
	gang_config cfg;
	const char *path = NULL;
	gang_db *db = NULL;
	gang_diag d = { 0 };
	bool list;
	int rc, err;

	if ((rc = pool_parse(&a, argc, argv)) != GANG_EXIT_OK)
		return rc;
	list = strcmp(a.verb, "list") == 0;
	/* import creates the database when needed: values come before the first run */
	if ((err = gang_cli_db(&path, &cfg, a.db, !list, &d)) == GANG_OK &&
	    (err = gang_db_open(&db, path, list ? GANG_DB_READONLY : GANG_DB_CREATE, &d)) == GANG_OK)
		err = list ? pool_list(db, &a, &d) : strcmp(a.verb, "import") == 0 ? pool_import(db, &a, &d)
										  : pool_void(db, &a, &d);
	gang_db_close(db);
	if (err == GANG_EUSAGE) {
		fprintf(stderr, "gang pool: %s\n", d.msg);
		return GANG_EXIT_USAGE;
	}
	return err < 0 ? gang_cli_fail("pool", err, &d) : GANG_EXIT_OK;
}
