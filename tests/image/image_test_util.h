/*
 * image_test_util.h — helpers shared by the tests/image suites: temporary
 * files with chosen names and contents, fixture paths, image comparison.
 */
#ifndef GANG_TESTS_IMAGE_TEST_UTIL_H
#define GANG_TESTS_IMAGE_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

/* Write len bytes to a fresh file called name in a per-process temporary directory; returns its path (static storage per call slot, valid until the process ends). */
const char *itu_write(const char *name, const void *data, size_t len);
/* Same for a NUL-terminated text. */
const char *itu_write_text(const char *name, const char *text);
/* Path of a file given relative to the repository root (valid until the process ends). */
const char *itu_repo_path(const char *rel);
/* Path of tests/fixtures/images/name (valid until the process ends). */
const char *itu_fixture(const char *name);
/* Read a whole file into a malloc'd buffer (asserts on failure). */
uint8_t *itu_read(size_t *len_out, const char *path);
/* Load path (format AUTO unless fmt given) and assert success. */
gang_image *itu_load_ok(const char *path, gang_image_format fmt, uint32_t base);
/* Load path, assert it fails with code, and return the diagnostic message (static storage). */
const char *itu_load_fail(const char *path, gang_image_format fmt, uint32_t base, int code);
/* Assert both images hold the same segments (address, length, bytes). */
void itu_expect_same(const gang_image *a, const gang_image *b);

#endif
