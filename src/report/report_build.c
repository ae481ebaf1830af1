/*
 * report_build.c — the numbers of a production report, computed in one
 * pass over the selected attempts (the backend's report_scan streams them) so a million
 * attempts stay well under the 2 s budget: per-UID first attempt for
 * first-pass yield, per slot/probe counters with distinct boards, failures
 * by error class and failing step, passing cycle times (nearest-rank
 * median/p95 by quickselect), pass/fail per hour of finished_at, each
 * board's latest finished attempt and latest failure (the failed-boards
 * list), and the combinations of batch, profile, hashes, station and
 * operator (consecutive rows almost always share theirs, so a row costs six
 * string compares, not a hash lookup).
 * Definitions: docs/reports.md.
 */
#include "report/report.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_intern.h"

#define RB_MS_PER_HOUR 3600000LL
#define RB_UNKNOWN "(unknown)"
#define RB_NO_CLASS "(none)"
#define RB_NO_STEP "(no failed step recorded)"

#define RB_NONE UINT32_MAX
#define RB_PROG_FIELDS 6
#define RB_PROG_SEP '\x1f' /* ASCII unit separator: joins the fields of a combination into one key */

enum { RB_PASS, RB_FAIL, RB_ABORTED, RB_OPEN };

typedef struct rb_board {
	int64_t first_ms, first_id; /* the board's earliest attempt in the selection */
	int64_t last_ms, last_id;   /* its latest finished (pass or fail) attempt; last_id 0 = none */
	uint32_t slot, probe, station; /* group of its first attempt seen: counted without the set */
	uint32_t first_slot, first_probe, first_station; /* groups of its earliest attempt */
	uint32_t fail;              /* index into rb_state.fails, RB_NONE = never failed */
	uint8_t first_pass, passed, last_pass;
} rb_board;

/* The latest failed attempt of a board; names are indexes into the interned tables. */
typedef struct rb_fail {
	int64_t id, seq, start_ms, finish_ms;
	char station[GANG_DB_STATION_MAX];
	uint32_t uid, slot, probe, cls, step, msg, serial; /* msg, serial: RB_NONE = none */
	uint32_t data, label;       /* RB_NONE = none */
	uint32_t failures;
} rb_fail;

/* What was programmed: attempts of one combination of batch, profile, hashes, station, operator. */
typedef struct rb_prog {
	uint64_t attempts;
	int64_t first_ms, last_ms;
} rb_prog;

/* Indexes of one attempt's groups. */
typedef struct rb_idx {
	uint32_t slot, probe, cls, step, station;
} rb_idx;

/* A growable array of int64 (durations, hour marks). */
typedef struct rb_vec {
	int64_t *v;
	size_t n, cap;
} rb_vec;

typedef struct rb_groups {
	rep_intern names;
	gang_report_group *g; /* parallel to names.keys */
	size_t cap;
} rb_groups;

typedef struct rb_state {
	gang_report *r;
	rep_intern uids;
	rb_board *boards;
	size_t boards_cap;
	rb_groups stations, slots, probes, classes, steps;
	rep_set seen;          /* (uid index, group tag) pairs already counted */
	rb_vec durations, hours;
	int64_t first_ms, last_ms;
	rb_fail *fails;
	size_t n_fails, fails_cap;
	rep_intern texts;      /* error messages, serials, data values and labels of failed attempts */
	rep_intern progs;      /* combinations, joined by RB_PROG_SEP */
	rb_prog *prog;
	size_t prog_cap;
	char *prev_key;        /* the previous row's combination: consecutive rows rarely differ */
	size_t prev_cap, prev_off[RB_PROG_FIELDS]; /* where each field starts in prev_key */
	uint32_t prev_idx;
	gang_diag *d;
} rb_state;

static int rb_vec_push(rb_vec *v, int64_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 1024U;
		int64_t *grown = realloc(v->v, cap * sizeof(*grown));

		if (!grown)
			return GANG_ENOMEM;
		v->v = grown;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return GANG_OK;
}

static int rb_result(const char *s)
{
	if (!s)
		return RB_OPEN;
	if (strcmp(s, "pass") == 0)
		return RB_PASS;
	return strcmp(s, "fail") == 0 ? RB_FAIL : RB_ABORTED;
}

