/*
 * events.c — the plain-line and JSON Lines sinks. Each emit formats one
 * complete line under the sink's mutex, so slots never interleave.
 */
#include "sched/events.h"

#include "core/err.h"
#include "core/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct sink_file {
	gang_sink base;
	FILE *fp;
	pthread_mutex_t mu;
} sink_file;

static const char *const event_names[] = {
	"run_start", "slot_up", "slot_down", "waiting", "board", "step",
	"progress", "note", "result", "removed", "run_end", "stopping", "run_note",
};

const char *gang_event_kind_name(gang_event_kind k)
{
	return (unsigned)k < sizeof(event_names) / sizeof(event_names[0]) ? event_names[k] : "unknown";
}

double gang_now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void gang_json_string(FILE *fp, const char *s)
{
	gang_text_fput_json(fp, s);
}

static void iso_time(char *out, size_t cap, double ts)
{
	time_t sec = (time_t)ts;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, cap - n, ".%03dZ", (int)((ts - (double)sec) * 1000.0));
}

static void json_kv_str(FILE *fp, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	fprintf(fp, ",\"%s\":", key);
	gang_json_string(fp, val);
}

static void json_emit(gang_sink *s, const gang_event *ev)
{
	sink_file *sf = (sink_file *)s;
	char ts[40];

	iso_time(ts, sizeof(ts), ev->ts);
	pthread_mutex_lock(&sf->mu);
	fprintf(sf->fp, "{\"event\":\"%s\",\"time\":\"%s\"", gang_event_kind_name(ev->kind), ts);
	json_kv_str(sf->fp, "slot", ev->slot);
	json_kv_str(sf->fp, "probe", ev->probe);
	json_kv_str(sf->fp, "uid", ev->uid);
	json_kv_str(sf->fp, "serial", ev->serial);
	json_kv_str(sf->fp, "step", ev->step);
	if (ev->kind == GANG_EV_PROGRESS)
		fprintf(sf->fp, ",\"done\":%llu,\"total\":%llu,\"kib_s\":%.1f", (unsigned long long)ev->done,
			(unsigned long long)ev->total, ev->rate_kib_s);
	if (ev->attempt)
		fprintf(sf->fp, ",\"attempt\":%d", ev->attempt);
	json_kv_str(sf->fp, "result", gang_ev_result_name(ev->result));
	if (ev->kind == GANG_EV_RESULT && ev->retry)
		fputs(",\"retry\":true", sf->fp);
	if (ev->kind == GANG_EV_STOPPING)
		fprintf(sf->fp, ",\"stop_level\":%d", ev->stop_level);
	json_kv_str(sf->fp, "error_class", ev->error_class);
	json_kv_str(sf->fp, "message", ev->message);
	json_kv_str(sf->fp, "detail", ev->detail);
	if (ev->kind == GANG_EV_RESULT)
		fprintf(sf->fp, ",\"elapsed_s\":%.3f", ev->elapsed_s);
	json_kv_str(sf->fp, "profile", ev->profile);
	json_kv_str(sf->fp, "batch", ev->batch);
	if (ev->kind == GANG_EV_RUN_START && ev->boards_max > 0)
		fprintf(sf->fp, ",\"boards_max\":%ld", ev->boards_max);
	if (ev->kind == GANG_EV_RUN_END)
		fprintf(sf->fp, ",\"boards\":%u,\"passed\":%u,\"failed\":%u,\"first_pass\":%u,"
			"\"boards_per_hour\":%.1f", ev->boards, ev->passed, ev->failed, ev->first_pass,
			ev->boards_per_hour);
	fputs("}\n", sf->fp);
	fflush(sf->fp);
	pthread_mutex_unlock(&sf->mu);
}

/* Outside text (names, UIDs, messages) never reaches the terminal raw. */
static void plain_text(FILE *fp, const char *before, const char *s)
{
	fputs(before, fp);
	gang_text_fput_term(fp, s);
}

