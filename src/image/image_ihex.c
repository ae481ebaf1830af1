/*
 * image_ihex.c — Intel HEX loader (Intel "Hexadecimal Object File Format
 * Specification" rev A, 1988): record types 00 data, 01 end of file,
 * 02 extended segment address, 03 start segment address, 04 extended linear
 * address, 05 start linear address. Every record's checksum is checked, the
 * EOF record is required and nothing but blank lines may follow it.
 * Addresses are base + offset without 64 KiB wrap-around (what objcopy and
 * srec_cat write: they never let a record cross a 64 KiB boundary).
 */
#include "image/image_internal.h"

#include <inttypes.h>

#define IHEX_DATA 0x00U
#define IHEX_EOF 0x01U
#define IHEX_EXT_SEG 0x02U
#define IHEX_START_SEG 0x03U
#define IHEX_EXT_LIN 0x04U
#define IHEX_START_LIN 0x05U
#define IHEX_OVERHEAD 5U        /* byte count, address (2), type, checksum */
#define IHEX_MAX_BYTES (255U + IHEX_OVERHEAD)

typedef struct ihex_state {
	image_build *b;
	const image_src *src;
	gang_diag *d;
	uint32_t base;          /* from the last 02 or 04 record */
	size_t n_data;          /* data records seen */
	size_t eof_line;        /* line of the EOF record, 0 before it */
} ihex_state;

/* A record: rec[0] count, rec[1..2] offset, rec[3] type, rec[4..] data, checksum. */
typedef struct ihex_rec {
	uint8_t b[IHEX_MAX_BYTES];
	size_t n;
	size_t line;
} ihex_rec;

/* Decode one line into r and check its framing and checksum. */
static int ihex_decode(ihex_rec *r, const ihex_state *st, const image_line *ln)
{
	unsigned sum = 0;
	size_t need;

	r->line = ln->no;
	if (ln->s[0] != ':')
		return gang_image_err_line(st->d, st->src, ln->no, "expected ':' at start of record");
	if (gang_image_hex_bytes(r->b, sizeof(r->b), &r->n, ln, 1, st->src, st->d) < 0)
		return GANG_EIMAGE;
	if (r->n < IHEX_OVERHEAD)
		return gang_image_err_line(st->d, st->src, ln->no,
					   "truncated record: %zu bytes, a record has at least %u", r->n,
					   IHEX_OVERHEAD);
	need = r->b[0] + IHEX_OVERHEAD;
	if (r->n < need)
		return gang_image_err_line(st->d, st->src, ln->no,
					   "truncated record: byte count says %u data bytes, only %zu present",
					   r->b[0], r->n - IHEX_OVERHEAD);
	if (r->n > need)
		return gang_image_err_line(st->d, st->src, ln->no,
					   "record length mismatch: byte count says %u data bytes, record holds %zu",
					   r->b[0], r->n - IHEX_OVERHEAD);
	for (size_t i = 0; i + 1 < r->n; i++)
		sum += r->b[i];
	if (((sum + r->b[r->n - 1]) & 0xffU) != 0)
		return gang_image_err_line(st->d, st->src, ln->no, "bad checksum: expected 0x%02X, found 0x%02X",
					   (0x100U - (sum & 0xffU)) & 0xffU, r->b[r->n - 1]);
	return GANG_OK;
}

static uint32_t ihex_be(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int ihex_data(ihex_state *st, const ihex_rec *r)
{
	uint64_t addr = (uint64_t)st->base + ihex_be(r->b + 1, 2);
	image_clash clash;
	int err;

	if (addr + r->b[0] > GANG_IMAGE_ADDR_END)
		return gang_image_err_line(st->d, st->src, r->line,
					   "address overflow: %u bytes at 0x%08" PRIX64
					   " pass the end of the 4 GiB address space",
					   r->b[0], addr);
	err = gang_image_build_add(st->b, (uint32_t)addr, r->b + 4, r->b[0], &clash);
	if (err < 0)
		return gang_image_err_add(st->d, st->src, 1, r->line, err, (uint32_t)addr, r->b[0], &clash);
	st->n_data++;
	return GANG_OK;
}

/* Type-specific data length: 01 none, 02/04 two bytes, 03/05 four. */
static int ihex_check_len(const ihex_state *st, const ihex_rec *r, unsigned want)
{
	if (r->b[0] == want)
		return GANG_OK;
	return gang_image_err_line(st->d, st->src, r->line,
				   "record length mismatch: type %02X record needs %u data bytes, has %u",
				   r->b[3], want, r->b[0]);
}

static int ihex_record(ihex_state *st, const ihex_rec *r)
{
	static const unsigned want[] = { 0, 0, 2, 4, 2, 4 };
	unsigned type = r->b[3];

	if (type > IHEX_START_LIN)
		return gang_image_err_line(st->d, st->src, r->line, "unknown record type %02X", type);
	if (type != IHEX_DATA && ihex_check_len(st, r, want[type]) < 0)
		return GANG_EIMAGE;
	switch (type) {
	case IHEX_DATA:
		return ihex_data(st, r);
	case IHEX_EOF:
		st->eof_line = r->line;
		break;
	case IHEX_EXT_SEG:
		st->base = ihex_be(r->b + 4, 2) << 4; /* 8086 segment: paragraph of 16 bytes */
		break;
	case IHEX_START_SEG:
		st->b->entry = (ihex_be(r->b + 4, 2) << 4) + ihex_be(r->b + 6, 2); /* CS:IP */
		break;
	case IHEX_EXT_LIN:
		st->base = ihex_be(r->b + 4, 2) << 16;
		break;
	default: /* IHEX_START_LIN */
		st->b->entry = ihex_be(r->b + 4, 4);
		break;
	}
	return GANG_OK;
}

int gang_image_parse_ihex(image_build *b, const image_src *src, gang_diag *d)
{
	ihex_state st = { .b = b, .src = src, .d = d };
	image_line ln = { 0 };
	ihex_rec rec;
	size_t pos = 0;
	int err;

	while (gang_image_next_line(&ln, src, &pos)) {
		if (ln.len == 0)
			continue;
		if (st.eof_line)
			return gang_image_err_line(d, src, ln.no, "data after EOF record (EOF at line %zu)",
						   st.eof_line);
		if ((err = ihex_decode(&rec, &st, &ln)) < 0 || (err = ihex_record(&st, &rec)) < 0)
			return err;
	}
	if (!st.eof_line)
		return gang_image_err_line(d, src, ln.no ? ln.no : 1, "missing EOF record (type 01)");
	if (st.n_data == 0)
		return gang_image_err_line(d, src, st.eof_line, "no data records before EOF");
	return GANG_OK;
}
