/*
 * serial_format.c — encode a serial number into the bytes burned into flash.
 * Formats and template syntax are specified in profiles/README.md "serial".
 * Date codes use the local time of the programming station (labels printed
 * on the line use the same clock); {ww} is the ISO 8601 week (strftime %V),
 * {gggg}/{gg} the ISO week-based year that belongs with it (%G/%g).
 * CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0,
 * check value 0x29B1 over "123456789" (the Rocksoft/Williams catalogue).
 */
#include "serial/serial_format.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define SERIAL_CRC16_POLY 0x1021U
#define SERIAL_CRC16_INIT 0xFFFFU
#define SERIAL_U32_MAX 0xFFFFFFFFULL
#define SERIAL_DEC_DIGITS_MAX 20U /* UINT64_MAX has 20 decimal digits */
#define SERIAL_FIELD_NAME_MAX 16U
/* A fixed instant for structural checks: date fields have a fixed width. */
#define SERIAL_CHECK_TIME ((time_t)1700000000)

static const char *const serial_kind_names[] = {
	[GANG_SERIAL_U32LE] = "u32le",
	[GANG_SERIAL_U32BE] = "u32be",
	[GANG_SERIAL_U64LE] = "u64le",
	[GANG_SERIAL_BCD] = "bcd",
	[GANG_SERIAL_ASCII] = "ascii",
};

static const char *const serial_guard_names[] = {
	[GANG_SERIAL_GUARD_NONE] = "none",
	[GANG_SERIAL_GUARD_COMPLEMENT] = "complement",
	[GANG_SERIAL_GUARD_CRC16] = "crc16",
};

/* Date fields: template name -> strftime conversion (all fixed width). */
static const struct serial_date {
	const char *name;
	const char *conv;
} serial_dates[] = {
	{ "yyyy", "%Y" }, { "yy", "%y" }, { "gggg", "%G" }, { "gg", "%g" },
	{ "ww", "%V" },   { "mm", "%m" }, { "dd", "%d" },
};

#define SERIAL_N(a) (sizeof(a) / sizeof((a)[0]))

const char *gang_serial_kind_name(gang_serial_kind kind)
{
	if ((size_t)kind >= SERIAL_N(serial_kind_names))
		return "?";
	return serial_kind_names[kind];
}

int gang_serial_kind_parse(gang_serial_kind *out, const char *name, gang_diag *d)
{
	for (size_t i = 0; i < SERIAL_N(serial_kind_names); i++) {
		if (name && strcmp(name, serial_kind_names[i]) == 0) {
			*out = (gang_serial_kind)i;
			return GANG_OK;
		}
	}
	return gang_diag_set(d, GANG_EPROFILE,
			     "unknown format '%s' (expected u32le, u32be, u64le, bcd, ascii)",
			     name ? name : "");
}

const char *gang_serial_guard_name(gang_serial_guard guard)
{
	if ((size_t)guard >= SERIAL_N(serial_guard_names))
		return "?";
	return serial_guard_names[guard];
}

int gang_serial_guard_parse(gang_serial_guard *out, const char *name, gang_diag *d)
{
	for (size_t i = 0; i < SERIAL_N(serial_guard_names); i++) {
		if (name && strcmp(name, serial_guard_names[i]) == 0) {
			*out = (gang_serial_guard)i;
			return GANG_OK;
		}
	}
	return gang_diag_set(d, GANG_EPROFILE, "unknown guard '%s' (expected none, complement, crc16)",
			     name ? name : "");
}

/* Bytes of the field itself, before any guard. */
static size_t serial_field_len(const gang_serial_fmt *fmt)
{
	switch (fmt->kind) {
	case GANG_SERIAL_U32LE:
	case GANG_SERIAL_U32BE:
		return 4;
	case GANG_SERIAL_U64LE:
		return 8;
	default:
		return fmt->length;
	}
}

size_t gang_serial_fmt_len(const gang_serial_fmt *fmt)
{
	size_t n = serial_field_len(fmt);

	if (fmt->guard == GANG_SERIAL_GUARD_COMPLEMENT)
		return 2 * n;
	if (fmt->guard == GANG_SERIAL_GUARD_CRC16)
		return n + 2;
	return n;
}

