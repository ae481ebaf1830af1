/*
 * data_import.c — `gang pool import`: a supplier's file of values into a
 * list pool, all or nothing. One value per line: "0x" followed by an even
 * number of hex digits is bytes; any other line is text, its bytes as
 * written (without the line end, "\r\n" or "\n"); blank lines and lines
 * starting with '#' are skipped. Messages name file:line and never the
 * value (it may be secret).
 */
#include "serial/data_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/sha256.h"
#include "db/store.h"

/* The values read so far; hex and sha point into one allocation per value. */
typedef struct import_buf {
	gang_data_item *v;
	size_t n, cap;
} import_buf;

static void import_buf_free(import_buf *b)
{
	for (size_t i = 0; i < b->n; i++)
		free((char *)b->v[i].hex);
	free(b->v);
}

/* The bytes a line stands for; *len = 0 with GANG_EUSAGE for bad hex. */
static int import_bytes(uint8_t *out, size_t *len, const char *line, size_t n)
{
	*len = 0;
	if (n < 2 || line[0] != '0' || (line[1] != 'x' && line[1] != 'X')) {
		memcpy(out, line, n);
		*len = n;
		return n ? GANG_OK : GANG_EUSAGE;
	}
	if (n == 2 || (n - 2) % 2 != 0)
		return GANG_EUSAGE;
	for (size_t i = 2; i < n; i += 2) {
		char pair[3] = { line[i], line[i + 1], '\0' }, *end;

		if (!strchr("0123456789abcdefABCDEF", pair[0]) || !strchr("0123456789abcdefABCDEF", pair[1]))
			return GANG_EUSAGE;
		out[(*len)++] = (uint8_t)strtoul(pair, &end, 16);
	}
	return GANG_OK;
}

/* Append bytes as one value (hex and SHA-256 in one allocation). */
static int import_add(import_buf *b, const uint8_t *bytes, size_t len, int line, gang_diag *d)
{
	char *hex;

	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		gang_data_item *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return gang_diag_set(d, GANG_ENOMEM, "out of memory importing values");
		b->v = v;
		b->cap = cap;
	}
	if (!(hex = malloc(2 * len + 1 + GANG_SHA256_HEX_LEN + 1)))
		return gang_diag_set(d, GANG_ENOMEM, "out of memory importing values");
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	hex[2 * len] = '\0';
	gang_sha256_hex(hex + 2 * len + 1, bytes, len);
	b->v[b->n++] = (gang_data_item){ .hex = hex, .sha256 = hex + 2 * len + 1, .line = line };
	return GANG_OK;
}

static int import_line(import_buf *b, char *line, size_t n, int lineno, const char *file, gang_diag *d)
{
	uint8_t bytes[GANG_DATA_VALUE_MAX];
	size_t len;

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0 || line[0] == '#')
		return GANG_OK;
	if (n > 2 + 2 * GANG_DATA_VALUE_MAX || (line[0] != '0' && n > GANG_DATA_VALUE_MAX))
		return gang_diag_set(d, GANG_EUSAGE, "%s:%d: value longer than %u bytes", file, lineno,
				     GANG_DATA_VALUE_MAX);
	if (import_bytes(bytes, &len, line, n) < 0 || len > GANG_DATA_VALUE_MAX)
		return gang_diag_set(d, GANG_EUSAGE, "%s:%d: \"0x\" must be followed by pairs of hex digits "
				     "(at most %u bytes)", file, lineno, GANG_DATA_VALUE_MAX);
	return import_add(b, bytes, len, lineno, d);
}

static int import_read(import_buf *b, const char *file, gang_diag *d)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, err;

	if ((err = gang_file_open_read(&fp, file, d)) < 0)
		return err;
	while (err == GANG_OK && (n = getline(&line, &cap, fp)) >= 0)
		err = import_line(b, line, (size_t)n, ++lineno, file, d);
	free(line);
	fclose(fp);
	if (err == GANG_OK && b->n == 0)
		err = gang_diag_set(d, GANG_EUSAGE, "%s: no values (one per line; '#' starts a comment)", file);
	return err;
}

static int import_cmp(const void *a, const void *b)
{
	const gang_data_item *x = a, *y = b;
	int c = strcmp(x->hex, y->hex);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A value twice in the file: "file:9: same value as line 4" (the later line named first). */
static int import_unique(const import_buf *b, const char *file, gang_diag *d)
{
	gang_data_item *s = malloc(b->n * sizeof(*s));
	int err = GANG_OK;

	if (!s)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory importing values");
	memcpy(s, b->v, b->n * sizeof(*s));
	qsort(s, b->n, sizeof(*s), import_cmp);
	for (size_t i = 1; i < b->n && err == GANG_OK; i++)
		if (strcmp(s[i - 1].hex, s[i].hex) == 0)
			err = gang_diag_set(d, GANG_EUSAGE, "%s:%d: same value as line %d (each value may be "
					    "imported once)", file, s[i].line, s[i - 1].line);
	free(s);
	return err;
}

/* The pool name may not be a serial pool's: one name, one kind. */
static int import_not_serial(gang_db *db, const char *pool, gang_diag *d)
{
	gang_store_pool sp;
	int found, err;

	if ((err = db->ops->serial_pool_get(&sp, &found, db, pool, d)) < 0)
		return err;
	if (found)
		return gang_diag_set(d, GANG_EUSAGE, "'%s' is a serial pool; only list pools take imports", pool);
	return GANG_OK;
}

int gang_data_import(size_t *n_out, gang_db *db, const char *pool, const char *file, bool secret,
		     gang_diag *d)
{
	import_buf b = { 0 };
	size_t dup = 0;
	uint64_t dup_index = 0;
	int err;

	*n_out = 0;
	if (!pool || !*pool ||
	    strspn(pool, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(pool) ||
	    strlen(pool) >= GANG_DATA_NAME_MAX)
		return gang_diag_set(d, GANG_EUSAGE, "pool name '%s' may contain only letters, digits, '.', '_' "
				     "and '-'", pool ? pool : "");
	if ((err = import_not_serial(db, pool, d)) < 0 || (err = import_read(&b, file, d)) < 0 ||
	    (err = import_unique(&b, file, d)) < 0)
		goto out;
	err = db->ops->data_import(&dup, &dup_index, db, pool, secret, b.v, b.n, d);
	if (err < 0 && dup < b.n)
		gang_diag_set(d, err, "%s:%d: value already in pool '%s' as index %llu", file, b.v[dup].line, pool,
			      (unsigned long long)dup_index);
	if (err == GANG_OK)
		*n_out = b.n;
out:
	import_buf_free(&b);
	return err;
}
