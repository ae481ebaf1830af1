/*
 * ob.c — option bytes: named fields, the RDP safety policy, and the
 * declarative write through the family driver, which owns the block's
 * encoding (for F0/F1/F3: flash/fpec_f1_ob.c).
 *
 * Facts: PM0075 option bytes (RM0091 §4 for F0/F3): a write of RDP 0 from
 * level 1 mass-erases main flash; level 2 is irreversible; WRP bit = 0
 * protects, pages per WRP bit per part.
 */
#include "flash/ob.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flash/flash_ops.h"
#include "flash/geom.h"


const char *gang_ob_rdp_name(int level)
{
	switch (level) {
	case 0: return "0";
	case 1: return "1";
	case 2: return "2";
	case GANG_OB_RDP_LEVEL05: return "0.5";
	default: return "?";
	}
}

void gang_ob_want_init(gang_ob_want *w)
{
	w->rdp_level = GANG_OB_UNCHANGED;
	w->user = GANG_OB_UNCHANGED;
	w->user_mask = 0;
	w->user_val = 0;
	w->data0 = GANG_OB_UNCHANGED;
	w->data1 = GANG_OB_UNCHANGED;
	w->wrp = GANG_OB_UNCHANGED;
	for (unsigned i = 0; i < GANG_OB_MORE; i++)
		w->more[i] = GANG_OB_UNCHANGED;
}

const gang_ob_field *gang_ob_fields(const gang_family *f)
{
	return gang_flash_ops_of(f)->ob_fields(f);
}

const gang_ob_field *gang_ob_field_find(const gang_family *f, const char *name)
{
	for (const gang_ob_field *k = gang_ob_fields(f); name != NULL && k->name != NULL; k++)
		if (strcasecmp(k->name, name) == 0)
			return k;
	return NULL;
}

void gang_ob_field_list(char *out, size_t cap, const gang_family *f)
{
	size_t len = 0;

	out[0] = '\0';
	for (const gang_ob_field *k = gang_ob_fields(f); k->name != NULL && len < cap; k++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "", k->name);
}

const gang_ob_field *gang_ob_field_wrp(const gang_family *f)
{
	for (const gang_ob_field *k = gang_ob_fields(f); k->name != NULL; k++)
		if (k->kind == GANG_OB_KIND_WRP)
			return k;
	return NULL;
}

bool gang_ob_field_on(const gang_ob_field *k, const gang_part *p)
{
	const gang_flash_ops *ops = gang_flash_ops_of(p->family);

	return k->parts == 0 || (ops->ob_part_class != NULL && (ops->ob_part_class(p) & k->parts) == k->parts);
}

void gang_ob_part_field_list(char *out, size_t cap, const gang_part *p)
{
	size_t len = 0;

	out[0] = '\0';
	for (const gang_ob_field *k = gang_ob_fields(p->family); k->name != NULL && len < cap; k++)
		if (gang_ob_field_on(k, p))
			len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "", k->name);
}

int gang_ob_field_check_part(const gang_ob_field *k, const gang_part *p, gang_diag *d)
{
	const gang_flash_ops *ops = gang_flash_ops_of(p->family);
	char have[360];

	if (gang_ob_field_on(k, p))
		return GANG_OK;
	gang_ob_part_field_list(have, sizeof(have), p);
	return gang_diag_set(d, GANG_EUSAGE, "option byte %s exists only on the %s, not on the %s (it has %s)",
			     k->name, ops->ob_classes ? ops->ob_classes[k->parts] : "other parts", p->name, have);
}

int gang_ob_want_check(const gang_ob_want *w, const gang_family *f, gang_diag *d)
{
	const gang_flash_ops *ops = gang_flash_ops_of(f);

	return ops->ob_want_check ? ops->ob_want_check(w, f, d) : GANG_OK;
}

void gang_ob_note(char *out, size_t cap, const gang_ob *ob, const gang_part *p)
{
	const gang_flash_ops *ops = gang_flash_ops_of(p->family);

	out[0] = '\0';
	if (ops->ob_note != NULL)
		ops->ob_note(out, cap, ob, p);
}