const char *gang_ev_result_name(gang_ev_result r)
{
	static const char *const names[] = {
		[GANG_RESULT_NONE] = "", [GANG_RESULT_PASS] = "pass", [GANG_RESULT_FAIL] = "fail",
		[GANG_RESULT_ABORTED] = "aborted", [GANG_RESULT_ALREADY] = "already",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "";
}

/* The word before a result's sentence; "already": a board that passed before, left as it is. */
static const char *plain_result_word(gang_ev_result result)
{
	if (result == GANG_RESULT_FAIL)
		return "FAIL ";
	return result == GANG_RESULT_ALREADY ? "SKIP " : "ABORTED ";
}

static void plain_result(FILE *fp, const gang_event *ev)
{
	if (ev->retry) {
		fprintf(fp, "attempt %d failed, retrying: ", ev->attempt);
		plain_text(fp, "", ev->message);
	} else if (ev->result == GANG_RESULT_PASS) {
		plain_text(fp, "PASS serial ", ev->serial && *ev->serial ? ev->serial : "-");
		plain_text(fp, " uid ", ev->uid ? ev->uid : "-");
		fprintf(fp, " (%.1f s)", ev->elapsed_s);
	} else {
		plain_text(fp, plain_result_word(ev->result), ev->message);
	}
}

static void plain_run_end(FILE *fp, const gang_event *ev)
{
	plain_text(fp, "batch ", ev->batch);
	fprintf(fp, ": %u board%s, %u passed, %u failed, first-pass yield %.1f%%, %.0f boards/h", ev->boards,
		ev->boards == 1 ? "" : "s", ev->passed, ev->failed,
		ev->boards ? 100.0 * ev->first_pass / ev->boards : 0.0, ev->boards_per_hour);
}

static void plain_body(FILE *fp, const gang_event *ev)
{
	switch (ev->kind) {
	case GANG_EV_RUN_START:
		plain_text(fp, "run: profile ", ev->profile);
		plain_text(fp, ", batch ", ev->batch);
		break;
	case GANG_EV_SLOT_UP:
		plain_text(fp, "probe ", ev->probe);
		fputs(" ready", fp);
		break;
	case GANG_EV_SLOT_DOWN:
		/* with a class the slot stopped for good (database, pool, probe); without, the probe went */
		if (ev->error_class) {
			plain_text(fp, "slot stopped (", ev->error_class);
			plain_text(fp, "): ", ev->message);
			break;
		}
		plain_text(fp, "probe ", ev->probe);
		plain_text(fp, " gone: ", ev->message);
		break;
	case GANG_EV_WAITING: fputs("waiting for a board", fp); break;
	case GANG_EV_BOARD:
		plain_text(fp, "board ", ev->uid ? ev->uid : "?");
		fprintf(fp, " attempt %d", ev->attempt);
		break;
	case GANG_EV_STEP: plain_text(fp, "", ev->step); break;
	case GANG_EV_PROGRESS:
		plain_text(fp, "", ev->step);
		fprintf(fp, " %llu/%llu bytes", (unsigned long long)ev->done, (unsigned long long)ev->total);
		break;
	case GANG_EV_NOTE: plain_text(fp, "note: ", ev->message); break;
	case GANG_EV_RESULT: plain_result(fp, ev); break;
	case GANG_EV_REMOVED: fputs("board removed", fp); break;
	case GANG_EV_RUN_END: plain_run_end(fp, ev); break;
	case GANG_EV_STOPPING:
		fputs(ev->stop_level >= 2 ? "stopping: aborting the boards in progress"
					  : "stopping: finishing the boards in progress, no new board", fp);
		break;
	case GANG_EV_RUN_NOTE: plain_text(fp, "note: ", ev->message); break;
	}
}

static void plain_emit(gang_sink *s, const gang_event *ev)
{
	sink_file *sf = (sink_file *)s;
	char ts[40], slot[64];

	/* Progress is for live displays; a log of lines keeps only step boundaries. */
	if (ev->kind == GANG_EV_PROGRESS)
		return;
	iso_time(ts, sizeof(ts), ev->ts);
	pthread_mutex_lock(&sf->mu);
	fprintf(sf->fp, "%s %-4s ", ts, gang_text_term(slot, sizeof(slot), ev->slot ? ev->slot : "-"));
	plain_body(sf->fp, ev);
	fputc('\n', sf->fp);
	fflush(sf->fp);
	pthread_mutex_unlock(&sf->mu);
}

static void file_free(gang_sink *s)
{
	sink_file *sf = (sink_file *)s;

	pthread_mutex_destroy(&sf->mu);
	free(sf);
}

static const gang_sink_ops plain_ops = { plain_emit, NULL, file_free };
static const gang_sink_ops json_ops = { json_emit, NULL, file_free };

static gang_sink *sink_file_new(const gang_sink_ops *ops, FILE *fp)
{
	sink_file *sf = calloc(1, sizeof(*sf));

	if (!sf)
		return NULL;
	sf->base.ops = ops;
	sf->fp = fp;
	pthread_mutex_init(&sf->mu, NULL);
	return &sf->base;
}

gang_sink *gang_sink_plain_new(FILE *fp)
{
	return sink_file_new(&plain_ops, fp);
}

gang_sink *gang_sink_json_new(FILE *fp)
{
	return sink_file_new(&json_ops, fp);
}

void gang_sink_emit(gang_sink *s, const gang_event *ev)
{
	if (s)
		s->ops->emit(s, ev);
}

int gang_sink_poll_key(gang_sink *s, char *slot_out, size_t cap)
{
	return s && s->ops->poll_key ? s->ops->poll_key(s, slot_out, cap) : 0;
}

bool gang_sink_can_scan(const gang_sink *s)
{
	return s && s->ops->scan;
}

int gang_sink_scan(gang_sink *s, char *out, size_t cap, const char *slot, bool (*stop)(void *), void *stop_arg)
{
	if (cap)
		out[0] = '\0';
	return gang_sink_can_scan(s) ? s->ops->scan(s, out, cap, slot, stop, stop_arg) : GANG_ECANCELLED;
}

void gang_sink_free(gang_sink *s)
{
	if (s)
		s->ops->free(s);
}