static int rb_group(gang_report_group **out, uint32_t *idx_out, rb_groups *gs, const char *key)
{
	int added;

	if (rep_intern_get(idx_out, &added, &gs->names, key) < 0)
		return GANG_ENOMEM;
	if (added && gs->names.n > gs->cap) {
		size_t cap = gs->cap ? gs->cap * 2 : 16U;
		gang_report_group *grown = realloc(gs->g, cap * sizeof(*grown));

		if (!grown)
			return GANG_ENOMEM;
		gs->g = grown;
		gs->cap = cap;
	}
	if (added)
		memset(&gs->g[*idx_out], 0, sizeof(gs->g[0]));
	*out = &gs->g[*idx_out];
	return GANG_OK;
}

static void rb_count(gang_report_group *g, int res)
{
	g->attempts++;
	g->pass += res == RB_PASS;
	g->fail += res == RB_FAIL;
	g->aborted += res == RB_ABORTED;
}

/* Make room for need elements of size bytes in *v (capacity *cap). GANG_ENOMEM. */
static int rb_grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 1024U;
	void *grown;

	if (need <= *cap)
		return GANG_OK;
	while (n < need)
		n *= 2;
	if (!(grown = realloc(*v, n * size)))
		return GANG_ENOMEM;
	*v = grown;
	*cap = n;
	return GANG_OK;
}

/*
 * Count the attempt in the group of key and, once per group, its board.
 * Most boards stay on one slot, so the group of the board's first attempt
 * seen is kept in the board record (*first, RB_NONE = none yet) and only
 * other groups go to the seen set (tag separates slots, probes and stations) —
 * a million set insertions would cost more than the whole SQL scan.
 */
static int rb_count_board_group(uint32_t *idx_out, rb_state *s, rb_groups *gs, const char *key, int res,
				int64_t uid_idx, uint32_t *first, uint64_t tag)
{
	gang_report_group *g;
	uint32_t idx;
	int added = 1;

	if (rb_group(&g, &idx, gs, key ? key : RB_UNKNOWN) < 0)
		return GANG_ENOMEM;
	*idx_out = idx;
	rb_count(g, res);
	if (uid_idx < 0 || *first == idx)
		return GANG_OK;
	if (*first == RB_NONE)
		*first = idx;
	else if (rep_set_add(&added, &s->seen, (uint64_t)uid_idx << 32 | tag | idx) < 0)
		return GANG_ENOMEM;
	g->boards += (uint64_t)added;
	return GANG_OK;
}

static int rb_board_add(int64_t *idx_out, rb_state *s, const char *uid)
{
	uint32_t idx;
	int added;

	if (rep_intern_get(&idx, &added, &s->uids, uid) < 0 ||
	    rb_grow((void **)&s->boards, &s->boards_cap, s->uids.n, sizeof(*s->boards)) < 0)
		return GANG_ENOMEM;
	if (added)
		s->boards[idx] = (rb_board){ .first_ms = INT64_MAX, .slot = RB_NONE, .probe = RB_NONE,
					     .station = RB_NONE, .fail = RB_NONE };
	*idx_out = idx;
	return GANG_OK;
}

/* Attempt (ms, id) comes after (ms0, id0): started later, or at the same time with a higher id. */
static int rb_later(int64_t ms, int64_t id, int64_t ms0, int64_t id0)
{
	return ms > ms0 || (ms == ms0 && id > id0);
}

/* Remember the board's latest failed attempt (the one the list of failed boards shows). */
static int rb_fail_note(rb_state *s, rb_board *b, uint32_t uid, const gang_report_row *row, int64_t start_ms,
			int64_t finish_ms, const rb_idx *ix)
{
	rb_fail *f;

	if (b->fail == RB_NONE) {
		if (rb_grow((void **)&s->fails, &s->fails_cap, s->n_fails + 1, sizeof(*s->fails)) < 0)
			return GANG_ENOMEM;
		b->fail = (uint32_t)s->n_fails++;
		s->fails[b->fail] = (rb_fail){ .id = 0 };
	}
	f = &s->fails[b->fail];
	f->failures++;
	if (f->id && !rb_later(start_ms, row->id, f->start_ms, f->id))
		return GANG_OK;
	*f = (rb_fail){ .id = row->id, .seq = row->seq, .start_ms = start_ms, .finish_ms = finish_ms, .uid = uid, .slot = ix->slot,
			.probe = ix->probe, .cls = ix->cls, .step = ix->step, .msg = RB_NONE, .serial = RB_NONE,
			.data = RB_NONE, .label = RB_NONE, .failures = f->failures };
	snprintf(f->station, sizeof(f->station), "%s", row->station ? row->station : "");
	if ((row->error_message && rep_intern_get(&f->msg, NULL, &s->texts, row->error_message) < 0) ||
	    (row->data && rep_intern_get(&f->data, NULL, &s->texts, row->data) < 0) ||
	    (row->label && rep_intern_get(&f->label, NULL, &s->texts, row->label) < 0))
		return GANG_ENOMEM;
	return row->serial ? rep_intern_get(&f->serial, NULL, &s->texts, row->serial) : GANG_OK;
}

