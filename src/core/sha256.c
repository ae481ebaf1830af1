/*
 * sha256.c — SHA-256 as specified in FIPS 180-4 (§4.1.2 functions, §4.2.2
 * constants, §5.1.1 padding, §5.3.3 initial value, §6.2.2 computation).
 * Written for clarity over speed: an image of a few hundred KiB hashes in
 * milliseconds, far below the time of one flash page erase.
 */
#include "core/sha256.h"

#include <string.h>

/* FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t sha256_k[64] = {
	0x428a2f98U, 0x71374491U, 0xb5c0fbcfU, 0xe9b5dba5U, 0x3956c25bU, 0x59f111f1U, 0x923f82a4U, 0xab1c5ed5U,
	0xd807aa98U, 0x12835b01U, 0x243185beU, 0x550c7dc3U, 0x72be5d74U, 0x80deb1feU, 0x9bdc06a7U, 0xc19bf174U,
	0xe49b69c1U, 0xefbe4786U, 0x0fc19dc6U, 0x240ca1ccU, 0x2de92c6fU, 0x4a7484aaU, 0x5cb0a9dcU, 0x76f988daU,
	0x983e5152U, 0xa831c66dU, 0xb00327c8U, 0xbf597fc7U, 0xc6e00bf3U, 0xd5a79147U, 0x06ca6351U, 0x14292967U,
	0x27b70a85U, 0x2e1b2138U, 0x4d2c6dfcU, 0x53380d13U, 0x650a7354U, 0x766a0abbU, 0x81c2c92eU, 0x92722c85U,
	0xa2bfe8a1U, 0xa81a664bU, 0xc24b8b70U, 0xc76c51a3U, 0xd192e819U, 0xd6990624U, 0xf40e3585U, 0x106aa070U,
	0x19a4c116U, 0x1e376c08U, 0x2748774cU, 0x34b0bcb5U, 0x391c0cb3U, 0x4ed8aa4aU, 0x5b9cca4fU, 0x682e6ff3U,
	0x748f82eeU, 0x78a5636fU, 0x84c87814U, 0x8cc70208U, 0x90befffaU, 0xa4506cebU, 0xbef9a3f7U, 0xc67178f2U,
};

/* FIPS 180-4 §5.3.3: first 32 bits of the fractional parts of the square roots of the first 8 primes. */
static const uint32_t sha256_h0[8] = {
	0x6a09e667U, 0xbb67ae85U, 0x3c6ef372U, 0xa54ff53aU,
	0x510e527fU, 0x9b05688cU, 0x1f83d9abU, 0x5be0cd19U,
};

static uint32_t sha256_ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32U - n));
}

static uint32_t sha256_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Message schedule W[0..63] of one block (§6.2.2 step 1). */
static void sha256_schedule(uint32_t w[64], const uint8_t block[64])
{
	for (unsigned t = 0; t < 16; t++)
		w[t] = sha256_be32(block + 4 * t);
	for (unsigned t = 16; t < 64; t++) {
		uint32_t s0 = sha256_ror(w[t - 15], 7) ^ sha256_ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = sha256_ror(w[t - 2], 17) ^ sha256_ror(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
}

/* Compress one 64-byte block into the chaining value (§6.2.2 steps 2–4). */
static void sha256_block(uint32_t h[8], const uint8_t block[64])
{
	uint32_t w[64], v[8];

	sha256_schedule(w, block);
	memcpy(v, h, sizeof(v));
	for (unsigned t = 0; t < 64; t++) {
		uint32_t e = v[4], a = v[0];
		uint32_t t1 = v[7] + (sha256_ror(e, 6) ^ sha256_ror(e, 11) ^ sha256_ror(e, 25)) +
			      ((e & v[5]) ^ (~e & v[6])) + sha256_k[t] + w[t];
		uint32_t t2 = (sha256_ror(a, 2) ^ sha256_ror(a, 13) ^ sha256_ror(a, 22)) +
			      ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (unsigned i = 0; i < 8; i++)
		h[i] += v[i];
}

void gang_sha256_init(gang_sha256_ctx *s)
{
	memcpy(s->h, sha256_h0, sizeof(s->h));
	s->total = 0;
	s->fill = 0;
}

void gang_sha256_update(gang_sha256_ctx *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->total += len;
	while (len > 0) {
		size_t take = sizeof(s->buf) - s->fill;

		if (s->fill == 0 && len >= sizeof(s->buf)) {
			/* whole blocks straight from the caller's buffer: no copy */
			sha256_block(s->h, p);
			p += sizeof(s->buf);
			len -= sizeof(s->buf);
			continue;
		}
		if (take > len)
			take = len;
		memcpy(s->buf + s->fill, p, take);
		s->fill += take;
		p += take;
		len -= take;
		if (s->fill == sizeof(s->buf)) {
			sha256_block(s->h, s->buf);
			s->fill = 0;
		}
	}
}

void gang_sha256_final(uint8_t out[GANG_SHA256_LEN], gang_sha256_ctx *s)
{
	uint64_t bits = s->total * 8U;

	/* §5.1.1: a 1 bit, zeros up to 56 mod 64, then the 64-bit big-endian bit length */
	s->buf[s->fill++] = 0x80U;
	if (s->fill > 56) {
		memset(s->buf + s->fill, 0, sizeof(s->buf) - s->fill);
		sha256_block(s->h, s->buf);
		s->fill = 0;
	}
	memset(s->buf + s->fill, 0, 56 - s->fill);
	for (unsigned i = 0; i < 8; i++)
		s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_block(s->h, s->buf);
	for (unsigned i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void gang_sha256_to_hex(char out[GANG_SHA256_HEX_LEN + 1], const uint8_t digest[GANG_SHA256_LEN])
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned i = 0; i < GANG_SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0fU];
	}
	out[GANG_SHA256_HEX_LEN] = '\0';
}

void gang_sha256_final_hex(char out[GANG_SHA256_HEX_LEN + 1], gang_sha256_ctx *s)
{
	uint8_t digest[GANG_SHA256_LEN];

	gang_sha256_final(digest, s);
	gang_sha256_to_hex(out, digest);
}

void gang_sha256(uint8_t out[GANG_SHA256_LEN], const void *data, size_t len)
{
	gang_sha256_ctx s;

	gang_sha256_init(&s);
	gang_sha256_update(&s, data, len);
	gang_sha256_final(out, &s);
}

void gang_sha256_hex(char out[GANG_SHA256_HEX_LEN + 1], const void *data, size_t len)
{
	gang_sha256_ctx s;

	gang_sha256_init(&s);
	gang_sha256_update(&s, data, len);
	gang_sha256_final_hex(out, &s);
}
