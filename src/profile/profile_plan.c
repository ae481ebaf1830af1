/*
 * profile_plan.c — the plan `gang check` prints: what every board will go
 * through, in order, with the numbers a line engineer signs off (pages to
 * erase, bytes to program, the serial's bytes for the pool's first value).
 * The steps are the profile's plan (profile_plan_build.c), the one the job
 * runs, in its order; the serial is patched into the image buffer, so
 * program and verify cover it.
 */
#include "profile/profile_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flash/geom.h"
#include "flash/ob.h"

typedef struct plan_geom {
	const gang_flash_geom *g;
	uint32_t base, n_pages;
	uint64_t end;
} plan_geom;

static const char *const plan_connect_text[] = {
	[GANG_CONNECT_AUTO] = "auto: normal attach, under reset if the chip does not answer",
	[GANG_CONNECT_NORMAL] = "normal: attach, then reset and halt (SYSRESETREQ with vector catch)",
	[GANG_CONNECT_UNDER_RESET] = "under reset (NRST held low while attaching and halting)",
	[GANG_CONNECT_HOT_PLUG] = "hot-plug: attach and halt where the core is, no reset",
};
static const char *const plan_verify_text[] = {
	[GANG_VERIFY_CRC] = "CRC-32 of each programmed segment, computed on the chip",
	[GANG_VERIFY_READBACK] = "read back every programmed byte",
	[GANG_VERIFY_NONE] = "none (boards are NOT verified)",
};
static const char *const plan_after_text[] = {
	[GANG_AFTER_RUN] = "reset and run the firmware",
	[GANG_AFTER_RESET] = "reset, then detach (firmware runs)",
	[GANG_AFTER_HALT] = "leave the core halted",
};

/* Mark the pages in [addr, addr+len) that lie inside flash. */
static void plan_mark(uint8_t *map, const plan_geom *g, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len;
	unsigned first, last;

	addr = addr < g->base ? g->base : addr;
	end = end > g->end ? g->end : end;
	if (addr >= end || !gang_geom_span(&first, &last, g->g, (uint32_t)addr, end - addr))
		return;
	for (unsigned pg = first; pg <= last; pg++)
		map[pg / 8] |= (uint8_t)(1U << (pg % 8));
}

/* Pages erase = "pages" touches: every page holding image or serial bytes; their bytes in *bytes. */
static uint32_t plan_pages(uint64_t *bytes, uint8_t *map, const gang_profile *p,
			   const gang_image *img, const plan_geom *g)
{
	gang_flash_unit u;
	uint32_t n = 0;

	for (size_t i = 0; img && i < img->n_seg; i++)
		plan_mark(map, g, img->seg[i].addr, img->seg[i].len);
	if (p->serial.present)
		plan_mark(map, g, p->serial.address, gang_serial_fmt_len(&p->serial.fmt));
	if (p->checksum.present)
		plan_mark(map, g, p->checksum.address, 4);
	for (size_t i = 0; i < p->n_data; i++)
		plan_mark(map, g, p->data[i].address, p->data[i].length);
	*bytes = 0;
	for (uint32_t pg = 0; pg < g->n_pages; pg++) {
		if (!((map[pg / 8] >> (pg % 8)) & 1U) || !gang_geom_unit(&u, g->g, pg))
			continue;
		n++;
		*bytes += u.size;
	}
	return n;
}

/* "0-6, 127" */
static void plan_ranges(FILE *out, const uint8_t *map, uint32_t n_pages)
{
	const char *sep = "";

	for (uint32_t pg = 0; pg < n_pages; pg++) {
		uint32_t end = pg;

		if (!((map[pg / 8] >> (pg % 8)) & 1U))
			continue;
		while (end + 1 < n_pages && ((map[(end + 1) / 8] >> ((end + 1) % 8)) & 1U))
			end++;
		if (end == pg)
			fprintf(out, "%s%" PRIu32, sep, pg);
		else
			fprintf(out, "%s%" PRIu32 "-%" PRIu32, sep, pg, end);
		sep = ", ";
		pg = end;
	}
}

static const char *const plan_erase_text[] = {
	[GANG_ERASE_MASS] = "mass erase",
	[GANG_ERASE_PAGES] = "only the pages or sectors written (listed below)",
	[GANG_ERASE_NONE] = "none (flash must already be blank where written)",
};