static int rb_board_update(rb_state *s, uint32_t i, const gang_report_row *row, int res, int64_t start_ms,
			   int64_t finish_ms, const rb_idx *ix)
{
	rb_board *b = &s->boards[i];

	if (rb_later(b->first_ms, b->first_id, start_ms, row->id)) {
		b->first_ms = start_ms;
		b->first_id = row->id;
		b->first_pass = res == RB_PASS;
		b->first_slot = ix->slot;
		b->first_probe = ix->probe;
		b->first_station = ix->station;
	}
	b->passed |= res == RB_PASS;
	if ((res == RB_PASS || res == RB_FAIL) &&
	    (!b->last_id || rb_later(start_ms, row->id, b->last_ms, b->last_id))) {
		b->last_ms = start_ms;
		b->last_id = row->id;
		b->last_pass = res == RB_PASS;
	}
	return res == RB_FAIL ? rb_fail_note(s, b, i, row, start_ms, finish_ms, ix) : GANG_OK;
}

static int rb_times(int64_t *start_ms, int64_t *finish_ms, rb_state *s, const gang_report_row *row)
{
	*finish_ms = -1;
	if (gang_report_time_ms(start_ms, row->started_at) < 0 ||
	    (row->finished_at && gang_report_time_ms(finish_ms, row->finished_at) < 0))
		return gang_diag_set(s->d, GANG_EDB, "attempt %lld has a malformed time ('%s', '%s')",
				     (long long)row->id, row->started_at ? row->started_at : "NULL",
				     row->finished_at ? row->finished_at : "NULL");
	if (*start_ms < s->first_ms)
		s->first_ms = *start_ms;
	if (*finish_ms > s->last_ms)
		s->last_ms = *finish_ms;
	return GANG_OK;
}

static int rb_failure(rb_idx *ix, rb_state *s, const gang_report_row *row)
{
	gang_report_group *g;

	if (rb_group(&g, &ix->cls, &s->classes, row->error_class ? row->error_class : RB_NO_CLASS) < 0)
		return GANG_ENOMEM;
	rb_count(g, RB_FAIL);
	if (rb_group(&g, &ix->step, &s->steps, row->failed_step ? row->failed_step : RB_NO_STEP) < 0)
		return GANG_ENOMEM;
	rb_count(g, RB_FAIL);
	return GANG_OK;
}

static int rb_row_counts(rb_state *s, const gang_report_row *row, int res, int64_t start_ms, int64_t finish_ms)
{
	gang_report *r = s->r;
	int64_t uid_idx = -1;
	uint32_t none[3] = { RB_NONE, RB_NONE, RB_NONE }, *slot = &none[0], *probe = &none[1], *station = &none[2];
	rb_idx ix = { RB_NONE, RB_NONE, RB_NONE, RB_NONE, RB_NONE };

	r->attempts++;
	r->pass += res == RB_PASS;
	r->fail += res == RB_FAIL;
	r->aborted += res == RB_ABORTED;
	r->open += res == RB_OPEN;
	if (!row->uid)
		r->unidentified++;
	else if (rb_board_add(&uid_idx, s, row->uid) < 0)
		return GANG_ENOMEM;
	if (uid_idx >= 0) {
		slot = &s->boards[uid_idx].slot;
		probe = &s->boards[uid_idx].probe;
		station = &s->boards[uid_idx].station;
	}
	if (rb_count_board_group(&ix.slot, s, &s->slots, row->slot, res, uid_idx, slot, 0) < 0 ||
	    rb_count_board_group(&ix.probe, s, &s->probes, row->probe_serial, res, uid_idx, probe, 1ULL << 31) < 0 ||
	    rb_count_board_group(&ix.station, s, &s->stations, row->station, res, uid_idx, station, 1ULL << 30) < 0 ||
	    (res == RB_FAIL && rb_failure(&ix, s, row) < 0))
		return GANG_ENOMEM;
	return uid_idx < 0 ? GANG_OK : rb_board_update(s, (uint32_t)uid_idx, row, res, start_ms, finish_ms, &ix);
}

