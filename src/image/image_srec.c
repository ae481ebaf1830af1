/*
 * image_srec.c — Motorola S-record loader (format as in srec(5) and the
 * M68000 family reference, appendix C): S0 header, S1/S2/S3 data with 16/24/
 * 32-bit addresses, S5/S6 record counts (checked against the data records
 * seen), S7/S8/S9 start address and end of file. Each record's checksum is
 * the ones' complement of the low byte of the sum of count, address and data.
 * The file must end in a termination record, or at least carry a record
 * count (srec_cat writes no S7/S8/S9 when it has no start address), so a
 * file cut short is detected; only blank lines may follow a termination.
 */
#include "image/image_internal.h"

#include <inttypes.h>

#define SREC_MAX_BYTES 256U    /* count byte + up to 255 counted bytes */

typedef struct srec_state {
	image_build *b;
	const image_src *src;
	gang_diag *d;
	size_t n_data;          /* S1/S2/S3 records seen */
	size_t end_line;        /* line of the S7/S8/S9 record, 0 before it */
	size_t count_line;      /* line of the last S5/S6 record, 0 if none */
	unsigned end_type;
} srec_state;

/* A record: b[0] count, then address, data, checksum. */
typedef struct srec_rec {
	unsigned type;
	uint8_t b[SREC_MAX_BYTES];
	size_t n;
	size_t line;
	unsigned alen;          /* address bytes */
	uint32_t addr;
	unsigned dlen;          /* data bytes */
} srec_rec;

/* Address length per record type; 0 = no such type (S4 is reserved). */
static const unsigned srec_alen[10] = { 2, 2, 3, 4, 0, 2, 3, 4, 3, 2 };

static int srec_frame(srec_rec *r, const srec_state *st)
{
	size_t need;

	if (r->n < 1)
		return gang_image_err_line(st->d, st->src, r->line, "truncated record: no byte count");
	need = (size_t)r->b[0] + 1U;
	if (r->n < need)
		return gang_image_err_line(st->d, st->src, r->line,
					   "truncated record: count says %u bytes, only %zu present", r->b[0],
					   r->n - 1U);
	if (r->n > need)
		return gang_image_err_line(st->d, st->src, r->line,
					   "record length mismatch: count says %u bytes, record holds %zu", r->b[0],
					   r->n - 1U);
	if (r->b[0] < r->alen + 1U)
		return gang_image_err_line(st->d, st->src, r->line,
					   "record length mismatch: count %u too small for S%u (%u address bytes and a checksum)",
					   r->b[0], r->type, r->alen);
	return GANG_OK;
}

/* Decode one line into r: type, framing, checksum, address. */
static int srec_decode(srec_rec *r, const srec_state *st, const image_line *ln)
{
	unsigned sum = 0;

	r->line = ln->no;
	if (ln->s[0] != 'S')
		return gang_image_err_line(st->d, st->src, ln->no, "expected 'S' at start of record");
	if (ln->len < 2 || ln->s[1] < '0' || ln->s[1] > '9' || srec_alen[ln->s[1] - '0'] == 0)
		return gang_image_err_line(st->d, st->src, ln->no, "unknown record type S%c",
					   ln->len < 2 ? '?' : ln->s[1]);
	r->type = (unsigned)(ln->s[1] - '0');
	r->alen = srec_alen[r->type];
	if (gang_image_hex_bytes(r->b, sizeof(r->b), &r->n, ln, 2, st->src, st->d) < 0 || srec_frame(r, st) < 0)
		return GANG_EIMAGE;
	for (size_t i = 0; i + 1 < r->n; i++)
		sum += r->b[i];
	if ((~sum & 0xffU) != r->b[r->n - 1])
		return gang_image_err_line(st->d, st->src, ln->no, "bad checksum: expected 0x%02X, found 0x%02X",
					   ~sum & 0xffU, r->b[r->n - 1]);
	r->addr = 0;
	for (unsigned i = 0; i < r->alen; i++)
		r->addr = r->addr << 8 | r->b[1 + i];
	r->dlen = r->b[0] - r->alen - 1U;
	return GANG_OK;
}

static int srec_data(srec_state *st, const srec_rec *r)
{
	image_clash clash;
	int err;

	if ((uint64_t)r->addr + r->dlen > GANG_IMAGE_ADDR_END)
		return gang_image_err_line(st->d, st->src, r->line,
					   "address overflow: %u bytes at 0x%08" PRIX32
					   " pass the end of the 4 GiB address space",
					   r->dlen, r->addr);
	err = gang_image_build_add(st->b, r->addr, r->b + 1 + r->alen, r->dlen, &clash);
	if (err < 0)
		return gang_image_err_add(st->d, st->src, 1, r->line, err, r->addr, r->dlen, &clash);
	st->n_data++;
	return GANG_OK;
}

static int srec_record(srec_state *st, const srec_rec *r)
{
	if (r->type >= 1 && r->type <= 3)
		return srec_data(st, r);
	if (r->type != 0 && r->dlen != 0)
		return gang_image_err_line(st->d, st->src, r->line,
					   "record length mismatch: S%u carries no data, but has %u data bytes",
					   r->type, r->dlen);
	if ((r->type == 5 || r->type == 6) && r->addr != st->n_data)
		return gang_image_err_line(st->d, st->src, r->line,
					   "record count mismatch: S%u says %" PRIu32 " data records, file has %zu",
					   r->type, r->addr, st->n_data);
	if (r->type == 5 || r->type == 6)
		st->count_line = r->line;
	if (r->type >= 7) {
		st->b->entry = r->addr;
		st->end_line = r->line;
		st->end_type = r->type;
	}
	return GANG_OK; /* S0 header: module name, ignored */
}

int gang_image_parse_srec(image_build *b, const image_src *src, gang_diag *d)
{
	srec_state st = { .b = b, .src = src, .d = d };
	image_line ln = { 0 };
	srec_rec rec;
	size_t pos = 0;
	int err;

	while (gang_image_next_line(&ln, src, &pos)) {
		if (ln.len == 0)
			continue;
		if (st.end_line)
			return gang_image_err_line(d, src, ln.no, "data after termination record (S%u at line %zu)",
						   st.end_type, st.end_line);
		if ((err = srec_decode(&rec, &st, &ln)) < 0 || (err = srec_record(&st, &rec)) < 0)
			return err;
	}
	if (!st.end_line && !st.count_line)
		return gang_image_err_line(d, src, ln.no ? ln.no : 1,
					   "missing EOF: no termination record (S7, S8 or S9) nor record count (S5/S6)");
	if (st.n_data == 0)
		return gang_image_err_line(d, src, ln.no, "no data records");
	return GANG_OK;
}