/* The "pages to erase" summary line. */
static void plan_erase_pages(FILE *out, const gang_profile *p, const gang_image *img,
			     const plan_geom *g)
{
	uint8_t *map;
	uint64_t bytes = 0;
	uint32_t n;

	fprintf(out, gang_geom_uniform_unit(g->g) ? "pages to erase    " : "sectors to erase  ");
	if (p->erase != GANG_ERASE_PAGES) {
		if (p->erase == GANG_ERASE_MASS)
			fprintf(out, "all %" PRIu32 " (mass erase)\n", g->n_pages);
		else
			fprintf(out, "none\n");
		return;
	}
	map = calloc(g->n_pages / 8 + 1, 1);
	if (!map) {
		fprintf(out, "(out of memory listing them)\n");
		return;
	}
	n = plan_pages(&bytes, map, p, img, g);
	fprintf(out, "%" PRIu32 " (%" PRIu64 " bytes): ", n, bytes);
	plan_ranges(out, map, g->n_pages);
	fputc('\n', out);
	free(map);
}

/* Image payload and span, from the segments themselves. */
static uint64_t plan_image_size(const gang_image *img)
{
	uint64_t n = 0;

	for (size_t i = 0; img && i < img->n_seg; i++)
		n += img->seg[i].len;
	return n;
}

/* Bytes of [lo, lo + len) that are not already image data (the serial's overlay, the checksum's slot). */
static uint64_t plan_extra(const gang_image *img, uint64_t lo, uint64_t len)
{
	uint64_t hi = lo + len;
	uint64_t extra = len;

	for (size_t i = 0; img && i < img->n_seg; i++) {
		uint64_t a = img->seg[i].addr > lo ? img->seg[i].addr : lo;
		uint64_t s_end = (uint64_t)img->seg[i].addr + img->seg[i].len;
		uint64_t b = s_end < hi ? s_end : hi;

		if (a < b)
			extra -= b - a;
	}
	return extra;
}

static void plan_serial(FILE *out, const gang_profile *p)
{
	const gang_profile_serial *s = &p->serial;
	uint8_t buf[GANG_SERIAL_BYTES_MAX];
	char text[GANG_SERIAL_TEXT_MAX];
	gang_diag d = { 0 };
	time_t now = time(NULL);
	size_t n;

	if (!s->present) {
		fprintf(out, "  serial        none\n");
		return;
	}
	fprintf(out, "  serial        pool %s (%" PRIu64 "-%" PRIu64 ") at 0x%08" PRIX32
		": %s, %zu bytes%s%s%s\n",
		s->pool, s->start, s->end, s->address, gang_serial_kind_name(s->fmt.kind),
		gang_serial_fmt_len(&s->fmt), s->fmt.guard ? " with " : "",
		s->fmt.guard ? gang_serial_guard_name(s->fmt.guard) : "",
		s->overlay ? ", may overwrite image data" : "");
	if (gang_serial_encode(buf, &n, sizeof(buf), &s->fmt, s->start, now, &d) < 0 ||
	    gang_serial_format_text(text, sizeof(text), &s->fmt, s->start, now) < 0) {
		fprintf(out, "                first value %" PRIu64 " cannot be encoded: %s\n",
			s->start, d.msg);
		return;
	}
	fprintf(out, "                first value %s ->", text);
	for (size_t i = 0; i < n; i++)
		fprintf(out, " %02x", buf[i]);
	fputc('\n', out);
}

static void plan_ob_rdp(FILE *out, const gang_profile_ob *ob)
{
	if (ob->rdp == 0)
		fprintf(out, " rdp=0 (unprotected%s)",
			ob->allow_unprotect ? "; RDP 1->0 regression allowed: mass-erases" : "");
	else if (ob->rdp == 1)
		fprintf(out, " rdp=1 (read-protected after the next power cycle)");
	else if (ob->rdp == 2)
		fprintf(out, " rdp=2 (PERMANENT lock, confirmed)");
	else if (ob->rdp == GANG_OB_RDP_LEVEL05)
		fprintf(out, " rdp=0.5 (TrustZone: the debugger reaches non-secure memory only after the reload)");
}

/*
 * What the written option bytes will mean for the addresses, as `gang
 * options show` says it on the board (H7 SWAP_BANK_OPT, RM0433 §4.3.13):
 * the profile's fields applied to a factory board with nothing
 * write-protected; nothing when the family has no such note.
 */
static void plan_ob_note(FILE *out, const gang_profile *p)
{
	const gang_part *part = gang_part_find(p->target);
	gang_ob cur = { .wrp = UINT32_MAX }, next;
	gang_ob_want w;
	gang_diag d = { 0 };
	bool changed = false;
	char note[240];

	if (part == NULL)
		return;
	gang_ob_want_init(&w);
	for (size_t i = 0; i < p->ob.n_fields; i++)
		if (gang_ob_want_set_part(&w, part, p->ob.fields[i].name, p->ob.fields[i].value, &d) < 0)
			return;
	if (gang_ob_plan(&next, &changed, &cur, &w, NULL, part->family, &d) < 0)
		return;
	gang_ob_note(note, sizeof(note), &next, part);
	if (note[0])
		fprintf(out, "                NOTE %s\n", note);
}

