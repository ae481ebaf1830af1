/*
 * profile_load.c — read a production profile (libconfig syntax), hash the
 * exact bytes parsed (traceability: the database records which profile
 * programmed a board), and fill an immutable gang_profile. Top-level keys,
 * image and connect live here; serial and option_bytes in profile_groups.c.
 * Key reference: profiles/README.md.
 */
#include "profile/profile_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/sha256.h"
#include "core/text.h"
#include "target/part.h"

#define PROF_FILE_MAX (1024U * 1024U) /* a profile is a page of text, never megabytes */
#define PROF_DEFAULT_SWD_KHZ 4000U
#define PROF_DEFAULT_RETRIES 1
#define PROF_PATH_MAX 4095U /* PATH_MAX (4096 on Linux) less its NUL */

static const char *const prof_root_keys[] = {
	"name", "target", "station", "description", "image", "eeprom", "connect", "erase", "verify",
	"serial", "option_bytes", "after", "retries", "checksum", "program", "steps", "data", "scan", NULL,
};
static const char *const prof_image_keys[] = { "file", "address", "format", NULL };
static const char *const prof_eeprom_keys[] = { "file", "address", NULL };
static const char *const prof_connect_keys[] = { "mode", "swd_khz", NULL };

static const char *const prof_connect_names[] = { "auto", "normal", "under-reset", "hot-plug" };
/* Accepted names in documented order; the values are the driver's (target.h, flash.h). */
static const char *const prof_erase_names[] = { "mass", "pages", "sectors", "none" };
static const char *const prof_verify_names[] = { "crc", "readback", "none" };
static const char *const prof_after_names[] = { "run", "reset", "halt" };
/* Index = gang_image_format. */
static const char *const prof_image_fmt_names[] = { "auto", "bin", "ihex", "elf", "srec" };

#define PROF_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct prof_ext {
	const char *ext;
	gang_image_format fmt;
} prof_exts[] = {
	{ ".bin", GANG_IMAGE_BIN },   { ".hex", GANG_IMAGE_IHEX },  { ".ihex", GANG_IMAGE_IHEX },
	{ ".ihx", GANG_IMAGE_IHEX },  { ".elf", GANG_IMAGE_ELF },   { ".axf", GANG_IMAGE_ELF },
	{ ".srec", GANG_IMAGE_SREC }, { ".s19", GANG_IMAGE_SREC }, { ".s28", GANG_IMAGE_SREC },
	{ ".s37", GANG_IMAGE_SREC },  { ".mot", GANG_IMAGE_SREC },
};

const char *gang_profile_connect_name(gang_connect_mode m)
{
	return gang_connect_mode_name(m);
}

const char *gang_profile_erase_name(gang_erase_mode m)
{
	return gang_erase_mode_name(m);
}

const char *gang_profile_verify_name(gang_verify_mode m)
{
	return gang_verify_mode_name(m);
}

const char *gang_profile_after_name(gang_after_mode m)
{
	return (size_t)m < PROF_N(prof_after_names) ? prof_after_names[m] : "?";
}