int gang_ob_want_set_part(gang_ob_want *w, const gang_part *p, const char *name, int64_t value,
			  gang_diag *d)
{
	const gang_ob_field *k = gang_ob_field_find(p->family, name);
	int err = k ? gang_ob_field_check_part(k, p, d) : GANG_OK;

	return err < 0 ? err : gang_ob_want_set(w, p->family, name, value, d);
}

/* The more[] slot of a BYTE or WRP field at index 2.., or NULL for data0/data1/wrp. */
static int ob_more_slot(const gang_ob_field *k)
{
	return k->index >= 2U ? (int)((k->index - 2U) % GANG_OB_MORE) : -1;
}

static unsigned ob_width(const gang_ob_field *k)
{
	if (k->width)
		return k->width;
	return k->kind == GANG_OB_KIND_BYTE ? 8U : 1U;
}

int64_t gang_ob_field_max(const gang_ob_field *k)
{
	if (k->kind == GANG_OB_KIND_RDP)
		return 2;
	if (k->kind == GANG_OB_KIND_WRP)
		return UINT32_MAX;
	return ((int64_t)1 << ob_width(k)) - 1;
}

int64_t gang_ob_field_get(const gang_ob *ob, const gang_ob_field *k)
{
	if (k->kind == GANG_OB_KIND_RDP)
		return ob->rdp_level;
	if ((k->kind == GANG_OB_KIND_WRP || k->kind == GANG_OB_KIND_BYTE) && ob_more_slot(k) >= 0)
		return ob->more[ob_more_slot(k)];
	if (k->kind == GANG_OB_KIND_WRP)
		return ob->wrp;
	if (k->kind == GANG_OB_KIND_BYTE)
		return k->index ? ob->data1 : ob->data0;
	return (ob->user >> k->index) & (uint32_t)gang_ob_field_max(k);
}

static int ob_no_level05(const gang_family *f, gang_diag *d)
{
	return gang_diag_set(d, GANG_EUSAGE, "RDP level 0.5 exists only on the L5 and U5 families, with TrustZone "
			     "on (TZEN = 1), not on the %s family: use 0, 1 or 2", f->name);
}

/* Level 0.5 is a code (GANG_OB_RDP_LEVEL05), kept where the family has it (its driver gives it a byte). */
static int ob_field_range(const gang_ob_field *k, int64_t value, const gang_family *f, gang_diag *d)
{
	gang_diag sub = { 0 };
	uint8_t byte;

	if (k->kind == GANG_OB_KIND_RDP && value == GANG_OB_RDP_LEVEL05)
		return gang_ob_rdp_byte(&byte, GANG_OB_RDP_LEVEL05, f, &sub) == GANG_OK ? GANG_OK : ob_no_level05(f, d);
	if (value >= 0 && value <= gang_ob_field_max(k))
		return GANG_OK;
	return gang_diag_set(d, GANG_EUSAGE, "option byte %s = %" PRId64 ": must be 0..%" PRId64, k->name,
			     value, gang_ob_field_max(k));
}

int gang_ob_want_set(gang_ob_want *w, const gang_family *f, const char *name, int64_t value,
		     gang_diag *d)
{
	const gang_ob_field *k = gang_ob_field_find(f, name);
	char have[360];
	int err;

	if (k == NULL) {
		gang_ob_field_list(have, sizeof(have), f);
		return gang_diag_set(d, GANG_EUSAGE, "option byte %s does not exist on the %s family (it has %s)",
				     name ? name : "(none)", f->name, have);
	}
	if ((err = ob_field_range(k, value, f, d)) < 0)
		return err;
	if (k->kind == GANG_OB_KIND_RDP) {
		w->rdp_level = (int)value;
	} else if (k->kind == GANG_OB_KIND_BIT) {
		uint32_t mask = (uint32_t)gang_ob_field_max(k) << k->index;

		w->user_mask |= mask;
		w->user_val = (w->user_val & ~mask) | ((uint32_t)value << k->index);
	}
	else if (ob_more_slot(k) >= 0)
		w->more[ob_more_slot(k)] = value;
	else if (k->kind == GANG_OB_KIND_BYTE)
		*(k->index ? &w->data1 : &w->data0) = (int)value;
	else
		w->wrp = value;
	return GANG_OK;
}

