/*
 * report_text.c — `gang report` for a terminal: summary lines, then one
 * aligned table per section (failures by class and by step with Pareto
 * share, per slot, per probe, non-empty hours, serial pools, data pools).
 * A failed board's data values and labels go on lines under its row.
 * Definitions of every figure: docs/reports.md.
 */
#include "report/report.h"

#include <inttypes.h>

#include "core/text.h"

#define RT_PCT(x) (100.0 * (x))

/* Text from the database is shown terminal-safe: it may predate gang's checks or come from SQL. */
#define RT_T(buf, s) gang_text_term((buf), sizeof(buf), (s))
#define RT_OR(s) ((s) ? (s) : "-")
#define RT_TO(buf, s) RT_T(buf, RT_OR(s))

static void rt_origin(FILE *fp, const gang_report *r)
{
	char t[GANG_TEXT_TERM_LEN];

	fputs("gang production report\n", fp);
	fprintf(fp, "generated   %s by gang %s\n", r->generated_at, RT_OR(r->gang_version));
	fprintf(fp, "database    %s\n", RT_TO(t, r->db_path));
	fprintf(fp, "selection   %s%s", r->batch ? "batch " : "all batches", RT_T(t, r->batch ? r->batch : ""));
	if (r->since[0])
		fprintf(fp, ", started at or after %s", r->since);
	if (r->until[0])
		fprintf(fp, ", started before %s", r->until);
	fputc('\n', fp);
}

static void rt_span(FILE *fp, const gang_report *r)
{
	char dur[48];

	gang_report_duration_text(dur, sizeof(dur), r->span_ms);
	if (r->last_finish[0])
		fprintf(fp, "span        %s (first attempt started %s, last attempt finished %s)\n", dur,
			r->first_start, r->last_finish);
	else
		fprintf(fp, "span        first attempt started %s, none finished yet\n", r->first_start);
}

static void rt_header(FILE *fp, const gang_report *r)
{
	rt_origin(fp, r);
	if (!r->attempts) {
		fputs("no attempts match this selection\n", fp);
		return;
	}
	rt_span(fp, r);
	fprintf(fp,
		"boards      %" PRIu64 ": %" PRIu64 " passed their first attempt, %" PRIu64 " passed at least once; %" PRIu64
		" failed (last attempt failed), %" PRIu64 " failed, later passed\n",
		r->boards, r->boards_first_pass, r->boards_passed, r->boards_failed, r->boards_failed_later_passed);
	fprintf(fp, "first-pass yield   %.1f %% (boards that passed their first attempt / boards)\n",
		RT_PCT(gang_report_first_pass_yield(r)));
	fprintf(fp,
		"attempts    %" PRIu64 " (pass %" PRIu64 ", fail %" PRIu64 ", aborted %" PRIu64 ", open %" PRIu64
		"; %" PRIu64 " never identified)\n",
		r->attempts, r->pass, r->fail, r->aborted, r->open, r->unidentified);
	fprintf(fp, "attempt pass rate  %.1f %% (passing attempts / passing and failed attempts)\n",
		RT_PCT(gang_report_attempt_pass_rate(r)));
	fprintf(fp, "throughput  %.1f passing attempts per hour over the span\n", gang_report_passes_per_hour(r));
	if (r->cycle.n)
		fprintf(fp,
			"cycle time  passing attempts, ms: n %" PRIu64 " min %" PRId64 " median %" PRId64
			" p95 %" PRId64 " max %" PRId64 " mean %.1f\n",
			r->cycle.n, r->cycle.min_ms, r->cycle.median_ms, r->cycle.p95_ms, r->cycle.max_ms,
			r->cycle.mean_ms);
	else
		fputs("cycle time  no passing attempt\n", fp);
}

static void rt_programmed(FILE *fp, const gang_report *r)
{
	fputs("\nwhat was programmed (batch, profile, hashes, station, operator as recorded per attempt)\n", fp);
	for (size_t i = 0; i < r->n_programmed; i++) {
		const gang_report_programmed *p = &r->programmed[i];
		char b[GANG_TEXT_TERM_LEN], pr[GANG_TEXT_TERM_LEN], st[GANG_TEXT_TERM_LEN], op[GANG_TEXT_TERM_LEN];
		char ps[GANG_TEXT_TERM_LEN], is[GANG_TEXT_TERM_LEN];

		fprintf(fp, "  batch %s: profile %s, %" PRIu64 " attempt%s started %s .. %s\n", RT_TO(b, p->batch),
			RT_TO(pr, p->profile), p->attempts, p->attempts == 1 ? "" : "s", p->first_start, p->last_start);
		fprintf(fp, "    profile sha256  %s\n    image sha256    %s\n    station %s, operator %s\n",
			RT_TO(ps, p->profile_sha256), RT_TO(is, p->image_sha256), RT_TO(st, p->station),
			RT_TO(op, p->operator_name));
	}
}