static const char *rb_prog_field(const gang_report_row *row, int i)
{
	const char *const f[RB_PROG_FIELDS] = { row->batch,	     row->profile_name, row->profile_sha256,
						row->image_sha256, row->station,	     row->operator_name };

	return f[i] ? f[i] : "";
}

/* The row has the previous row's combination (prev_key holds its fields NUL-separated). */
static int rb_prog_same(const rb_state *s, const gang_report_row *row)
{
	if (!s->prev_key)
		return 0;
	for (int i = 0; i < RB_PROG_FIELDS; i++)
		if (strcmp(rb_prog_field(row, i), s->prev_key + s->prev_off[i]) != 0)
			return 0;
	return 1;
}

/* Intern the row's combination; keep it (NUL-separated) in prev_key for the next row. */
static int rb_prog_key(rb_state *s, const gang_report_row *row)
{
	size_t len = 0;
	int added;

	for (int i = 0; i < RB_PROG_FIELDS; i++)
		len += strlen(rb_prog_field(row, i)) + 1;
	if (rb_grow((void **)&s->prev_key, &s->prev_cap, len, 1) < 0)
		return GANG_ENOMEM;
	len = 0;
	for (int i = 0; i < RB_PROG_FIELDS; i++) {
		const char *f = rb_prog_field(row, i);

		s->prev_off[i] = len;
		memcpy(s->prev_key + len, f, strlen(f));
		len += strlen(f);
		s->prev_key[len++] = i + 1 < RB_PROG_FIELDS ? RB_PROG_SEP : '\0';
	}
	if (rep_intern_get(&s->prev_idx, &added, &s->progs, s->prev_key) < 0 ||
	    rb_grow((void **)&s->prog, &s->prog_cap, s->progs.n, sizeof(*s->prog)) < 0)
		return GANG_ENOMEM;
	if (added)
		s->prog[s->prev_idx] = (rb_prog){ .first_ms = INT64_MAX, .last_ms = INT64_MIN };
	for (char *p = s->prev_key; *p; p++)
		*p = *p == RB_PROG_SEP ? '\0' : *p;
	return GANG_OK;
}

static int rb_prog_count(rb_state *s, const gang_report_row *row, int64_t start_ms)
{
	rb_prog *p;

	if (!rb_prog_same(s, row) && rb_prog_key(s, row) < 0)
		return GANG_ENOMEM;
	p = &s->prog[s->prev_idx];
	p->attempts++;
	p->first_ms = start_ms < p->first_ms ? start_ms : p->first_ms;
	p->last_ms = start_ms > p->last_ms ? start_ms : p->last_ms;
	return GANG_OK;
}

static int rb_row(void *ctx, const gang_report_row *row)
{
	rb_state *s = ctx;
	int64_t start_ms, finish_ms;
	int res = rb_result(row->result), err;

	if ((err = rb_times(&start_ms, &finish_ms, s, row)) < 0)
		return err;
	if (rb_row_counts(s, row, res, start_ms, finish_ms) < 0 || rb_prog_count(s, row, start_ms) < 0)
		return gang_diag_set(s->d, GANG_ENOMEM, "out of memory building the report");
	if (res == RB_PASS && finish_ms >= 0 && rb_vec_push(&s->durations, finish_ms - start_ms) < 0)
		return gang_diag_set(s->d, GANG_ENOMEM, "out of memory building the report");
	/* Hour marks: hour number * 2 + failed, so one array carries both series. */
	if ((res == RB_PASS || res == RB_FAIL) && finish_ms >= 0 &&
	    rb_vec_push(&s->hours, finish_ms / RB_MS_PER_HOUR * 2 + (res == RB_FAIL)) < 0)
		return gang_diag_set(s->d, GANG_ENOMEM, "out of memory building the report");
	return GANG_OK;
}

static void rb_swap(int64_t *a, int64_t *b)
{
	int64_t t = *a;

	*a = *b;
	*b = t;
}

/*
 * Put the k-th smallest of v[lo..hi] at v[k], smaller ones before it and
 * larger after (quickselect, median-of-three pivot): O(n) on average, where
 * sorting a million durations would be the slowest step of the report.
 */
