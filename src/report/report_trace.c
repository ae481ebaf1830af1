/*
 * report_trace.c — `gang trace` output for one board: its identity, every
 * serial ever bound to it, and every attempt (oldest first) with all its
 * recorded fields and its steps. Text for people at the line, JSON for
 * tools; field names come from db_report.h so both stay in step with SQL.
 */
#include "report/report.h"

#include <inttypes.h>

static const char *rtr_or(const char *s)
{
	return s ? s : "-";
}

static void rtr_text_attempt(FILE *fp, const gang_trace_attempt *a)
{
	fprintf(fp, "\nattempt %s  %s  %s\n", a->f[GANG_TF_ID], rtr_or(a->f[GANG_TF_STARTED_AT]),
		a->f[GANG_TF_RESULT] ? a->f[GANG_TF_RESULT] : "open");
	for (int i = GANG_TF_STARTED_AT; i < GANG_TF_COUNT; i++)
		if (a->f[i])
			fprintf(fp, "  %-15s %s\n", gang_trace_field_name((gang_trace_field)i), a->f[i]);
	fprintf(fp, "  steps:%s\n", a->n_steps ? "" : " (none recorded)");
	for (size_t j = 0; j < a->n_steps; j++) {
		const gang_trace_step *s = &a->steps[j];

		fprintf(fp, "    %-12s %-4s %8" PRId64 " ms  %s%s%s\n", s->step, s->result, s->duration_ms,
			rtr_or(s->at), s->detail ? "  " : "", s->detail ? s->detail : "");
	}
}

int gang_report_trace_text(FILE *fp, const gang_trace_board *b)
{
	fprintf(fp, "board %s  serial %s  part %s  last result %s\n", b->uid, rtr_or(b->serial), rtr_or(b->part),
		rtr_or(b->last_result));
	fprintf(fp, "  first seen %s, last seen %s, %zu attempt%s\n", rtr_or(b->first_seen), rtr_or(b->last_seen),
		b->n_attempts, b->n_attempts == 1 ? "" : "s");
	for (size_t i = 0; i < b->n_serials; i++) {
		const gang_trace_serial *s = &b->serials[i];

		fprintf(fp, "  serial %s %" PRId64 " %s (reserved %s%s%s%s%s%s%s)\n", s->pool, s->value, s->state,
			rtr_or(s->reserved_at), s->burned_at ? ", burned " : "", s->burned_at ? s->burned_at : "",
			s->voided_at ? ", void " : "", s->voided_at ? s->voided_at : "", s->reason ? ": " : "",
			s->reason ? s->reason : "");
	}
	for (size_t i = 0; i < b->n_attempts; i++)
		rtr_text_attempt(fp, &b->attempts[i]);
	return ferror(fp) ? GANG_EFILE : GANG_OK;
}

static void rtr_key(FILE *fp, const char *key, const char *val, int comma)
{
	fprintf(fp, "%s\"%s\":", comma ? "," : "", key);
	gang_report_json_string(fp, val);
}

static void rtr_json_attempt(FILE *fp, const gang_trace_attempt *a)
{
	fputc('{', fp);
	for (int i = 0; i < GANG_TF_COUNT; i++) {
		if (gang_trace_field_is_number((gang_trace_field)i) && a->f[i])
			fprintf(fp, "%s\"%s\":%s", i ? "," : "", gang_trace_field_name((gang_trace_field)i), a->f[i]);
		else
			rtr_key(fp, gang_trace_field_name((gang_trace_field)i), a->f[i], i);
	}
	fputs(",\"steps\":[", fp);
	for (size_t j = 0; j < a->n_steps; j++) {
		const gang_trace_step *s = &a->steps[j];

		fputs(j ? ",{" : "{", fp);
		rtr_key(fp, "step", s->step, 0);
		rtr_key(fp, "result", s->result, 1);
		fprintf(fp, ",\"duration_ms\":%" PRId64, s->duration_ms);
		rtr_key(fp, "detail", s->detail, 1);
		rtr_key(fp, "at", s->at, 1);
		fputc('}', fp);
	}
	fputs("]}", fp);
}

static void rtr_json_serials(FILE *fp, const gang_trace_board *b)
{
	fputs(",\"serials\":[", fp);
	for (size_t i = 0; i < b->n_serials; i++) {
		const gang_trace_serial *s = &b->serials[i];

		fputs(i ? ",{" : "{", fp);
		rtr_key(fp, "pool", s->pool, 0);
		fprintf(fp, ",\"value\":%" PRId64, s->value);
		rtr_key(fp, "state", s->state, 1);
		rtr_key(fp, "reserved_at", s->reserved_at, 1);
		rtr_key(fp, "burned_at", s->burned_at, 1);
		rtr_key(fp, "voided_at", s->voided_at, 1);
		rtr_key(fp, "reason", s->reason, 1);
		fputc('}', fp);
	}
	fputc(']', fp);
}

int gang_report_trace_json(FILE *fp, const gang_trace_board *b)
{
	fputc('{', fp);
	rtr_key(fp, "uid", b->uid, 0);
	rtr_key(fp, "serial", b->serial, 1);
	rtr_key(fp, "part", b->part, 1);
	rtr_key(fp, "first_seen", b->first_seen, 1);
	rtr_key(fp, "last_seen", b->last_seen, 1);
	rtr_key(fp, "last_result", b->last_result, 1);
	rtr_json_serials(fp, b);
	fputs(",\"attempts\":[", fp);
	for (size_t i = 0; i < b->n_attempts; i++) {
		if (i)
			fputc(',', fp);
		rtr_json_attempt(fp, &b->attempts[i]);
	}
	fputs("]}", fp);
	return ferror(fp) ? GANG_EFILE : GANG_OK;
}
