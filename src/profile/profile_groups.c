/*
 * profile_groups.c — the serial and option_bytes groups of a profile.
 * Serial formats: serial/serial_format.h; option bytes as the target's
 * family names them (flash/ob.h: its driver's fields, e.g. PM0075's
 * WDG_SW/nRST_STOP/nRST_STDBY/Data0/Data1 on F1, RM0090's BOR_LEV/BFB2 on
 * F4), RDP levels, and write protection (bit = 0 protects). RDP level 2 is
 * permanent, so it needs a written confirmation sentence
 * (docs/architecture.md "Errors").
 */
#include "profile/profile_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROF_WRP_PAGES 65536U /* page numbers 0..65535: more than any STM32 has */

static const char *const prof_serial_keys[] = {
	"pool", "address", "format", "start", "end", "length", "pad", "template", "guard",
	"overlay", "lease", NULL,
};
static const char *const prof_ob_keys[] = {
	"rdp", "allow_unprotect", "confirm_permanent_lock", "user", "data0", "data1", "wrp_pages",
	NULL,
};
#include "flash/ob.h"

static int prof_member_line(const config_setting_t *g, const char *name)
{
	return prof_line(config_setting_get_member(g, name));
}

/* Keys that a format does not use are errors, not silently ignored. */
static int prof_unused(const prof_ctx *c, const config_setting_t *g, const char *key,
		       const char *why)
{
	if (!config_setting_get_member(g, key))
		return GANG_OK;
	return prof_err(c, prof_member_line(g, key), "serial", key, GANG_EPROFILE, "%s", why);
}

/* length, pad, template: which ones a format needs and allows. */
static int prof_serial_shape(const prof_ctx *c, const config_setting_t *g, gang_serial_fmt *f)
{
	const char *kind = gang_serial_kind_name(f->kind), *tmpl = "";
	bool sized = f->kind == GANG_SERIAL_BCD || f->kind == GANG_SERIAL_ASCII;
	bool ascii = f->kind == GANG_SERIAL_ASCII;
	int64_t len = 0, pad = 0;
	char why[96];
	int rc;

	snprintf(why, sizeof(why), "not used by format %s", kind);
	if ((!sized && (rc = prof_unused(c, g, "length", why)) < 0) ||
	    (!ascii && (rc = prof_unused(c, g, "template", why)) < 0) ||
	    (!ascii && (rc = prof_unused(c, g, "pad", why)) < 0))
		return rc;
	if (sized && (rc = prof_get_int(c, g, "serial", "length", PROF_REQUIRED, 1,
					GANG_SERIAL_FIELD_MAX, &len)) < 0)
		return rc;
	if (ascii && ((rc = prof_get_string(c, g, "serial", "template", PROF_REQUIRED, &tmpl)) < 0 ||
		      (rc = prof_get_int(c, g, "serial", "pad", PROF_OPTIONAL, 0, 255, &pad)) < 0))
		return rc;
	if (strlen(tmpl) >= sizeof(f->tmpl))
		return prof_err(c, prof_member_line(g, "template"), "serial", "template",
				GANG_EPROFILE, "longer than %zu characters", sizeof(f->tmpl) - 1);
	memcpy(f->tmpl, tmpl, strlen(tmpl) + 1);
	f->length = (uint32_t)len;
	f->pad = (uint8_t)pad;
	return GANG_OK;
}

static int prof_serial_format(const prof_ctx *c, const config_setting_t *g, gang_serial_fmt *f)
{
	gang_diag sub = { 0 };
	const char *name, *guard = "none";
	int rc;

	if ((rc = prof_get_string(c, g, "serial", "format", PROF_REQUIRED, &name)) < 0)
		return rc;
	if (gang_serial_kind_parse(&f->kind, name, &sub) < 0)
		return prof_err(c, prof_member_line(g, "format"), "serial", "format", sub.code, "%s",
				sub.msg);
	if ((rc = prof_get_string(c, g, "serial", "guard", PROF_OPTIONAL, &guard)) < 0)
		return rc;
	if (gang_serial_guard_parse(&f->guard, guard, &sub) < 0)
		return prof_err(c, prof_member_line(g, "guard"), "serial", "guard", sub.code, "%s",
				sub.msg);
	if ((rc = prof_serial_shape(c, g, f)) < 0)
		return rc;
	if (gang_serial_fmt_check(f, &sub) < 0)
		return prof_err(c, prof_member_line(g, "template"), "serial", "template", sub.code,
				"%s", sub.msg);
	return GANG_OK;
}

