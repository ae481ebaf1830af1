/*
 * report_json.c — `gang report --format json`: one object with every
 * section (selection, summary, cycle_time with histogram, failures by
 * class and step, slots, probes, hourly, serial_pools, data_pools). Ratios are numbers
 * in 0..1; times are UTC text as stored. Keys: docs/reports.md.
 */
#include "report/report.h"

#include <inttypes.h>

static void rj_key_str(FILE *fp, const char *key, const char *val, int comma)
{
	fprintf(fp, "%s\"%s\":", comma ? "," : "", key);
	gang_report_json_string(fp, val && *val ? val : NULL);
}

static void rj_summary(FILE *fp, const gang_report *r)
{
	fputs("\"report\":{", fp);
	rj_key_str(fp, "generated_at", r->generated_at, 0);
	rj_key_str(fp, "gang_version", r->gang_version, 1);
	rj_key_str(fp, "database", r->db_path, 1);
	fputs("},\"selection\":{", fp);
	rj_key_str(fp, "batch", r->batch, 0);
	rj_key_str(fp, "since", r->since, 1);
	rj_key_str(fp, "until", r->until, 1);
	fprintf(fp,
		"},\"summary\":{\"attempts\":%" PRIu64 ",\"pass\":%" PRIu64 ",\"fail\":%" PRIu64
		",\"aborted\":%" PRIu64 ",\"open\":%" PRIu64 ",\"unidentified\":%" PRIu64 ",\"boards\":%" PRIu64
		",\"boards_passed\":%" PRIu64 ",\"boards_first_pass\":%" PRIu64 ",\"boards_failed\":%" PRIu64
		",\"boards_failed_later_passed\":%" PRIu64 ",\"first_pass_yield\":%.6f,\"attempt_pass_rate\":%.6f",
		r->attempts, r->pass, r->fail, r->aborted, r->open, r->unidentified, r->boards, r->boards_passed,
		r->boards_first_pass, r->boards_failed, r->boards_failed_later_passed, gang_report_first_pass_yield(r),
		gang_report_attempt_pass_rate(r));
	rj_key_str(fp, "first_start", r->first_start, 1);
	rj_key_str(fp, "last_finish", r->last_finish, 1);
	fprintf(fp, ",\"span_ms\":%" PRId64 ",\"passes_per_hour\":%.3f}", r->span_ms,
		gang_report_passes_per_hour(r));
}

static void rj_cycle(FILE *fp, const gang_report *r)
{
	const gang_report_cycle *c = &r->cycle;

	fprintf(fp, ",\"cycle_time\":{\"basis\":\"passing attempts\",\"n\":%" PRIu64, c->n);
	if (c->n)
		fprintf(fp,
			",\"min_ms\":%" PRId64 ",\"median_ms\":%" PRId64 ",\"p95_ms\":%" PRId64
			",\"max_ms\":%" PRId64 ",\"mean_ms\":%.1f",
			c->min_ms, c->median_ms, c->p95_ms, c->max_ms, c->mean_ms);
	fputs(",\"histogram\":[", fp);
	for (size_t i = 0; i < r->n_hist; i++)
		fprintf(fp, "%s{\"lo_ms\":%" PRId64 ",\"hi_ms\":%" PRId64 ",\"count\":%" PRIu64 "}", i ? "," : "",
			r->hist[i].lo_ms, r->hist[i].hi_ms, r->hist[i].count);
	fputs("]}", fp);
}

static void rj_pareto(FILE *fp, const char *name, const char *key, const gang_report_group *g, size_t n,
		      uint64_t total)
{
	fprintf(fp, ",\"%s\":[", name);
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%s{\"%s\":", i ? "," : "", key);
		gang_report_json_string(fp, g[i].key);
		fprintf(fp, ",\"fail\":%" PRIu64 ",\"share\":%.6f}", g[i].fail,
			total ? (double)g[i].fail / (double)total : 0.0);
	}
	fputc(']', fp);
}

static void rj_groups(FILE *fp, const char *name, const char *key, const gang_report_group *g, size_t n)
{
	fprintf(fp, ",\"%s\":[", name);
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%s{\"%s\":", i ? "," : "", key);
		gang_report_json_string(fp, g[i].key);
		fprintf(fp,
			",\"boards\":%" PRIu64 ",\"attempts\":%" PRIu64 ",\"pass\":%" PRIu64 ",\"fail\":%" PRIu64
			",\"aborted\":%" PRIu64 ",\"first_pass_boards\":%" PRIu64
			",\"first_pass_yield\":%.6f,\"attempt_pass_rate\":%.6f}",
			g[i].boards, g[i].attempts, g[i].pass, g[i].fail, g[i].aborted, g[i].first_boards,
			gang_report_group_first_pass_yield(&g[i]), gang_report_group_pass_rate(&g[i]));
	}
	fputc(']', fp);
}

