/*
 * cmd_check.c — `gang check PROFILE`: everything `gang run` checks before
 * touching a board (profile keys, image, fit to the part's flash, serial
 * slot), then the plan. No probe is needed.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "db/db.h"
#include "image/image.h"
#include "profile/profile.h"
#include "serial/data_pool.h"
#include "serial/serial_alloc.h"
#include "target/part.h"

/*
 * One line about the pool from the database, or why there is none. A pool
 * that exists with another range or format is the error `gang run` would
 * give (gang_serial_pool_check), so check and run agree.
 */
static int check_pool_line(char *out, size_t cap, const gang_profile *p, const char *db_path, gang_diag *err_d)
{
	gang_serial_pool_counts c;
	gang_db *db = NULL;
	gang_diag d = { 0 };
	int err;

	if (!p->serial.present) {
		snprintf(out, cap, "no serial numbers in this profile");
		return GANG_OK;
	}
	if (gang_db_is_file(db_path) && access(db_path, F_OK) != 0) {
		snprintf(out, cap, "pool '%s': database %s does not exist yet (created by the first run)",
			 p->serial.pool, db_path);
		return GANG_OK;
	}
	if (gang_db_open(&db, db_path, GANG_DB_READONLY, &d) < 0) {
		snprintf(out, cap, "pool '%s': %.400s", p->serial.pool, d.msg);
		return GANG_OK;
	}
	err = gang_serial_pool_check(db, p->serial.pool, p->serial.start, p->serial.end,
				     gang_serial_kind_name(p->serial.fmt.kind), err_d);
	if (err == GANG_EPROFILE) {
		gang_db_close(db);
		return err;
	}
	if (gang_serial_pool_status(&c, db, p->serial.pool, &d) < 0)
		snprintf(out, cap, "pool '%s': not created yet in %s", p->serial.pool, db_path);
	else
		snprintf(out, cap, "pool '%s' %" PRIu64 "..%" PRIu64 ": next %" PRIu64 ", %" PRIu64 " burned, %" PRIu64
			 " reserved, %" PRIu64 " void, %" PRIu64 " remaining", p->serial.pool, c.start, c.end, c.next,
			 c.burned, c.reserved, c.voided, c.remaining);
	gang_db_close(db);
	return GANG_OK;
}

const struct option gang_cmd_check_opts[] = { { "db", required_argument, NULL, 'd' }, { 0, 0, 0, 0 } };

/* One data item's pool as `gang run` would find it: GANG_EPROFILE as run gives it (db NULL: none yet). */
static int check_data_item(gang_db *db, const gang_profile_data *it, gang_diag *d)
{
	if (it->kind == GANG_PDATA_LIST)
		return gang_data_list_check(db, it->pool, it->secret, d);
	return db ? gang_data_mac_check(db, it->pool, it->first, it->last, d) : GANG_OK;
}

static void check_data_line(FILE *out, gang_db *db, const gang_profile_data *it)
{
	gang_data_pool dp;
	gang_diag d = { 0 };
	int found = 0;

	if (db && gang_data_pool_get(&dp, &found, db, it->pool, &d) < 0)
		fprintf(out, "  pool '%s': %.400s\n", it->pool, d.msg);
	else if (!found)
		fprintf(out, "  mac pool '%s': created by the first run\n", it->pool);
	else
		fprintf(out, "  %s pool '%s'%s: %" PRIu64 " of %" PRIu64 " handed out, %" PRIu64 " left\n",
			gang_data_kind_name(dp.kind), it->pool, dp.secret ? " (secret)" : "", dp.next, dp.size,
			dp.size - dp.next);
}

/*
 * The data items' pools after the plan (out NULL: only check them, first,
 * so a refusal, the same as `gang run`'s, leaves stdout clean).
 */
static int check_data(FILE *out, const gang_profile *p, const char *db_path, gang_diag *d)
{
	gang_db *db = NULL;
	int err = GANG_OK;

	if (!p->n_data)
		return GANG_OK;
	if ((!gang_db_is_file(db_path) || access(db_path, F_OK) == 0) &&
	    (err = gang_db_open(&db, db_path, GANG_DB_READONLY, d)) < 0)
		return err;
	for (size_t i = 0; i < p->n_data && err == GANG_OK; i++)
		err = check_data_item(db, &p->data[i], d);
	if (err == GANG_OK && out) { /* out NULL: only the refusals */
		fprintf(out, "\ndata pools\n");
		for (size_t i = 0; i < p->n_data; i++)
			check_data_line(out, db, &p->data[i]);
	}
	gang_db_close(db);
	return err;
}

int gang_cmd_check(int argc, char **argv)
{
	const char *db_flag = NULL, *db_path;
	gang_config cfg;
	gang_profile *p = NULL;
	gang_image *img = NULL;
	const gang_part *part;
	gang_diag d = { 0 };
	char pool[1024];
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", gang_cmd_check_opts, NULL)) != -1) {
		if (c != 'd')
			return gang_cli_bad_option("check", argv);
		db_flag = optarg;
	}
	if (optind != argc - 1)
		return gang_cli_usage("check", "one PROFILE is needed");
	/* the same function as `gang run`: check and run never disagree */
	if ((err = gang_cli_db(&db_path, &cfg, db_flag, false, &d)) < 0 ||
	    (err = gang_profile_prepare(&p, &img, &part, argv[optind], &d)) < 0)
		goto out;
	if ((err = check_pool_line(pool, sizeof(pool), p, db_path, &d)) < 0)
		goto out;
	/* the plan names the profile, its SHA-256 and the part itself: no header line repeating them */
	if ((err = check_data(NULL, p, db_path, &d)) < 0)
		goto out;
	if ((err = gang_profile_plan(stdout, p, img, &part->geom, pool)) == GANG_OK)
		err = check_data(stdout, p, db_path, &d);
out:
	gang_image_free(img);
	gang_profile_free(p);
	return err < 0 ? gang_cli_fail("check", err, &d) : GANG_EXIT_OK;
}
