/*
 * report_html.c — `gang report --format html`: ONE self-contained page
 * (inline CSS and inline SVG drawn here; no script, no font, no network)
 * with four charts — cycle-time histogram (#chart-cycle), first-pass
 * yield per slot (#chart-slot-yield), passes/failures per hour
 * (#chart-throughput), failure Pareto by error class (#chart-pareto) — and
 * the report's tables: what was programmed, the failed boards
 * (#failed-boards, #failed-later-passed), Pareto, per slot and probe, pools.
 */
#include "report/report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_svg.h"

#define RH_LABEL_LEN 32U
#define RH_MAX_BARS 168U /* a week of hours; longer spans are merged into N-hour bars */

typedef struct rh_series {
	char (*text)[RH_LABEL_LEN];
	const char **labels;
	double *a, *b, *line;
	size_t n;
} rh_series;

static void rh_series_free(rh_series *s)
{
	free(s->text);
	free(s->labels);
	free(s->a);
	free(s->b);
	free(s->line);
}

static int rh_series_new(rh_series *s, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	if (!n)
		return GANG_OK;
	s->text = calloc(n, sizeof(*s->text));
	s->labels = calloc(n, sizeof(*s->labels));
	s->a = calloc(n, sizeof(*s->a));
	s->b = calloc(n, sizeof(*s->b));
	s->line = calloc(n, sizeof(*s->line));
	if (!s->text || !s->labels || !s->a || !s->b || !s->line) {
		rh_series_free(s);
		return GANG_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		s->labels[i] = s->text[i];
	return GANG_OK;
}

static int rh_chart_cycle(FILE *fp, const gang_report *r)
{
	rs_chart c = { .id = "chart-cycle", .title = "Cycle time of passing attempts",
		       .y_label = "attempts", .a_name = "attempts" };
	rh_series s;

	if (rh_series_new(&s, r->n_hist) < 0)
		return GANG_ENOMEM;
	for (size_t i = 0; i < s.n; i++) {
		snprintf(s.text[i], RH_LABEL_LEN, "%.2f s", (double)r->hist[i].lo_ms / 1000.0);
		s.a[i] = (double)r->hist[i].count;
	}
	c.labels = s.labels;
	c.a = s.a;
	c.n = s.n;
	rs_chart_write(fp, &c);
	rh_series_free(&s);
	return GANG_OK;
}

static int rh_chart_slots(FILE *fp, const gang_report *r)
{
	rs_chart c = { .id = "chart-slot-yield",
		       .title = "First-pass yield per slot (boards passing their first attempt there)",
		       .y_label = "first-pass yield", .a_name = "% first-pass yield", .y_percent = 1 };
	rh_series s;

	if (rh_series_new(&s, r->n_slots) < 0)
		return GANG_ENOMEM;
	for (size_t i = 0; i < s.n; i++) {
		snprintf(s.text[i], RH_LABEL_LEN, "%s", r->slots[i].key);
		s.a[i] = 100.0 * gang_report_group_first_pass_yield(&r->slots[i]);
	}
	c.labels = s.labels;
	c.a = s.a;
	c.n = s.n;
	rs_chart_write(fp, &c);
	rh_series_free(&s);
	return GANG_OK;
}

static int rh_chart_hours(FILE *fp, const gang_report *r)
{
	size_t per = (r->n_hours + RH_MAX_BARS - 1) / RH_MAX_BARS;
	char title[96], t[GANG_REPORT_TIME_LEN];
	rs_chart c = { .id = "chart-throughput", .title = title, .y_label = "attempts finished",
		       .a_name = "passed", .b_name = "failed" };
	rh_series s;

	per = per ? per : 1;
	snprintf(title, sizeof(title), "Throughput: passes and failures per %zu h (UTC)", per);
	if (rh_series_new(&s, (r->n_hours + per - 1) / per) < 0)
		return GANG_ENOMEM;
	for (size_t i = 0; i < r->n_hours; i++) {
		s.a[i / per] += (double)r->hour_pass[i];
		s.b[i / per] += (double)r->hour_fail[i];
	}
	for (size_t i = 0; i < s.n; i++) {
		gang_report_time_text(t, sizeof(t), r->hour0_ms + (int64_t)(i * per) * 3600000);
		snprintf(s.text[i], RH_LABEL_LEN, "%.5s %.5s", t + 5, t + 11);
	}
	c.labels = s.labels;
	c.a = s.a;
	c.b = s.b;
	c.n = s.n;
	rs_chart_write(fp, &c);
	rh_series_free(&s);
	return GANG_OK;
}

static int rh_chart_pareto(FILE *fp, const gang_report *r)
{
	rs_chart c = { .id = "chart-pareto", .title = "Failures by error class (Pareto)",
		       .y_label = "failed attempts", .a_name = "failures", .a_fail = 1 };
	double cum = 0;
	rh_series s;

	if (rh_series_new(&s, r->n_classes) < 0)
		return GANG_ENOMEM;
	for (size_t i = 0; i < s.n; i++) {
		snprintf(s.text[i], RH_LABEL_LEN, "%s", r->classes[i].key);
		s.a[i] = (double)r->classes[i].fail;
		cum += s.a[i];
		s.line[i] = r->fail ? 100.0 * cum / (double)r->fail : 0.0;
	}
	c.labels = s.labels;
	c.a = s.a;
	c.line = s.line;
	c.n = s.n;
	rs_chart_write(fp, &c);
	rh_series_free(&s);
	return GANG_OK;
}

#define RH_CSS                                                                                           \
	"body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}"                              \
	"h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}"                                         \
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em}"     \
	"td.n{text-align:right}th{background:#f0f0f0}"                                                     \
	".charts{display:grid;grid-template-columns:1fr 1fr;gap:1em}svg.chart{width:100%;height:auto;"     \
	"border:1px solid #ddd}.t{font-size:14px;text-anchor:middle;font-weight:bold}"                     \
	".yt{font-size:10px;text-anchor:end}.rt{font-size:10px}.xt{font-size:10px;text-anchor:end}"      \
	".yl{font-size:11px;text-anchor:middle}.g{stroke:#e0e0e0}.lg{font-size:11px}"                    \
	"table.list{font-size:.8em}table.list td{white-space:nowrap}table.list td.msg{white-space:normal;min-width:10em}"   \
	".wide{overflow-x:auto}"

static void rh_row(FILE *fp, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void rh_row(FILE *fp, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(fp, "<tr><th>%s</th><td>", key);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputs("</td></tr>\n", fp);
}

/* A summary row whose value is text from the database or the command line. */
static void rh_row_text(FILE *fp, const char *key, const char *text)
{
	fprintf(fp, "<tr><th>%s</th><td>", key);
	gang_report_html_text(fp, text ? text : "-");
	fputs("</td></tr>\n", fp);
}

static void rh_origin(FILE *fp, const gang_report *r)
{
	fputs("<h1>gang production report</h1>\n<table>\n", fp);
	rh_row_text(fp, "generated", r->generated_at);
	rh_row_text(fp, "by gang", r->gang_version);
	rh_row_text(fp, "database", r->db_path);
	fputs("<tr><th>selection</th><td>", fp);
	gang_report_html_text(fp, r->batch ? "batch " : "all batches");
	gang_report_html_text(fp, r->batch);
	if (r->since[0])
		fprintf(fp, ", started at or after %s", r->since);
	if (r->until[0])
		fprintf(fp, ", started before %s", r->until);
	fputs("</td></tr>\n", fp);
}

static void rh_summary(FILE *fp, const gang_report *r)
{
	char dur[48];

	rh_origin(fp, r);
	gang_report_duration_text(dur, sizeof(dur), r->span_ms);
	if (r->last_finish[0])
		rh_row(fp, "span", "%s (first attempt started %s, last attempt finished %s)", dur, r->first_start,
		       r->last_finish);
	else if (r->attempts)
		rh_row(fp, "span", "first attempt started %s, none finished yet", r->first_start);
	rh_row(fp, "boards", "%" PRIu64 ": %" PRIu64 " passed their first attempt, %" PRIu64 " passed at least once; %"
	       PRIu64 " failed (last attempt failed), %" PRIu64 " failed, later passed", r->boards,
	       r->boards_first_pass, r->boards_passed, r->boards_failed, r->boards_failed_later_passed);
	rh_row(fp, "first-pass yield", "%.1f %% (boards that passed their first attempt / boards)",
	       100.0 * gang_report_first_pass_yield(r));
	rh_row(fp, "attempts", "%" PRIu64 " (pass %" PRIu64 ", fail %" PRIu64 ", aborted %" PRIu64 ", open %" PRIu64
	       "; %" PRIu64 " never identified)", r->attempts, r->pass, r->fail, r->aborted, r->open, r->unidentified);
	rh_row(fp, "attempt pass rate", "%.1f %% (passing attempts / passing and failed attempts)",
	       100.0 * gang_report_attempt_pass_rate(r));
	rh_row(fp, "throughput", "%.1f passing attempts per hour over the span", gang_report_passes_per_hour(r));
	if (r->cycle.n)
		rh_row(fp, "cycle time (passing)", "min %" PRId64 " / median %" PRId64 " / p95 %" PRId64
		       " / max %" PRId64 " ms (n %" PRIu64 ", mean %.1f)", r->cycle.min_ms, r->cycle.median_ms,
		       r->cycle.p95_ms, r->cycle.max_ms, r->cycle.n, r->cycle.mean_ms);
	fputs("</table>\n", fp);
}

/* One <td> per text (NULL shown as "-"), escaped. */
static void rh_cells(FILE *fp, const char *const *texts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputs("<td>", fp);
		gang_report_html_text(fp, texts[i] ? texts[i] : "-");
		fputs("</td>", fp);
	}
}

static void rh_programmed(FILE *fp, const gang_report *r)
{
	fputs("<h2>What was programmed</h2>\n<table class=\"list\"><tr><th>batch</th><th>profile</th><th>profile SHA-256</th>"
	      "<th>image SHA-256</th><th>station</th><th>operator</th><th>attempts</th><th>first started</th>"
	      "<th>last started</th></tr>\n", fp);
	for (size_t i = 0; i < r->n_programmed; i++) {
		const gang_report_programmed *p = &r->programmed[i];
		const char *const t[] = { p->batch, p->profile, p->profile_sha256, p->image_sha256, p->station,
					  p->operator_name };

		fputs("<tr>", fp);
		rh_cells(fp, t, sizeof(t) / sizeof(t[0]));
		fprintf(fp, "<td class=\"n\">%" PRIu64 "</td><td>%s</td><td>%s</td></tr>\n", p->attempts, p->first_start,
			p->last_start);
	}
	fputs("</table>\n", fp);
}

static void rh_failed(FILE *fp, const gang_report *r, int later_passed)
{
	fprintf(fp, "<h2 id=\"%s\">%s: %" PRIu64 "</h2>\n", later_passed ? "failed-later-passed" : "failed-boards",
		later_passed ? "Boards that failed, later passed (latest failure shown)" :
			       "Failed boards (their last finished attempt failed)",
		later_passed ? r->boards_failed_later_passed : r->boards_failed);
	fputs("<div class=\"wide\"><table class=\"list\"><tr><th>UID</th><th>serial</th><th>slot</th><th>probe</th>"
	      "<th>failing step</th><th>error class</th><th>failed at</th><th>failed attempts</th><th>data values</th>"
	      "<th>label</th><th>error</th></tr>\n", fp);
	for (size_t i = 0; i < r->n_failed; i++) {
		const gang_report_failed *f = &r->failed[i];
		const char *const t[] = { f->uid, f->serial, f->slot, f->probe, f->step, f->error_class };

		if (f->later_passed != later_passed)
			continue;
		fputs("<tr>", fp);
		rh_cells(fp, t, sizeof(t) / sizeof(t[0]));
		fprintf(fp, "<td>%s</td><td class=\"n\">%" PRIu64 "</td>", f->at, f->failures);
		rh_cells(fp, (const char *const[]){ f->data, f->label }, 2);
		fputs("<td class=\"msg\">", fp);
		gang_report_html_text(fp, f->message ? f->message : "-");
		fputs("</td></tr>\n", fp);
	}
	fputs("</table></div>\n", fp);
}

static void rh_groups(FILE *fp, const char *title, const char *col, const gang_report_group *g, size_t n)
{
	fprintf(fp, "<h2>%s</h2>\n<table><tr><th>%s</th><th>boards</th><th>attempts</th><th>pass</th>"
		"<th>fail</th><th>aborted</th><th>first-pass yield</th><th>attempt pass rate</th></tr>\n", title, col);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr><td>", fp);
		gang_report_html_text(fp, g[i].key);
		fprintf(fp, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%"
			PRIu64 "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
			"</td><td class=\"n\">%.1f %%</td><td class=\"n\">%.1f %%</td></tr>\n", g[i].boards, g[i].attempts,
			g[i].pass, g[i].fail, g[i].aborted, 100.0 * gang_report_group_first_pass_yield(&g[i]),
			100.0 * gang_report_group_pass_rate(&g[i]));
	}
	fputs("</table>\n", fp);
}