/* start/end: the pool's inclusive range; the largest value must encode. */
static int prof_serial_range(const prof_ctx *c, const config_setting_t *g, gang_profile_serial *s)
{
	gang_diag sub = { 0 };
	int64_t start, end;
	int rc;

	/* The database keeps a pool's next value in a signed 64-bit column: end + 1 must fit. */
	if ((rc = prof_get_int(c, g, "serial", "start", PROF_REQUIRED, 0, INT64_MAX - 1, &start)) < 0 ||
	    (rc = prof_get_int(c, g, "serial", "end", PROF_REQUIRED, 0, INT64_MAX - 1, &end)) < 0)
		return rc;
	if (end < start)
		return prof_err(c, prof_member_line(g, "end"), "serial", "end", GANG_EPROFILE,
				"%" PRId64 " is below start %" PRId64, end, start);
	if (gang_serial_fmt_fits(&s->fmt, (uint64_t)end, &sub) < 0)
		return prof_err(c, prof_member_line(g, "end"), "serial", "end", sub.code,
				"the pool's largest serial cannot be written: %s", sub.msg);
	s->start = (uint64_t)start;
	s->end = (uint64_t)end;
	return GANG_OK;
}

int prof_parse_serial(const prof_ctx *c, const config_setting_t *root)
{
	gang_profile_serial *s = &c->p->serial;
	const config_setting_t *g;
	int64_t addr, lease = 0;
	int rc = prof_get_group(c, root, "", "serial", PROF_OPTIONAL, &g);

	if (rc <= 0)
		return rc;
	if ((rc = prof_check_keys(c, g, "serial", prof_serial_keys)) < 0 ||
	    (rc = prof_get_text(c, g, "serial", "pool", PROF_REQUIRED, s->pool, sizeof(s->pool))) < 0 ||
	    (rc = prof_get_int(c, g, "serial", "address", PROF_REQUIRED, 0, UINT32_MAX, &addr)) < 0 ||
	    (rc = prof_serial_format(c, g, &s->fmt)) < 0 || (rc = prof_serial_range(c, g, s)) < 0 ||
	    (rc = prof_get_bool(c, g, "serial", "overlay", PROF_OPTIONAL, &s->overlay)) < 0 ||
	    (rc = prof_get_int(c, g, "serial", "lease", PROF_OPTIONAL, 1, GANG_PROFILE_LEASE_MAX, &lease)) < 0)
		return rc;
	if (strspn(s->pool, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
	    strlen(s->pool))
		return prof_err(c, prof_member_line(g, "pool"), "serial", "pool", GANG_EPROFILE,
				"'%s' may contain only letters, digits, '.', '_' and '-'", s->pool);
	s->address = (uint32_t)addr;
	s->lease = (uint32_t)lease;
	c->p->line.serial_address = prof_member_line(g, "address");
	s->present = true;
	return GANG_OK;
}

/* Mark pages lo..hi in map. */
static int prof_wrp_mark(const prof_ctx *c, int line, uint8_t *map, int64_t lo, int64_t hi)
{
	if (lo < 0 || hi >= (int64_t)PROF_WRP_PAGES || lo > hi)
		return prof_err(c, line, "option_bytes", "wrp_pages", GANG_EPROFILE,
				"bad page or range %" PRId64 "-%" PRId64 " (pages are 0-%u, low-high)",
				lo, hi, PROF_WRP_PAGES - 1);
	for (int64_t p = lo; p <= hi; p++)
		map[p / 8] |= (uint8_t)(1U << (p % 8));
	return GANG_OK;
}

/* "none" or "P,P-Q,..." (the same syntax as `gang ob set --wrp`). */
static int prof_wrp_string(const prof_ctx *c, int line, uint8_t *map, const char *s)
{
	const char *p = s;

	if (strcmp(s, "none") == 0)
		return GANG_OK;
	while (*p) {
		char *end;
		int64_t lo = strtoll(p, &end, 10), hi = lo;
		int rc;

		if (end == p || *p == '-' || *p == '+')
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtoll(p, &end, 10);
			if (end == p || *p == '-' || *p == '+')
				goto bad;
		}
		if ((rc = prof_wrp_mark(c, line, map, lo, hi)) < 0)
			return rc;
		p = end + strspn(end, " ");
		if (*p == ',' && p[1])
			p += 1 + strspn(p + 1, " ");
		else if (*p)
			goto bad;
	}
	return GANG_OK;
bad:
	return prof_err(c, line, "option_bytes", "wrp_pages", GANG_EPROFILE,
			"'%s' is not \"none\" or a page list like \"0-3,8\"", s);
}

