/*
 * fuzz_image.h — image invariants shared by the image fuzz targets: what
 * src/image/image.h promises about every loaded image and every refusal.
 * References: src/image/image.h, docs/fuzzing.md.
 */
#ifndef GANG_TOOLS_FUZZ_FUZZ_IMAGE_H
#define GANG_TOOLS_FUZZ_FUZZ_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "image/image.h"

/*
 * Check a gang_image_load result: on success the image invariants, on
 * failure an error code the loader documents, no image, and a diag with
 * that code whose message starts with path.
 */
void fuzz_check_image_load(int rc, const gang_image *img, const gang_diag *d, const char *path);
/* Check one loaded image's invariants (also used after patches and clones). */
void fuzz_check_image(const gang_image *img);
/* Abort unless a and b hold the same segments and bytes. */
void fuzz_check_same_image(const gang_image *a, const gang_image *b);

/*
 * One loader run as production does it: data is written to a scratch file
 * called name, loaded with GANG_IMAGE_AUTO (so the extension picks the
 * format) and checked; on success the SHA-256 must be that of data, a
 * clone must equal the image, and loading again with fmt given explicitly
 * must give the same image.
 */
void fuzz_image_loader(const uint8_t *data, size_t size, const char *name, gang_image_format fmt,
		       uint32_t base);

#endif
