/*
 * image_text.c — what the text loaders (Intel HEX, S-record) share: line
 * splitting (LF or CRLF), hex-pair decoding with column-exact errors, and
 * the "file:line: what" / "file: offset N: what" error messages.
 */
#include "image/image_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

int gang_image_next_line(image_line *ln, const image_src *src, size_t *pos)
{
	const char *text = (const char *)src->buf;
	size_t start = *pos, end;

	if (start >= src->len)
		return 0;
	end = start;
	while (end < src->len && text[end] != '\n')
		end++;
	*pos = end < src->len ? end + 1 : end;
	ln->s = text + start;
	ln->len = end - start;
	/* CR of a CRLF ending and trailing blanks are not part of the record */
	while (ln->len > 0 && (ln->s[ln->len - 1] == '\r' || ln->s[ln->len - 1] == ' ' ||
			       ln->s[ln->len - 1] == '\t'))
		ln->len--;
	ln->no++;
	return 1;
}

static int text_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int text_bad_char(gang_diag *d, const image_src *src, const image_line *ln, size_t col)
{
	unsigned char c = (unsigned char)ln->s[col];

	if (c > 0x20U && c < 0x7fU)
		return gang_image_err_line(d, src, ln->no, "non-hex character '%c' at column %zu", c, col + 1);
	return gang_image_err_line(d, src, ln->no, "non-hex character 0x%02X at column %zu", c, col + 1);
}

int gang_image_hex_bytes(uint8_t *out, size_t cap, size_t *n_out, const image_line *ln, size_t from,
			 const image_src *src, gang_diag *d)
{
	size_t n = 0;

	for (size_t col = from; col < ln->len; col++)
		if (text_hexval((unsigned char)ln->s[col]) < 0)
			return text_bad_char(d, src, ln, col);
	if ((ln->len - from) % 2U != 0)
		return gang_image_err_line(d, src, ln->no, "odd number of hex digits (%zu)", ln->len - from);
	for (size_t col = from; col + 1 < ln->len; col += 2, n++)
		if (n < cap)
			out[n] = (uint8_t)(text_hexval((unsigned char)ln->s[col]) << 4 |
					   text_hexval((unsigned char)ln->s[col + 1]));
	*n_out = n;
	return GANG_OK;
}

int gang_image_err_line(gang_diag *d, const image_src *src, size_t line, const char *fmt, ...)
{
	char what[GANG_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return gang_diag_set(d, GANG_EIMAGE, "%s:%zu: %s", src->path, line, what);
}

int gang_image_err_off(gang_diag *d, const image_src *src, uint64_t off, const char *fmt, ...)
{
	char what[GANG_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return gang_diag_set(d, GANG_EIMAGE, "%s: offset %" PRIu64 ": %s", src->path, off, what);
}

int gang_image_err_add(gang_diag *d, const image_src *src, int by_line, uint64_t where, int err,
		       uint32_t addr, size_t len, const image_clash *clash)
{
	char what[160];

	if (err == GANG_ENOMEM)
		return gang_diag_set(d, GANG_ENOMEM, "%s: out of memory loading the image", src->path);
	snprintf(what, sizeof(what),
		 "overlapping data at 0x%08" PRIX32 ": 0x%08" PRIX32 "..0x%08" PRIX32
		 " overlaps 0x%08" PRIX32 "..0x%08" PRIX32 " loaded earlier",
		 clash->addr, addr, (uint32_t)(addr + len - 1U), clash->old_lo, clash->old_hi);
	if (by_line)
		return gang_image_err_line(d, src, (size_t)where, "%s", what);
	return gang_image_err_off(d, src, where, "%s", what);
}