static void rb_select(int64_t *v, ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t k)
{
	while (lo < hi) {
		ptrdiff_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		int64_t pivot;

		if (v[mid] < v[lo])
			rb_swap(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			rb_swap(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			rb_swap(&v[hi], &v[mid]);
		pivot = v[mid];
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
				rb_swap(&v[i++], &v[j--]);
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* Slots and probes in natural order: S2 before S10. */
static int rb_cmp_name(const void *a, const void *b)
{
	return strverscmp(((const gang_report_group *)a)->key, ((const gang_report_group *)b)->key);
}

/* Pareto order: most failures first, then by name for a stable output. */
static int rb_cmp_fail(const void *a, const void *b)
{
	const gang_report_group *x = a, *y = b;

	if (x->fail != y->fail)
		return x->fail < y->fail ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* Give the groups their names (copies: the intern arena goes) and sort them. */
static int rb_groups_take(gang_report_group **out, size_t *n_out, rb_groups *gs,
			  int (*cmp)(const void *, const void *))
{
	for (size_t i = 0; i < gs->names.n; i++)
		if (!(gs->g[i].key = strdup(rep_intern_key(&gs->names, (uint32_t)i)))) {
			while (i--)
				free(gs->g[i].key);
			return GANG_ENOMEM;
		}
	*out = gs->g;
	*n_out = gs->names.n;
	gs->g = NULL;
	if (*n_out)
		qsort(*out, *n_out, sizeof(**out), cmp);
	return GANG_OK;
}

static int rb_histogram(gang_report *r, const rb_vec *dur)
{
	int64_t span = r->cycle.max_ms - r->cycle.min_ms + 1;
	int64_t width = (span + (int64_t)GANG_REPORT_HIST_BINS - 1) / (int64_t)GANG_REPORT_HIST_BINS;
	size_t n = (size_t)((span + width - 1) / width);

	if (!(r->hist = calloc(n, sizeof(*r->hist))))
		return GANG_ENOMEM;
	r->n_hist = n;
	for (size_t i = 0; i < n; i++) {
		r->hist[i].lo_ms = r->cycle.min_ms + (int64_t)i * width;
		r->hist[i].hi_ms = r->hist[i].lo_ms + width;
	}
	for (size_t i = 0; i < dur->n; i++)
		r->hist[(dur->v[i] - r->cycle.min_ms) / width].count++;
	return GANG_OK;
}

/* Index of the nearest-rank percentile: rank ceil(p/100 * n), 1-based. */
static size_t rb_rank(size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99U) / 100U;

	return rank ? rank - 1 : 0;
}

static int rb_cycle(gang_report *r, rb_vec *dur)
{
	size_t k50 = rb_rank(dur->n, 50U), k95 = rb_rank(dur->n, 95U);
	double sum = 0;

	r->cycle.n = dur->n;
	if (!dur->n)
		return GANG_OK;
	r->cycle.min_ms = r->cycle.max_ms = dur->v[0];
	for (size_t i = 0; i < dur->n; i++) {
		sum += (double)dur->v[i];
		r->cycle.min_ms = dur->v[i] < r->cycle.min_ms ? dur->v[i] : r->cycle.min_ms;
		r->cycle.max_ms = dur->v[i] > r->cycle.max_ms ? dur->v[i] : r->cycle.max_ms;
	}
	rb_select(dur->v, 0, (ptrdiff_t)dur->n - 1, (ptrdiff_t)k50);
	/* everything after k50 is >= it, so p95 is selected in that part only */
	rb_select(dur->v, (ptrdiff_t)k50, (ptrdiff_t)dur->n - 1, (ptrdiff_t)k95);
	r->cycle.median_ms = dur->v[k50];
	r->cycle.p95_ms = dur->v[k95];
	r->cycle.mean_ms = sum / (double)dur->n;
	return rb_histogram(r, dur);
}

static int rb_hours(gang_report *r, const rb_vec *marks)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	for (size_t i = 0; i < marks->n; i++) {
		lo = marks->v[i] / 2 < lo ? marks->v[i] / 2 : lo;
		hi = marks->v[i] / 2 > hi ? marks->v[i] / 2 : hi;
	}
	if (!marks->n)
		return GANG_OK;
	r->n_hours = (size_t)(hi - lo + 1);
	r->hour0_ms = lo * RB_MS_PER_HOUR;
	r->hour_pass = calloc(r->n_hours, sizeof(*r->hour_pass));
	r->hour_fail = calloc(r->n_hours, sizeof(*r->hour_fail));
	if (!r->hour_pass || !r->hour_fail)
		return GANG_ENOMEM;
	for (size_t i = 0; i < marks->n; i++) {
		if (marks->v[i] % 2)
			r->hour_fail[marks->v[i] / 2 - lo]++;
		else
			r->hour_pass[marks->v[i] / 2 - lo]++;
	}
	return GANG_OK;
}

static void rb_boards(gang_report *r, rb_state *s)
{
	r->boards = s->uids.n;
	for (size_t i = 0; i < s->uids.n; i++) {
		const rb_board *b = &s->boards[i];

		r->boards_passed += b->passed;
		r->boards_first_pass += b->first_pass;
		s->slots.g[b->first_slot].first_boards++;
		s->slots.g[b->first_slot].first_pass += b->first_pass;
		s->probes.g[b->first_probe].first_boards++;
		s->probes.g[b->first_probe].first_pass += b->first_pass;
		s->stations.g[b->first_station].first_boards++;
		s->stations.g[b->first_station].first_pass += b->first_pass;
		if (b->fail != RB_NONE && b->last_pass)
			r->boards_failed_later_passed++;
		else if (b->fail != RB_NONE)
			r->boards_failed++;
	}
	if (r->attempts) {
		gang_report_time_text(r->first_start, sizeof(r->first_start), s->first_ms);
		if (s->last_ms >= 0) {
			gang_report_time_text(r->last_finish, sizeof(r->last_finish), s->last_ms);
			r->span_ms = s->last_ms > s->first_ms ? s->last_ms - s->first_ms : 0;
		}
	}
}

/* The interned tables a failure's names come from, in gang_report_failed field order. */
#define RB_FAIL_FIELDS 9

static void rb_fail_names(const rep_intern *t[RB_FAIL_FIELDS], uint32_t idx[RB_FAIL_FIELDS], const rb_state *s,
			  const rb_fail *f)
{
	const rep_intern *tables[RB_FAIL_FIELDS] = { &s->uids,	      &s->texts,	   &s->slots.names,
						     &s->probes.names, &s->steps.names, &s->classes.names,
						     &s->texts,	      &s->texts,	   &s->texts };
	uint32_t ids[RB_FAIL_FIELDS] = { f->uid, f->serial, f->slot, f->probe, f->step, f->cls, f->msg, f->data,
					 f->label };

	memcpy(t, tables, sizeof(tables));
	memcpy(idx, ids, sizeof(ids));
}

/* Copy key idx of t to *cursor and advance it; NULL for RB_NONE. */
static char *rb_put(char **cursor, const rep_intern *t, uint32_t idx)
{
	const char *k;
	size_t n;
	char *out = *cursor;

	if (idx == RB_NONE)
		return NULL;
	k = rep_intern_key(t, idx);
	n = strlen(k) + 1;
	memcpy(out, k, n);
	*cursor += n;
	return out;
}

/* Still failed first, then by time of the failure, then UID. */
static int rb_cmp_failed(const void *a, const void *b)
{
	const gang_report_failed *x = a, *y = b;

	if (x->later_passed != y->later_passed)
		return x->later_passed - y->later_passed;
	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return strcmp(x->uid, y->uid);
}

/* Every string of the list in one block (r->failed_text): no allocation per field of 10^5 boards. */
/* The failed attempt's portable key (station and number), as db.h prints one. */
static void rb_attempt_key(char *out, size_t cap, const rb_fail *f)
{
	gang_attempt_key k = { .seq = f->seq };

	snprintf(k.station, sizeof(k.station), "%s", f->station);
	gang_attempt_key_text(out, cap, &k);
}

static int rb_failed(gang_report *r, const rb_state *s)
{
	const rep_intern *t[RB_FAIL_FIELDS];
	uint32_t idx[RB_FAIL_FIELDS];
	size_t len = 0;
	char *cur;

	if (!s->n_fails)
		return GANG_OK;
	for (size_t i = 0; i < s->n_fails; i++) {
		rb_fail_names(t, idx, s, &s->fails[i]);
		for (int k = 0; k < RB_FAIL_FIELDS; k++)
			len += idx[k] == RB_NONE ? 0 : strlen(rep_intern_key(t[k], idx[k])) + 1;
	}
	if (!(r->failed = calloc(s->n_fails, sizeof(*r->failed))) || !(r->failed_text = malloc(len ? len : 1)))
		return GANG_ENOMEM;
	cur = r->failed_text;
	for (size_t i = 0; i < s->n_fails; i++) {
		const rb_fail *f = &s->fails[i];
		gang_report_failed *o = &r->failed[r->n_failed++];
		char **fields[RB_FAIL_FIELDS] = { &o->uid,  &o->serial,      &o->slot,    &o->probe, &o->step,
						  &o->error_class, &o->message, &o->data,  &o->label };

		rb_fail_names(t, idx, s, f);
		for (int k = 0; k < RB_FAIL_FIELDS; k++)
			*fields[k] = rb_put(&cur, t[k], idx[k]);
		o->at_ms = f->finish_ms;
		gang_report_time_text(o->at, sizeof(o->at), f->finish_ms);
		o->attempt_id = f->id;
		rb_attempt_key(o->attempt, sizeof(o->attempt), f);
		o->failures = f->failures;
		o->later_passed = s->boards[f->uid].last_pass;
	}
	qsort(r->failed, r->n_failed, sizeof(*r->failed), rb_cmp_failed);
	return GANG_OK;
}

static int rb_cmp_programmed(const void *a, const void *b)
{
	const gang_report_programmed *x = a, *y = b;
	int t;

	if ((t = strcmp(x->first_start, y->first_start)) != 0)
		return t;
	return strcmp(x->batch ? x->batch : "", y->batch ? y->batch : "");
}

/* Split one combination key back into its fields ("" = not recorded = NULL). */
static int rb_programmed_one(gang_report_programmed *o, const char *key, const rb_prog *p)
{
	char **f[RB_PROG_FIELDS] = { &o->batch, &o->profile, &o->profile_sha256,
				     &o->image_sha256, &o->station, &o->operator_name };

	for (int i = 0; i < RB_PROG_FIELDS; i++) {
		size_t n = strcspn(key, "\x1f");

		if (n && !(*f[i] = strndup(key, n)))
			return GANG_ENOMEM;
		key += n + (key[n] != '\0');
	}
	o->attempts = p->attempts;
	gang_report_time_text(o->first_start, sizeof(o->first_start), p->first_ms);
	gang_report_time_text(o->last_start, sizeof(o->last_start), p->last_ms);
	return GANG_OK;
}

static int rb_programmed(gang_report *r, const rb_state *s)
{
	if (!s->progs.n)
		return GANG_OK;
	if (!(r->programmed = calloc(s->progs.n, sizeof(*r->programmed))))
		return GANG_ENOMEM;
	for (size_t i = 0; i < s->progs.n; i++) {
		r->n_programmed++;
		if (rb_programmed_one(&r->programmed[i], rep_intern_key(&s->progs, (uint32_t)i), &s->prog[i]) < 0)
			return GANG_ENOMEM;
	}
	qsort(r->programmed, r->n_programmed, sizeof(*r->programmed), rb_cmp_programmed);
	return GANG_OK;
}

static int rb_finish(rb_state *s)
{
	gang_report *r = s->r;

	rb_boards(r, s);
	if (rb_failed(r, s) < 0 || rb_programmed(r, s) < 0 ||
	    rb_groups_take(&r->stations, &r->n_stations, &s->stations, rb_cmp_name) < 0 ||
	    rb_groups_take(&r->slots, &r->n_slots, &s->slots, rb_cmp_name) < 0 ||
	    rb_groups_take(&r->probes, &r->n_probes, &s->probes, rb_cmp_name) < 0 ||
	    rb_groups_take(&r->classes, &r->n_classes, &s->classes, rb_cmp_fail) < 0 ||
	    rb_groups_take(&r->steps, &r->n_steps, &s->steps, rb_cmp_fail) < 0 ||
	    rb_cycle(r, &s->durations) < 0 || rb_hours(r, &s->hours) < 0)
		return gang_diag_set(s->d, GANG_ENOMEM, "out of memory building the report");
	return GANG_OK;
}

static void rb_groups_clear(rb_groups *gs)
{
	rep_intern_clear(&gs->names);
	free(gs->g);
}

static void rb_state_clear(rb_state *s)
{
	rep_intern_clear(&s->uids);
	free(s->boards);
	rb_groups_clear(&s->stations);
	rb_groups_clear(&s->slots);
	rb_groups_clear(&s->probes);
	rb_groups_clear(&s->classes);
	rb_groups_clear(&s->steps);
	rep_set_clear(&s->seen);
	free(s->durations.v);
	free(s->hours.v);
	free(s->fails);
	rep_intern_clear(&s->texts);
	rep_intern_clear(&s->progs);
	free(s->prog);
	free(s->prev_key);
}

/* Where the numbers come from: the database (absolute path when it resolves) and when. */
static int rb_origin(gang_report *r, gang_db *db)
{
	const char *path = gang_db_path(db);
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	gang_report_time_text(r->generated_at, sizeof(r->generated_at),
			      (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	if (path && !(r->db_path = realpath(path, NULL)))
		r->db_path = strdup(path);
	return path && !r->db_path ? GANG_ENOMEM : GANG_OK;
}

static int rb_copy_filter(gang_report *r, const gang_report_filter *f)
{
	if (f->batch && !(r->batch = strdup(f->batch)))
		return GANG_ENOMEM;
	snprintf(r->since, sizeof(r->since), "%s", f->since ? f->since : "");
	snprintf(r->until, sizeof(r->until), "%s", f->until ? f->until : "");
	return GANG_OK;
}

int gang_report_build(gang_report **out, gang_db *db, const gang_report_filter *f, gang_diag *d)
{
	static const gang_report_filter all = { 0 };
	rb_state s = { .first_ms = INT64_MAX, .last_ms = -1, .d = d };
	int err;

	*out = NULL;
	f = f ? f : &all;
	if (!(s.r = calloc(1, sizeof(*s.r))) || rb_copy_filter(s.r, f) < 0 || rb_origin(s.r, db) < 0) {
		err = gang_diag_set(d, GANG_ENOMEM, "out of memory building the report");
		goto fail;
	}
	if ((err = gang_db_report_scan(db, f, rb_row, &s, d)) < 0)
		goto fail;
	/* the database counts the pools while the counts of the scan are finished here */
	gang_db_report_pools_ask(db, f);
	if ((err = rb_finish(&s)) < 0 || (err = gang_db_report_pools(&s.r->pools, &s.r->n_pools, db, f, d)) < 0 ||
	    (err = gang_db_report_data_pools(&s.r->data_pools, &s.r->n_data_pools, db, f, d)) < 0 ||
	    (err = gang_db_serial_conflicts(&s.r->conflicts, &s.r->n_conflicts, db, d)) < 0)
		goto fail;
	rb_state_clear(&s);
	*out = s.r;
	return GANG_OK;
fail:
	rb_state_clear(&s);
	gang_report_free(s.r);
	return err;
}

static void rb_groups_free(gang_report_group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i].key);
	free(g);
}

static void rb_programmed_free(gang_report_programmed *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].batch);
		free(v[i].profile);
		free(v[i].profile_sha256);
		free(v[i].image_sha256);
		free(v[i].station);
		free(v[i].operator_name);
	}
	free(v);
}

