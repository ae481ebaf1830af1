/*
 * report_csv.c — `gang report --format csv`: the whole report as ONE
 * RFC 4180 table in long ("tidy") form, header "section,key,metric,value",
 * CRLF line ends, fields quoted when they hold a comma, quote, CR or LF
 * (RFC 4180 §2). One table loads in any spreadsheet and pivots by section;
 * the layout is documented in docs/reports.md.
 */
#include "report/report.h"

#include <inttypes.h>

#define RC_EOL "\r\n"

static void rc_row(FILE *fp, const char *section, const char *key, const char *metric, const char *value)
{
	gang_report_csv_field(fp, section);
	fputc(',', fp);
	gang_report_csv_field(fp, key);
	fputc(',', fp);
	gang_report_csv_field(fp, metric);
	fputc(',', fp);
	gang_report_csv_field(fp, value);
	fputs(RC_EOL, fp);
}

static void rc_u64(FILE *fp, const char *section, const char *key, const char *metric, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	rc_row(fp, section, key, metric, buf);
}

static void rc_num(FILE *fp, const char *section, const char *key, const char *metric, double v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%.6g", v);
	rc_row(fp, section, key, metric, buf);
}

static void rc_summary(FILE *fp, const gang_report *r)
{
	rc_row(fp, "report", "", "generated_at", r->generated_at);
	rc_row(fp, "report", "", "gang_version", r->gang_version ? r->gang_version : "");
	rc_row(fp, "report", "", "database", r->db_path ? r->db_path : "");
	rc_row(fp, "selection", "", "batch", r->batch ? r->batch : "");
	rc_row(fp, "selection", "", "since", r->since);
	rc_row(fp, "selection", "", "until", r->until);
	rc_u64(fp, "summary", "", "attempts", r->attempts);
	rc_u64(fp, "summary", "", "pass", r->pass);
	rc_u64(fp, "summary", "", "fail", r->fail);
	rc_u64(fp, "summary", "", "aborted", r->aborted);
	rc_u64(fp, "summary", "", "open", r->open);
	rc_u64(fp, "summary", "", "unidentified", r->unidentified);
	rc_u64(fp, "summary", "", "boards", r->boards);
	rc_u64(fp, "summary", "", "boards_passed", r->boards_passed);
	rc_u64(fp, "summary", "", "boards_first_pass", r->boards_first_pass);
	rc_u64(fp, "summary", "", "boards_failed", r->boards_failed);
	rc_u64(fp, "summary", "", "boards_failed_later_passed", r->boards_failed_later_passed);
	rc_num(fp, "summary", "", "first_pass_yield", gang_report_first_pass_yield(r));
	rc_num(fp, "summary", "", "attempt_pass_rate", gang_report_attempt_pass_rate(r));
	rc_row(fp, "summary", "", "first_start", r->first_start);
	rc_row(fp, "summary", "", "last_finish", r->last_finish);
	rc_u64(fp, "summary", "", "span_ms", (uint64_t)r->span_ms);
	rc_num(fp, "summary", "", "passes_per_hour", gang_report_passes_per_hour(r));
}

static void rc_cycle(FILE *fp, const gang_report *r)
{
	char key[64];

	rc_u64(fp, "cycle_time", "passing attempts", "n", r->cycle.n);
	if (r->cycle.n) {
		rc_u64(fp, "cycle_time", "passing attempts", "min_ms", (uint64_t)r->cycle.min_ms);
		rc_u64(fp, "cycle_time", "passing attempts", "median_ms", (uint64_t)r->cycle.median_ms);
		rc_u64(fp, "cycle_time", "passing attempts", "p95_ms", (uint64_t)r->cycle.p95_ms);
		rc_u64(fp, "cycle_time", "passing attempts", "max_ms", (uint64_t)r->cycle.max_ms);
		rc_num(fp, "cycle_time", "passing attempts", "mean_ms", r->cycle.mean_ms);
	}
	for (size_t i = 0; i < r->n_hist; i++) {
		snprintf(key, sizeof(key), "%" PRId64 "-%" PRId64, r->hist[i].lo_ms, r->hist[i].hi_ms);
		rc_u64(fp, "cycle_histogram", key, "count", r->hist[i].count);
	}
}

static void rc_failures(FILE *fp, const char *section, const gang_report_group *g, size_t n, uint64_t total)
{
	for (size_t i = 0; i < n; i++) {
		rc_u64(fp, section, g[i].key, "fail", g[i].fail);
		rc_num(fp, section, g[i].key, "share", total ? (double)g[i].fail / (double)total : 0.0);
	}
}

static void rc_groups(FILE *fp, const char *section, const gang_report_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rc_u64(fp, section, g[i].key, "boards", g[i].boards);
		rc_u64(fp, section, g[i].key, "attempts", g[i].attempts);
		rc_u64(fp, section, g[i].key, "pass", g[i].pass);
		rc_u64(fp, section, g[i].key, "fail", g[i].fail);
		rc_u64(fp, section, g[i].key, "aborted", g[i].aborted);
		rc_u64(fp, section, g[i].key, "first_pass_boards", g[i].first_boards);
		rc_num(fp, section, g[i].key, "first_pass_yield", gang_report_group_first_pass_yield(&g[i]));
		rc_num(fp, section, g[i].key, "attempt_pass_rate", gang_report_group_pass_rate(&g[i]));
	}
}

