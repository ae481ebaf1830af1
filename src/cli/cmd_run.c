/*
 * cmd_run.c — `gang run PROFILE ...`: load and validate the profile and
 * image, open the database (recovering attempts a crash left open), apply
 * the slot map, pick the operator display, block SIGINT/SIGTERM (the
 * scheduler waits for them), and run the batch.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "console/console.h"
#include "db/db.h"
#include "image/image.h"
#include "profile/profile.h"
#include "sched/sched.h"
#include "serial/serial_alloc.h"
#include "target/part.h"

#define RUN_MAX_PROBES 64
#define RUN_MAX_DB_WAIT_S 3600U   /* --db-wait: an hour; longer is a stopped line, not a busy database */

typedef struct run_args {
	const char *profile;
	const char *probes[RUN_MAX_PROBES];
	size_t n_probes;
	const char *slots;
	long boards;
	const char *batch;
	const char *operator_name;
	const char *station;
	const char *db;
	const char *log_file;
	int log_level;
	uint32_t db_wait_s;
	bool sync, json, plain;
	char batch_buf[40];
} run_args;

static int run_parse(run_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "probe", required_argument, NULL, 'p' }, { "slots", required_argument, NULL, 's' },
		{ "boards", required_argument, NULL, 'n' }, { "batch", required_argument, NULL, 'b' },
		{ "operator", required_argument, NULL, 'o' }, { "station", required_argument, NULL, 't' },
		{ "db", required_argument, NULL, 'd' }, { "sync", no_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' }, { "plain", no_argument, NULL, 'P' },
		{ "log", required_argument, NULL, 'l' }, { "log-level", required_argument, NULL, 'L' },
		{ "db-wait", required_argument, NULL, 'w' }, { 0, 0, 0, 0 },
	};
	uint32_t n;
	int c;

	a->log_level = GANG_LOG_WARN;
	a->db_wait_s = GANG_DB_WAIT_DEFAULT_MS / 1000U;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (a->n_probes >= RUN_MAX_PROBES)
				return gang_cli_usage("run", "too many --probe options (at most %d)", RUN_MAX_PROBES);
			a->probes[a->n_probes++] = optarg;
			break;
		case 's': a->slots = optarg; break;
		case 'n':
			if (!gang_cli_parse_u32(&n, optarg) || n == 0)
				return gang_cli_usage("run", "--boards needs a positive number, not '%s'", optarg);
			a->boards = (long)n;
			break;
		case 'b': a->batch = optarg; break;
		case 'o': a->operator_name = optarg; break;
		case 't': a->station = optarg; break;
		case 'd': a->db = optarg; break;
		case 'w':
			if (!gang_cli_parse_u32(&n, optarg) || n > RUN_MAX_DB_WAIT_S)
				return gang_cli_usage("run", "--db-wait needs seconds from 0 to %u, not '%s'",
						      RUN_MAX_DB_WAIT_S, optarg);
			a->db_wait_s = n;
			break;
		case 'S': a->sync = true; break;
		case 'j': a->json = true; break;
		case 'P': a->plain = true; break;
		case 'l': a->log_file = optarg; break;
		case 'L':
			if ((a->log_level = gang_log_level_parse(optarg)) < 0)
				return gang_cli_usage("run", "unknown log level '%s'", optarg);
			break;
		default: return gang_cli_bad_option("run", argv);
		}
	}
	if (optind != argc - 1)
		return gang_cli_usage("run", optind >= argc ? "a PROFILE is needed" : "one PROFILE only");
	a->profile = argv[optind];
	return GANG_EXIT_OK;
}

static void run_default_batch(run_args *a)
{
	time_t now = time(NULL);
	struct tm tm;

	if (a->batch)
		return;
	gmtime_r(&now, &tm);
	strftime(a->batch_buf, sizeof(a->batch_buf), "%Y%m%d-%H%M%S", &tm);
	a->batch = a->batch_buf;
}

/* Profile, image and their fit to the part: everything checked before any board. */
static int run_load(gang_profile **p_out, gang_image **img_out, const char *path, gang_diag *d)
{
	const gang_part *part;
	int err;

	if ((err = gang_profile_load(p_out, path, d)) < 0)
		return err;
	if ((err = gang_profile_load_image(img_out, *p_out, d)) < 0)
		return err;
	part = gang_part_find((*p_out)->target);
	if (!part)
		return gang_diag_set(d, GANG_EPROFILE, "%s: target: unknown part '%s'", path, (*p_out)->target);
	return gang_profile_validate(*p_out, GANG_FLASH_BASE, part->flash_kib * 1024U, part->page_size, *img_out, d);
}