void gang_report_free(gang_report *r)
{
	if (!r)
		return;
	free(r->db_path);
	free(r->failed);
	free(r->failed_text);
	rb_programmed_free(r->programmed, r->n_programmed);
	free(r->batch);
	free(r->hist);
	free(r->hour_pass);
	free(r->hour_fail);
	rb_groups_free(r->stations, r->n_stations);
	rb_groups_free(r->slots, r->n_slots);
	rb_groups_free(r->probes, r->n_probes);
	rb_groups_free(r->classes, r->n_classes);
	rb_groups_free(r->steps, r->n_steps);
	gang_db_report_pools_free(r->pools, r->n_pools);
	gang_db_report_data_pools_free(r->data_pools, r->n_data_pools);
	free(r->conflicts);
	free(r);
}

double gang_report_first_pass_yield(const gang_report *r)
{
	return r->boards ? (double)r->boards_first_pass / (double)r->boards : 0.0;
}

double gang_report_attempt_pass_rate(const gang_report *r)
{
	return r->pass + r->fail ? (double)r->pass / (double)(r->pass + r->fail) : 0.0;
}

double gang_report_group_first_pass_yield(const gang_report_group *g)
{
	return g->first_boards ? (double)g->first_pass / (double)g->first_boards : 0.0;
}

double gang_report_group_pass_rate(const gang_report_group *g)
{
	return g->pass + g->fail ? (double)g->pass / (double)(g->pass + g->fail) : 0.0;
}

double gang_report_passes_per_hour(const gang_report *r)
{
	return r->span_ms > 0 ? (double)r->pass * 3600000.0 / (double)r->span_ms : 0.0;
}