uint16_t gang_serial_crc16(const uint8_t *data, size_t len)
{
	uint16_t crc = SERIAL_CRC16_INIT;

	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)(data[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = (crc & 0x8000U) ? (uint16_t)((crc << 1) ^ SERIAL_CRC16_POLY)
					      : (uint16_t)(crc << 1);
	}
	return crc;
}

static unsigned serial_digits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* "{serial:06}" -> width 6; GANG_EPROFILE unless a zero-padded width 1..20. */
static int serial_parse_width(unsigned *width, const char *spec, size_t len, gang_diag *d)
{
	unsigned w = 0;

	if (len < 2 || spec[0] != '0')
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if (spec[i] < '0' || spec[i] > '9')
			goto bad;
		w = w * 10 + (unsigned)(spec[i] - '0');
		if (w > SERIAL_DEC_DIGITS_MAX)
			goto bad;
	}
	if (w == 0)
		goto bad;
	*width = w;
	return GANG_OK;
bad:
	return gang_diag_set(d, GANG_EPROFILE,
			     "{serial:%.*s}: width must be zero-padded digits 01-20, e.g. {serial:06}",
			     (int)len, spec);
}

/* Render the {serial} or {serial:0N} field into piece. */
static int serial_put_value(char *piece, size_t cap, const char *name, size_t nlen, uint64_t value,
			    gang_diag *d)
{
	unsigned width = 0;
	int rc;

	if (nlen > 6) {
		rc = serial_parse_width(&width, name + 7, nlen - 7, d);
		if (rc < 0)
			return rc;
		if (serial_digits(value) > width)
			return gang_diag_set(d, GANG_EPROFILE,
					     "serial %" PRIu64 " is wider than the {%.*s} field (%u digits)",
					     value, (int)nlen, name, width);
	}
	snprintf(piece, cap, "%0*" PRIu64, (int)width, value);
	return GANG_OK;
}

/* Render one {field} (name without braces) into piece; counts {serial}s. */
static int serial_put_field(char *piece, size_t cap, const char *name, size_t nlen, uint64_t value,
			    const struct tm *tm, int *n_serial, gang_diag *d)
{
	for (size_t i = 0; i < SERIAL_N(serial_dates); i++) {
		if (strlen(serial_dates[i].name) == nlen && !memcmp(name, serial_dates[i].name, nlen)) {
			strftime(piece, cap, serial_dates[i].conv, tm);
			return GANG_OK;
		}
	}
	if ((nlen == 6 || (nlen > 6 && name[6] == ':')) && !memcmp(name, "serial", 6)) {
		(*n_serial)++;
		return serial_put_value(piece, cap, name, nlen, value, d);
	}
	return gang_diag_set(d, GANG_EPROFILE,
			     "unknown field {%.*s} (expected {serial}, {serial:0N}, {yyyy}, {yy}, "
			     "{gggg}, {gg}, {ww}, {mm}, {dd})",
			     (int)nlen, name);
}

/* One template piece starting at *p: a literal char, "{{", "}}" or a field. */
static int serial_piece(char *piece, size_t cap, const char **p, uint64_t value, const struct tm *tm,
			int *n_serial, gang_diag *d)
{
	const char *s = *p, *close;

	if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
		snprintf(piece, cap, "%c", s[0]);
		*p = s + 2;
		return GANG_OK;
	}
	if (s[0] == '}')
		return gang_diag_set(d, GANG_EPROFILE, "stray '}' (write '}}' for a literal brace)");
	if (s[0] != '{') {
		if ((unsigned char)s[0] < 0x20U || (unsigned char)s[0] > 0x7EU)
			return gang_diag_set(d, GANG_EPROFILE,
					     "byte 0x%02X is not printable ASCII",
					     (unsigned)(unsigned char)s[0]);
		snprintf(piece, cap, "%c", s[0]);
		*p = s + 1;
		return GANG_OK;
	}
	close = strchr(s, '}');
	if (!close || (size_t)(close - s - 1) > SERIAL_FIELD_NAME_MAX)
		return gang_diag_set(d, GANG_EPROFILE, "unterminated '{' (write '{{' for a literal brace)");
	*p = close + 1;
	return serial_put_field(piece, cap, s + 1, (size_t)(close - s - 1), value, tm, n_serial, d);
}