static int run_db(gang_db **out, const run_args *a, const gang_profile *p, gang_diag *d)
{
	char fmt[64];
	int closed = 0, err;

	if ((err = gang_db_open(out, a->db, GANG_DB_CREATE, d)) < 0)
		return err;
	/* opening refused a locked database quickly; from now on a busy one is waited for */
	gang_db_set_wait(*out, a->db_wait_s * 1000U);
	if ((err = gang_db_recover(*out, &closed, d)) < 0)
		return err;
	if (closed > 0)
		fprintf(stderr, "gang run: %d attempt(s) left open by an earlier run were closed as aborted\n", closed);
	if (a->slots && (err = gang_db_slot_map_load(*out, a->slots, d)) < 0)
		return err;
	if (!p->serial.present)
		return GANG_OK;
	snprintf(fmt, sizeof(fmt), "%s", gang_serial_kind_name(p->serial.fmt.kind));
	return gang_serial_pool_ensure(*out, p->serial.pool, p->serial.start, p->serial.end, fmt, d);
}

static gang_sink *run_sink(bool *console_out, const run_args *a, gang_diag *d)
{
	*console_out = false;
	if (a->json)
		return gang_sink_json_new(stdout);
	if (!a->plain && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO)) {
		*console_out = true;
		return gang_sink_console_new(stdout, stdin, d);
	}
	return gang_sink_plain_new(stdout);
}

/* The console's screen is gone when it closes: leave the batch's totals on the terminal. */
static void run_print_totals(const run_args *a, const gang_run_totals *t)
{
	printf("batch %s: %u boards, %u passed, %u failed, first-pass yield %.1f%%, %.0f boards/h%s\n", a->batch,
	       t->boards, t->passed, t->failed, t->boards ? 100.0 * t->first_pass / t->boards : 0.0,
	       t->seconds > 0 ? t->boards * 3600.0 / t->seconds : 0.0,
	       t->aborted ? " (some attempts aborted: see gang report)" : "");
}

static int run_exit(int err, const gang_run_totals *t)
{
	if (err < 0)
		return gang_err_exit_code(err);
	return t->failed ? GANG_EXIT_FAILED : GANG_EXIT_OK;
}

int gang_cmd_run(int argc, char **argv)
{
	run_args a = { 0 };
	gang_profile *p = NULL;
	gang_image *img = NULL;
	gang_db *db = NULL;
	gang_sink *sink = NULL;
	FILE *log_fp = stderr;
	gang_diag d = { 0 };
	gang_run_totals totals = { 0 };
	sigset_t set;
	bool console = false;
	int rc, err;

	if ((rc = run_parse(&a, argc, argv)) != GANG_EXIT_OK)
		return rc;
	run_default_batch(&a);
	if ((err = run_load(&p, &img, a.profile, &d)) < 0 || (err = run_db(&db, &a, p, &d)) < 0)
		goto out;
	if (a.log_file && !(log_fp = fopen(a.log_file, "a"))) {
		err = gang_diag_set(&d, GANG_EFILE, "%s: cannot open the log file", a.log_file);
		goto out;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (!(sink = run_sink(&console, &a, &d))) {
		err = d.code ? d.code : GANG_ENOMEM;
		goto out;
	}
	{
		gang_run_cfg cfg = {
			.profile = p, .image = img, .profile_path = a.profile, .db = db,
			.probes = a.probes, .n_probes = a.n_probes, .boards_max = a.boards, .batch = a.batch,
			.operator_name = a.operator_name, .station = a.station ? a.station : p->station,
			.sync = a.sync, .sink = sink, .log_fp = log_fp, .log_level = (gang_log_level)a.log_level,
		};
		gang_event ev = { .kind = GANG_EV_RUN_START, .ts = gang_now_unix(), .profile = p->name,
				  .batch = a.batch };

		gang_sink_emit(sink, &ev);
		err = gang_sched_run(&totals, &cfg, &d);
	}
out:
	gang_sink_free(sink);
	if (console && err == GANG_OK)
		run_print_totals(&a, &totals);
	if (err < 0)
		gang_cli_fail("run", err, &d);
	if (log_fp && log_fp != stderr)
		fclose(log_fp);
	gang_db_close(db);
	gang_image_free(img);
	gang_profile_free(p);
	return run_exit(err, &totals);
}