static void rj_hours_pools(FILE *fp, const gang_report *r)
{
	char t[GANG_REPORT_TIME_LEN];

	fputs(",\"hourly\":[", fp);
	for (size_t i = 0; i < r->n_hours; i++) {
		gang_report_time_text(t, sizeof(t), r->hour0_ms + (int64_t)i * 3600000);
		fprintf(fp, "%s{\"hour\":\"%s\",\"pass\":%" PRIu64 ",\"fail\":%" PRIu64 "}", i ? "," : "", t,
			r->hour_pass[i], r->hour_fail[i]);
	}
	fputs("],\"serial_pools\":[", fp);
	for (size_t i = 0; i < r->n_pools; i++) {
		const gang_report_pool *p = &r->pools[i];

		fprintf(fp, "%s{\"pool\":", i ? "," : "");
		gang_report_json_string(fp, p->name);
		fprintf(fp,
			",\"range_start\":%" PRId64 ",\"range_end\":%" PRId64 ",\"min\":%" PRId64 ",\"max\":%" PRId64
			",\"reserved\":%" PRId64 ",\"burned\":%" PRId64 ",\"void\":%" PRId64 "}",
			p->range_start, p->range_end, p->min_value, p->max_value, p->reserved, p->burned, p->voided);
	}
	fputc(']', fp);
}

static void rj_programmed(FILE *fp, const gang_report *r)
{
	fputs(",\"programmed\":[", fp);
	for (size_t i = 0; i < r->n_programmed; i++) {
		const gang_report_programmed *p = &r->programmed[i];

		fputs(i ? ",{" : "{", fp);
		rj_key_str(fp, "batch", p->batch, 0);
		rj_key_str(fp, "profile", p->profile, 1);
		rj_key_str(fp, "profile_sha256", p->profile_sha256, 1);
		rj_key_str(fp, "image_sha256", p->image_sha256, 1);
		rj_key_str(fp, "station", p->station, 1);
		rj_key_str(fp, "operator", p->operator_name, 1);
		fprintf(fp, ",\"attempts\":%" PRIu64, p->attempts);
		rj_key_str(fp, "first_start", p->first_start, 1);
		rj_key_str(fp, "last_start", p->last_start, 1);
		fputc('}', fp);
	}
	fputc(']', fp);
}

static void rj_failed(FILE *fp, const gang_report *r)
{
	fputs(",\"failed_boards\":[", fp);
	for (size_t i = 0; i < r->n_failed; i++) {
		const gang_report_failed *f = &r->failed[i];

		fputs(i ? ",{" : "{", fp);
		rj_key_str(fp, "uid", f->uid, 0);
		rj_key_str(fp, "status", f->later_passed ? "failed, later passed" : "failed", 1);
		rj_key_str(fp, "serial", f->serial, 1);
		rj_key_str(fp, "slot", f->slot, 1);
		rj_key_str(fp, "probe", f->probe, 1);
		rj_key_str(fp, "step", f->step, 1);
		rj_key_str(fp, "error_class", f->error_class, 1);
		rj_key_str(fp, "error_message", f->message, 1);
		rj_key_str(fp, "failed_at", f->at, 1);
		rj_key_str(fp, "attempt", f->attempt, 1);
		fprintf(fp, ",\"failed_attempts\":%" PRIu64, f->failures);
		rj_key_str(fp, "data", f->data, 1);
		rj_key_str(fp, "label", f->label, 1);
		fputc('}', fp);
	}
	fputc(']', fp);
}

static void rj_data_pools(FILE *fp, const gang_report *r)
{
	fputs(",\"data_pools\":[", fp);
	for (size_t i = 0; i < r->n_data_pools; i++) {
		const gang_report_data_pool *p = &r->data_pools[i];

		fputs(i ? ",{" : "{", fp);
		rj_key_str(fp, "pool", p->name, 0);
		rj_key_str(fp, "kind", p->kind, 1);
		fprintf(fp, ",\"secret\":%s,\"size\":%" PRId64 ",\"reserved\":%" PRId64 ",\"burned\":%" PRId64
			",\"void\":%" PRId64 ",\"remaining\":%" PRId64 "}", p->secret ? "true" : "false", p->size,
			p->reserved, p->burned, p->voided, p->remaining);
	}
	fputc(']', fp);
}

static void rj_conflicts(FILE *fp, const gang_report *r)
{
	fputs(",\"serial_conflicts\":[", fp);
	for (size_t i = 0; i < r->n_conflicts; i++) {
		const gang_serial_conflict *c = &r->conflicts[i];

		fputs(i ? ",{" : "{", fp);
		rj_key_str(fp, "pool", c->pool, 0);
		rj_key_str(fp, "uid", c->uid, 1);
		fprintf(fp, ",\"kept_value\":%" PRId64, c->kept_value);
		rj_key_str(fp, "kept_station", c->kept_station[0] ? c->kept_station : NULL, 1);
		fprintf(fp, ",\"other_value\":%" PRId64, c->other_value);
		rj_key_str(fp, "other_station", c->other_station, 1);
		rj_key_str(fp, "recorded_at", c->recorded_at, 1);
		fputc('}', fp);
	}
	fputc(']', fp);
}

int gang_report_write_json(FILE *fp, const gang_report *r)
{
	fputc('{', fp);
	rj_summary(fp, r);
	rj_programmed(fp, r);
	rj_failed(fp, r);
	rj_cycle(fp, r);
	rj_pareto(fp, "failures_by_class", "class", r->classes, r->n_classes, r->fail);
	rj_pareto(fp, "failures_by_step", "step", r->steps, r->n_steps, r->fail);
	rj_groups(fp, "stations", "station", r->stations, r->n_stations);
	rj_groups(fp, "slots", "slot", r->slots, r->n_slots);
	rj_groups(fp, "probes", "probe", r->probes, r->n_probes);
	rj_hours_pools(fp, r);
	rj_data_pools(fp, r);
	rj_conflicts(fp, r);
	fputs("}\n", fp);
	return ferror(fp) || fflush(fp) ? GANG_EFILE : GANG_OK;
}
