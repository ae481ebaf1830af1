/*
 * report_build.c — the numbers of a production report, computed in one
 * pass over the selected attempts (db_report.c streams them) so a million
 * attempts stay well under the 2 s budget: per-UID first attempt for
 * first-pass yield, per slot/probe counters with distinct boards, failures
 * by error class and failing step, passing cycle times (nearest-rank
 * median/p95 by quickselect), and pass/fail per hour of finished_at.
 * Definitions: docs/reports.md.
 */
#include "report/report.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_intern.h"

#define RB_MS_PER_HOUR 3600000LL
#define RB_UNKNOWN "(unknown)"
#define RB_NO_CLASS "(none)"
#define RB_NO_STEP "(no failed step recorded)"

enum { RB_PASS, RB_FAIL, RB_ABORTED, RB_OPEN };

typedef struct rb_board {
	int64_t first_ms, first_id; /* the board's earliest attempt in the selection */
	uint32_t slot, probe;       /* group of its first attempt seen: counted without the set */
	uint8_t first_pass, passed;
} rb_board;

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
	rb_groups slots, probes, classes, steps;
	rep_set seen;          /* (uid index, group tag) pairs already counted */
	rb_vec durations, hours;
	int64_t first_ms, last_ms;
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

/*
 * Count the attempt in the group of key and, once per group, its board.
 * Most boards stay on one slot, so the group of the board's first attempt
 * seen is kept in the board record (*first, UINT32_MAX = none yet) and only
 * other groups go to the seen set (tag separates slots from probes) —
 * a million set insertions would cost more than the whole SQL scan.
 */
static int rb_count_board_group(rb_state *s, rb_groups *gs, const char *key, int res, int64_t uid_idx,
				uint32_t *first, uint64_t tag)
{
	gang_report_group *g;
	uint32_t idx;
	int added = 1;

	if (rb_group(&g, &idx, gs, key ? key : RB_UNKNOWN) < 0)
		return GANG_ENOMEM;
	rb_count(g, res);
	if (uid_idx < 0 || *first == idx)
		return GANG_OK;
	if (*first == UINT32_MAX)
		*first = idx;
	else if (rep_set_add(&added, &s->seen, (uint64_t)uid_idx << 32 | tag | idx) < 0)
		return GANG_ENOMEM;
	g->boards += (uint64_t)added;
	return GANG_OK;
}