static void plan_ob(FILE *out, const gang_profile *p)
{
	const gang_profile_ob *ob = &p->ob;

	if (!ob->present) {
		fprintf(out, "  option bytes  unchanged\n");
		return;
	}
	fprintf(out, "  option bytes ");
	plan_ob_rdp(out, ob);
	for (size_t i = 0; i < ob->n_fields; i++)
		fprintf(out, ob->fields[i].value > 1 ? " %s=0x%02" PRIX64 : " %s=%" PRId64, ob->fields[i].name,
			ob->fields[i].value);
	if (ob->wrp_set && ob->n_wrp == 0)
		fprintf(out, " wrp=none");
	for (size_t i = 0, j; i < ob->n_wrp; i = j + 1) {
		for (j = i; j + 1 < ob->n_wrp && ob->wrp_pages[j + 1] == ob->wrp_pages[j] + 1;)
			j++;
		fprintf(out, "%s%" PRIu32, i ? "," : " wrp=", ob->wrp_pages[i]);
		if (j > i)
			fprintf(out, "-%" PRIu32, ob->wrp_pages[j]);
	}
	fputc('\n', out);
	plan_ob_note(out, p);
}

static void plan_header(FILE *out, const gang_profile *p, const gang_image *img,
			const plan_geom *g)
{
	uint32_t unit = gang_geom_uniform_unit(g->g);
	const gang_segment *last;

	fprintf(out, "profile   %s  %s\n          sha256 %s\n", p->name, p->path, p->sha256);
	if (p->station[0])
		fprintf(out, "station   %s\n", p->station);
	if (p->description[0])
		fprintf(out, "about     %s\n", p->description);
	fprintf(out, "target    %s: flash 0x%08" PRIX32 "-0x%08" PRIX64 ", %" PRIu32, p->target, g->base,
		g->end - 1, g->n_pages);
	if (unit != 0)
		fprintf(out, " pages of %" PRIu32 " bytes\n", unit);
	else
		fprintf(out, " sectors of unequal size\n");
	fprintf(out, "image     %s\n", p->image_path);
	if (!img || img->n_seg == 0)
		return;
	last = &img->seg[img->n_seg - 1];
	fprintf(out, "          sha256 %s\n          0x%08" PRIX32 "-0x%08" PRIX64 "\n",
		img->sha256, img->seg[0].addr, (uint64_t)last->addr + last->len - 1);
}

static void plan_program(FILE *out, const gang_profile *p, const gang_image *img)
{
	fprintf(out, "  erase         %s\n", plan_erase_text[p->erase]);
	if (img)
		fprintf(out, "  program       %" PRIu64 " byte%s in %zu segment%s\n", plan_image_size(img),
			plan_image_size(img) == 1 ? "" : "s", img->n_seg, img->n_seg == 1 ? "" : "s");
	else
		fprintf(out, "  program       (image not loaded)\n");
	if (p->skip_if_same)
		fprintf(out, "                skipped with the erase on a board that already holds the image\n");
	if (p->program_timeout_ms)
		fprintf(out, "                at most %" PRIu32 " s with the erase (program.timeout_s)\n",
			p->program_timeout_ms / 1000U);
}

static void plan_checksum(FILE *out, const gang_profile *p)
{
	const gang_profile_checksum *k = &p->checksum;

	fprintf(out, "  checksum      %s of [0x%08" PRIX32 ", 0x%08" PRIX32 ") written at 0x%08" PRIX32
		" (little-endian), after the serial\n", gang_checksum_kind_name(k->kind), k->start, k->end,
		k->address);
}

/* The data items: pool, where, how many bytes and how (a secret is never shown, only its index). */
static void plan_data(FILE *out, const gang_profile *p)
{
	for (size_t i = 0; i < p->n_data; i++) {
		const gang_profile_data *it = &p->data[i];

		fprintf(out, "  %-13s pool %s: ", i ? "" : "data", it->pool);
		if (it->kind == GANG_PDATA_MAC)
			fprintf(out, "MAC address, 6 bytes %s at 0x%08" PRIX32 "\n", it->msb_first ? "msb-first" : "lsb-first",
				it->address);
		else
			fprintf(out, "next imported value%s, %" PRIu32 " bytes (padded with 0x%02X) at 0x%08" PRIX32 "\n",
				it->secret ? " (secret: recorded by index and SHA-256 only)" : "", it->length, it->pad,
				it->address);
	}
}