/* Render tmpl into text (NUL-terminated); *len_out = strlen. */
static int serial_render(char *text, size_t cap, size_t *len_out, const char *tmpl, uint64_t value,
			 time_t when, gang_diag *d)
{
	char piece[SERIAL_DEC_DIGITS_MAX + 8];
	struct tm tm;
	size_t n = 0;
	int n_serial = 0;

	localtime_r(&when, &tm);
	for (const char *p = tmpl; *p;) {
		int rc = serial_piece(piece, sizeof(piece), &p, value, &tm, &n_serial, d);
		size_t len;

		if (rc < 0)
			return rc;
		len = strlen(piece);
		if (n + len >= cap)
			return gang_diag_set(d, GANG_ERR, "serial text longer than %zu bytes", cap - 1);
		memcpy(text + n, piece, len);
		n += len;
	}
	text[n] = '\0';
	if (n_serial != 1)
		return gang_diag_set(d, GANG_EPROFILE, "template '%s' must contain {serial} exactly once",
				     tmpl);
	*len_out = n;
	return GANG_OK;
}

int gang_serial_fmt_check(const gang_serial_fmt *fmt, gang_diag *d)
{
	char text[GANG_SERIAL_TEXT_MAX];
	size_t n;

	if ((size_t)fmt->kind >= SERIAL_N(serial_kind_names) ||
	    (size_t)fmt->guard >= SERIAL_N(serial_guard_names))
		return gang_diag_set(d, GANG_ERR, "serial format: bad kind %d or guard %d",
				     (int)fmt->kind, (int)fmt->guard);
	if (fmt->kind != GANG_SERIAL_BCD && fmt->kind != GANG_SERIAL_ASCII)
		return GANG_OK;
	if (fmt->length < 1 || fmt->length > GANG_SERIAL_FIELD_MAX)
		return gang_diag_set(d, GANG_EPROFILE, "length %" PRIu32 " out of range 1-%u",
				     fmt->length, GANG_SERIAL_FIELD_MAX);
	if (fmt->kind == GANG_SERIAL_ASCII)
		return serial_render(text, sizeof(text), &n, fmt->tmpl, 0, SERIAL_CHECK_TIME, d);
	return GANG_OK;
}

static int serial_encode_bcd(uint8_t *out, const gang_serial_fmt *fmt, uint64_t value,
			     gang_diag *d)
{
	uint64_t v = value;

	if (serial_digits(value) > 2U * fmt->length)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial %" PRIu64 " has %u digits; bcd length %" PRIu32
				     " holds %" PRIu32,
				     value, serial_digits(value), fmt->length, 2U * fmt->length);
	for (size_t i = fmt->length; i-- > 0;) {
		uint8_t lo = (uint8_t)(v % 10U), hi = (uint8_t)((v / 10U) % 10U);

		out[i] = (uint8_t)((hi << 4) | lo);
		v /= 100U;
	}
	return GANG_OK;
}

static int serial_encode_ascii(uint8_t *out, const gang_serial_fmt *fmt, uint64_t value,
			       time_t when, gang_diag *d)
{
	char text[GANG_SERIAL_TEXT_MAX];
	size_t n;
	int rc = serial_render(text, sizeof(text), &n, fmt->tmpl, value, when, d);

	if (rc < 0)
		return rc;
	if (n > fmt->length)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial %" PRIu64 " renders as '%s' (%zu characters), longer than "
				     "length %" PRIu32,
				     value, text, n, fmt->length);
	memcpy(out, text, n);
	memset(out + n, fmt->pad, fmt->length - n);
	return GANG_OK;
}

