/*
 * report_text.c — `gang report` for a terminal: summary lines, then one
 * aligned table per section (failures by class and by step with Pareto
 * share, per slot, per probe, non-empty hours, serial pools).
 * Definitions of every figure: docs/reports.md.
 */
#include "report/report.h"

#include <inttypes.h>

#include "core/text.h"

#define RT_PCT(x) (100.0 * (x))

/* Text from the database is shown terminal-safe: it may predate gang's checks or come from SQL. */
#define RT_T(buf, s) gang_text_term((buf), sizeof(buf), (s))

static void rt_header(FILE *fp, const gang_report *r)
{
	char t1[GANG_TEXT_TERM_LEN], t2[GANG_TEXT_TERM_LEN];

	fprintf(fp, "gang report: batch %s, started %s .. %s\n", RT_T(t1, r->batch ? r->batch : "(all)"),
		r->since[0] ? r->since : "(first)", r->until[0] ? r->until : "(last)");
	if (!r->attempts) {
		fputs("no attempts match this selection\n", fp);
		return;
	}
	fprintf(fp,
		"attempts    %" PRIu64 " (pass %" PRIu64 ", fail %" PRIu64 ", aborted %" PRIu64 ", open %" PRIu64
		"; %" PRIu64 " never identified)\n",
		r->attempts, r->pass, r->fail, r->aborted, r->open, r->unidentified);
	fprintf(fp, "boards      %" PRIu64 " (passed %" PRIu64 "; first-pass %" PRIu64 ")\n", r->boards,
		r->boards_passed, r->boards_first_pass);
	fprintf(fp, "first-pass yield  %.1f %%\n", RT_PCT(gang_report_first_pass_yield(r)));
	fprintf(fp, "span        %s .. %s (%.2f h)\n", RT_T(t1, r->first_start),
		RT_T(t2, r->last_finish[0] ? r->last_finish : "-"),
		(double)r->span_ms / 3600000.0);
	fprintf(fp, "throughput  %.1f passes per hour over the span\n", gang_report_passes_per_hour(r));
	if (r->cycle.n)
		fprintf(fp,
			"cycle time  passing attempts, ms: n %" PRIu64 " min %" PRId64 " median %" PRId64
			" p95 %" PRId64 " max %" PRId64 " mean %.1f\n",
			r->cycle.n, r->cycle.min_ms, r->cycle.median_ms, r->cycle.p95_ms, r->cycle.max_ms,
			r->cycle.mean_ms);
	else
		fputs("cycle time  no passing attempt\n", fp);
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

static void rt_groups(FILE *fp, const char *title, const char *col, const gang_report_group *g, size_t n)
{
	char key[GANG_TEXT_TERM_LEN];

	fprintf(fp, "\n%s\n  %-24s %8s %8s %8s %8s %8s %8s\n", title, col, "BOARDS", "ATTEMPTS", "PASS",
		"FAIL", "ABORTED", "YIELD");
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "  %-24s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %7.1f%%\n",
			RT_T(key, g[i].key), g[i].boards, g[i].attempts, g[i].pass, g[i].fail, g[i].aborted,
			RT_PCT(gang_report_group_yield(&g[i])));
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

int gang_report_write_text(FILE *fp, const gang_report *r)
{
	rt_header(fp, r);
	if (r->attempts) {
		rt_pareto(fp, "failures by error class", "CLASS", r->classes, r->n_classes, r->fail);
		rt_pareto(fp, "failures by failing step", "STEP", r->steps, r->n_steps, r->fail);
		rt_groups(fp, "per slot", "SLOT", r->slots, r->n_slots);
		rt_groups(fp, "per probe", "PROBE", r->probes, r->n_probes);
		rt_hours(fp, r);
		rt_pools(fp, r);
	}
	return ferror(fp) || fflush(fp) ? GANG_EFILE : GANG_OK;
}
