/*
 * report_intern.h — the two hash tables report_build.c needs to aggregate
 * a million attempts in one pass: string -> dense index (UIDs, slots,
 * probes, error classes, steps) and a set of 64-bit keys (which board was
 * seen on which slot). Open addressing, power-of-two capacity, grown at
 * half load. Private to src/report/.
 */
#ifndef GANG_REPORT_REPORT_INTERN_H
#define GANG_REPORT_REPORT_INTERN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Keys live back to back in one arena (no allocation per key: a million
 * UIDs would cost a million mallocs and frees); the table keeps 32 bits of
 * the hash beside the index, so a probe rarely touches the arena and
 * growing never rehashes a string.
 */
typedef struct rep_intern {
	char *arena;      /* NUL-terminated keys, back to back */
	size_t arena_len, arena_cap;
	size_t *off;      /* off[i] = where key i starts in the arena */
	size_t n, off_cap;
	uint64_t *table;  /* hash32 << 32 | (index + 1), 0 = empty */
	size_t table_cap;
} rep_intern;

typedef struct rep_set {
	uint64_t *table;  /* key + 1, 0 = empty (keys never reach UINT64_MAX) */
	size_t n, cap;
} rep_set;

/* *idx_out = index of s, added if new; *added_out (may be NULL) says which. GANG_ENOMEM. */
int rep_intern_get(uint32_t *idx_out, int *added_out, rep_intern *t, const char *s);
/* The key of index idx (< t->n); valid until the next rep_intern_get or clear. */
const char *rep_intern_key(const rep_intern *t, uint32_t idx);
void rep_intern_clear(rep_intern *t);

/* Insert key; *added_out = 1 if it was not there yet. GANG_ENOMEM. */
int rep_set_add(int *added_out, rep_set *s, uint64_t key);
void rep_set_clear(rep_set *s);

#endif
