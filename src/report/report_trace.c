/*
 * report_trace.c — `gang trace` output for one board: its identity, every
 * serial ever bound to it, and every attempt (oldest first) with all its
 * recorded fields and its steps. Text for people at the line, JSON for
 * tools; field names come from db_report.h so both stay in step with SQL.
 */
#include "report/report.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "core/text.h"

/* Text from the database, terminal-safe: it may predate gang's checks or come from SQL. */
static void rtr_put(FILE *fp, const char *before, const char *s)
{
	fputs(before, fp);
	gang_text_fput_term(fp, s ? s : "-");
}

static void rtr_text_attempt(FILE *fp, const gang_trace_attempt *a)
{
	char step[GANG_TEXT_TERM_LEN], res[GANG_TEXT_TERM_LEN];

	rtr_put(fp, "\nattempt ", a->f[GANG_TF_KEY] ? a->f[GANG_TF_KEY] : a->f[GANG_TF_ID]);
	rtr_put(fp, "  ", a->f[GANG_TF_STARTED_AT]);
	rtr_put(fp, "  ", a->f[GANG_TF_RESULT] ? a->f[GANG_TF_RESULT] : "open");
	fputc('\n', fp);
	for (int i = GANG_TF_STARTED_AT; i < GANG_TF_KEY; i++)   /* the key heads the attempt */
		if (a->f[i]) {
			fprintf(fp, "  %-15s ", gang_trace_field_name((gang_trace_field)i));
			rtr_put(fp, "", a->f[i]);
			fputc('\n', fp);
		}
	fprintf(fp, "  steps:%s\n", a->n_steps ? "" : " (none recorded)");
	for (size_t j = 0; j < a->n_steps; j++) {
		const gang_trace_step *s = &a->steps[j];

		fprintf(fp, "    %-12s %-4s %8" PRId64 " ms  ", gang_text_term(step, sizeof(step), s->step),
			gang_text_term(res, sizeof(res), s->result), s->duration_ms);
		rtr_put(fp, "", s->at);
		if (s->detail)
			rtr_put(fp, "  ", s->detail);
		fputc('\n', fp);
	}
}

static void rtr_text_serial(FILE *fp, const gang_trace_serial *s)
{
	rtr_put(fp, "  serial ", s->pool);
	fprintf(fp, " %" PRId64 " ", s->value);
	rtr_put(fp, "", s->state);
	rtr_put(fp, " (reserved ", s->reserved_at);
	if (s->burned_at)
		rtr_put(fp, ", burned ", s->burned_at);
	if (s->voided_at)
		rtr_put(fp, ", void ", s->voided_at);
	if (s->reason)
		rtr_put(fp, ": ", s->reason);
	fputs(")\n", fp);
}

int gang_report_trace_text(FILE *fp, const gang_trace_board *b)
{
	rtr_put(fp, "board ", b->uid);
	rtr_put(fp, "  serial ", b->serial);
	rtr_put(fp, "  part ", b->part);
	rtr_put(fp, "  last result ", b->last_result);
	rtr_put(fp, "\n  first seen ", b->first_seen);
	rtr_put(fp, ", last seen ", b->last_seen);
	fprintf(fp, ", %zu attempt%s\n", b->n_attempts, b->n_attempts == 1 ? "" : "s");
	for (size_t i = 0; i < b->n_serials; i++)
		rtr_text_serial(fp, &b->serials[i]);
	for (size_t i = 0; i < b->n_attempts; i++)
		rtr_text_attempt(fp, &b->attempts[i]);
	return ferror(fp) ? GANG_EFILE : GANG_OK;
}

/* Past the digits at s, at least one; NULL when there is none. */
static const char *rtr_digits(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n ? s + n : NULL;
}

/*
 * A JSON number (RFC 8259 §6: optional minus, an integer part without a
 * leading zero, optional fraction and exponent): rdp_before is 0.5 at RDP
 * level 0.5 and must stay a number. A number column that SQL filled with
 * text is written as a string instead, so the document stays JSON.
 */
static int rtr_is_number(const char *s)
{
	s += *s == '-';
	if (s[0] == '0' && isdigit((unsigned char)s[1]))
		return 0;
	if (!(s = rtr_digits(s)))
		return 0;
	if (*s == '.' && !(s = rtr_digits(s + 1)))
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		s += *s == '+' || *s == '-';
		if (!(s = rtr_digits(s)))
			return 0;
	}
	return *s == '\0';
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
		if (gang_trace_field_is_number((gang_trace_field)i) && a->f[i] && rtr_is_number(a->f[i]))
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
