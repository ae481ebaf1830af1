/*
 * cmd_run.c — `gang run PROFILE ...`: load and validate the profile and
 * image, open the database (recovering attempts a crash left open), apply
 * the slot map, pick the operator display, block SIGINT/SIGTERM (the
 * scheduler waits for them), and run the batch. What the flags leave unsaid
 * (database, operator, station, slot file, log directory) comes from
 * gang.conf or the XDG defaults (core/config.h).
 */
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "console/console.h"
#include "console/console_model.h"
#include "core/file.h"
#include "core/text.h"
#include "db/db.h"
#include "db/db_lease.h"
#include "db/journal.h"
#include "image/image.h"
#include "profile/profile.h"
#include "sched/sched.h"
#include "serial/data_pool.h"
#include "serial/serial_alloc.h"
#include "serial/serial_lease.h"
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
	const char *journal;                  /* --journal: the station's journal (central database only) */
	char journal_path[GANG_CONFIG_PATH_MAX]; /* the journal in use ("" none) */
	char db_shown[1024];                  /* the database as the journal names it */
	int log_level;
	uint32_t db_wait_s;
	bool sync, json, plain, rework;
	int recovered;                        /* attempts an earlier run left open, closed as aborted */
	gang_serial_lease *lease;             /* serial.lease: the station's lease; NULL: none */
	char batch_buf[40];
	gang_config cfg;                      /* gang.conf: what the flags leave unsaid */
	char log_buf[GANG_CONFIG_PATH_MAX];
} run_args;

const struct option gang_cmd_run_opts[] = {
	{ "probe", required_argument, NULL, 'p' }, { "slots", required_argument, NULL, 's' },
	{ "boards", required_argument, NULL, 'n' }, { "batch", required_argument, NULL, 'b' },
	{ "operator", required_argument, NULL, 'o' }, { "station", required_argument, NULL, 't' },
	{ "db", required_argument, NULL, 'd' }, { "sync", no_argument, NULL, 'S' },
	{ "json", no_argument, NULL, 'j' }, { "plain", no_argument, NULL, 'P' },
	{ "log", required_argument, NULL, 'l' }, { "log-level", required_argument, NULL, 'L' },
	{ "rework", no_argument, NULL, 'R' }, { "db-wait", required_argument, NULL, 'w' },
	{ "journal", required_argument, NULL, 'J' }, { 0, 0, 0, 0 },
};

/* Names stored with every attempt and shown on every output: checked at the door. */
static int run_check_names(const run_args *a)
{
	int rc = GANG_EXIT_OK;

	if (a->batch)
		rc = gang_cli_check_name("run", "--batch", a->batch);
	if (rc == GANG_EXIT_OK && a->operator_name)
		rc = gang_cli_check_name("run", "--operator", a->operator_name);
	if (rc == GANG_EXIT_OK && a->station)
		rc = gang_cli_check_name("run", "--station", a->station);
	return rc;
}

