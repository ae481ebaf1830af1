/*
 * text.h — outside text at gang's doors and at every output: one place that
 * decides what a name may contain and how a string is written for a
 * terminal, a JSON document, a CSV cell or an HTML page.
 *
 * Names given on the command line (--batch, --operator, --station, report
 * filters) and profile strings are checked at load time with
 * gang_text_check(). Output escapes anyway, because a database written by an
 * older gang, or by hand with SQL, may hold anything.
 */
#ifndef GANG_CORE_TEXT_H
#define GANG_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest batch, operator or station name, in bytes. */
#define GANG_TEXT_NAME_MAX 64U
/* Room for gang_text_term() of a name: each byte may become "\xNN". */
#define GANG_TEXT_TERM_LEN (4U * 256U + 1U)

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes available) per
 * RFC 3629 §4 (no overlong forms, no surrogates, nothing above U+10FFFF);
 * *cp is its code point. 0 when the bytes are not UTF-8.
 */
size_t gang_text_utf8(uint32_t *cp, const unsigned char *s, size_t n);

/*
 * 0 when s is 1..max bytes of printable UTF-8 (no C0 or C1 control
 * character, no DEL, no bidirectional override). Otherwise -1 with why
 * (cap bytes) saying what is wrong, e.g. "byte 4 is a control character
 * (0x1b)" or "is 70 bytes long (at most 64)".
 */
int gang_text_check(char *why, size_t cap, const char *s, size_t max);

/*
 * s made safe for a terminal, into buf (cap bytes, always terminated;
 * a unit that does not fit is dropped whole): control characters and
 * bidirectional controls as \xNN or \uNNNN, bytes that are not UTF-8 as
 * \xNN, and a backslash as "\\" so an escape cannot be forged. NULL s
 * gives "". Returns buf.
 */
char *gang_text_term(char *buf, size_t cap, const char *s);
/* The same, written to fp without a length limit. */
void gang_text_fput_term(FILE *fp, const char *s);

/*
 * s as a JSON string literal (RFC 8259 §7), quotes included; NULL writes
 * null. Bytes that are not UTF-8 become U+FFFD (RFC 8259 §8.1 requires
 * UTF-8); control characters, DEL and C1 controls are escaped.
 */
void gang_text_fput_json(FILE *fp, const char *s);

/*
 * s as one CSV cell: quoted when it holds a comma, quote, CR or LF, quotes
 * doubled (RFC 4180 §2). A cell starting with = + - @ TAB or CR gets a
 * leading apostrophe (and quotes) so a spreadsheet never reads it as a
 * formula (OWASP "CSV Injection"). Bytes that are not UTF-8 and control
 * characters other than TAB, CR and LF become U+FFFD. NULL writes nothing.
 */
void gang_text_fput_csv(FILE *fp, const char *s);

/*
 * s as HTML text or attribute value: & < > " ' as entities, bytes that are
 * not UTF-8 and control characters other than TAB and LF as U+FFFD.
 */
void gang_text_fput_html(FILE *fp, const char *s);

#endif
