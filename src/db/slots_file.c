/*
 * slots_file.c — the --slots FILE an engineer writes to pin slot labels:
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
 * Reading and checking the file is the same for every backend; writing
 * the mappings is the backend's slot_map_apply (store.h).
 */
#include "db/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"

#define SLOTS_FILE_LINE_MAX 512U
#define SLOTS_FILE_FIELD_MAX 128U

typedef struct slots_file {
	const char *name;
	gang_slot_mapping *v;
	size_t n, cap;
} slots_file;

static int slots_file_label_ok(const char *s)
{
	if (!*s || strlen(s) >= GANG_DB_LABEL_MAX)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s);
}

static int slots_file_check_dup(const slots_file *f, const gang_slot_mapping *l, gang_diag *d)
{
	for (size_t i = 0; i < f->n; i++) {
		const gang_slot_mapping *o = &f->v[i];

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
static int slots_file_split(gang_slot_mapping *l, int *n_out, char *text, const slots_file *f, gang_diag *d)
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
	if (!slots_file_label_ok(fields[0]))
		return gang_diag_set(d, GANG_EUSAGE,
				     "%s:%d: label '%s' must be 1-%u characters of A-Z a-z 0-9 _ . -", f->name,
				     l->line, fields[0], GANG_DB_LABEL_MAX - 1U);
	if (strlen(fields[1]) >= SLOTS_FILE_FIELD_MAX || (n == 3 && strlen(fields[2]) >= SLOTS_FILE_FIELD_MAX))
		return gang_diag_set(d, GANG_EUSAGE, "%s:%d: serial or USB path longer than %u characters",
				     f->name, l->line, SLOTS_FILE_FIELD_MAX - 1U);
	snprintf(l->label, sizeof(l->label), "%s", fields[0]);
	snprintf(l->serial, sizeof(l->serial), "%s", fields[1]);
	snprintf(l->path, sizeof(l->path), "%s", n == 3 ? fields[2] : "");
	return GANG_OK;
}

static int slots_file_add(slots_file *f, const gang_slot_mapping *l, gang_diag *d)
{
	int err;

	if ((err = slots_file_check_dup(f, l, d)) < 0)
		return err;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2U : 16U;
		gang_slot_mapping *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return gang_diag_set(d, GANG_ENOMEM, "%s: out of memory", f->name);
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = *l;
	return GANG_OK;
}

static int slots_file_parse(slots_file *f, FILE *fp, gang_diag *d)
{
	char buf[SLOTS_FILE_LINE_MAX];
	gang_slot_mapping l = { 0 };
	int n, err;

	while (fgets(buf, sizeof(buf), fp)) {
		l.line++;
		if (!strchr(buf, '\n') && !feof(fp))
			return gang_diag_set(d, GANG_EUSAGE, "%s:%d: line longer than %u characters", f->name,
					     l.line, SLOTS_FILE_LINE_MAX - 2U);
		if ((err = slots_file_split(&l, &n, buf, f, d)) < 0)
			return err;
		if (n && (err = slots_file_add(f, &l, d)) < 0)
			return err;
	}
	if (ferror(fp))
		return gang_diag_set(d, GANG_EFILE, "cannot read slot file %s: %s", f->name, strerror(errno));
	return GANG_OK;
}

/* Read and check the whole file into f (f->v to free, also on error). */
static int slots_file_read(slots_file *f, const char *file, gang_diag *d)
{
	gang_diag sub = { 0 };
	FILE *fp;
	int err;

	/* A FIFO or device would block or never end: regular files only. */
	if ((err = gang_file_open_read(&fp, file, &sub)) < 0)
		return gang_diag_set(d, err, "cannot read slot file %s", sub.msg);
	err = slots_file_parse(f, fp, d);
	fclose(fp);
	if (err == GANG_OK && f->n == 0)
		err = gang_diag_set(d, GANG_EUSAGE, "%s: no slot mappings (lines \"LABEL SERIAL [USB_PATH]\")",
				    file);
	return err;
}

int gang_db_slot_map_check(const char *file, gang_diag *d)
{
	slots_file f = { .name = file };
	int err = slots_file_read(&f, file, d);

	free(f.v);
	return err;
}

int gang_db_slot_map_load(gang_db *db, const char *file, gang_diag *d)
{
	slots_file f = { .name = file };
	int err = slots_file_read(&f, file, d);

	if (err == GANG_OK)
		err = db->ops->slot_map_apply(db, f.v, f.n, d);
	free(f.v);
	return err;
}
