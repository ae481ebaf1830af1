/*
 * profile_check.c — check a loaded profile against the part's flash geometry
 * and the firmware image: image inside flash, serial inside flash and clear
 * of image data (unless serial.overlay), write-protected pages that exist.
 * On L0/L1 the data EEPROM (RM0377 §3.3.1) counts as a place for image,
 * eeprom, serial, data and checksum bytes too.
 * The serial is written into the image buffer before programming
 * (docs/architecture.md "Serial numbers and traceability"), so a silent
 * overlap would corrupt firmware on every board.
 */
#include "profile/profile_internal.h"

#include <inttypes.h>
#include <stdio.h>

#include "flash/flash.h"
#include "flash/geom.h"
#include "flash/ob.h"
#include "target/part.h"

bool prof_mem_holds(const prof_mem *m, uint64_t lo, uint64_t hi)
{
	return (lo >= m->base && hi <= m->end) || (m->ee_hi != 0 && lo >= m->ee_lo && hi <= m->ee_hi);
}

const char *prof_mem_text(char *out, size_t cap, const prof_mem *m)
{
	int n = snprintf(out, cap, "flash 0x%08" PRIX32 "-0x%08" PRIX64, m->base, m->end - 1);

	if (m->ee_hi != 0 && n >= 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, " and the data EEPROM 0x%08" PRIX32 "-0x%08" PRIX32, m->ee_lo,
			 m->ee_hi - 1U);
	return out;
}

/* Data at or above eeprom.address that fits nowhere: the eeprom file's, named by its own key. */
static int prof_check_eeprom_seg(const gang_profile *p, const prof_mem *m, const gang_segment *s, gang_diag *d)
{
	uint64_t s_end = (uint64_t)s->addr + s->len;

	if (m->ee_hi == 0)
		return gang_diag_set(d, GANG_EPROFILE, "%s:%d: eeprom: the %s has no data EEPROM", p->path,
				     p->line.eeprom_file, p->target);
	return gang_diag_set(d, GANG_EPROFILE, "%s:%d: eeprom.file: %s puts data at 0x%08" PRIX32 "-0x%08" PRIX64
			     " outside the %s's data EEPROM 0x%08" PRIX32 "-0x%08" PRIX32 " (%" PRIu32 " bytes)",
			     p->path, p->line.eeprom_file, p->eeprom_path, s->addr, s_end - 1, p->target, m->ee_lo,
			     m->ee_hi - 1U, m->ee_hi - m->ee_lo);
}

static int prof_check_image(const gang_profile *p, const prof_mem *m, const gang_image *img, gang_diag *d)
{
	char mem[128];

	for (size_t i = 0; img && i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];
		uint64_t s_end = (uint64_t)s->addr + s->len;

		if (s->len == 0 || prof_mem_holds(m, s->addr, s_end))
			continue;
		if (p->eeprom_path != NULL && s->addr >= p->eeprom_address)
			return prof_check_eeprom_seg(p, m, s, d);
		return gang_diag_set(d, GANG_EIMAGE,
				     "%s:%d: image.file: %s has data at 0x%08" PRIX32 "-0x%08" PRIX64
				     " outside %s (%" PRIu64 " KiB)",
				     p->path, p->line.image_file, p->image_path, s->addr, s_end - 1,
				     prof_mem_text(mem, sizeof(mem), m), (m->end - m->base) / 1024U);
	}
	return GANG_OK;
}

static int prof_check_serial(const gang_profile *p, const prof_mem *m, const gang_image *img, gang_diag *d)
{
	uint64_t lo = p->serial.address, hi = lo + gang_serial_fmt_len(&p->serial.fmt);
	char mem[128];

	if (!p->serial.present)
		return GANG_OK;
	if (!prof_mem_holds(m, lo, hi))
		return gang_diag_set(d, GANG_EPROFILE,
				     "%s:%d: serial.address: serial bytes 0x%08" PRIX64 "-0x%08" PRIX64
				     " lie outside %s",
				     p->path, p->line.serial_address, lo, hi - 1, prof_mem_text(mem, sizeof(mem), m));
	for (size_t i = 0; img && !p->serial.overlay && i < img->n_seg; i++) {
		const gang_segment *s = &img->seg[i];
		uint64_t a = s->addr > lo ? s->addr : lo;
		uint64_t b = (uint64_t)s->addr + s->len < hi ? (uint64_t)s->addr + s->len : hi;

		if (a >= b)
			continue;
		return gang_diag_set(d, GANG_EPROFILE,
				     "%s:%d: serial.address: serial bytes 0x%08" PRIX64 "-0x%08" PRIX64
				     " overlap image data at 0x%08" PRIX64 "-0x%08" PRIX64
				     " (set serial.overlay = true if the image reserves this space)",
				     p->path, p->line.serial_address, lo, hi - 1, a, b - 1);
	}
	return GANG_OK;
}

static int prof_check_wrp(const gang_profile *p, const gang_flash_geom *g, gang_diag *d)
{
	unsigned n = gang_geom_unit_count(g);
	uint32_t unit = gang_geom_uniform_unit(g);

	for (size_t i = 0; i < p->ob.n_wrp; i++) {
		if (p->ob.wrp_pages[i] < n)
			continue;
		if (unit == 0)
			return gang_diag_set(d, GANG_EPROFILE, "%s:%d: option_bytes.wrp_pages: sector %"
					     PRIu32 " does not exist: the part has %u sectors (0-%u)",
					     p->path, p->line.wrp_pages, p->ob.wrp_pages[i], n, n - 1);
		return gang_diag_set(d, GANG_EPROFILE,
				     "%s:%d: option_bytes.wrp_pages: page %" PRIu32
				     " does not exist: the part has %u pages (0-%u) of %" PRIu32 " bytes",
				     p->path, p->line.wrp_pages, p->ob.wrp_pages[i], n, n - 1, unit);
	}
	return GANG_OK;
}