/* Whole file into a NUL-terminated buffer; NUL bytes inside are refused. */
static int prof_read_file(char **out, size_t *len_out, const char *path, gang_diag *d)
{
	FILE *fp;
	char *buf = NULL;
	size_t n;
	int rc;

	/* A FIFO or device as profile would block or never end: regular files only. */
	if ((rc = gang_file_open_read(&fp, path, d)) < 0)
		return rc;
	buf = malloc(PROF_FILE_MAX + 1);
	if (!buf) {
		rc = gang_diag_set(d, GANG_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	n = fread(buf, 1, PROF_FILE_MAX + 1, fp);
	if (ferror(fp))
		rc = gang_diag_set(d, GANG_EFILE, "%s: read error", path);
	else if (n > PROF_FILE_MAX)
		rc = gang_diag_set(d, GANG_EPROFILE, "%s: larger than %u bytes", path, PROF_FILE_MAX);
	else if (memchr(buf, '\0', n))
		rc = gang_diag_set(d, GANG_EPROFILE, "%s: offset %zu: NUL byte (not a text file)", path,
				   (size_t)((char *)memchr(buf, '\0', n) - buf));
	if (rc < 0)
		goto out;
	buf[n] = '\0';
	*out = buf;
	*len_out = n;
	buf = NULL;
out:
	free(buf);
	fclose(fp);
	return rc;
}

/* @include would pull in bytes the profile's SHA-256 does not cover. */
static int prof_no_include(const prof_ctx *c)
{
	const char *p = c->text;

	for (int line = 1; p; line++) {
		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) == 0)
			return gang_diag_set(c->d, GANG_EPROFILE,
					     "%s:%d: @include: not allowed (the profile's SHA-256 must "
					     "cover everything it configures)",
					     c->path, line);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return GANG_OK;
}

/* Names that end up in the database, reports and file names. */
static int prof_get_ident(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
			  const char *name, bool required, char *buf, size_t cap)
{
	int rc = prof_get_text(c, parent, prefix, name, required, buf, cap);

	if (rc <= 0)
		return rc;
	if (strspn(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
	    strlen(buf))
		return prof_err(c, prof_line(config_setting_get_member(parent, name)), prefix, name,
				GANG_EPROFILE,
				"'%s' may contain only letters, digits, '.', '_' and '-'", buf);
	return 1;
}

static int prof_parse_target(const prof_ctx *c, const config_setting_t *root)
{
	char *t = c->p->target;
	int rc = prof_get_text(c, root, "", "target", PROF_REQUIRED, t, GANG_PROFILE_NAME_MAX);
	size_t i;

	if (rc < 0)
		return rc;
	for (i = 0; t[i] && isalnum((unsigned char)t[i]); i++)
		t[i] = (char)toupper((unsigned char)t[i]);
	if (t[i] || strncmp(t, "STM32", 5) != 0 || !t[5])
		return prof_err(c, prof_line(config_setting_get_member(root, "target")), "", "target",
				GANG_EPROFILE, "'%s' is not an STM32 part number (e.g. STM32F103RC)",
				config_setting_get_string(config_setting_get_member(root, "target")));
	if (!gang_part_find(t)) {
		char hint[256];

		gang_part_suggest_text(hint, sizeof(hint), t);
		return prof_err(c, prof_line(config_setting_get_member(root, "target")), "", "target",
				GANG_EPROFILE, "unknown part '%s'%s", t, hint);
	}
	return GANG_OK;
}

/* image.file (or eeprom.file) relative to the profile's directory (absolute paths kept). */
static int prof_resolve(const prof_ctx *c, const char *file, char **out)
{
	const char *slash = strrchr(c->path, '/');
	size_t dir = slash ? (size_t)(slash - c->path) + 1 : 0;
	char *r;

	if (file[0] == '/')
		dir = 0;
	r = malloc(dir + strlen(file) + 1);
	if (!r)
		return gang_diag_set(c->d, GANG_ENOMEM, "%s: out of memory", c->path);
	memcpy(r, c->path, dir);
	memcpy(r + dir, file, strlen(file) + 1);
	*out = r;
	return GANG_OK;
}

static int prof_image_format(const prof_ctx *c, const config_setting_t *img, const char *file)
{
	const char *dot = strrchr(file, '.');
	int fmt = GANG_IMAGE_AUTO;
	int rc = prof_get_enum(c, img, "image", "format", PROF_OPTIONAL, prof_image_fmt_names,
			       PROF_N(prof_image_fmt_names), &fmt);

	if (rc < 0)
		return rc;
	for (size_t i = 0; fmt == GANG_IMAGE_AUTO && dot && i < PROF_N(prof_exts); i++)
		if (strcasecmp(dot, prof_exts[i].ext) == 0)
			fmt = (int)prof_exts[i].fmt;
	if (fmt == GANG_IMAGE_AUTO)
		return prof_err(c, c->p->line.image_file, "image", "file", GANG_EPROFILE,
				"cannot tell the format of '%s' from its extension; set image.format "
				"(bin, ihex, elf, srec)",
				file);
	c->p->image_format = (gang_image_format)fmt;
	return GANG_OK;
}

static int prof_parse_image(const prof_ctx *c, const config_setting_t *root)
{
	const config_setting_t *img;
	const char *file;
	char why[128];
	int64_t addr;
	int rc = prof_get_group(c, root, "", "image", PROF_REQUIRED, &img);

	if (rc < 0 || (rc = prof_check_keys(c, img, "image", prof_image_keys)) < 0 ||
	    (rc = prof_get_string(c, img, "image", "file", PROF_REQUIRED, &file)) < 0)
		return rc;
	c->p->line.image_file = prof_line(config_setting_get_member(img, "file"));
	if (!*file)
		return prof_err(c, c->p->line.image_file, "image", "file", GANG_EPROFILE,
				"must not be empty");
	if (gang_text_check(why, sizeof(why), file, PROF_PATH_MAX) < 0)
		return prof_err(c, c->p->line.image_file, "image", "file", GANG_EPROFILE, "%s", why);
	if ((rc = prof_image_format(c, img, file)) < 0 || (rc = prof_resolve(c, file, &c->p->image_path)) < 0)
		return rc;
	rc = prof_get_int(c, img, "image", "address", PROF_OPTIONAL, 0, UINT32_MAX, &addr);
	if (rc < 0)
		return rc;
	c->p->line.image_address = prof_line(rc ? config_setting_get_member(img, "address") : img);
	if (rc == 0 && c->p->image_format == GANG_IMAGE_BIN)
		return prof_err(c, prof_line(img), "image", "address", GANG_EPROFILE,
				"missing (required for a raw binary: where does '%s' go?)", file);
	if (rc == 1 && c->p->image_format != GANG_IMAGE_BIN)
		return prof_err(c, c->p->line.image_address, "image", "address", GANG_EPROFILE,
				"only for raw binaries; a %s file carries its own addresses",
				prof_image_fmt_names[c->p->image_format]);
	c->p->image_has_address = rc == 1;
	c->p->image_address = (uint32_t)addr;
	return GANG_OK;
}

static int prof_parse_connect(const prof_ctx *c, const config_setting_t *root)
{
	const config_setting_t *g;
	int mode = GANG_CONNECT_AUTO;
	int64_t khz = PROF_DEFAULT_SWD_KHZ;
	int rc = prof_get_group(c, root, "", "connect", PROF_OPTIONAL, &g);

	if (rc <= 0)
		return rc;
	if ((rc = prof_check_keys(c, g, "connect", prof_connect_keys)) < 0 ||
	    (rc = prof_get_enum(c, g, "connect", "mode", PROF_OPTIONAL, prof_connect_names,
				PROF_N(prof_connect_names), &mode)) < 0 ||
	    (rc = prof_get_int(c, g, "connect", "swd_khz", PROF_OPTIONAL, GANG_PROFILE_SWD_KHZ_MIN,
			       GANG_PROFILE_SWD_KHZ_MAX, &khz)) < 0)
		return rc;
	c->p->connect = (gang_connect_mode)gang_connect_mode_parse(prof_connect_names[mode]);
	c->p->swd_khz = (uint32_t)khz;
	return GANG_OK;
}

/* erase, verify, after, retries. */
static int prof_parse_steps(const prof_ctx *c, const config_setting_t *root)
{
	int erase = 0, verify = 0, after = GANG_AFTER_RUN;
	int64_t retries = PROF_DEFAULT_RETRIES;
	int rc;

	if ((rc = prof_get_enum(c, root, "", "erase", PROF_REQUIRED, prof_erase_names,
				PROF_N(prof_erase_names), &erase)) < 0 ||
	    (rc = prof_get_enum(c, root, "", "verify", PROF_REQUIRED, prof_verify_names,
				PROF_N(prof_verify_names), &verify)) < 0 ||
	    (rc = prof_get_enum(c, root, "", "after", PROF_OPTIONAL, prof_after_names,
				PROF_N(prof_after_names), &after)) < 0 ||
	    (rc = prof_get_int(c, root, "", "retries", PROF_OPTIONAL, 0, GANG_PROFILE_RETRIES_MAX,
			       &retries)) < 0)
		return rc;
	c->p->erase = (gang_erase_mode)gang_erase_mode_parse(prof_erase_names[erase]);
	c->p->verify = (gang_verify_mode)gang_verify_mode_parse(prof_verify_names[verify]);
	c->p->after = (gang_after_mode)after;
	c->p->retries = (int)retries;
	return GANG_OK;
}

/*
 * eeprom = { file = "cal.bin"; address = 0x08080000; }: a raw binary for
 * the part's data EEPROM (L0/L1, RM0377 §3.3.1); whether the part has one
 * and the bytes fit is checked against the part (profile_check.c).
 */
static int prof_parse_eeprom(const prof_ctx *c, const config_setting_t *root)
{
	const config_setting_t *g;
	const char *file;
	char why[128];
	int64_t addr;
	int rc = prof_get_group(c, root, "", "eeprom", PROF_OPTIONAL, &g);

	if (rc <= 0)
		return rc;
	if ((rc = prof_check_keys(c, g, "eeprom", prof_eeprom_keys)) < 0 ||
	    (rc = prof_get_string(c, g, "eeprom", "file", PROF_REQUIRED, &file)) < 0)
		return rc;
	c->p->line.eeprom_file = prof_line(config_setting_get_member(g, "file"));
	if (!*file)
		return prof_err(c, c->p->line.eeprom_file, "eeprom", "file", GANG_EPROFILE, "must not be empty");
	if (gang_text_check(why, sizeof(why), file, PROF_PATH_MAX) < 0)
		return prof_err(c, c->p->line.eeprom_file, "eeprom", "file", GANG_EPROFILE, "%s", why);
	if ((rc = prof_get_int(c, g, "eeprom", "address", PROF_REQUIRED, 0, UINT32_MAX, &addr)) < 0)
		return rc;
	c->p->line.eeprom_address = prof_line(config_setting_get_member(g, "address"));
	c->p->eeprom_address = (uint32_t)addr;
	return prof_resolve(c, file, &c->p->eeprom_path);
}

static int prof_parse_root(const prof_ctx *c, const config_setting_t *root)
{
	int rc;

	c->p->swd_khz = PROF_DEFAULT_SWD_KHZ;
	if ((rc = prof_check_keys(c, root, "", prof_root_keys)) < 0 ||
	    (rc = prof_get_ident(c, root, "", "name", PROF_REQUIRED, c->p->name,
				 sizeof(c->p->name))) < 0 ||
	    (rc = prof_parse_target(c, root)) < 0 ||
	    (rc = prof_get_ident(c, root, "", "station", PROF_OPTIONAL, c->p->station,
				 sizeof(c->p->station))) < 0 ||
	    (rc = prof_get_text(c, root, "", "description", PROF_OPTIONAL, c->p->description,
				sizeof(c->p->description))) < 0 ||
	    (rc = prof_parse_image(c, root)) < 0 || (rc = prof_parse_eeprom(c, root)) < 0 ||
	    (rc = prof_parse_connect(c, root)) < 0 ||
	    (rc = prof_parse_steps(c, root)) < 0 || (rc = prof_parse_serial(c, root)) < 0 ||
	    (rc = prof_parse_ob(c, root)) < 0 || (rc = prof_parse_checksum(c, root)) < 0 ||
	    (rc = prof_parse_program(c, root)) < 0 || (rc = prof_parse_own_steps(c, root)) < 0 ||
	    (rc = prof_parse_data_items(c, root)) < 0 || (rc = prof_parse_scan(c, root)) < 0)
		return rc;
	return prof_plan_build(c);
}

/* Hash, refuse @include, parse: the parsed bytes are the hashed bytes. */
static int prof_parse_text(const prof_ctx *c)
{
	config_t cfg;
	int rc;

	gang_sha256_hex(c->p->sha256, c->text, c->len);
	rc = prof_no_include(c);
	if (rc < 0)
		return rc;
	config_init(&cfg);
	if (!config_read_string(&cfg, c->text))
		rc = gang_diag_set(c->d, GANG_EPROFILE, "%s:%d: %s", c->path, config_error_line(&cfg),
				   config_error_text(&cfg));
	else
		rc = prof_parse_root(c, config_root_setting(&cfg));
	config_destroy(&cfg);
	return rc;
}

int gang_profile_load(gang_profile **out, const char *path, gang_diag *d)
{
	gang_profile *p = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = prof_read_file(&text, &len, path, d);
	if (rc < 0)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path))) {
		rc = gang_diag_set(d, GANG_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	rc = prof_parse_text(&(prof_ctx){ .path = path, .text = text, .len = len, .p = p, .d = d });
	if (rc < 0)
		goto fail;
	free(text);
	*out = p;
	return GANG_OK;
fail:
	free(text);
	gang_profile_free(p);
	return rc;
}

void gang_profile_free(gang_profile *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->image_path);
	free(p->eeprom_path);
	free(p->ob.wrp_pages);
	for (size_t i = 0; i < p->n_steps; i++)
		free(p->steps[i].run);
	free(p->steps);
	free(p);
}