void gang_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f)
{
	memset(out, 0, sizeof(*out));   /* fields a family's decoder does not know (more[]) read as 0 */
	gang_flash_ops_of(f)->ob_decode(out, raw, f);
}

void gang_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f)
{
	gang_flash_ops_of(f)->ob_encode(raw, ob, f);
}

int gang_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d)
{
	return gang_flash_ops_of(f)->ob_rdp_byte(out, level, f, d);
}

uint32_t gang_ob_bit_mask(const gang_ob_field *fields)
{
	uint32_t mask = 0;

	for (const gang_ob_field *k = fields; k->name != NULL; k++)
		if (k->kind == GANG_OB_KIND_BIT)
			mask |= (k->width > 1U ? (1U << k->width) - 1U : 1U) << k->index;
	return mask;
}

int gang_ob_rdp_levels(uint8_t *out, int level, const gang_family *f, uint8_t level1, gang_diag *d)
{
	if (level == 0)
		*out = f->rdp_level0;
	else if (level == 1)
		*out = level1;
	else if (level == 2)
		*out = f->rdp_level2;
	else if (level == GANG_OB_RDP_LEVEL05)
		return ob_no_level05(f, d);
	else
		return gang_diag_set(d, GANG_EUSAGE, "RDP level %d: must be 0, 1 or 2", level);
	return GANG_OK;
}

static int ob_data(uint16_t *dst, int v, const char *what, gang_diag *d)
{
	if (v == GANG_OB_UNCHANGED)
		return GANG_OK;
	if (v < 0 || v > 0xFFFF)
		return gang_diag_set(d, GANG_EUSAGE, "option byte %s = %d: must be 0..65535", what, v);
	*dst = (uint16_t)v;
	return GANG_OK;
}

/* RDP transitions that need permission. */
static int ob_rdp_policy(const gang_ob *cur, int level, const gang_ob_write_opts *o, gang_diag *d)
{
	if (cur->rdp_level == 2 && level != 2)
		return gang_diag_set(d, GANG_ELOCKED_FOREVER, "the chip is at RDP level 2: its option "
				     "bytes can never change again");
	/* from 0.5 too: a regression to level 0 erases the whole flash (RM0438 §6.6.2, RM0456 §7.6.2) */
	if ((cur->rdp_level == 1 || cur->rdp_level == GANG_OB_RDP_LEVEL05) && level == 0 &&
	    !(o && o->allow_rdp_regression))
		return gang_diag_set(d, GANG_EREAD_PROTECTED, "lowering RDP from level %s to 0 "
				     "mass-erases the chip; allow the RDP regression explicitly",
				     gang_ob_rdp_name(cur->rdp_level));
	if (level == 2 && cur->rdp_level != 2 &&
	    !(o && o->confirm_level2 && strcmp(o->confirm_level2, GANG_OB_LEVEL2_CONFIRM) == 0))
		return gang_diag_set(d, GANG_ELOCKED_FOREVER, "RDP level 2 locks the chip forever; "
				     "confirm with exactly \"%s\"", GANG_OB_LEVEL2_CONFIRM);
	return GANG_OK;
}

