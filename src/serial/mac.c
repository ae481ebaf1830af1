/*
 * mac.c — MAC addresses as text and as bytes (data pools of format
 * "mac"): pure functions, so the profile parser uses them without the
 * database (declared in serial/data_pool.h).
 */
#include "serial/data_pool.h"

#include <ctype.h>
#include <stdio.h>

static int mac_hex_digit(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

int gang_mac_parse(uint64_t *out, const char *text, gang_diag *d)
{
	uint64_t v = 0;
	const char *s = text;

	*out = 0;
	for (unsigned i = 0; i < GANG_MAC_LEN; i++, s += 3) {
		int hi = mac_hex_digit((unsigned char)s[0]), lo = hi < 0 ? -1 : mac_hex_digit((unsigned char)s[1]);
		char sep = hi < 0 || lo < 0 ? 'x' : s[2];

		if (hi < 0 || lo < 0 || (i + 1 < GANG_MAC_LEN ? sep != ':' && sep != '-' : sep != '\0'))
			return gang_diag_set(d, GANG_EUSAGE, "'%s' is not a MAC address like \"00:80:E1:00:00:00\"",
					     text);
		v = v << 8 | (uint64_t)(hi << 4 | lo);
	}
	*out = v;
	return GANG_OK;
}

void gang_mac_text(char *out, size_t cap, uint64_t mac)
{
	uint8_t b[GANG_MAC_LEN];

	gang_mac_bytes(b, mac, true);
	snprintf(out, cap, "%02X:%02X:%02X:%02X:%02X:%02X", b[0], b[1], b[2], b[3], b[4], b[5]);
}

void gang_mac_bytes(uint8_t out[GANG_MAC_LEN], uint64_t mac, bool msb_first)
{
	for (unsigned i = 0; i < GANG_MAC_LEN; i++) {
		uint8_t byte = (uint8_t)(mac >> (8U * (GANG_MAC_LEN - 1U - i)));

		out[msb_first ? i : GANG_MAC_LEN - 1U - i] = byte;
	}
}
