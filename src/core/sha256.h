/*
 * sha256.h — SHA-256 (FIPS 180-4), one-shot and streaming, with hex output.
 * Used for the hash of firmware image files and of production profiles, so
 * a board's record names exactly which bytes went on it.
 */
#ifndef GANG_CORE_SHA256_H
#define GANG_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define GANG_SHA256_LEN 32U                     /* digest bytes */
#define GANG_SHA256_HEX_LEN (2U * GANG_SHA256_LEN) /* hex digits, without the NUL */

/* Streaming state; plain data, owned by the caller (no _new/_free needed). */
typedef struct gang_sha256 {
	uint32_t h[8];     /* chaining value */
	uint64_t total;    /* bytes hashed so far */
	uint8_t buf[64];   /* partial block */
	size_t fill;       /* bytes in buf */
} gang_sha256_ctx;

/* Start a new hash in s. */
void gang_sha256_init(gang_sha256_ctx *s);
/* Add len bytes (data may be NULL when len is 0). */
void gang_sha256_update(gang_sha256_ctx *s, const void *data, size_t len);
/* Finish: write the 32-byte digest to out. s must be re-initialised before reuse. */
void gang_sha256_final(uint8_t out[GANG_SHA256_LEN], gang_sha256_ctx *s);
/* Finish and write the digest as 64 lower-case hex digits plus NUL. */
void gang_sha256_final_hex(char out[GANG_SHA256_HEX_LEN + 1], gang_sha256_ctx *s);

/* One-shot digest of a buffer. */
void gang_sha256(uint8_t out[GANG_SHA256_LEN], const void *data, size_t len);
/* One-shot digest of a buffer as lower-case hex plus NUL. */
void gang_sha256_hex(char out[GANG_SHA256_HEX_LEN + 1], const void *data, size_t len);
/* Format a digest as lower-case hex plus NUL. */
void gang_sha256_to_hex(char out[GANG_SHA256_HEX_LEN + 1], const uint8_t digest[GANG_SHA256_LEN]);

#endif