/* [0, 1, 2] or ( 0, 1, 2 ): page numbers. */
static int prof_wrp_list(const prof_ctx *c, const config_setting_t *w, uint8_t *map)
{
	for (int i = 0; i < config_setting_length(w); i++) {
		const config_setting_t *e = config_setting_get_elem(w, (unsigned)i);
		int64_t v;
		int rc;

		if (config_setting_type(e) != CONFIG_TYPE_INT &&
		    config_setting_type(e) != CONFIG_TYPE_INT64)
			return prof_err(c, prof_line(e), "option_bytes", "wrp_pages", GANG_EPROFILE,
					"element %d: expected a page number", i + 1);
		v = (int64_t)config_setting_get_int64(e);
		if ((rc = prof_wrp_mark(c, prof_line(e), map, v, v)) < 0)
			return rc;
	}
	return GANG_OK;
}

/* Bitmap -> sorted unique page list owned by the profile. */
static int prof_wrp_collect(const prof_ctx *c, const uint8_t *map)
{
	gang_profile_ob *ob = &c->p->ob;
	size_t n = 0;

	for (uint32_t p = 0; p < PROF_WRP_PAGES; p++)
		n += (map[p / 8] >> (p % 8)) & 1U;
	ob->wrp_set = true;
	if (n == 0)
		return GANG_OK;
	ob->wrp_pages = malloc(n * sizeof(*ob->wrp_pages));
	if (!ob->wrp_pages)
		return gang_diag_set(c->d, GANG_ENOMEM, "%s: out of memory", c->path);
	for (uint32_t p = 0; p < PROF_WRP_PAGES; p++)
		if ((map[p / 8] >> (p % 8)) & 1U)
			ob->wrp_pages[ob->n_wrp++] = p;
	return GANG_OK;
}

static int prof_parse_wrp(const prof_ctx *c, const config_setting_t *g)
{
	const config_setting_t *w = config_setting_get_member(g, "wrp_pages");
	uint8_t *map;
	int rc;

	if (!w)
		return GANG_OK;
	c->p->line.wrp_pages = prof_line(w);
	map = calloc(PROF_WRP_PAGES / 8, 1);
	if (!map)
		return gang_diag_set(c->d, GANG_ENOMEM, "%s: out of memory", c->path);
	if (config_setting_type(w) == CONFIG_TYPE_STRING)
		rc = prof_wrp_string(c, prof_line(w), map, config_setting_get_string(w));
	else if (config_setting_is_array(w) || config_setting_is_list(w))
		rc = prof_wrp_list(c, w, map);
	else
		rc = prof_err(c, prof_line(w), "option_bytes", "wrp_pages", GANG_EPROFILE,
			      "expected \"none\", a page list string or [page, ...]");
	if (rc == GANG_OK)
		rc = prof_wrp_collect(c, map);
	free(map);
	return rc;
}