static void rh_pareto(FILE *fp, const char *title, const char *col, const gang_report_group *g, size_t n,
		      uint64_t total)
{
	uint64_t cum = 0;

	fprintf(fp, "<h2>%s</h2>\n<table><tr><th>%s</th><th>failures</th><th>share</th><th>cumulative</th></tr>\n",
		title, col);
	for (size_t i = 0; i < n; i++) {
		cum += g[i].fail;
		fputs("<tr><td>", fp);
		gang_report_html_text(fp, g[i].key);
		fprintf(fp, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f %%</td><td class=\"n\">%.1f %%"
			"</td></tr>\n", g[i].fail, total ? 100.0 * (double)g[i].fail / (double)total : 0.0,
			total ? 100.0 * (double)cum / (double)total : 0.0);
	}
	fputs("</table>\n", fp);
}

static void rh_pools(FILE *fp, const gang_report *r)
{
	fputs("<h2>Serial numbers handed out</h2>\n<table><tr><th>pool</th><th>range</th><th>min</th><th>max</th>"
	      "<th>reserved</th><th>burned</th><th>void</th></tr>\n", fp);
	for (size_t i = 0; i < r->n_pools; i++) {
		const gang_report_pool *p = &r->pools[i];

		fputs("<tr><td>", fp);
		gang_report_html_text(fp, p->name);
		fprintf(fp, "</td><td>%" PRId64 "..%" PRId64 "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%"
			PRId64 "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%"
			PRId64 "</td></tr>\n", p->range_start, p->range_end, p->min_value, p->max_value, p->reserved,
			p->burned, p->voided);
	}
	fputs("</table>\n", fp);
}

