/*
 * text.c — name validation and the escapers of every output format.
 * All of them walk the string with one UTF-8 decoder (RFC 3629 §4) and one
 * notion of "control": C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F, which
 * some terminals obey as 8-bit CSI/OSC, ECMA-48 §5.3) and the Unicode
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069; Unicode UAX #9 §2), which reorder what is shown.
 */
#include "core/text.h"

#include <stdbool.h>
#include <string.h>

#define TEXT_FFFD "\xEF\xBF\xBD" /* U+FFFD REPLACEMENT CHARACTER in UTF-8 */
#define TEXT_UNIT_LEN 16U        /* one rendered unit: "\u202E" or 4 UTF-8 bytes */

size_t gang_text_utf8(uint32_t *cp, const unsigned char *s, size_t n)
{
	static const uint32_t min_cp[] = { 0, 0, 0x80U, 0x800U, 0x10000U };
	size_t len;
	uint32_t c;

	if (n == 0)
		return 0;
	if (s[0] < 0x80U) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0U) == 0xC0U)
		len = 2, c = s[0] & 0x1FU;
	else if ((s[0] & 0xF0U) == 0xE0U)
		len = 3, c = s[0] & 0x0FU;
	else if ((s[0] & 0xF8U) == 0xF0U)
		len = 4, c = s[0] & 0x07U;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0U) != 0x80U)
			return 0;
		c = (c << 6) | (s[i] & 0x3FU);
	}
	if (c < min_cp[len] || c > 0x10FFFFU || (c >= 0xD800U && c <= 0xDFFFU))
		return 0;
	*cp = c;
	return len;
}

static bool text_is_control(uint32_t cp)
{
	return cp < 0x20U || cp == 0x7FU || (cp >= 0x80U && cp <= 0x9FU) || (cp >= 0x202AU && cp <= 0x202EU) ||
	       (cp >= 0x2066U && cp <= 0x2069U);
}

int gang_text_check(char *why, size_t cap, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), len;
	uint32_t cp;

	if (n == 0) {
		snprintf(why, cap, "is empty");
		return -1;
	}
	if (n > max) {
		snprintf(why, cap, "is %zu bytes long (at most %zu)", n, max);
		return -1;
	}
	for (size_t i = 0; i < n; i += len) {
		if ((len = gang_text_utf8(&cp, u + i, n - i)) == 0) {
			snprintf(why, cap, "byte %zu (0x%02X) is not UTF-8", i + 1, u[i]);
			return -1;
		}
		if (text_is_control(cp)) {
			snprintf(why, cap, "byte %zu is a control character (U+%04X)", i + 1, (unsigned)cp);
			return -1;
		}
	}
	return 0;
}

/* The unit of s at its start, rendered for a terminal into out; returns bytes of s used. */
static size_t text_term_unit(char out[TEXT_UNIT_LEN], const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len = gang_text_utf8(&cp, s, n);

	if (len == 0) {
		snprintf(out, TEXT_UNIT_LEN, "\\x%02X", s[0]);
		return 1;
	}
	if (cp == '\\')
		snprintf(out, TEXT_UNIT_LEN, "\\\\");
	else if (text_is_control(cp))
		snprintf(out, TEXT_UNIT_LEN, cp < 0x80U ? "\\x%02X" : "\\u%04X", (unsigned)cp);
	else
		memcpy(out, s, len), out[len] = '\0';
	return len;
}

char *gang_text_term(char *buf, size_t cap, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u), used = 0;
	char unit[TEXT_UNIT_LEN];

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n;) {
		size_t len;

		i += text_term_unit(unit, u + i, n - i);
		len = strlen(unit);
		if (used + len >= cap)
			break;
		memcpy(buf + used, unit, len + 1);
		used += len;
	}
	return buf;
}

void gang_text_fput_term(FILE *fp, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u);
	char unit[TEXT_UNIT_LEN];

	for (size_t i = 0; i < n;) {
		i += text_term_unit(unit, u + i, n - i);
		fputs(unit, fp);
	}
}

void gang_text_fput_json(FILE *fp, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, len;
	uint32_t cp;

	if (!s) {
		fputs("null", fp);
		return;
	}
	n = strlen(s);
	fputc('"', fp);
	for (size_t i = 0; i < n; i += len) {
		if ((len = gang_text_utf8(&cp, u + i, n - i)) == 0) {
			len = 1;
			fputs(TEXT_FFFD, fp);
		} else if (cp == '"' || cp == '\\') {
			fprintf(fp, "\\%c", (char)cp);
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			fputs(cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : "\\t", fp);
		} else if (text_is_control(cp)) {
			fprintf(fp, "\\u%04x", (unsigned)cp);
		} else {
			fwrite(u + i, 1, len, fp);
		}
	}
	fputc('"', fp);
}

/*
 * Write s with each "special" character given by esc (NULL: as is); bytes
 * that are not UTF-8 and controls other than those in keep become U+FFFD.
 */
static void text_fput_mapped(FILE *fp, const char *s, const char *keep, const char *(*esc)(uint32_t cp))
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), len;
	uint32_t cp;
	const char *e;

	for (size_t i = 0; i < n; i += len) {
		if ((len = gang_text_utf8(&cp, u + i, n - i)) == 0) {
			len = 1;
			fputs(TEXT_FFFD, fp);
		} else if (text_is_control(cp) && !(cp < 0x80U && strchr(keep, (int)cp))) {
			fputs(TEXT_FFFD, fp);
		} else if ((e = esc(cp)) != NULL) {
			fputs(e, fp);
		} else {
			fwrite(u + i, 1, len, fp);
		}
	}
}

static const char *text_csv_esc(uint32_t cp)
{
	return cp == '"' ? "\"\"" : NULL;
}

void gang_text_fput_csv(FILE *fp, const char *s)
{
	bool formula, quote;

	if (!s)
		return;
	formula = s[0] && strchr("=+-@\t\r", s[0]);
	quote = formula || s[strcspn(s, ",\"\r\n")];
	if (quote)
		fputc('"', fp);
	if (formula)
		fputc('\'', fp);
	text_fput_mapped(fp, s, "\t\r\n", text_csv_esc);
	if (quote)
		fputc('"', fp);
}

static const char *text_html_esc(uint32_t cp)
{
	switch (cp) {
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '&': return "&amp;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

void gang_text_fput_html(FILE *fp, const char *s)
{
	if (s)
		text_fput_mapped(fp, s, "\t\n", text_html_esc);
}