/* Under a failed board's row, when it has any: its data values and scanned labels. */
static void rt_failed_board(FILE *fp, const gang_report_failed *f)
{
	char data[GANG_TEXT_TERM_LEN], label[GANG_TEXT_TERM_LEN];

	if (f->data)
		fprintf(fp, "    data   %s\n", RT_T(data, f->data));
	if (f->label)
		fprintf(fp, "    label  %s\n", RT_T(label, f->label));
}

static void rt_failed(FILE *fp, const gang_report *r, int later_passed)
{
	uint64_t n = later_passed ? r->boards_failed_later_passed : r->boards_failed;

	fprintf(fp, "\n%s: %" PRIu64 " board%s\n", later_passed ?
		"boards that failed, later passed (latest failure shown)" :
		"failed boards (their last finished attempt failed)", n, n == 1 ? "" : "s");
	if (!n)
		return;
	fprintf(fp, "  %-24s %-16s %-6s %-24s %-10s %-10s %-24s %5s  %s\n", "UID", "SERIAL", "SLOT", "PROBE", "STEP",
		"CLASS", "FAILED AT", "FAILS", "ERROR");
	for (size_t i = 0; i < r->n_failed; i++) {
		const gang_report_failed *f = &r->failed[i];
		char u[GANG_TEXT_TERM_LEN], se[GANG_TEXT_TERM_LEN], sl[GANG_TEXT_TERM_LEN], pb[GANG_TEXT_TERM_LEN];
		char stp[GANG_TEXT_TERM_LEN], cl[GANG_TEXT_TERM_LEN], msg[GANG_TEXT_TERM_LEN];

		if (f->later_passed != later_passed)
			continue;
		fprintf(fp, "  %-24s %-16s %-6s %-24s %-10s %-10s %-24s %5" PRIu64 "  %s\n", RT_TO(u, f->uid),
			RT_TO(se, f->serial), RT_TO(sl, f->slot), RT_TO(pb, f->probe), RT_TO(stp, f->step),
			RT_TO(cl, f->error_class), f->at, f->failures, RT_TO(msg, f->message));
		rt_failed_board(fp, f);
	}
}

static void rt_pareto(FILE *fp, const char *title, const char *col, const gang_report_group *g, size_t n,
		      uint64_t total)
{
	char key[GANG_TEXT_TERM_LEN];
	uint64_t cum = 0;

	fprintf(fp, "\n%s\n  %-28s %8s %8s %8s\n", title, col, "FAIL", "SHARE", "CUM");
	if (!n)
		fputs("  (no failures)\n", fp);
	for (size_t i = 0; i < n; i++) {
		cum += g[i].fail;
		fprintf(fp, "  %-28s %8" PRIu64 " %7.1f%% %7.1f%%\n", RT_T(key, g[i].key), g[i].fail,
			total ? RT_PCT((double)g[i].fail / (double)total) : 0.0,
			total ? RT_PCT((double)cum / (double)total) : 0.0);
	}
}

/* FIRST-PASS YIELD: boards whose first attempt was here / those that passed it; PASS RATE: attempts. */
static void rt_groups(FILE *fp, const char *title, const char *col, const gang_report_group *g, size_t n)
{
	char key[GANG_TEXT_TERM_LEN];

	fprintf(fp, "\n%s\n  %-24s %8s %8s %8s %8s %8s %16s %9s\n", title, col, "BOARDS", "ATTEMPTS", "PASS",
		"FAIL", "ABORTED", "FIRST-PASS YIELD", "PASS RATE");
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "  %-24s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %15.1f%% %8.1f%%\n",
			RT_T(key, g[i].key), g[i].boards, g[i].attempts, g[i].pass, g[i].fail, g[i].aborted,
			RT_PCT(gang_report_group_first_pass_yield(&g[i])), RT_PCT(gang_report_group_pass_rate(&g[i])));
}

