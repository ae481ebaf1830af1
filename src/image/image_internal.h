/*
 * image_internal.h — shared by the image loaders (the image_*.c files) only.
 *
 * A loader hands each record's bytes to an image_build, which keeps the
 * segment list sorted, merges adjacent data and refuses overlaps, so every
 * format gets the same invariants (image.h) from one place. Segments grow by
 * doubling, so the common case — records in ascending order — is linear.
 */
#ifndef GANG_IMAGE_IMAGE_INTERNAL_H
#define GANG_IMAGE_IMAGE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "image/image.h"

/* Largest image file read into memory: far above any STM32 flash in any format. */
#define GANG_IMAGE_FILE_MAX (256U * 1024U * 1024U)
/* One past the last address of the 32-bit address space. */
#define GANG_IMAGE_ADDR_END 0x100000000ULL

typedef struct image_build {
	gang_segment *seg; /* sorted, non-overlapping, adjacent merged */
	uint32_t *cap;     /* allocated bytes of seg[i].data */
	size_t n_seg;
	size_t alloc;      /* entries allocated in seg and cap */
	uint32_t entry;
} image_build;

/* Where an add clashed with data already loaded. */
typedef struct image_clash {
	uint32_t addr;     /* first overlapping address */
	uint32_t old_lo;   /* the earlier data's segment: [old_lo, old_hi] inclusive */
	uint32_t old_hi;
} image_clash;

/* The text or bytes being parsed, for error messages. */
typedef struct image_src {
	const char *path;
	const uint8_t *buf;
	size_t len;
} image_src;

void gang_image_build_init(image_build *b);
void gang_image_build_free(image_build *b);
/*
 * Add len bytes at addr (addr + len must not pass 4 GiB; callers check it to
 * name the record). GANG_EIMAGE with *clash filled on overlap, GANG_ENOMEM.
 */
int gang_image_build_add(image_build *b, uint32_t addr, const uint8_t *data, size_t len, image_clash *clash);
/* Move the built segments into a new image (b is emptied); GANG_ENOMEM. */
int gang_image_build_finish(gang_image **out, image_build *b);

/* Format loaders: parse src into b; errors fill d with "file:line: what" or "file: offset N: what". */
int gang_image_parse_ihex(image_build *b, const image_src *src, gang_diag *d);
int gang_image_parse_srec(image_build *b, const image_src *src, gang_diag *d);
int gang_image_parse_elf(image_build *b, const image_src *src, gang_diag *d);

/* One line of a text image, without its line ending and trailing blanks. */
typedef struct image_line {
	const char *s;
	size_t len;
	size_t no;         /* 1-based line number */
} image_line;

/* Next line of src from *pos into ln; 0 at end of text. */
int gang_image_next_line(image_line *ln, const image_src *src, size_t *pos);
/*
 * Decode the hex digit pairs of ln from column index from into out (at most
 * cap bytes are stored; *n_out gets the number of pairs, which may be larger).
 * GANG_EIMAGE for a non-hex character or an odd digit count.
 */
int gang_image_hex_bytes(uint8_t *out, size_t cap, size_t *n_out, const image_line *ln, size_t from,
			 const image_src *src, gang_diag *d);
/* Record "file:line: what" in d; returns GANG_EIMAGE. */
int gang_image_err_line(gang_diag *d, const image_src *src, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Record "file: offset N: what" in d; returns GANG_EIMAGE. */
int gang_image_err_off(gang_diag *d, const image_src *src, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Record the error of a failed gang_image_build_add of len bytes at addr:
 * the overlap (naming both address ranges) or no memory. where is a line
 * number when by_line, else a byte offset. Returns err.
 */
int gang_image_err_add(gang_diag *d, const image_src *src, int by_line, uint64_t where, int err,
		       uint32_t addr, size_t len, const image_clash *clash);

#endif