static void rc_hours_pools(FILE *fp, const gang_report *r)
{
	char t[GANG_REPORT_TIME_LEN];

	for (size_t i = 0; i < r->n_hours; i++) {
		gang_report_time_text(t, sizeof(t), r->hour0_ms + (int64_t)i * 3600000);
		rc_u64(fp, "hourly", t, "pass", r->hour_pass[i]);
		rc_u64(fp, "hourly", t, "fail", r->hour_fail[i]);
	}
	for (size_t i = 0; i < r->n_pools; i++) {
		const gang_report_pool *p = &r->pools[i];

		rc_u64(fp, "serial_pool", p->name, "range_start", (uint64_t)p->range_start);
		rc_u64(fp, "serial_pool", p->name, "range_end", (uint64_t)p->range_end);
		rc_u64(fp, "serial_pool", p->name, "min", (uint64_t)p->min_value);
		rc_u64(fp, "serial_pool", p->name, "max", (uint64_t)p->max_value);
		rc_u64(fp, "serial_pool", p->name, "reserved", (uint64_t)p->reserved);
		rc_u64(fp, "serial_pool", p->name, "burned", (uint64_t)p->burned);
		rc_u64(fp, "serial_pool", p->name, "void", (uint64_t)p->voided);
	}
}

static void rc_data_pools(FILE *fp, const gang_report *r)
{
	for (size_t i = 0; i < r->n_data_pools; i++) {
		const gang_report_data_pool *p = &r->data_pools[i];

		rc_row(fp, "data_pool", p->name, "kind", p->kind);
		rc_u64(fp, "data_pool", p->name, "secret", (uint64_t)p->secret);
		rc_u64(fp, "data_pool", p->name, "size", (uint64_t)p->size);
		rc_u64(fp, "data_pool", p->name, "reserved", (uint64_t)p->reserved);
		rc_u64(fp, "data_pool", p->name, "burned", (uint64_t)p->burned);
		rc_u64(fp, "data_pool", p->name, "void", (uint64_t)p->voided);
		rc_u64(fp, "data_pool", p->name, "remaining", (uint64_t)p->remaining);
	}
}

/* Key = 1, 2, ...: a batch may have been programmed with more than one combination. */
static void rc_programmed(FILE *fp, const gang_report *r)
{
	char key[24];

	for (size_t i = 0; i < r->n_programmed; i++) {
		const gang_report_programmed *p = &r->programmed[i];

		snprintf(key, sizeof(key), "%zu", i + 1);
		rc_row(fp, "programmed", key, "batch", p->batch);
		rc_row(fp, "programmed", key, "profile", p->profile);
		rc_row(fp, "programmed", key, "profile_sha256", p->profile_sha256);
		rc_row(fp, "programmed", key, "image_sha256", p->image_sha256);
		rc_row(fp, "programmed", key, "station", p->station);
		rc_row(fp, "programmed", key, "operator", p->operator_name);
		rc_u64(fp, "programmed", key, "attempts", p->attempts);
		rc_row(fp, "programmed", key, "first_start", p->first_start);
		rc_row(fp, "programmed", key, "last_start", p->last_start);
	}
}

static void rc_failed(FILE *fp, const gang_report *r)
{
	for (size_t i = 0; i < r->n_failed; i++) {
		const gang_report_failed *f = &r->failed[i];

		rc_row(fp, "failed_board", f->uid, "status", f->later_passed ? "failed, later passed" : "failed");
		rc_row(fp, "failed_board", f->uid, "serial", f->serial);
		rc_row(fp, "failed_board", f->uid, "slot", f->slot);
		rc_row(fp, "failed_board", f->uid, "probe", f->probe);
		rc_row(fp, "failed_board", f->uid, "step", f->step);
		rc_row(fp, "failed_board", f->uid, "error_class", f->error_class);
		rc_row(fp, "failed_board", f->uid, "error_message", f->message);
		rc_row(fp, "failed_board", f->uid, "failed_at", f->at);
		rc_row(fp, "failed_board", f->uid, "attempt", f->attempt);
		rc_u64(fp, "failed_board", f->uid, "failed_attempts", f->failures);
		rc_row(fp, "failed_board", f->uid, "data", f->data);
		rc_row(fp, "failed_board", f->uid, "label", f->label);
	}
}

/* Key = 1, 2, ... in the order recorded: a board may conflict in two pools. */
static void rc_conflicts(FILE *fp, const gang_report *r)
{
	char key[24];

	for (size_t i = 0; i < r->n_conflicts; i++) {
		const gang_serial_conflict *c = &r->conflicts[i];

		snprintf(key, sizeof(key), "%zu", i + 1);
		rc_row(fp, "serial_conflict", key, "pool", c->pool);
		rc_row(fp, "serial_conflict", key, "uid", c->uid);
		rc_u64(fp, "serial_conflict", key, "kept_value", (uint64_t)c->kept_value);
		rc_row(fp, "serial_conflict", key, "kept_station", c->kept_station);
		rc_u64(fp, "serial_conflict", key, "other_value", (uint64_t)c->other_value);
		rc_row(fp, "serial_conflict", key, "other_station", c->other_station);
		rc_row(fp, "serial_conflict", key, "recorded_at", c->recorded_at);
	}
}

int gang_report_write_csv(FILE *fp, const gang_report *r)
{
	rc_row(fp, "section", "key", "metric", "value");
	rc_summary(fp, r);
	rc_programmed(fp, r);
	rc_failed(fp, r);
	rc_cycle(fp, r);
	rc_failures(fp, "failures_by_class", r->classes, r->n_classes, r->fail);
	rc_failures(fp, "failures_by_step", r->steps, r->n_steps, r->fail);
	rc_groups(fp, "station", r->stations, r->n_stations);
	rc_groups(fp, "slot", r->slots, r->n_slots);
	rc_groups(fp, "probe", r->probes, r->n_probes);
	rc_hours_pools(fp, r);
	rc_data_pools(fp, r);
	rc_conflicts(fp, r);
	return ferror(fp) || fflush(fp) ? GANG_EFILE : GANG_OK;
}