static int rb_board_seen(int64_t *idx_out, rb_state *s, const gang_report_row *row, int64_t start_ms,
			 int res)
{
	rb_board *b;
	uint32_t idx;
	int added;

	if (rep_intern_get(&idx, &added, &s->uids, row->uid) < 0)
		return GANG_ENOMEM;
	if (s->uids.n > s->boards_cap) {
		size_t cap = s->boards_cap ? s->boards_cap * 2 : 1024U;
		rb_board *grown = realloc(s->boards, cap * sizeof(*grown));

		if (!grown)
			return GANG_ENOMEM;
		s->boards = grown;
		s->boards_cap = cap;
	}
	b = &s->boards[idx];
	if (added || start_ms < b->first_ms || (start_ms == b->first_ms && row->id < b->first_id)) {
		b->first_ms = start_ms;
		b->first_id = row->id;
		b->first_pass = res == RB_PASS;
	}
	if (added) {
		b->passed = 0;
		b->slot = b->probe = UINT32_MAX;
	}
	b->passed |= res == RB_PASS;
	*idx_out = idx;
	return GANG_OK;
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

static int rb_failure(rb_state *s, const gang_report_row *row)
{
	gang_report_group *g;
	uint32_t idx;

	if (rb_group(&g, &idx, &s->classes, row->error_class ? row->error_class : RB_NO_CLASS) < 0)
		return GANG_ENOMEM;
	rb_count(g, RB_FAIL);
	if (rb_group(&g, &idx, &s->steps, row->failed_step ? row->failed_step : RB_NO_STEP) < 0)
		return GANG_ENOMEM;
	rb_count(g, RB_FAIL);
	return GANG_OK;
}

static int rb_row_counts(rb_state *s, const gang_report_row *row, int res, int64_t start_ms)
{
	gang_report *r = s->r;
	int64_t uid_idx = -1;
	uint32_t none_slot = UINT32_MAX, none_probe = UINT32_MAX, *slot = &none_slot, *probe = &none_probe;

	r->attempts++;
	r->pass += res == RB_PASS;
	r->fail += res == RB_FAIL;
	r->aborted += res == RB_ABORTED;
	r->open += res == RB_OPEN;
	if (!row->uid)
		r->unidentified++;
	else if (rb_board_seen(&uid_idx, s, row, start_ms, res) < 0)
		return GANG_ENOMEM;
	if (uid_idx >= 0) {
		slot = &s->boards[uid_idx].slot;
		probe = &s->boards[uid_idx].probe;
	}
	if (rb_count_board_group(s, &s->slots, row->slot, res, uid_idx, slot, 0) < 0 ||
	    rb_count_board_group(s, &s->probes, row->probe_serial, res, uid_idx, probe, 1ULL << 31) < 0)
		return GANG_ENOMEM;
	return res == RB_FAIL ? rb_failure(s, row) : GANG_OK;
}

static int rb_row(void *ctx, const gang_report_row *row)
{
	rb_state *s = ctx;
	int64_t start_ms, finish_ms;
	int res = rb_result(row->result), err;

	if ((err = rb_times(&start_ms, &finish_ms, s, row)) < 0)
		return err;
	if ((err = rb_row_counts(s, row, res, start_ms)) < 0)
		return gang_diag_set(s->d, err, "out of memory building the report");
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

static void rb_boards(gang_report *r, const rb_state *s)
{
	r->boards = s->uids.n;
	for (size_t i = 0; i < s->uids.n; i++) {
		r->boards_passed += s->boards[i].passed;
		r->boards_first_pass += s->boards[i].first_pass;
	}
	if (r->attempts) {
		gang_report_time_text(r->first_start, sizeof(r->first_start), s->first_ms);
		if (s->last_ms >= 0) {
			gang_report_time_text(r->last_finish, sizeof(r->last_finish), s->last_ms);
			r->span_ms = s->last_ms > s->first_ms ? s->last_ms - s->first_ms : 0;
		}
	}
}

static int rb_finish(rb_state *s)
{
	gang_report *r = s->r;

	rb_boards(r, s);
	if (rb_groups_take(&r->slots, &r->n_slots, &s->slots, rb_cmp_name) < 0 ||
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
	rb_groups_clear(&s->slots);
	rb_groups_clear(&s->probes);
	rb_groups_clear(&s->classes);
	rb_groups_clear(&s->steps);
	rep_set_clear(&s->seen);
	free(s->durations.v);
	free(s->hours.v);
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
	if (!(s.r = calloc(1, sizeof(*s.r))) || rb_copy_filter(s.r, f) < 0) {
		err = gang_diag_set(d, GANG_ENOMEM, "out of memory building the report");
		goto fail;
	}
	if ((err = gang_db_report_scan(db, f, rb_row, &s, d)) < 0 || (err = rb_finish(&s)) < 0 ||
	    (err = gang_db_report_pools(&s.r->pools, &s.r->n_pools, db, f, d)) < 0)
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

void gang_report_free(gang_report *r)
{
	if (!r)
		return;
	free(r->batch);
	free(r->hist);
	free(r->hour_pass);
	free(r->hour_fail);
	rb_groups_free(r->slots, r->n_slots);
	rb_groups_free(r->probes, r->n_probes);
	rb_groups_free(r->classes, r->n_classes);
	rb_groups_free(r->steps, r->n_steps);
	gang_db_report_pools_free(r->pools, r->n_pools);
	free(r);
}

double gang_report_first_pass_yield(const gang_report *r)
{
	return r->boards ? (double)r->boards_first_pass / (double)r->boards : 0.0;
}

double gang_report_group_yield(const gang_report_group *g)
{
	return g->pass + g->fail ? (double)g->pass / (double)(g->pass + g->fail) : 0.0;
}

double gang_report_passes_per_hour(const gang_report *r)
{
	return r->span_ms > 0 ? (double)r->pass * 3600000.0 / (double)r->span_ms : 0.0;
}