/* A step of the profile's own: what it does, on which target state, for how long. */
static void plan_own(FILE *out, const gang_plan_step *st)
{
	const gang_profile_step *s = st->own;

	fprintf(out, "  %-13s ", s->name);
	if (s->kind == GANG_KIND_MEMCHECK)
		fprintf(out, "firmware runs until the word at 0x%08" PRIX32 " reads 0x%08" PRIX32 ", at most %" PRIu32
			" s; then re-attached (same UID)\n", s->check_address, s->check_equals, st->timeout_ms / 1000U);
	else
		fprintf(out, "command `%s` (%s, at most %" PRIu32 " s%s)\n", s->run,
			st->need == GANG_NEED_HALTED ? "core halted under the probe" :
			st->need == GANG_NEED_RUNNING ? "firmware running; re-attached after, same UID" :
			st->need == GANG_NEED_NONE ? "board released" :
			st->after_pass ? "board and ST-Link released" :
			"firmware running, ST-Link released; re-attached after, same UID", st->timeout_ms / 1000U,
			st->after_pass ? "; its failure is recorded but the board stays a pass" : "");
}

/* One line (or two) per step of the plan the job runs: the same structure, the same order. */
static void plan_step(FILE *out, const gang_profile *p, const gang_image *img, const gang_plan_step *st)
{
	switch (st->kind) {
	case GANG_KIND_CONNECT:
		fprintf(out, "  connect       %s, SWD %" PRIu32 " kHz\n", plan_connect_text[p->connect], p->swd_khz);
		break;
	case GANG_KIND_SERIAL:
		plan_serial(out, p);
		break;
	case GANG_KIND_SCAN:
		fprintf(out, "  scan          the board's label, matching \"%s\"%s; bound to its UID\n", p->scan.pattern,
			p->scan.required ? "" : " (an empty scan skips it)");
		break;
	case GANG_KIND_DATA:
		plan_data(out, p);
		break;
	case GANG_KIND_CHECKSUM:
		plan_checksum(out, p);
		break;
	case GANG_KIND_UNPROTECT:
		fprintf(out, "  unprotect     only on a read-protected chip (RDP 1): %s\n", p->ob.allow_unprotect ?
			"mass erase by the RDP regression" : "refused (option_bytes.allow_unprotect is not set)");
		break;
	case GANG_KIND_PROGRAM:
		plan_program(out, p, img);
		break;
	case GANG_KIND_VERIFY:
		fprintf(out, "  verify        %s\n", plan_verify_text[p->verify]);
		break;
	case GANG_KIND_OPTION_BYTES:
		plan_ob(out, p);
		break;
	case GANG_KIND_PASS:
		fprintf(out, "  pass          recorded (serial burned), then the board is released\n"
			"  after         %s\n", plan_after_text[p->after]);
		break;
	default:
		plan_own(out, st);
		break;
	}
}

static void plan_steps(FILE *out, const gang_profile *p, const gang_image *img)
{
	fprintf(out, "\nsteps\n");
	for (size_t i = 0; i < p->plan.n; i++)
		plan_step(out, p, img, &p->plan.step[i]);
	fprintf(out, "  retries       %d\n", p->retries);
}

int gang_profile_plan(FILE *out, const gang_profile *p, const gang_image *img, const gang_flash_geom *geom,
		      const char *pool_status)
{
	plan_geom g = { geom, 0, 0, 0 };
	uint64_t image = plan_image_size(img);
	uint64_t serial = p->serial.present ? plan_extra(img, p->serial.address, gang_serial_fmt_len(&p->serial.fmt)) : 0;
	uint64_t sum = p->checksum.present ? plan_extra(img, p->checksum.address, 4) : 0;
	uint64_t data = 0;

	for (size_t i = 0; i < p->n_data; i++)
		data += plan_extra(img, p->data[i].address, p->data[i].length);
	if (!gang_geom_valid(geom))
		return GANG_ERR;
	g.base = gang_geom_base(geom);
	g.end = gang_geom_end(geom);
	g.n_pages = gang_geom_unit_count(geom);
	plan_header(out, p, img, &g);
	plan_steps(out, p, img);
	fputc('\n', out);
	plan_erase_pages(out, p, img, &g);
	fprintf(out, "bytes to program  %" PRIu64, image + serial + data + sum);
	if (p->serial.present || p->checksum.present || p->n_data)
		fprintf(out, " (image %" PRIu64, image);
	if (p->serial.present)
		fprintf(out, " + serial %" PRIu64, serial);
	if (p->n_data)
		fprintf(out, " + data %" PRIu64, data);
	if (p->checksum.present)
		fprintf(out, " + checksum %" PRIu64, sum);
	if (p->serial.present || p->checksum.present || p->n_data)
		fputc(')', out);
	fprintf(out, "\nserial pool       %s\n",
		!p->serial.present ? "none"
		: pool_status	   ? pool_status
				   : "not checked (no database)");
	return GANG_OK;
}
