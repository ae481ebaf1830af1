/*
 * db_slots.c — the --slots FILE an engineer writes to pin slot labels:
 *
 *     # label  probe serial               USB port path (optional)
 *     A1       066DFF485457725187092334   1-1.2
 *     A2       303030303030303030303031   1-1.3
 *
 * The whole file is checked before anything is written, then applied in
 * one transaction, so a typo on line 9 leaves the old map untouched.
 * A line without a path also drops the automatic labels of that serial, so
 * the engineer's label wins over an "S<n>" given before.
 * Clones with duplicate serials need the USB path to be told apart.
 */
#include "db/db_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"

#define DB_SLOTS_LINE_MAX 512U
#define DB_SLOTS_FIELD_MAX 128U

typedef struct db_slot_line {
	int line;
	char label[GANG_DB_LABEL_MAX];
	char serial[DB_SLOTS_FIELD_MAX];
	char path[DB_SLOTS_FIELD_MAX];
} db_slot_line;

typedef struct db_slot_file {
	const char *name;
	db_slot_line *v;
	size_t n, cap;
} db_slot_file;

static int db_slots_label_ok(const char *s)
{
	if (!*s || strlen(s) >= GANG_DB_LABEL_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s);
}

static int db_slots_check_dup(const db_slot_file *f, const db_slot_line *l, gang_diag *d)
{
	for (size_t i = 0; i < f->n; i++) {
		const db_slot_line *o = &f->v[i];

		if (strcmp(o->label, l->label) == 0)
			return gang_diag_set(d, GANG_EUSAGE, "%s:%d: label '%s' already used on line %d",
					     f->name, l->line, l->label, o->line);
		if (strcmp(o->serial, l->serial) == 0 && strcmp(o->path, l->path) == 0)
			return gang_diag_set(d, GANG_EUSAGE,
					     "%s:%d: probe %s%s%s already mapped to '%s' on line %d", f->name,
					     l->line, l->serial, l->path[0] ? " at USB path " : "", l->path,
					     o->label, o->line);
	}
	return GANG_OK;
}

/* Split one line into its fields; n_out = 0 for blank/comment lines. */
static int db_slots_split(db_slot_line *l, int *n_out, char *text, const db_slot_file *f, gang_diag *d)
{
	char *fields[4], *save = NULL, *tok;
	int n = 0;

	text[strcspn(text, "#\r\n")] = '\0';
	for (tok = strtok_r(text, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		if (n < 4)
			fields[n++] = tok;
		else
			n++;
	*n_out = n;
	if (n == 0)
		return GANG_OK;
	if (n < 2 || n > 3)
		return gang_diag_set(d, GANG_EUSAGE, "%s:%d: expected LABEL SERIAL [USB_PATH], found %d field%s",
				     f->name, l->line, n, n == 1 ? "" : "s");
	if (!db_slots_label_ok(fields[0]))
		return gang_diag_set(d, GANG_EUSAGE,
				     "%s:%d: label '%s' must be 1-%u characters of A-Z a-z 0-9 _ . -", f->name,
				     l->line, fields[0], GANG_DB_LABEL_MAX - 1U);
	if (strlen(fields[1]) >= DB_SLOTS_FIELD_MAX || (n == 3 && strlen(fields[2]) >= DB_SLOTS_FIELD_MAX))
		return gang_diag_set(d, GANG_EUSAGE, "%s:%d: serial or USB path longer than %u characters",
				     f->name, l->line, DB_SLOTS_FIELD_MAX - 1U);
	snprintf(l->label, sizeof(l->label), "%s", fields[0]);
	snprintf(l->serial, sizeof(l->serial), "%s", fields[1]);
	snprintf(l->path, sizeof(l->path), "%s", n == 3 ? fields[2] : "");
	return GANG_OK;
}

static int db_slots_add(db_slot_file *f, const db_slot_line *l, gang_diag *d)
{
	int err;

	if ((err = db_slots_check_dup(f, l, d)) < 0)
		return err;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2U : 16U;
		db_slot_line *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return gang_diag_set(d, GANG_ENOMEM, "%s: out of memory", f->name);
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = *l;
	return GANG_OK;
}

static int db_slots_parse(db_slot_file *f, FILE *fp, gang_diag *d)
{
	char buf[DB_SLOTS_LINE_MAX];
	db_slot_line l = { 0 };
	int n, err;

	while (fgets(buf, sizeof(buf), fp)) {
		l.line++;
		if (!strchr(buf, '\n') && !feof(fp))
			return gang_diag_set(d, GANG_EUSAGE, "%s:%d: line longer than %u characters", f->name,
					     l.line, DB_SLOTS_LINE_MAX - 2U);
		if ((err = db_slots_split(&l, &n, buf, f, d)) < 0)
			return err;
		if (n && (err = db_slots_add(f, &l, d)) < 0)
			return err;
	}
	if (ferror(fp))
		return gang_diag_set(d, GANG_EFILE, "cannot read slot file %s: %s", f->name, strerror(errno));
	return GANG_OK;
}

static int db_slots_apply_one(gang_db *db, const db_slot_line *l, gang_diag *d)
{
	sqlite3_stmt *st;
	int err;

	if ((err = db_prepare(&st, db,
			      "DELETE FROM slot_map WHERE label = ?1 OR (probe_serial = ?2 AND (usb_path = ?3 "
			      "OR (?3 = '' AND source = 'auto')))",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, l->label);
	db_bind_text(st, 2, l->serial);
	db_bind_text(st, 3, l->path);
	if ((err = db_run(db, st, d, "replacing a slot mapping")) < 0)
		return err;
	if ((err = db_prepare(&st, db,
			      "INSERT INTO slot_map (label, probe_serial, usb_path, source, created_at) "
			      "VALUES (?1, ?2, ?3, 'file', " DB_NOW_SQL ")",
			      d)) < 0)
		return err;
	db_bind_text(st, 1, l->label);
	db_bind_text(st, 2, l->serial);
	db_bind_text(st, 3, l->path);
	return db_run(db, st, d, "storing a slot mapping");
}

static int db_slots_apply(gang_db *db, const db_slot_file *f, gang_diag *d)
{
	int err;

	if ((err = db_begin(db, d)) < 0)
		return err;
	for (size_t i = 0; i < f->n; i++)
		if ((err = db_slots_apply_one(db, &f->v[i], d)) < 0) {
			db_rollback(db);
			return err;
		}
	return db_commit(db, d);
}

/* Read and check the whole file into f (f->v to free, also on error). */
static int db_slots_read(db_slot_file *f, const char *file, gang_diag *d)
{
	gang_diag sub = { 0 };
	FILE *fp;
	int err;

	/* A FIFO or device would block or never end: regular files only. */
	if ((err = gang_file_open_read(&fp, file, &sub)) < 0)
		return gang_diag_set(d, err, "cannot read slot file %s", sub.msg);
	err = db_slots_parse(f, fp, d);
	fclose(fp);
	if (err == GANG_OK && f->n == 0)
		err = gang_diag_set(d, GANG_EUSAGE, "%s: no slot mappings (lines \"LABEL SERIAL [USB_PATH]\")",
				    file);
	return err;
}

int gang_db_slot_map_check(const char *file, gang_diag *d)
{
	db_slot_file f = { .name = file };
	int err = db_slots_read(&f, file, d);

	free(f.v);
	return err;
}

int gang_db_slot_map_load(gang_db *db, const char *file, gang_diag *d)
{
	db_slot_file f = { .name = file };
	int err = db_slots_read(&f, file, d);

	if (err == GANG_OK)
		err = db_slots_apply(db, &f, d);
	free(f.v);
	return err;
}