static int serial_encode_field(uint8_t *out, const gang_serial_fmt *fmt, uint64_t value,
			       time_t when, gang_diag *d)
{
	if ((fmt->kind == GANG_SERIAL_U32LE || fmt->kind == GANG_SERIAL_U32BE) && value > SERIAL_U32_MAX)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial %" PRIu64 " does not fit %s (largest 4294967295)", value,
				     gang_serial_kind_name(fmt->kind));
	switch (fmt->kind) {
	case GANG_SERIAL_U32LE:
	case GANG_SERIAL_U64LE:
		for (size_t i = 0; i < serial_field_len(fmt); i++)
			out[i] = (uint8_t)(value >> (8 * i));
		return GANG_OK;
	case GANG_SERIAL_U32BE:
		for (size_t i = 0; i < 4; i++)
			out[i] = (uint8_t)(value >> (8 * (3 - i)));
		return GANG_OK;
	case GANG_SERIAL_BCD:
		return serial_encode_bcd(out, fmt, value, d);
	default:
		return serial_encode_ascii(out, fmt, value, when, d);
	}
}

int gang_serial_encode(uint8_t *out, size_t *len_out, size_t cap, const gang_serial_fmt *fmt,
		       uint64_t value, time_t when, gang_diag *d)
{
	size_t field, total;
	uint16_t crc;
	int rc = gang_serial_fmt_check(fmt, d);

	if (rc < 0)
		return rc;
	field = serial_field_len(fmt);
	total = gang_serial_fmt_len(fmt);
	if (!out || cap < total)
		return gang_diag_set(d, GANG_ERR, "serial encode: %zu bytes needed, buffer has %zu",
				     total, cap);
	rc = serial_encode_field(out, fmt, value, when, d);
	if (rc < 0)
		return rc;
	if (fmt->guard == GANG_SERIAL_GUARD_COMPLEMENT) {
		for (size_t i = 0; i < field; i++)
			out[field + i] = (uint8_t)~out[i];
	} else if (fmt->guard == GANG_SERIAL_GUARD_CRC16) {
		crc = gang_serial_crc16(out, field);
		out[field] = (uint8_t)(crc & 0xFFU);
		out[field + 1] = (uint8_t)(crc >> 8);
	}
	*len_out = total;
	return GANG_OK;
}

int gang_serial_fmt_fits(const gang_serial_fmt *fmt, uint64_t max_value, gang_diag *d)
{
	uint8_t buf[GANG_SERIAL_BYTES_MAX];
	char text[GANG_SERIAL_TEXT_MAX];
	size_t n;
	int rc = gang_serial_fmt_check(fmt, d);

	if (rc < 0)
		return rc;
	/* Field widths grow with the value and date fields are fixed: the largest fits iff all do. */
	if (fmt->kind != GANG_SERIAL_ASCII)
		return gang_serial_encode(buf, &n, sizeof(buf), fmt, max_value, SERIAL_CHECK_TIME, d);
	rc = serial_render(text, sizeof(text), &n, fmt->tmpl, max_value, SERIAL_CHECK_TIME, d);
	if (rc < 0)
		return rc;
	if (n > fmt->length)
		return gang_diag_set(d, GANG_EPROFILE,
				     "serial %" PRIu64 " makes '%s' %zu characters long, more than "
				     "length %" PRIu32,
				     max_value, fmt->tmpl, n, fmt->length);
	return GANG_OK;
}

int gang_serial_format_text(char *out, size_t cap, const gang_serial_fmt *fmt, uint64_t value,
			    time_t when)
{
	uint8_t buf[GANG_SERIAL_BYTES_MAX];
	char text[GANG_SERIAL_TEXT_MAX];
	size_t n;
	int rc;

	if (cap)
		out[0] = '\0';
	rc = gang_serial_encode(buf, &n, sizeof(buf), fmt, value, when, NULL);
	if (rc < 0)
		return rc;
	if (fmt->kind == GANG_SERIAL_ASCII) {
		rc = serial_render(text, sizeof(text), &n, fmt->tmpl, value, when, NULL);
		if (rc < 0)
			return rc;
	} else {
		snprintf(text, sizeof(text), "%" PRIu64, value);
	}
	if (strlen(text) >= cap)
		return GANG_ERR;
	memcpy(out, text, strlen(text) + 1);
	return GANG_OK;
}
