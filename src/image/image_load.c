/*
 * image_load.c — gang_image_load: read the file, hash its bytes (the hash
 * a board's record keeps), pick the format (by extension, then by content,
 * else raw binary) and run its loader. Nothing is returned on error.
 */
#include "image/image_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/sha256.h"

typedef struct load_ext {
	const char *ext;
	gang_image_format fmt;
} load_ext;

static const load_ext load_exts[] = {
	{ "bin", GANG_IMAGE_BIN },   { "hex", GANG_IMAGE_IHEX }, { "ihex", GANG_IMAGE_IHEX },
	{ "elf", GANG_IMAGE_ELF },   { "axf", GANG_IMAGE_ELF },  { "srec", GANG_IMAGE_SREC },
	{ "s19", GANG_IMAGE_SREC },  { "s28", GANG_IMAGE_SREC }, { "s37", GANG_IMAGE_SREC },
	{ "mot", GANG_IMAGE_SREC },
};

static gang_image_format load_by_ext(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');

	if (!dot)
		return GANG_IMAGE_AUTO;
	for (size_t i = 0; i < sizeof(load_exts) / sizeof(load_exts[0]); i++)
		if (strcasecmp(dot + 1, load_exts[i].ext) == 0)
			return load_exts[i].fmt;
	return GANG_IMAGE_AUTO;
}

/* Content sniffing: ELF magic, ':' of Intel HEX, 'S' and a digit of an S-record. */
static gang_image_format load_by_content(const uint8_t *buf, size_t len)
{
	if (len >= 4 && buf[0] == 0x7fU && buf[1] == 'E' && buf[2] == 'L' && buf[3] == 'F')
		return GANG_IMAGE_ELF;
	if (len >= 1 && buf[0] == ':')
		return GANG_IMAGE_IHEX;
	if (len >= 2 && buf[0] == 'S' && buf[1] >= '0' && buf[1] <= '9')
		return GANG_IMAGE_SREC;
	return GANG_IMAGE_BIN;
}

/* Double the read buffer, within GANG_IMAGE_FILE_MAX. */
static int load_grow(uint8_t **buf, size_t *cap, const char *path, size_t len, gang_diag *d)
{
	uint8_t *p;

	if (*cap >= GANG_IMAGE_FILE_MAX)
		return gang_diag_set(d, GANG_EIMAGE, "%s: offset %zu: file too large (limit %u MiB)", path, len,
				     GANG_IMAGE_FILE_MAX >> 20);
	if (!(p = realloc(*buf, *cap ? 2 * *cap : 65536U)))
		return gang_diag_set(d, GANG_ENOMEM, "%s: out of memory reading the file", path);
	*buf = p;
	*cap = *cap ? 2 * *cap : 65536U;
	return GANG_OK;
}

static int load_read(uint8_t **buf_out, size_t *len_out, const char *path, gang_diag *d)
{
	FILE *f;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;
	int err;

	*buf_out = NULL;
	/* A FIFO or device as image would block or never end: regular files only. */
	if ((err = gang_file_open_read(&f, path, d)) < 0)
		return err;
	do {
		if (len == cap && (err = load_grow(&buf, &cap, path, len, d)) < 0)
			goto out;
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f))
		err = gang_diag_set(d, GANG_EFILE, "%s: %s", path, strerror(errno ? errno : EIO));
out:
	fclose(f);
	if (err < 0) {
		free(buf);
		return err;
	}
	*buf_out = buf;
	*len_out = len;
	return GANG_OK;
}

static int load_bin(image_build *b, const image_src *src, uint32_t base, gang_diag *d)
{
	image_clash clash;
	int err;

	if ((uint64_t)base + src->len > GANG_IMAGE_ADDR_END)
		return gang_image_err_off(d, src, GANG_IMAGE_ADDR_END - base,
					  "address overflow: %zu bytes at base 0x%08" PRIX32
					  " pass the end of the 4 GiB address space",
					  src->len, base);
	err = gang_image_build_add(b, base, src->buf, src->len, &clash);
	if (err < 0)
		return gang_image_err_add(d, src, 0, 0, err, base, src->len, &clash);
	return GANG_OK;
}

static int load_parse(image_build *b, const image_src *src, gang_image_format fmt, uint32_t base, gang_diag *d)
{
	if (src->len == 0) {
		if (fmt == GANG_IMAGE_IHEX || fmt == GANG_IMAGE_SREC)
			return gang_image_err_line(d, src, 1, "empty file");
		return gang_image_err_off(d, src, 0, "empty file");
	}
	switch (fmt) {
	case GANG_IMAGE_IHEX:
		return gang_image_parse_ihex(b, src, d);
	case GANG_IMAGE_SREC:
		return gang_image_parse_srec(b, src, d);
	case GANG_IMAGE_ELF:
		return gang_image_parse_elf(b, src, d);
	case GANG_IMAGE_BIN:
		return load_bin(b, src, base, d);
	default:
		return gang_diag_set(d, GANG_ERR, "%s: unknown image format %d", src->path, (int)fmt);
	}
}

int gang_image_load(gang_image **out, const char *path, gang_image_format fmt, uint32_t base, gang_diag *d)
{
	image_src src = { .path = path };
	uint8_t *buf = NULL;
	image_build b;
	int err;

	*out = NULL;
	gang_image_build_init(&b);
	if ((err = load_read(&buf, &src.len, path, d)) < 0)
		return err;
	src.buf = buf;
	if (fmt == GANG_IMAGE_AUTO)
		fmt = load_by_ext(path);
	if (fmt == GANG_IMAGE_AUTO)
		fmt = load_by_content(buf, src.len);
	if ((err = load_parse(&b, &src, fmt, base, d)) < 0)
		goto out;
	if ((err = gang_image_build_finish(out, &b)) < 0) {
		gang_diag_set(d, err, "%s: out of memory loading the image", path);
		goto out;
	}
	gang_sha256_hex((*out)->sha256, buf, src.len);
out:
	gang_image_build_free(&b);
	free(buf);
	return err;
}