/* Record field k = v for the profile (key names it in messages). */
static int prof_ob_add(const prof_ctx *c, int line, const char *key, const char *field, int64_t v)
{
	gang_profile_ob *ob = &c->p->ob;
	gang_profile_ob_field *f;

	if (ob->n_fields >= GANG_PROFILE_OB_FIELDS_MAX)
		return prof_err(c, line, "option_bytes", key, GANG_EPROFILE, "more than %d option-byte "
				"fields", GANG_PROFILE_OB_FIELDS_MAX);
	f = &ob->fields[ob->n_fields++];
	snprintf(f->name, sizeof(f->name), "%s", field);
	snprintf(f->key, sizeof(f->key), "%s", key);
	f->value = v;
	f->line = line;
	return GANG_OK;
}

/* The user-settable fields of part p ("WDG_SW, nRST_STOP, ..."), for messages. */
static void prof_user_fields(char *out, size_t cap, const gang_part *p)
{
	size_t len = 0;

	out[0] = '\0';
	for (const gang_ob_field *k = gang_ob_fields(p->family); k->name != NULL && len < cap; k++)
		if ((k->kind == GANG_OB_KIND_BIT || k->kind == GANG_OB_KIND_BYTE) && gang_ob_field_on(k, p))
			len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "", k->name);
}

/* One member of option_bytes.user: a field of the part, true/false for a bit, else a number. */
static int prof_user_member(const prof_ctx *c, const config_setting_t *m, const gang_part *part)
{
	const gang_family *fam = part->family;
	const char *name = config_setting_name(m);
	const gang_ob_field *k = gang_ob_field_find(fam, name);
	int line = prof_line(m), type = config_setting_type(m);
	char key[40], have[360];   /* the G0 family names 20 user fields */
	gang_diag why = { 0 };
	int64_t v;

	snprintf(key, sizeof(key), "user.%s", name);
	prof_user_fields(have, sizeof(have), part);
	if (!k || (k->kind != GANG_OB_KIND_BIT && k->kind != GANG_OB_KIND_BYTE))
		return prof_err(c, line, "option_bytes", key, GANG_EPROFILE, "the %s family has no such "
				"user option byte (it has %s)", fam->name, have);
	if (gang_ob_field_check_part(k, part, &why) < 0)
		return prof_err(c, line, "option_bytes", key, GANG_EPROFILE, "%s", why.msg);
	if (gang_ob_field_max(k) == 1 && type != CONFIG_TYPE_BOOL)
		return prof_err(c, line, "option_bytes", key, GANG_EPROFILE, "expected true or false, got %s",
				type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64 ? "an integer" : "another type");
	if (gang_ob_field_max(k) > 1 && type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return prof_err(c, line, "option_bytes", key, GANG_EPROFILE, "expected a number 0-%" PRId64,
				gang_ob_field_max(k));
	v = type == CONFIG_TYPE_BOOL ? config_setting_get_bool(m) : (int64_t)config_setting_get_int64(m);
	if (v < 0 || v > gang_ob_field_max(k))
		return prof_err(c, line, "option_bytes", key, GANG_EPROFILE, "%" PRId64 " out of range 0-%"
				PRId64, v, gang_ob_field_max(k));
	return prof_ob_add(c, line, key, k->name, v);
}

static int prof_parse_user(const prof_ctx *c, const config_setting_t *g)
{
	const gang_part *part = gang_part_find(c->p->target);
	const config_setting_t *u;
	int rc = prof_get_group(c, g, "option_bytes", "user", PROF_OPTIONAL, &u);

	if (rc <= 0)
		return rc;
	c->p->line.ob_user = prof_line(u);
	for (int i = 0; i < config_setting_length(u) && rc >= 0; i++)
		rc = prof_user_member(c, config_setting_get_elem(u, (unsigned)i), part);
	return rc < 0 ? rc : GANG_OK;
}

/* data0/data1: the F0/F1/F3 user data bytes, by their older top-level keys. */
static int prof_parse_data(const prof_ctx *c, const config_setting_t *g)
{
	static const char *const keys[] = { "data0", "data1" }, *const fields[] = { "Data0", "Data1" };
	const gang_part *part = gang_part_find(c->p->target);
	const gang_family *fam = part->family;
	char have[360];
	int64_t v = -1;
	int rc;

	for (size_t i = 0; i < 2; i++) {
		if ((rc = prof_get_int(c, g, "option_bytes", keys[i], PROF_OPTIONAL, 0, 255, &v)) < 0)
			return rc;
		if (rc == 0)
			continue;
		if (!gang_ob_field_find(fam, fields[i])) {
			prof_user_fields(have, sizeof(have), part);
			return prof_err(c, prof_member_line(g, keys[i]), "option_bytes", keys[i], GANG_EPROFILE,
					"the %s family has no option byte %s (it has %s)", fam->name, fields[i], have);
		}
		if ((rc = prof_ob_add(c, prof_member_line(g, keys[i]), keys[i], fields[i], v)) < 0)
			return rc;
	}
	return GANG_OK;
}

/*
 * confirm_permanent_lock confirms rdp = 2, or a field that cannot be undone
 * without erasing the chip or ever: on L5/U5 TZEN, a WRPxy_UNLOCK
 * (flash/fpec_tz_ob.c asks for the same sentence); on L0 WPRMOD, PCROP,
 * PCROP2 (flash/pecr_l0_ob.c).
 */
static bool prof_confirmable(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "TZEN") == 0 || (n > 7 && strcmp(name + n - 7, "_UNLOCK") == 0) ||
	       strcmp(name, "WPRMOD") == 0 || strncmp(name, "PCROP", 5) == 0;
}