int gang_ob_plan(gang_ob *out, bool *changed_out, const gang_ob *cur, const gang_ob_want *w,
		 const gang_ob_write_opts *o, const gang_family *f, gang_diag *d)
{
	int err;

	*out = *cur;
	*changed_out = false;
	if (w->user != GANG_OB_UNCHANGED && (w->user < 0 || w->user > (int64_t)UINT32_MAX))
		return gang_diag_set(d, GANG_EUSAGE, "option byte USER = %" PRId64 ": must be "
				     "0..0xFFFFFFFF", w->user);
	if (w->user != GANG_OB_UNCHANGED)
		out->user = (uint32_t)w->user;
	if ((err = ob_data(&out->data0, w->data0, "DATA0", d)) < 0 ||
	    (err = ob_data(&out->data1, w->data1, "DATA1", d)) < 0)
		return err;
	if (w->wrp != GANG_OB_UNCHANGED && (w->wrp < 0 || w->wrp > (int64_t)UINT32_MAX))
		return gang_diag_set(d, GANG_EUSAGE, "option byte WRP = %" PRId64 ": must be "
				     "0..0xFFFFFFFF", w->wrp);
	if (w->wrp != GANG_OB_UNCHANGED)
		out->wrp = (uint32_t)w->wrp;
	out->user = (out->user & ~w->user_mask) | (w->user_val & w->user_mask);
	for (unsigned i = 0; i < GANG_OB_MORE; i++)
		if (w->more[i] != GANG_OB_UNCHANGED)
			out->more[i] = (uint32_t)w->more[i];
	if (w->rdp_level != GANG_OB_UNCHANGED && w->rdp_level != cur->rdp_level) {
		if ((err = gang_ob_rdp_byte(&out->rdp, w->rdp_level, f, d)) < 0 ||
		    (err = ob_rdp_policy(cur, w->rdp_level, o, d)) < 0)
			return err;
		out->rdp_level = w->rdp_level;
	}
	out->opterr = false;
	/* the family's own rules for changes that cannot be undone (flash/flash_ops.h ob_policy) */
	if (gang_flash_ops_of(f)->ob_policy && (err = gang_flash_ops_of(f)->ob_policy(cur, out, o, f, d)) < 0)
		return err;
	*changed_out = cur->opterr || out->rdp != cur->rdp || out->user != cur->user ||
		       out->data0 != cur->data0 || out->data1 != cur->data1 || out->wrp != cur->wrp ||
		       memcmp(out->more, cur->more, sizeof(out->more)) != 0;
	return GANG_OK;
}

int gang_ob_read_len(gang_ob *out, size_t *len_out, gang_target *t)
{
	const gang_family *f = gang_target_part(t)->family;
	uint8_t raw[GANG_OB_RAW_MAX] = { 0 };
	int err;

	*len_out = 0;
	err = gang_flash_ops_of(f)->ob_read(raw, len_out, t);
	memset(out, 0, sizeof(*out));
	if (err == GANG_OK)
		gang_ob_decode(out, raw, f);
	return err;
}

int gang_ob_read(gang_ob *out, gang_target *t)
{
	size_t len;

	return gang_ob_read_len(out, &len, t);
}

static int ob_confirm(gang_target *t, const gang_ob *want)
{
	gang_ob got;
	int err = gang_ob_read(&got, t);

	if (err < 0)
		return err;
	if (got.rdp == want->rdp && got.user == want->user && got.data0 == want->data0 &&
	    got.data1 == want->data1 && got.wrp == want->wrp && !got.opterr &&
	    memcmp(got.more, want->more, sizeof(got.more)) == 0)
		return GANG_OK;
	return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "option bytes read back RDP=0x%02X "
			     "USER=0x%02" PRIX32 " DATA=0x%02X/0x%02X WRP=0x%08" PRIX32 "%s, wrote RDP=0x%02X "
			     "USER=0x%02" PRIX32 " DATA=0x%02X/0x%02X WRP=0x%08" PRIX32, got.rdp, got.user,
			     got.data0, got.data1, got.wrp, got.opterr ? " (OPTERR)" : "", want->rdp,
			     want->user, want->data0, want->data1, want->wrp);
}