/* The checksum's range inside flash, its word inside flash or EEPROM, clear of the serial. */
static int prof_check_checksum(const gang_profile *p, const prof_mem *m, gang_diag *d)
{
	const gang_profile_checksum *k = &p->checksum;
	uint64_t s_lo = p->serial.address, s_hi = s_lo + gang_serial_fmt_len(&p->serial.fmt);
	char mem[128];

	if (!k->present)
		return GANG_OK;
	if (k->start < m->base || k->end > m->end)
		return gang_diag_set(d, GANG_EPROFILE, "%s:%d: checksum.over: [0x%08" PRIX32 ", 0x%08" PRIX32
				     ") lies outside flash 0x%08" PRIX32 "-0x%08" PRIX64, p->path,
				     p->line.checksum_over, k->start, k->end, m->base, m->end - 1);
	if (!prof_mem_holds(m, k->address, (uint64_t)k->address + 4U))
		return gang_diag_set(d, GANG_EPROFILE, "%s:%d: checksum.address: 0x%08" PRIX32 " lies outside "
				     "%s (the checksum is written with the image)", p->path, p->line.checksum_address,
				     k->address, prof_mem_text(mem, sizeof(mem), m));
	if (p->serial.present && k->address < s_hi && (uint64_t)k->address + 4U > s_lo)
		return gang_diag_set(d, GANG_EPROFILE, "%s:%d: checksum.address: 0x%08" PRIX32 "-0x%08" PRIX32
				     " overlaps the serial bytes 0x%08" PRIX64 "-0x%08" PRIX64, p->path,
				     p->line.checksum_address, k->address, k->address + 3U, s_lo, s_hi - 1);
	return GANG_OK;
}

static int prof_validate_mem(const gang_profile *p, const gang_flash_geom *g, const prof_mem *m,
			     const gang_image *img, gang_diag *d)
{
	int rc;

	if (!gang_geom_valid(g))
		return gang_diag_set(d, GANG_ERR, "flash geometry: no regions, or regions that are "
				     "empty or not contiguous");
	if (p->eeprom_path != NULL && m->ee_hi == 0)
		return gang_diag_set(d, GANG_EPROFILE, "%s:%d: eeprom: the %s has no data EEPROM", p->path,
				     p->line.eeprom_file, p->target);
	if ((rc = prof_check_image(p, m, img, d)) < 0 || (rc = prof_check_serial(p, m, img, d)) < 0 ||
	    (rc = prof_check_checksum(p, m, d)) < 0 || (rc = prof_check_data(p, m, img, d)) < 0)
		return rc;
	return prof_check_wrp(p, g, d);
}

int gang_profile_validate(const gang_profile *p, const gang_flash_geom *g, const gang_image *img,
			  gang_diag *d)
{
	prof_mem m = { 0, 0, 0, 0 };

	if (gang_geom_valid(g)) {   /* prof_validate_mem refuses an invalid one */
		m.base = gang_geom_base(g);
		m.end = gang_geom_end(g);
	}
	return prof_validate_mem(p, g, &m, img, d);
}

int gang_profile_validate_part(const gang_profile *p, const gang_part *part, const gang_image *img, gang_diag *d)
{
	prof_mem m = { 0, 0, 0, 0 };

	if (gang_geom_valid(&part->geom)) {
		m.base = gang_geom_base(&part->geom);
		m.end = gang_geom_end(&part->geom);
	}
	if (!gang_flash_eeprom_range(&m.ee_lo, &m.ee_hi, part))
		m.ee_lo = m.ee_hi = 0;
	return prof_validate_mem(p, &part->geom, &m, img, d);
}

/* rdp and wrp_pages need the family to have RDP and a write-protection field (user bits are checked at load). */
static int prof_check_ob_fields(const gang_profile *p, const gang_family *f, gang_diag *d)
{
	char have[360];

	if (!p->ob.wrp_set || gang_ob_field_wrp(f) != NULL)
		return GANG_OK;
	gang_ob_field_list(have, sizeof(have), f);
	return gang_diag_set(d, GANG_EPROFILE, "%s:%d: option_bytes.wrp_pages: the %s family has no "
			     "write protection (it has %s)", p->path, p->line.wrp_pages, f->name, have);
}

int gang_profile_prepare(gang_profile **p_out, gang_image **img_out, const gang_part **part_out,
			 const char *path, gang_diag *d)
{
	const gang_part *part;
	int err;

	*img_out = NULL;
	*part_out = NULL;
	if ((err = gang_profile_load(p_out, path, d)) < 0 || (err = gang_profile_load_image(img_out, *p_out, d)) < 0)
		goto fail;
	part = gang_part_find((*p_out)->target);
	if (!part) {
		err = gang_diag_set(d, GANG_EPROFILE, "%s: target: unknown part '%s'", path, (*p_out)->target);
		goto fail;
	}
	err = gang_profile_validate_part(*p_out, part, *img_out, d);
	if (err == GANG_OK)
		err = prof_check_ob_fields(*p_out, part->family, d);
	if (err < 0)
		goto fail;
	*part_out = part;
	return GANG_OK;
fail:
	gang_image_free(*img_out);
	gang_profile_free(*p_out);
	*img_out = NULL;
	*p_out = NULL;
	return err;
}