static int prof_check_confirm(const prof_ctx *c, const config_setting_t *g)
{
	const gang_profile_ob *ob = &c->p->ob;

	if (!ob->confirm_lock || ob->rdp == 2)
		return GANG_OK;
	for (size_t i = 0; i < ob->n_fields; i++)
		if (prof_confirmable(ob->fields[i].name))
			return GANG_OK;
	return prof_err(c, prof_member_line(g, "confirm_permanent_lock"), "option_bytes", "confirm_permanent_lock",
			GANG_EPROFILE, "only applies with rdp = 2");
}

/*
 * rdp = 0, 1 or 2, or rdp = 0.5 where the part's family has level 0.5
 * (L5/U5 with TrustZone: RM0438 §6.6.2, RM0456 §7.6.2; its driver gives
 * the level an RDP byte). Another number is refused with the levels.
 */
static int prof_get_rdp(const prof_ctx *c, const config_setting_t *g, int64_t *rdp)
{
	const config_setting_t *s = config_setting_get_member(g, "rdp");
	const gang_part *part = gang_part_find(c->p->target);
	gang_diag sub = { 0 };
	uint8_t byte;
	double v;

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_FLOAT)
		return prof_get_int(c, g, "option_bytes", "rdp", PROF_OPTIONAL, 0, 2, rdp);
	v = config_setting_get_float(s);
	if (v != 0.5)
		return prof_err(c, prof_line(s), "option_bytes", "rdp", GANG_EPROFILE, "%g is not an RDP level "
				"(0, 1, 2, or 0.5 on the L5 and U5)", v);
	if (gang_ob_rdp_byte(&byte, GANG_OB_RDP_LEVEL05, part->family, &sub) < 0)
		return prof_err(c, prof_line(s), "option_bytes", "rdp", GANG_EPROFILE, "level 0.5 exists only on "
				"the L5 and U5 families (TrustZone), and the %s is of the %s family: use 0, 1 or 2",
				part->name, part->family->name);
	*rdp = GANG_OB_RDP_LEVEL05;
	return 1;
}

/*
 * What the profile's rdp and user fields can never do together on the
 * part's family, whatever the chip holds (the driver's ob_want_check;
 * L5/U5: rdp = 0.5 with user.TZEN), told at rdp's line.
 */
