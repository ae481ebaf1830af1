/*
 * image_test_util.c — see image_test_util.h. Each Criterion test runs in its
 * own process, so a temporary directory per process isolates the tests.
 */
#include "image_test_util.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ITU_SLOTS 16

static char itu_dir[256];
static char itu_paths[ITU_SLOTS][PATH_MAX];
static unsigned itu_next;
static char itu_msg[GANG_DIAG_LEN];

static void itu_rmdir(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", itu_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", itu_dir);
}

static const char *itu_tmpdir(void)
{
	if (itu_dir[0] == '\0') {
		snprintf(itu_dir, sizeof(itu_dir), "/tmp/gang-image-test-XXXXXX");
		cr_assert_not_null(mkdtemp(itu_dir), "mkdtemp failed");
		atexit(itu_rmdir);
	}
	return itu_dir;
}

const char *itu_write(const char *name, const void *data, size_t len)
{
	char *path = itu_paths[itu_next++ % ITU_SLOTS];
	FILE *f;

	snprintf(path, PATH_MAX, "%s/%s", itu_tmpdir(), name);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot create %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
	return path;
}

const char *itu_write_text(const char *name, const char *text)
{
	return itu_write(name, text, strlen(text));
}

const char *itu_repo_path(const char *rel)
{
	char *path = itu_paths[itu_next++ % ITU_SLOTS];
	const char *here = __FILE__;
	const char *slash = strrchr(here, '/');
	int dir_len = slash ? (int)(slash - here) : 1;

	/* __FILE__ is tests/image/image_test_util.c when built from the repository root */
	snprintf(path, PATH_MAX, "%.*s/../../%s", dir_len, slash ? here : ".", rel);
	return path;
}

const char *itu_fixture(const char *name)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "tests/fixtures/images/%s", name);
	return itu_repo_path(rel);
}

uint8_t *itu_read(size_t *len_out, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1U);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len_out = (size_t)n;
	return buf;
}

gang_image *itu_load_ok(const char *path, gang_image_format fmt, uint32_t base)
{
	gang_image *img = NULL;
	gang_diag d = { 0 };
	int err = gang_image_load(&img, path, fmt, base, &d);

	cr_assert_eq(err, GANG_OK, "loading %s failed (%d): %s", path, err, d.msg);
	cr_assert_not_null(img);
	return img;
}

const char *itu_load_fail(const char *path, gang_image_format fmt, uint32_t base, int code)
{
	gang_image *img = (gang_image *)&itu_msg; /* poison: must come back NULL */
	gang_diag d = { 0 };
	int err = gang_image_load(&img, path, fmt, base, &d);

	cr_assert_eq(err, code, "loading %s: expected %d, got %d (%s)", path, code, err, d.msg);
	cr_assert_null(img, "an image was returned on error");
	cr_assert_eq(d.code, code);
	memcpy(itu_msg, d.msg, sizeof(itu_msg));
	return itu_msg;
}

void itu_expect_same(const gang_image *a, const gang_image *b)
{
	cr_assert_eq(a->n_seg, b->n_seg, "segment count %zu vs %zu", a->n_seg, b->n_seg);
	for (size_t i = 0; i < a->n_seg; i++) {
		cr_expect_eq(a->seg[i].addr, b->seg[i].addr, "segment %zu: addr 0x%08x vs 0x%08x", i,
			     a->seg[i].addr, b->seg[i].addr);
		cr_assert_eq(a->seg[i].len, b->seg[i].len, "segment %zu: len %u vs %u", i, a->seg[i].len,
			     b->seg[i].len);
		cr_expect_eq(memcmp(a->seg[i].data, b->seg[i].data, a->seg[i].len), 0, "segment %zu: bytes differ",
			     i);
	}
}