/* Only when the selection handed out any data value (profiles with data items). */
static void rh_data_pools(FILE *fp, const gang_report *r)
{
	if (!r->n_data_pools)
		return;
	fputs("<h2>Data values handed out</h2>\n<table><tr><th>pool</th><th>kind</th><th>size</th><th>reserved</th>"
	      "<th>burned</th><th>void</th><th>remaining (never handed out)</th></tr>\n", fp);
	for (size_t i = 0; i < r->n_data_pools; i++) {
		const gang_report_data_pool *p = &r->data_pools[i];

		fputs("<tr><td>", fp);
		gang_report_html_text(fp, p->name);
		fprintf(fp, "</td><td>%s%s</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64 "</td><td "
			"class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
			"</td></tr>\n", p->kind, p->secret ? " (secret)" : "", p->size, p->reserved, p->burned, p->voided,
			p->remaining);
	}
	fputs("</table>\n", fp);
}

/* Listed only when there are any (a central database with serial leases). */
static void rh_conflicts(FILE *fp, const gang_report *r)
{
	if (!r->n_conflicts)
		return;
	fputs("<h2 id=\"serial-conflicts\">Serial conflicts: boards bound at two stations (the first binding is "
	      "kept)</h2>\n<table class=\"list\"><tr><th>pool</th><th>UID</th><th>kept</th><th>by</th><th>other</th>"
	      "<th>by</th><th>recorded</th></tr>\n", fp);
	for (size_t i = 0; i < r->n_conflicts; i++) {
		const gang_serial_conflict *c = &r->conflicts[i];
		const char *const first[] = { c->pool, c->uid };
		const char *const kept[] = { c->kept_station[0] ? c->kept_station : "(unknown)" };
		const char *const other[] = { c->other_station, c->recorded_at };

		fputs("<tr>", fp);
		rh_cells(fp, first, 2);
		fprintf(fp, "<td class=\"n\">%" PRId64 "</td>", c->kept_value);
		rh_cells(fp, kept, 1);
		fprintf(fp, "<td class=\"n\">%" PRId64 "</td>", c->other_value);
		rh_cells(fp, other, 2);
		fputs("</tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

static int rh_charts(FILE *fp, const gang_report *r)
{
	int err;

	fputs("<div class=\"charts\">\n", fp);
	if ((err = rh_chart_cycle(fp, r)) < 0 || (err = rh_chart_slots(fp, r)) < 0 ||
	    (err = rh_chart_hours(fp, r)) < 0 || (err = rh_chart_pareto(fp, r)) < 0)
		return err;
	fputs("</div>\n", fp);
	return GANG_OK;
}

int gang_report_write_html(FILE *fp, const gang_report *r)
{
	int err;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>gang report</title><style>" RH_CSS
	      "</style></head>\n<body>\n", fp);
	rh_summary(fp, r);
	rh_programmed(fp, r);
	if ((err = rh_charts(fp, r)) < 0)
		return err;
	rh_failed(fp, r, 0);
	rh_failed(fp, r, 1);
	rh_pareto(fp, "Failures by error class", "class", r->classes, r->n_classes, r->fail);
	rh_pareto(fp, "Failures by failing step", "step", r->steps, r->n_steps, r->fail);
	rh_groups(fp, "Per station", "station", r->stations, r->n_stations);
	rh_groups(fp, "Per slot", "slot", r->slots, r->n_slots);
	rh_groups(fp, "Per probe", "probe", r->probes, r->n_probes);
	rh_pools(fp, r);
	rh_data_pools(fp, r);
	rh_conflicts(fp, r);
	fputs("</body></html>\n", fp);
	return ferror(fp) || fflush(fp) ? GANG_EFILE : GANG_OK;
}