/* The eeprom file's bytes patched into img at eeprom.address: never over image data. */
static int prof_load_eeprom(gang_image *img, const gang_profile *p, gang_diag *d)
{
	gang_image *ee = NULL;
	gang_diag sub = { 0 };
	int rc = gang_image_load(&ee, p->eeprom_path, GANG_IMAGE_BIN, p->eeprom_address, &sub);

	for (size_t i = 0; rc == GANG_OK && i < ee->n_seg; i++)
		rc = gang_image_patch(img, ee->seg[i].addr, ee->seg[i].data, ee->seg[i].len, 0, &sub);
	gang_image_free(ee);
	if (rc < 0)
		return gang_diag_set(d, rc, "%s:%d: eeprom.file: %s", p->path, p->line.eeprom_file,
				     sub.msg[0] ? sub.msg : gang_strerror(rc));
	return GANG_OK;
}

int gang_profile_load_image(gang_image **out, const gang_profile *p, gang_diag *d)
{
	gang_diag sub = { 0 };
	int rc;

	*out = NULL;
	rc = gang_image_load(out, p->image_path, p->image_format, p->image_address, &sub);
	if (rc < 0)
		return gang_diag_set(d, rc, "%s:%d: image.file: %s", p->path, p->line.image_file,
				     sub.msg[0] ? sub.msg : gang_strerror(rc));
	if (p->eeprom_path != NULL && (rc = prof_load_eeprom(*out, p, d)) < 0) {
		gang_image_free(*out);
		*out = NULL;
		return rc;
	}
	return GANG_OK;
}
