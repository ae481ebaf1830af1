/*
 * image.h — firmware images as a sparse, sorted list of segments.
 * Loaders: raw binary (with a base address), Intel HEX (all record types,
 * checksums), ELF32 (PT_LOAD segments at their physical addresses),
 * Motorola S-record (S1/S2/S3, checksums). Gaps stay erased: nothing is
 * invented between segments. Any malformed, truncated or overlapping input
 * is an error naming the file and line (or byte offset), and no image is
 * returned.
 */
#ifndef GANG_IMAGE_IMAGE_H
#define GANG_IMAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct gang_segment {
	uint32_t addr;     /* absolute target address of data[0] */
	uint32_t len;      /* bytes */
	uint8_t *data;     /* owned by the image */
} gang_segment;

typedef struct gang_image {
	gang_segment *seg; /* sorted by addr, non-overlapping, adjacent ones merged */
	size_t n_seg;
	uint32_t entry;    /* ELF entry / HEX start address record; 0 if none */
	char sha256[65];   /* hex SHA-256 of the file's bytes */
} gang_image;

typedef enum gang_image_format {
	GANG_IMAGE_AUTO = 0, /* by extension, then by content */
	GANG_IMAGE_BIN,
	GANG_IMAGE_IHEX,
	GANG_IMAGE_ELF,
	GANG_IMAGE_SREC,
} gang_image_format;

/*
 * Load path into *out. base is used for raw binaries only.
 * Errors: GANG_EFILE (cannot read), GANG_EIMAGE (malformed; d->msg names
 * "file:line: what" or "file: offset N: what").
 */
int gang_image_load(gang_image **out, const char *path, gang_image_format fmt,
		    uint32_t base, gang_diag *d);
/* Build an image from one buffer (copied). */
int gang_image_from_buffer(gang_image **out, uint32_t addr, const uint8_t *data, size_t len);
void gang_image_free(gang_image *img);

/* Total payload bytes. */
size_t gang_image_size(const gang_image *img);
/* Lowest and one-past-highest address covered (0,0 for an empty image). */
void gang_image_span(uint32_t *lo_out, uint32_t *hi_out, const gang_image *img);
/* GANG_EIMAGE unless every byte lies in [lo, hi); d->msg names the first address outside. */
int gang_image_check_range(const gang_image *img, uint32_t lo, uint32_t hi, const char *what, gang_diag *d);
/*
 * Write bytes at addr into the image (serial-number injection). If they fall
 * in a gap a new segment is added; if they overlap existing data and
 * allow_overlay is 0, GANG_EIMAGE.
 */
int gang_image_patch(gang_image *img, uint32_t addr, const uint8_t *bytes, size_t len,
		     int allow_overlay, gang_diag *d);
/* Deep copy (the production loop patches a per-board copy). */
int gang_image_clone(gang_image **out, const gang_image *img);
/*
 * Move the segments of img that lie in [lo, hi) into a new image *out
 * (NULL when there are none); img keeps the rest. GANG_EIMAGE when a
 * segment straddles lo or hi (d names its range), GANG_ENOMEM.
 */
int gang_image_take(gang_image **out, gang_image *img, uint32_t lo, uint32_t hi, gang_diag *d);

#endif
