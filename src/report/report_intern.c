/*
 * report_intern.c — string interning and a 64-bit key set for report
 * aggregation (report_intern.h). FNV-1a for strings and a 64-bit mixer for
 * keys; linear probing; tables double when half full so probes stay short.
 */
#include "report/report_intern.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define REP_FNV_OFFSET 0xcbf29ce484222325ULL
#define REP_FNV_PRIME 0x100000001b3ULL
#define REP_FIRST_CAP 64U

static uint64_t rep_hash_str(const char *s)
{
	uint64_t h = REP_FNV_OFFSET;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * REP_FNV_PRIME;
	return h;
}

/* Finaliser of a 64-bit mix (splitmix-style constants) so sequential keys spread. */
static uint64_t rep_hash_u64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

static uint64_t rep_entry(uint64_t hash, uint32_t idx)
{
	return (hash & 0xFFFFFFFF00000000ULL) | ((uint64_t)idx + 1U);
}

static void rep_intern_place(uint64_t *table, size_t cap, const char *key, uint32_t idx)
{
	uint64_t h = rep_hash_str(key);
	size_t i = (size_t)h & (cap - 1);

	while (table[i])
		i = (i + 1) & (cap - 1);
	table[i] = rep_entry(h, idx);
}

static int rep_intern_grow(rep_intern *t)
{
	size_t cap = t->table_cap ? t->table_cap * 2 : REP_FIRST_CAP;
	uint64_t *table = calloc(cap, sizeof(*table));
	char **keys = realloc(t->keys, cap / 2 * sizeof(*keys));

	if (!table || !keys) {
		free(table);
		if (keys)
			t->keys = keys;
		return GANG_ENOMEM;
	}
	t->keys = keys;
	t->keys_cap = cap / 2;
	for (size_t i = 0; i < t->n; i++)
		rep_intern_place(table, cap, keys[i], (uint32_t)i);
	free(t->table);
	t->table = table;
	t->table_cap = cap;
	return GANG_OK;
}

int rep_intern_get(uint32_t *idx_out, int *added_out, rep_intern *t, const char *s)
{
	uint64_t h = rep_hash_str(s), e;
	size_t i;

	if (added_out)
		*added_out = 0;
	if (t->n + 1 > t->table_cap / 2 && rep_intern_grow(t) < 0)
		return GANG_ENOMEM;
	for (i = (size_t)h & (t->table_cap - 1); (e = t->table[i]); i = (i + 1) & (t->table_cap - 1)) {
		uint32_t idx = (uint32_t)(e & 0xFFFFFFFFU) - 1U;

		if ((e >> 32) == (h >> 32) && strcmp(t->keys[idx], s) == 0) {
			*idx_out = idx;
			return GANG_OK;
		}
	}
	if (!(t->keys[t->n] = strdup(s)))
		return GANG_ENOMEM;
	t->table[i] = rep_entry(h, (uint32_t)t->n);
	*idx_out = (uint32_t)t->n++;
	if (added_out)
		*added_out = 1;
	return GANG_OK;
}

void rep_intern_clear(rep_intern *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->keys[i]);
	free(t->keys);
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
