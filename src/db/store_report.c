/*
 * store_report.c — the parts of db_report.h that no backend owns: names of
 * the trace fields, and freeing what the report and trace calls return
 * (every backend allocates those with malloc).
 */
#include "db/db_report.h"

#include <stdlib.h>
#include <string.h>

#include "db/store.h"

static const struct {
	const char *name;
	int number;
} store_trace_fields[GANG_TF_COUNT] = {
	[GANG_TF_ID] = { "attempt", 1 },
	[GANG_TF_STARTED_AT] = { "started_at", 0 },
	[GANG_TF_FINISHED_AT] = { "finished_at", 0 },
	[GANG_TF_DURATION_MS] = { "duration_ms", 1 },
	[GANG_TF_RESULT] = { "result", 0 },
	[GANG_TF_ERROR_CLASS] = { "error_class", 0 },
	[GANG_TF_ERROR_MESSAGE] = { "error_message", 0 },
	[GANG_TF_SLOT] = { "slot", 0 },
	[GANG_TF_PROBE] = { "probe", 0 },
	[GANG_TF_OPERATOR] = { "operator", 0 },
	[GANG_TF_STATION] = { "station", 0 },
	[GANG_TF_BATCH] = { "batch", 0 },
	[GANG_TF_PROFILE] = { "profile", 0 },
	[GANG_TF_PROFILE_SHA256] = { "profile_sha256", 0 },
	[GANG_TF_IMAGE_SHA256] = { "image_sha256", 0 },
	[GANG_TF_PART] = { "part", 0 },
	[GANG_TF_CONNECT_MODE] = { "connect_mode", 0 },
	[GANG_TF_RDP_BEFORE] = { "rdp_before", 1 },
	[GANG_TF_OPTION_BYTES] = { "option_bytes", 0 },
	[GANG_TF_SERIAL_POOL] = { "serial_pool", 0 },
	[GANG_TF_SERIAL_VALUE] = { "serial_value", 1 },
	[GANG_TF_SERIAL_TEXT] = { "serial_text", 0 },
	[GANG_TF_KEY] = { "key", 0 },
};

const char *gang_trace_field_name(gang_trace_field f)
{
	return (unsigned)f < GANG_TF_COUNT ? store_trace_fields[f].name : "?";
}

int gang_trace_field_is_number(gang_trace_field f)
{
	return (unsigned)f < GANG_TF_COUNT && store_trace_fields[f].number;
}

void gang_db_trace_uids_free(char **uids, size_t n)
{
	for (size_t i = 0; uids && i < n; i++)
		free(uids[i]);
	free(uids);
}

static void store_trace_attempt_clear(gang_trace_attempt *a)
{
	for (size_t i = 0; i < GANG_TF_COUNT; i++)
		free(a->f[i]);
	for (size_t i = 0; i < a->n_steps; i++) {
		free(a->steps[i].step);
		free(a->steps[i].result);
		free(a->steps[i].detail);
		free(a->steps[i].at);
	}
	free(a->steps);
}

void gang_db_trace_board_free(gang_trace_board *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_attempts; i++)
		store_trace_attempt_clear(&b->attempts[i]);
	for (size_t i = 0; i < b->n_serials; i++) {
		gang_trace_serial *s = &b->serials[i];

		free(s->pool);
		free(s->state);
		free(s->reserved_at);
		free(s->burned_at);
		free(s->voided_at);
		free(s->reason);
	}
	free(b->attempts);
	free(b->serials);
	free(b->uid);
	free(b->serial);
	free(b->part);
	free(b->first_seen);
	free(b->last_seen);
	free(b->last_result);
	free(b);
}

void gang_db_report_pools_free(gang_report_pool *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].name);
	free(p);
}

void gang_report_row_unpack(gang_report_row *r, char *packed)
{
	const char **fields[5] = { &r->failed_step, &r->serial, &r->data, &r->label, &r->error_message };
	char *p = packed, *q;

	for (int i = 0; i < 5; i++) {
		*fields[i] = p;
		if (p && i < 4 && (q = strchr(p, GANG_REPORT_SEP[0]))) {
			*q = '\0';
			p = q + 1;
		} else {
			p = NULL;
		}
	}
	for (int i = 0; i < 5; i++)
		if (*fields[i] && !**fields[i])
			*fields[i] = NULL;
}

void gang_db_report_data_pools_free(gang_report_data_pool *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].name);
	free(p);
}
