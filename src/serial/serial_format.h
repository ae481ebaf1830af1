/*
 * serial_format.h — how a serial number becomes the bytes written into the
 * image: u32le, u32be, u64le, packed BCD, or ASCII text from a template with
 * date codes; optionally followed by a guard (complement or CRC-16).
 * Pure functions on caller buffers: no allocation, no global state, safe
 * from any thread. Key reference: profiles/README.md "serial".
 */
#ifndef GANG_SERIAL_SERIAL_FORMAT_H
#define GANG_SERIAL_SERIAL_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/err.h"

typedef enum gang_serial_kind {
	GANG_SERIAL_U32LE = 0, /* 4 bytes little-endian */
	GANG_SERIAL_U32BE,     /* 4 bytes big-endian */
	GANG_SERIAL_U64LE,     /* 8 bytes little-endian */
	GANG_SERIAL_BCD,       /* packed BCD, most significant digit first, `length` bytes */
	GANG_SERIAL_ASCII,     /* template text padded to `length` bytes with `pad` */
} gang_serial_kind;

typedef enum gang_serial_guard {
	GANG_SERIAL_GUARD_NONE = 0,
	GANG_SERIAL_GUARD_COMPLEMENT, /* bytes, then each byte inverted */
	GANG_SERIAL_GUARD_CRC16,      /* bytes, then CRC-16/CCITT-FALSE little-endian */
} gang_serial_guard;

#define GANG_SERIAL_TEMPLATE_MAX 128U /* template text incl. NUL */
#define GANG_SERIAL_FIELD_MAX 64U     /* largest bcd/ascii `length` */
/* Largest encoding: a 64-byte field followed by its complement. */
#define GANG_SERIAL_BYTES_MAX (2U * GANG_SERIAL_FIELD_MAX)
#define GANG_SERIAL_TEXT_MAX 160U     /* enough for any format_text output */

typedef struct gang_serial_fmt {
	gang_serial_kind kind;
	gang_serial_guard guard;
	uint32_t length;                    /* bcd, ascii: field bytes (ignored otherwise) */
	uint8_t pad;                        /* ascii: fill byte after the text */
	char tmpl[GANG_SERIAL_TEMPLATE_MAX]; /* ascii: "GNG-{yyyy}{ww}-{serial:06}" */
} gang_serial_fmt;

/* "u32le", ... (never NULL). */
const char *gang_serial_kind_name(gang_serial_kind kind);
/* GANG_OK and *out, or GANG_EPROFILE for an unknown name (d->msg lists the valid ones). */
int gang_serial_kind_parse(gang_serial_kind *out, const char *name, gang_diag *d);
/* "none", "complement", "crc16" (never NULL). */
const char *gang_serial_guard_name(gang_serial_guard guard);
int gang_serial_guard_parse(gang_serial_guard *out, const char *name, gang_diag *d);

/* Bytes gang_serial_encode writes for fmt, guard included (fixed for a format). */
size_t gang_serial_fmt_len(const gang_serial_fmt *fmt);

/*
 * Structural check: length in range for bcd/ascii, template syntax (known
 * fields, exactly one {serial}, printable ASCII). GANG_EPROFILE with d->msg
 * saying what is wrong (no file/line: the caller knows where fmt came from).
 */
int gang_serial_fmt_check(const gang_serial_fmt *fmt, gang_diag *d);
/*
 * GANG_OK if every value up to max_value encodes in fmt (at any date);
 * GANG_EPROFILE naming the limit otherwise.
 */
int gang_serial_fmt_fits(const gang_serial_fmt *fmt, uint64_t max_value, gang_diag *d);

/*
 * Encode value (with date codes taken from `when`, local time) into out.
 * *len_out = gang_serial_fmt_len(fmt). Errors: GANG_EPROFILE when the value
 * does not fit the format (u32 > 0xFFFFFFFF, bcd needing more than
 * 2 x length digits, ascii wider than its field or than length) or the
 * template is malformed; GANG_ERR when cap is too small (a caller bug).
 */
int gang_serial_encode(uint8_t *out, size_t *len_out, size_t cap, const gang_serial_fmt *fmt,
		       uint64_t value, time_t when, gang_diag *d);

/*
 * Text for people and the database: the rendered template for ascii
 * ("GNG-202648-001000"), the decimal value otherwise ("1000"). Same errors
 * as gang_serial_encode (out is "" then). cap >= GANG_SERIAL_TEXT_MAX is
 * always enough.
 */
int gang_serial_format_text(char *out, size_t cap, const gang_serial_fmt *fmt, uint64_t value,
			    time_t when);

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection): "123456789" -> 0x29B1. */
uint16_t gang_serial_crc16(const uint8_t *data, size_t len);

#endif