static void rt_hours(FILE *fp, const gang_report *r)
{
	char t[GANG_REPORT_TIME_LEN];

	fprintf(fp, "\npasses and failures per hour (by finished_at; empty hours omitted)\n  %-24s %8s %8s\n",
		"HOUR", "PASS", "FAIL");
	for (size_t i = 0; i < r->n_hours; i++) {
		if (!r->hour_pass[i] && !r->hour_fail[i])
			continue;
		gang_report_time_text(t, sizeof(t), r->hour0_ms + (int64_t)i * 3600000);
		fprintf(fp, "  %-24s %8" PRIu64 " %8" PRIu64 "\n", t, r->hour_pass[i], r->hour_fail[i]);
	}
}

static void rt_pools(FILE *fp, const gang_report *r)
{
	fprintf(fp, "\nserial numbers handed out in this selection\n  %-16s %-23s %10s %10s %8s %8s %8s\n",
		"POOL", "RANGE", "MIN", "MAX", "RESERVED", "BURNED", "VOID");
	if (!r->n_pools)
		fputs("  (none)\n", fp);
	for (size_t i = 0; i < r->n_pools; i++) {
		const gang_report_pool *p = &r->pools[i];
		char range[48], name[GANG_TEXT_TERM_LEN];

		snprintf(range, sizeof(range), "%" PRId64 "..%" PRId64, p->range_start, p->range_end);
		fprintf(fp, "  %-16s %-23s %10" PRId64 " %10" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64 "\n",
			RT_T(name, p->name), range, p->min_value, p->max_value, p->reserved, p->burned, p->voided);
	}
}

/* Listed only when the selection handed out any data value (profiles with data items). */
static void rt_data_pools(FILE *fp, const gang_report *r)
{
	if (!r->n_data_pools)
		return;
	fprintf(fp, "\ndata values handed out in this selection (remaining: never handed out, now)\n"
		    "  %-16s %-12s %10s %8s %8s %8s %10s\n", "POOL", "KIND", "SIZE", "RESERVED", "BURNED", "VOID",
		"REMAINING");
	for (size_t i = 0; i < r->n_data_pools; i++) {
		const gang_report_data_pool *p = &r->data_pools[i];
		char name[GANG_TEXT_TERM_LEN], kind[24];

		snprintf(kind, sizeof(kind), "%s%s", p->kind, p->secret ? " secret" : "");
		fprintf(fp, "  %-16s %-12s %10" PRId64 " %8" PRId64 " %8" PRId64 " %8" PRId64 " %10" PRId64 "\n",
			RT_T(name, p->name), kind, p->size, p->reserved, p->burned, p->voided, p->remaining);
	}
}

/* Listed only when there are any (a central database with serial leases). */
static void rt_conflicts(FILE *fp, const gang_report *r)
{
	char uid[GANG_TEXT_TERM_LEN], kept[GANG_TEXT_TERM_LEN], other[GANG_TEXT_TERM_LEN];

	if (!r->n_conflicts)
		return;
	fprintf(fp, "\nserial conflicts: boards bound at two stations (the first binding is kept)\n"
		    "  %-16s %-26s %10s %-14s %10s %-14s %s\n",
		"POOL", "UID", "KEPT", "BY", "OTHER", "BY", "RECORDED");
	for (size_t i = 0; i < r->n_conflicts; i++) {
		const gang_serial_conflict *c = &r->conflicts[i];
		char pool[GANG_TEXT_TERM_LEN];

		fprintf(fp, "  %-16s %-26s %10" PRId64 " %-14s %10" PRId64 " %-14s %s\n", RT_T(pool, c->pool),
			RT_T(uid, c->uid), c->kept_value, RT_T(kept, c->kept_station[0] ? c->kept_station : "(unknown)"),
			c->other_value, RT_T(other, c->other_station), c->recorded_at);
	}
}

int gang_report_write_text(FILE *fp, const gang_report *r)
{
	rt_header(fp, r);
	if (r->attempts) {
		rt_programmed(fp, r);
		rt_failed(fp, r, 0);
		rt_failed(fp, r, 1);
		rt_pareto(fp, "failures by error class", "CLASS", r->classes, r->n_classes, r->fail);
		rt_pareto(fp, "failures by failing step", "STEP", r->steps, r->n_steps, r->fail);
		rt_groups(fp, "per station", "STATION", r->stations, r->n_stations);
		rt_groups(fp, "per slot", "SLOT", r->slots, r->n_slots);
		rt_groups(fp, "per probe", "PROBE", r->probes, r->n_probes);
		rt_hours(fp, r);
		rt_pools(fp, r);
		rt_data_pools(fp, r);
	}
	rt_conflicts(fp, r);
	return ferror(fp) || fflush(fp) ? GANG_EFILE : GANG_OK;
}