static int prof_check_ob_want(const prof_ctx *c, const config_setting_t *g)
{
	const gang_profile_ob *ob = &c->p->ob;
	const gang_part *part = gang_part_find(c->p->target);
	gang_ob_want w;
	gang_diag d = { 0 };

	if (part == NULL || ob->rdp < 0)
		return GANG_OK;
	gang_ob_want_init(&w);
	w.rdp_level = (int)ob->rdp;
	for (size_t i = 0; i < ob->n_fields; i++)
		if (gang_ob_want_set_part(&w, part, ob->fields[i].name, ob->fields[i].value, &d) < 0)
			return GANG_OK;   /* prof_parse_user told already */
	if (gang_ob_want_check(&w, part->family, &d) == GANG_OK)
		return GANG_OK;
	return prof_err(c, prof_member_line(g, "rdp"), "option_bytes", "rdp", GANG_EPROFILE, "%s", d.msg);
}

/* rdp, allow_unprotect, confirm_permanent_lock and how they constrain each other. */
static int prof_parse_rdp(const prof_ctx *c, const config_setting_t *g)
{
	gang_profile_ob *ob = &c->p->ob;
	const char *confirm = NULL;
	int64_t rdp = -1;
	int rc;

	if ((rc = prof_get_rdp(c, g, &rdp)) < 0 ||
	    (rc = prof_get_bool(c, g, "option_bytes", "allow_unprotect", PROF_OPTIONAL,
				&ob->allow_unprotect)) < 0 ||
	    (rc = prof_get_string(c, g, "option_bytes", "confirm_permanent_lock", PROF_OPTIONAL,
				  &confirm)) < 0)
		return rc;
	ob->rdp = (int)rdp;
	if (ob->allow_unprotect && rdp != 0)
		return prof_err(c, prof_member_line(g, "allow_unprotect"), "option_bytes",
				"allow_unprotect", GANG_EPROFILE, "only applies with rdp = 0");
	if (confirm && strcmp(confirm, GANG_PROFILE_LOCK_SENTENCE) != 0)
		return prof_err(c, prof_member_line(g, "confirm_permanent_lock"), "option_bytes",
				"confirm_permanent_lock", GANG_ELOCKED_FOREVER,
				"must be exactly \"%s\"", GANG_PROFILE_LOCK_SENTENCE);
	if (rdp == 2 && !confirm)
		return prof_err(c, prof_member_line(g, "rdp"), "option_bytes", "rdp",
				GANG_ELOCKED_FOREVER,
				"level 2 locks the chip forever; add confirm_permanent_lock = \"%s\"",
				GANG_PROFILE_LOCK_SENTENCE);
	ob->confirm_lock = confirm != NULL;
	return GANG_OK;
}

int prof_parse_ob(const prof_ctx *c, const config_setting_t *root)
{
	gang_profile_ob *ob = &c->p->ob;
	const config_setting_t *g;
	int rc;

	ob->rdp = -1;
	rc = prof_get_group(c, root, "", "option_bytes", PROF_OPTIONAL, &g);
	if (rc <= 0)
		return rc;
	c->p->line.ob_group = prof_line(g);
	if (config_setting_length(g) == 0)
		return prof_err(c, prof_line(g), "", "option_bytes", GANG_EPROFILE,
				"empty group (remove it, or set rdp, user, data0, data1, wrp_pages)");
	if ((rc = prof_check_keys(c, g, "option_bytes", prof_ob_keys)) < 0 ||
	    (rc = prof_parse_rdp(c, g)) < 0 || (rc = prof_parse_user(c, g)) < 0 ||
	    (rc = prof_check_ob_want(c, g)) < 0 || (rc = prof_check_confirm(c, g)) < 0 ||
	    (rc = prof_parse_data(c, g)) < 0 || (rc = prof_parse_wrp(c, g)) < 0)
		return rc;
	ob->present = true;
	return GANG_OK;
}