static int run_parse(run_args *a, int argc, char **argv)
{
	uint32_t n;
	int c;

	a->log_level = GANG_LOG_WARN;
	a->db_wait_s = GANG_DB_WAIT_DEFAULT_MS / 1000U;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", gang_cmd_run_opts, NULL)) != -1) {
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
		case 'R': a->rework = true; break;
		case 'l': a->log_file = optarg; break;
		case 'J': a->journal = optarg; break;
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
	return run_check_names(a);
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

/*
 * Fill what the command line left unsaid from gang.conf: database (its
 * default directory made here, since run creates the database), operator,
 * slot file, and the log file when gang.conf names a log_dir (without one
 * the engineer log stays on stderr).
 */
static int run_config(run_args *a, gang_diag *d)
{
	int err;

	if ((err = gang_cli_db(&a->db, &a->cfg, a->db, true, d)) < 0)
		return err;
	if (!a->operator_name && a->cfg.operator_name[0])
		a->operator_name = a->cfg.operator_name;
	if (!a->slots && a->cfg.slots[0])
		a->slots = a->cfg.slots;
	if (!a->log_file && a->cfg.log_dir_is_set) {
		if ((err = gang_config_log_path(a->log_buf, sizeof(a->log_buf), &a->cfg, false, d)) < 0)
			return err;
		a->log_file = a->log_buf;
	}
	return GANG_OK;
}

/* --station, else the profile's station, else gang.conf's (by default the host name). */
static const char *run_station(const run_args *a, const gang_profile *p)
{
	if (a->station)
		return a->station;
	if (p->station[0])
		return p->station;
	return a->cfg.station[0] ? a->cfg.station : NULL;
}

/* The operator console is used on a terminal unless --json or --plain. */
static bool run_wants_console(const run_args *a)
{
	return !a->json && !a->plain && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
}

/*
 * Everything that can be refused is refused before the database is created
 * or opened (a pool row, once written, fixes the pool's range for good):
 * the checks `gang check` makes (gang_profile_prepare), the slot file
 * (gang_db_slot_map_check) and the log file. Returns the log's FILE (or stderr) in *log_out.
 */
static int run_prepare(gang_profile **p_out, gang_image **img_out, FILE **log_out, run_args *a, gang_diag *d)
{
	const gang_part *part;
	int err;

	*log_out = stderr;
	if ((err = gang_profile_prepare(p_out, img_out, &part, a->profile, d)) < 0 ||
	    (a->slots && (err = gang_db_slot_map_check(a->slots, d)) < 0))
		return err;
	/* nothing may write over the console: its log goes to the default file (gang.conf, XDG) */
	if (!a->log_file && run_wants_console(a)) {
		if ((err = gang_config_log_path(a->log_buf, sizeof(a->log_buf), &a->cfg, true, d)) < 0)
			return err;
		a->log_file = a->log_buf;
	}
	if (a->log_file)
		return gang_file_open_log(log_out, a->log_file, d);
	return GANG_OK;
}

/*
 * Scanned labels in plain and JSON mode: one line of standard input per
 * board, taken in the order the slots' boards reach their scan step (one
 * slot, or --sync: slot order). A USB barcode scanner types the text and
 * Enter. The descriptor is polled so a stop (twice Ctrl-C) ends a wait.
 */
#define RUN_SCAN_POLL_MS 200
#define RUN_SCAN_BUF 512U

typedef struct run_scan_src {
	pthread_mutex_t mu;
	int fd;
	bool ended;
	char buf[RUN_SCAN_BUF];  /* bytes read, not yet a whole line */
	size_t n;
} run_scan_src;

/* A whole line from buf into out (cut at cap; "\r" dropped); false when buf holds none. */
static bool run_scan_take(run_scan_src *src, char *out, size_t cap)
{
	char *nl = memchr(src->buf, '\n', src->n);
	size_t len;

	/* no whole line yet: wait for more, unless the input ended after a last unterminated one or buf is full */
	if (!nl && (src->n == 0 || (src->n < sizeof(src->buf) && !src->ended)))
		return false;
	len = nl ? (size_t)(nl - src->buf) : src->n;
	snprintf(out, cap, "%.*s", (int)len, src->buf);
	out[strcspn(out, "\r")] = '\0';
	len += nl ? 1U : 0U;
	memmove(src->buf, src->buf + len, src->n - len);
	src->n -= len;
	return true;
}

/* Read more into buf; GANG_ECANCELLED at the end of input. */
static int run_scan_fill(run_scan_src *src, bool (*stop)(void *), void *stop_arg)
{
	struct pollfd pfd = { .fd = src->fd, .events = POLLIN };
	ssize_t got;

	while (poll(&pfd, 1, RUN_SCAN_POLL_MS) == 0)
		if (stop && stop(stop_arg))
			return GANG_ECANCELLED;
	got = read(src->fd, src->buf + src->n, sizeof(src->buf) - src->n);
	if (got <= 0) {
		src->ended = true;
		return src->n ? GANG_OK : GANG_ECANCELLED;
	}
	src->n += (size_t)got;
	return GANG_OK;
}

static int run_scan_line(void *user, char *out, size_t cap, const char *slot, bool (*stop)(void *),
			 void *stop_arg)
{
	run_scan_src *src = user;
	int err = GANG_OK;

	(void)slot;
	out[0] = '\0';
	pthread_mutex_lock(&src->mu);
	while (err == GANG_OK && !run_scan_take(src, out, cap))
		err = src->ended ? GANG_ECANCELLED : run_scan_fill(src, stop, stop_arg);
	pthread_mutex_unlock(&src->mu);
	return err;
}

/* The console reads scans itself: the prompt in the slot's area. */
static int run_scan_console(void *user, char *out, size_t cap, const char *slot, bool (*stop)(void *),
			    void *stop_arg)
{
	return gang_sink_scan(user, out, cap, slot, stop, stop_arg);
}

/* Each data item's pool: a mac pool is made (or checked) here; a list pool must have been imported. */
static int run_data_pools(gang_db *db, const gang_profile *p, gang_diag *d)
{
	int err = GANG_OK;

	for (size_t i = 0; i < p->n_data && err == GANG_OK; i++) {
		const gang_profile_data *it = &p->data[i];

		err = it->kind == GANG_PDATA_MAC ? gang_data_mac_ensure(db, it->pool, it->first, it->last, d)
						 : gang_data_list_check(db, it->pool, it->secret, d);
	}
	return err;
}

/*
 * serial.lease: a lease is taken from the central database's pool, so a
 * SQLite file (one station's own pool) has none; refused before the
 * database is touched.
 */
static int run_lease_check(const run_args *a, const gang_profile *p, gang_diag *d)
{
	if (!p->serial.present || !p->serial.lease || !gang_db_is_file(a->db))
		return GANG_OK;
	return gang_diag_set(d, GANG_EPROFILE,
			     "serial.lease needs the central PostgreSQL database (--db postgresql://... or db "
			     "in gang.conf); %s is a SQLite file, whose serials belong to this station alone",
			     a->db);
}

/* The station's lease of the profile's pool: its unused values, or a new lease (serial_lease.h). */
static int run_lease(run_args *a, gang_db *db, const gang_profile *p, gang_diag *d)
{
	const char *station = run_station(a, p);

	if (!p->serial.present || !p->serial.lease)
		return GANG_OK;
	if (!station)
		return gang_diag_set(d, GANG_EUSAGE, "serial.lease needs a station name (--station, the profile's "
						     "station or station in gang.conf)");
	return gang_serial_lease_open(&a->lease, db, station, p->serial.pool, p->serial.lease, d);
}

/*
 * The central database with serial.lease (the station programs on while
 * the server is away) or --journal: attempt records go to the station's
 * journal first (--journal, else the default under $XDG_STATE_HOME;
 * db/journal.h), and what an earlier run left undelivered is delivered
 * before this one starts. Without a lease no board is programmed unless
 * the server answers, so records are written to it directly.
 */
static int run_journal(run_args *a, gang_db *db, const gang_profile *p, gang_diag *d)
{
	char path[GANG_CONFIG_PATH_MAX];
	const char *station = run_station(a, p);
	int err;

	if (gang_db_is_file(a->db)) {
		if (a->journal)
			return gang_diag_set(d, GANG_EUSAGE, "--journal belongs with the central PostgreSQL database; "
							     "%s is a SQLite file, written directly", a->db);
		return GANG_OK;
	}
	if (!a->journal && !(p->serial.present && p->serial.lease))
		return GANG_OK;
	if (a->journal)
		snprintf(path, sizeof(path), "%s", a->journal);
	else if ((err = gang_journal_default_path(path, sizeof(path), station, gang_db_path(db), d)) < 0)
		return err;
	if ((err = gang_db_journal_open(db, path, station, d)) < 0)
		return err;
	snprintf(a->journal_path, sizeof(a->journal_path), "%s", path);
	snprintf(a->db_shown, sizeof(a->db_shown), "%s", gang_db_path(db));
	return GANG_OK;
}

/* Records the central database has not taken yet stay in the journal: say so as the run ends. */
static void run_note_pending(const run_args *a, const gang_profile *p)
{
	int64_t pending = 0, refused = 0;
	gang_journal *j = NULL;
	int err;

	if (!a->journal_path[0] || gang_journal_open(&j, a->journal_path, run_station(a, p), a->db_shown, NULL) < 0)
		return;
	err = gang_journal_counts(&pending, &refused, j, NULL);
	gang_journal_close(j);
	if (err < 0)
		return;
	if (pending > 0)
		fprintf(stderr, "gang run: %lld journal record%s in %s wait%s for the central database; the next gang "
			"run of this station delivers them first (gang db pending --journal shows them)\n",
			(long long)pending, pending == 1 ? "" : "s", a->journal_path, pending == 1 ? "s" : "");
	if (refused > 0)
		fprintf(stderr, "gang run: the central database refused %lld journal record%s (see docs/stations.md)\n",
			(long long)refused, refused == 1 ? "" : "s");
}

static int run_db(gang_db **out, run_args *a, const gang_profile *p, gang_diag *d)
{
	char fmt[64];
	int closed = 0, err;

	if ((err = run_lease_check(a, p, d)) < 0)
		return err;
	if ((err = gang_db_open(out, a->db, GANG_DB_CREATE, d)) < 0)
		return err;
	/* opening refused a locked database quickly; from now on a busy one is waited for */
	gang_db_set_wait(*out, a->db_wait_s * 1000U);
	if ((err = run_journal(a, *out, p, d)) < 0 || (err = gang_db_recover(*out, &closed, d)) < 0)
		return err;
	a->recovered = closed;
	if (a->slots && (err = gang_db_slot_map_load(*out, a->slots, d)) < 0)
		return err;
	if ((err = run_data_pools(*out, p, d)) < 0)
		return err;
	if (!p->serial.present)
		return GANG_OK;
	snprintf(fmt, sizeof(fmt), "%s", gang_serial_kind_name(p->serial.fmt.kind));
	if ((err = gang_serial_pool_ensure(*out, p->serial.pool, p->serial.start, p->serial.end, fmt, d)) < 0)
		return err;
	return run_lease(a, *out, p, d);
}

static gang_sink *run_sink(bool *console_out, const run_args *a, FILE *log_fp, gang_diag *d)
{
	*console_out = false;
	if (a->json)
		return gang_sink_json_new(stdout);
	if (run_wants_console(a)) {
		*console_out = true;
		/* stderr follows the log while the console is up (log_fp is a file here, see run_prepare) */
		return gang_sink_console_new(stdout, stdin, log_fp, a->log_file, d);
	}
	return gang_sink_plain_new(stdout);
}

/*
 * Attempts an earlier run left open were closed as aborted. With the console
 * up the terminal is its own, so the sentence is a run note on the screen;
 * otherwise a line on stderr, as before any board.
 */
static void run_note_recovered(gang_sink *sink, const run_args *a, bool console)
{
	char msg[128];

	if (a->recovered <= 0)
		return;
	snprintf(msg, sizeof(msg), "%d attempt%s left open by an earlier run %s closed as aborted", a->recovered,
		 a->recovered == 1 ? "" : "s", a->recovered == 1 ? "was" : "were");
	if (console) {
		gang_event ev = { .kind = GANG_EV_RUN_NOTE, .ts = gang_now_unix(), .message = msg };

		gang_sink_emit(sink, &ev);
	} else {
		fprintf(stderr, "gang run: %s\n", msg);
	}
}

/*
 * The console's screen is gone when it closes: leave the batch's totals on
 * the terminal. Yield and rate only once they mean something (a board
 * finished; a rate over at least the console's minimum span), as on screen.
 */
static void run_print_totals(const run_args *a, const gang_run_totals *t)
{
	char batch[GANG_TEXT_TERM_LEN], yield[16] = "—", rate[24] = "—";

	if (t->boards)
		snprintf(yield, sizeof(yield), "%.1f%%", 100.0 * t->first_pass / t->boards);
	if (t->boards && t->seconds >= GANG_CONSOLE_RATE_MIN_S)
		snprintf(rate, sizeof(rate), "%.0f", t->boards * 3600.0 / t->seconds);
	printf("batch %s: %u board%s, %u passed, %u failed, first-pass yield %s, %s boards/h%s%s\n",
	       gang_text_term(batch, sizeof(batch), a->batch), t->boards, t->boards == 1 ? "" : "s", t->passed,
	       t->failed, yield, rate, t->aborted ? " (some attempts aborted: see gang report)" : "",
	       t->already ? " (boards already programmed were left as they were)" : "");
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
	/* everything refusable before the database; the log too, so a run that cannot log creates none */
	if ((err = run_config(&a, &d)) < 0 || (err = run_prepare(&p, &img, &log_fp, &a, &d)) < 0 ||
	    (err = run_db(&db, &a, p, &d)) < 0)
		goto out;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (!(sink = run_sink(&console, &a, log_fp, &d))) {
		err = d.code ? d.code : GANG_ENOMEM;
		goto out;
	}
	{
		gang_run_cfg cfg = {
			.profile = p, .image = img, .profile_path = a.profile, .db = db,
			.probes = a.probes, .n_probes = a.n_probes, .boards_max = a.boards, .batch = a.batch,
			.operator_name = a.operator_name, .station = run_station(&a, p),
			.sync = a.sync, .rework = a.rework, .sink = sink, .log_fp = log_fp,
			.log_level = (gang_log_level)a.log_level, .lease = a.lease,
		};
		gang_event ev = { .kind = GANG_EV_RUN_START, .ts = gang_now_unix(), .profile = p->name,
				  .batch = a.batch, .boards_max = a.boards };
		run_scan_src scans = { .mu = PTHREAD_MUTEX_INITIALIZER, .fd = STDIN_FILENO };

		if (p->scan.present) {
			cfg.scan = console ? run_scan_console : run_scan_line;
			cfg.scan_user = console ? (void *)sink : (void *)&scans;
		}
		gang_sink_emit(sink, &ev);
		run_note_recovered(sink, &a, console);
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
	gang_serial_lease_free(a.lease);
	gang_db_close(db);   /* its journal's worker first delivers what it can */
	run_note_pending(&a, p);
	gang_image_free(img);
	gang_profile_free(p);
	return run_exit(err, &totals);
}