int gang_ob_write(bool *changed_out, gang_target *t, const gang_ob_want *w,
		  const gang_ob_write_opts *o)
{
	const gang_family *f = gang_target_part(t)->family;
	uint8_t raw[GANG_OB_RAW_LEN];
	gang_ob cur, next, mid;
	bool changed = false;
	int err;

	if (changed_out)
		*changed_out = false;
	if ((err = gang_ob_read(&cur, t)) < 0 ||
	    (err = gang_ob_plan(&next, &changed, &cur, w, o, f, gang_target_diag(t))) < 0 ||
	    !changed)
		return err;
	if (changed_out)
		*changed_out = true;
	/* a change the chip takes in two writes: the first, reloaded and read back, then the plan again */
	if (gang_flash_ops_of(f)->ob_stage && gang_flash_ops_of(f)->ob_stage(&mid, &cur, &next, f)) {
		gang_ob_encode(raw, &mid, f);
		if ((err = gang_flash_ops_of(f)->ob_write(t, raw, sizeof(raw))) < 0 || (err = ob_confirm(t, &mid)) < 0 ||
		    (err = gang_ob_read(&cur, t)) < 0 ||
		    (err = gang_ob_plan(&next, &changed, &cur, w, o, f, gang_target_diag(t))) < 0 || !changed)
			return err;
	}
	gang_ob_encode(raw, &next, f);
	err = gang_flash_ops_of(f)->ob_write(t, raw, sizeof(raw));
	/* level 2 switches the debug port off for good: the reload cannot reach the core */
	if (next.rdp_level == 2 && (err == GANG_OK || err == GANG_ETARGET_NOSWD ||
				    err == GANG_ETARGET_NOHALT || err == GANG_ETARGET_FAULT)) {
		gang_diag_clear(gang_target_diag(t));
		return GANG_OK;
	}
	return err < 0 ? err : ob_confirm(t, &next);
}

void gang_ob_wrp_none(gang_ob_wrp_bits *out, const gang_family *f)
{
	out->n = 0;
	for (unsigned i = 0; i < GANG_OB_WRP_WORDS; i++)
		out->w[i] = 0xFFFFFFFFU;
	for (const gang_ob_field *k = gang_ob_fields(f); k->name != NULL; k++)
		if (k->kind == GANG_OB_KIND_WRP && out->n < GANG_OB_WRP_WORDS)
			out->n++;
}

void gang_ob_wrp_of(gang_ob_wrp_bits *out, const gang_ob *ob, const gang_family *f)
{
	unsigned i = 0;

	gang_ob_wrp_none(out, f);
	for (const gang_ob_field *k = gang_ob_fields(f); k->name != NULL && i < out->n; k++)
		if (k->kind == GANG_OB_KIND_WRP)
			out->w[i++] = (uint32_t)gang_ob_field_get(ob, k);
}

int gang_ob_want_wrp(gang_ob_want *w, const gang_ob_wrp_bits *b, const gang_family *f, gang_diag *d)
{
	unsigned i = 0;
	int err = GANG_OK;

	for (const gang_ob_field *k = gang_ob_fields(f); k->name != NULL && i < b->n && err == GANG_OK; k++)
		if (k->kind == GANG_OB_KIND_WRP)
			err = gang_ob_want_set(w, f, k->name, b->w[i++], d);
	return err;
}

static uint32_t ob_wrp_bit(const gang_ob_wrp_bits *b, uint32_t page, const gang_part *part)
{
	uint32_t bit = page / part->wrp_pages_per_bit, last = 32U * (b->n ? b->n : 1U) - 1U;

	return bit > last ? last : bit;   /* the last bit covers every remaining page */
}

uint32_t gang_ob_wrp_first_page(const gang_ob_wrp_bits *b, const gang_part *part)
{
	gang_flash_unit u;

	for (unsigned bit = 0; bit < 32U * GANG_OB_WRP_WORDS; bit++)
		if (!(b->w[bit / 32U] & (1U << (bit % 32U))) &&
		    gang_geom_unit(&u, &part->geom, bit * part->wrp_pages_per_bit))
			return u.addr;
	return 0;
}

void gang_ob_wrp_protect(gang_ob_wrp_bits *b, uint32_t page, const gang_part *part)
{
	uint32_t bit = ob_wrp_bit(b, page, part);

	b->w[bit / 32U] &= ~(1U << (bit % 32U));
}

bool gang_ob_wrp_protects(const gang_ob_wrp_bits *b, uint32_t page, const gang_part *part)
{
	uint32_t bit = ob_wrp_bit(b, page, part);

	return !(b->w[bit / 32U] & (1U << (bit % 32U)));
}
