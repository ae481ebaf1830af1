/*
 * report_intern.c — string interning and a 64-bit key set for report
 * aggregation (report_intern.h). A word-at-a-time multiply hash for strings
 * and a 64-bit mixer for keys; linear probing; tables double when half full
 * so probes stay short.
 */
#include "report/report_intern.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define REP_FIRST_CAP 64U
#define REP_MUL 0x9e3779b97f4a7c15ULL

/* Finaliser of a 64-bit mix (splitmix-style constants) so sequential keys spread. */
static uint64_t rep_hash_u64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

/* Eight bytes per multiply (a UID is three words), then the finaliser. */
static uint64_t rep_hash_str(const char *s, size_t len)
{
	uint64_t h = len * REP_MUL, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * REP_MUL;
	}
	w = 0;
	memcpy(&w, s, len);
	return rep_hash_u64(h ^ w);
}

/* The table position comes from the stored 32 bits, so growth needs no string. */
static size_t rep_slot(uint64_t entry_or_hash, size_t cap)
{
	return (size_t)(entry_or_hash >> 32) & (cap - 1);
}

static int rep_intern_grow(rep_intern *t)
{
	size_t cap = t->table_cap ? t->table_cap * 2 : REP_FIRST_CAP;
	uint64_t *table = calloc(cap, sizeof(*table));
	size_t *off = realloc(t->off, cap / 2 * sizeof(*off));

	if (off)
		t->off = off;
	if (!table || !off) {
		free(table);
		return GANG_ENOMEM;
	}
	t->off_cap = cap / 2;
	for (size_t i = 0; i < t->table_cap; i++) {
		size_t j;

		if (!t->table[i])
			continue;
		for (j = rep_slot(t->table[i], cap); table[j]; j = (j + 1) & (cap - 1))
			;
		table[j] = t->table[i];
	}
	free(t->table);
	t->table = table;
	t->table_cap = cap;
	return GANG_OK;
}

static int rep_intern_append(rep_intern *t, const char *s, size_t len)
{
	if (t->arena_len + len + 1 > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap : 4096U;
		char *arena;

		while (cap < t->arena_len + len + 1)
			cap *= 2;
		if (!(arena = realloc(t->arena, cap)))
			return GANG_ENOMEM;
		t->arena = arena;
		t->arena_cap = cap;
	}
	memcpy(t->arena + t->arena_len, s, len + 1);
	t->off[t->n] = t->arena_len;
	t->arena_len += len + 1;
	return GANG_OK;
}

int rep_intern_get(uint32_t *idx_out, int *added_out, rep_intern *t, const char *s)
{
	size_t len = strlen(s), i;
	uint64_t h = rep_hash_str(s, len), e;

	if (added_out)
		*added_out = 0;
	if (t->n + 1 > t->table_cap / 2 && rep_intern_grow(t) < 0)
		return GANG_ENOMEM;
	for (i = rep_slot(h, t->table_cap); (e = t->table[i]); i = (i + 1) & (t->table_cap - 1)) {
		uint32_t idx = (uint32_t)(e & 0xFFFFFFFFU) - 1U;

		if ((e >> 32) == (h >> 32) && strcmp(t->arena + t->off[idx], s) == 0) {
			*idx_out = idx;
			return GANG_OK;
		}
	}
	if (rep_intern_append(t, s, len) < 0)
		return GANG_ENOMEM;
	t->table[i] = (h & 0xFFFFFFFF00000000ULL) | ((uint64_t)t->n + 1U);
	*idx_out = (uint32_t)t->n++;
	if (added_out)
		*added_out = 1;
	return GANG_OK;
}

const char *rep_intern_key(const rep_intern *t, uint32_t idx)
{
	return t->arena + t->off[idx];
}

void rep_intern_clear(rep_intern *t)
{
	free(t->arena);
	free(t->off);
	free(t->table);
	memset(t, 0, sizeof(*t));
}

static int rep_set_grow(rep_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : REP_FIRST_CAP;
	uint64_t *table = calloc(cap, sizeof(*table));

	if (!table)
		return GANG_ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		size_t j;

		if (!s->table[i])
			continue;
		for (j = (size_t)rep_hash_u64(s->table[i] - 1) & (cap - 1); table[j]; j = (j + 1) & (cap - 1))
			;
		table[j] = s->table[i];
	}
	free(s->table);
	s->table = table;
	s->cap = cap;
	return GANG_OK;
}

int rep_set_add(int *added_out, rep_set *s, uint64_t key)
{
	size_t i;

	*added_out = 0;
	if (s->n + 1 > s->cap / 2 && rep_set_grow(s) < 0)
		return GANG_ENOMEM;
	for (i = (size_t)rep_hash_u64(key) & (s->cap - 1); s->table[i]; i = (i + 1) & (s->cap - 1))
		if (s->table[i] == key + 1)
			return GANG_OK;
	s->table[i] = key + 1;
	s->n++;
	*added_out = 1;
	return GANG_OK;
}

void rep_set_clear(rep_set *s)
{
	free(s->table);
	memset(s, 0, sizeof(*s));
}
