/*
 * fuzz_profile.c — libFuzzer target for the production-profile loader:
 * each input is written to a scratch "profile.cfg" and loaded through the
 * public gang_profile_load (libconfig, strict key and range checks, serial
 * formats, option bytes). A failure must carry a documented code and a
 * message naming the file. A loaded profile must hold only valid enums,
 * NUL-terminated identifiers, consistent option bytes, a serial pool whose
 * first and last values really encode, and must survive validation against
 * an F103RC flash and the `gang check` plan, without an image and with a
 * stand-in one (so the image-range and serial-overlap checks run).
 * References: src/profile/profile.h, profiles/README.md,
 * src/serial/serial_format.h, PM0075 (option bytes; RM0091 §3 for F0/F3).
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <string.h>

#include "core/sha256.h"
#include "flash/ob.h"
#include "profile/profile.h"
#include "target/part.h"

/* The flash the profile is validated against: STM32F103RC, 256 KiB in 2 KiB pages. */
#define FUZZ_FLASH_BASE 0x08000000U
#define FUZZ_FLASH_SIZE 0x00040000U
#define FUZZ_PAGE_SIZE 0x800U

/* An STM32F103RC's flash: 128 pages of 2 KiB. */
static const gang_flash_region fuzz_pages[] = { { FUZZ_FLASH_BASE, FUZZ_PAGE_SIZE, FUZZ_FLASH_SIZE / FUZZ_PAGE_SIZE, 0, 0 } };
static const gang_flash_geom fuzz_geom = { fuzz_pages, 1, 2, 0xFFU };
/* Dates the serial is encoded at: the epoch and 2033-05-18 (far-apart years and weeks). */
#define FUZZ_WHEN_A ((time_t)0)
#define FUZZ_WHEN_B ((time_t)2000000000)
#define FUZZ_IDENT_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
#define FUZZ_WRP_PAGES 65536U
#define FUZZ_STAND_IN_MAX 4096U

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_path("profile.cfg");
	return 0;
}

/* A fixed-size text field: NUL inside, and (for identifiers) only the allowed characters. */
static void fuzz_text(const char *what, const char *s, size_t cap, bool ident, bool nonempty)
{
	FUZZ_CHECK(memchr(s, '\0', cap) != NULL, "%s not NUL-terminated", what);
	FUZZ_CHECK(!nonempty || s[0] != '\0', "%s empty", what);
	FUZZ_CHECK(!ident || strspn(s, FUZZ_IDENT_CHARS) == strlen(s), "%s '%s' has a forbidden character",
		   what, s);
}

static void fuzz_check_modes(const gang_profile *p)
{
	FUZZ_CHECK(p->image_format >= GANG_IMAGE_BIN && p->image_format <= GANG_IMAGE_SREC,
		   "image_format %d", (int)p->image_format);
	FUZZ_CHECK(p->image_has_address == (p->image_format == GANG_IMAGE_BIN),
		   "image address given %d for format %d", (int)p->image_has_address, (int)p->image_format);
	FUZZ_CHECK((unsigned)p->connect <= GANG_CONNECT_HOT_PLUG, "connect %d", (int)p->connect);
	FUZZ_CHECK((unsigned)p->erase <= GANG_ERASE_NONE, "erase %d", (int)p->erase);
	FUZZ_CHECK((unsigned)p->verify <= GANG_VERIFY_NONE, "verify %d", (int)p->verify);
	FUZZ_CHECK((unsigned)p->after <= GANG_AFTER_HALT, "after %d", (int)p->after);
	FUZZ_CHECK(strcmp(gang_profile_connect_name(p->connect), "?") && strcmp(gang_profile_erase_name(p->erase), "?") &&
			   strcmp(gang_profile_verify_name(p->verify), "?") && strcmp(gang_profile_after_name(p->after), "?"),
		   "a mode without a name");
	FUZZ_CHECK(p->swd_khz >= GANG_PROFILE_SWD_KHZ_MIN && p->swd_khz <= GANG_PROFILE_SWD_KHZ_MAX, "swd_khz %u",
		   p->swd_khz);
	FUZZ_CHECK(p->retries >= 0 && p->retries <= GANG_PROFILE_RETRIES_MAX, "retries %d", p->retries);
}

/* The pool's end passed gang_serial_fmt_fits: every value must encode, at any date. */
static void fuzz_serial_encodes(const gang_serial_fmt *f, uint64_t value, time_t when)
{
	uint8_t buf[GANG_SERIAL_BYTES_MAX];
	char text[GANG_SERIAL_TEXT_MAX];
	gang_diag d = { 0 };
	size_t n = 0;
	int rc = gang_serial_encode(buf, &n, sizeof(buf), f, value, when, &d);

	FUZZ_CHECK(rc == GANG_OK, "serial %llu does not encode: %s", (unsigned long long)value, d.msg);
	FUZZ_CHECK(n == gang_serial_fmt_len(f) && n <= GANG_SERIAL_BYTES_MAX, "encoded %zu bytes, fmt_len %zu", n,
		   gang_serial_fmt_len(f));
	rc = gang_serial_format_text(text, sizeof(text), f, value, when);
	FUZZ_CHECK(rc == GANG_OK && memchr(text, '\0', sizeof(text)), "serial %llu has no text (%d)",
		   (unsigned long long)value, rc);
}

static void fuzz_check_serial(const gang_profile_serial *s)
{
	gang_diag d = { 0 };

	if (!s->present)
		return;
	fuzz_text("serial.pool", s->pool, sizeof(s->pool), true, true);
	FUZZ_CHECK((unsigned)s->fmt.kind <= GANG_SERIAL_ASCII, "serial kind %d", (int)s->fmt.kind);
	FUZZ_CHECK((unsigned)s->fmt.guard <= GANG_SERIAL_GUARD_CRC16, "serial guard %d", (int)s->fmt.guard);
	fuzz_text("serial.template", s->fmt.tmpl, sizeof(s->fmt.tmpl), false, false);
	FUZZ_CHECK(gang_serial_fmt_check(&s->fmt, &d) == GANG_OK, "loaded serial format fails its check: %s", d.msg);
	FUZZ_CHECK(s->start <= s->end, "pool %llu..%llu", (unsigned long long)s->start, (unsigned long long)s->end);
	fuzz_serial_encodes(&s->fmt, s->start, FUZZ_WHEN_A);
	fuzz_serial_encodes(&s->fmt, s->end, FUZZ_WHEN_B);
}

static void fuzz_check_ob(const gang_profile_ob *ob, const char *target)
{
	const gang_part *part = gang_part_find(target);

	FUZZ_CHECK(ob->rdp >= -1 && ob->rdp <= 2, "rdp %d", ob->rdp);
	FUZZ_CHECK((ob->rdp == 2) == ob->confirm_lock, "rdp %d with confirm_lock %d", ob->rdp, (int)ob->confirm_lock);
	FUZZ_CHECK(!ob->allow_unprotect || ob->rdp == 0, "allow_unprotect with rdp %d", ob->rdp);
	FUZZ_CHECK(part != NULL, "a loaded profile names an unknown part %s", target);
	FUZZ_CHECK(ob->n_fields <= GANG_PROFILE_OB_FIELDS_MAX, "%zu option-byte fields", ob->n_fields);
	/* every field the loader took is one of the family's, within its range */
	for (size_t i = 0; i < ob->n_fields; i++) {
		const gang_ob_field *k = gang_ob_field_find(part->family, ob->fields[i].name);

		FUZZ_CHECK(k != NULL, "field %s is not the %s family's", ob->fields[i].name, part->family->name);
		FUZZ_CHECK(ob->fields[i].value >= 0 && ob->fields[i].value <= gang_ob_field_max(k),
			   "field %s = %lld out of range", ob->fields[i].name, (long long)ob->fields[i].value);
	}
	FUZZ_CHECK(ob->n_wrp == 0 || (ob->wrp_set && ob->wrp_pages), "%zu wrp pages without a list", ob->n_wrp);
	for (size_t i = 0; i < ob->n_wrp; i++)
		FUZZ_CHECK(ob->wrp_pages[i] < FUZZ_WRP_PAGES && (i == 0 || ob->wrp_pages[i] > ob->wrp_pages[i - 1]),
			   "wrp page %zu = %u not sorted, unique, in range", i, ob->wrp_pages[i]);
	if (!ob->present)
		FUZZ_CHECK(ob->rdp == -1 && !ob->wrp_set && ob->n_fields == 0,
			   "option bytes set without an option_bytes group");
}

/* Validation and the plan must work on anything the loader accepted, with or without an image. */
static void fuzz_check_use(const gang_profile *p, const gang_image *img)
{
	gang_diag d = { 0 };
	FILE *null = fopen("/dev/null", "w");
	int rc = gang_profile_validate(p, &fuzz_geom, img, &d);

	FUZZ_CHECK(rc == GANG_OK || rc == GANG_EPROFILE || rc == GANG_EIMAGE, "validate: undocumented %d", rc);
	if (rc < 0)
		fuzz_check_diag_names(rc, &d, p->path);
	FUZZ_CHECK(null != NULL, "cannot open /dev/null");
	rc = gang_profile_plan(null, p, img, &fuzz_geom, "pool: 0 used");
	FUZZ_CHECK(rc == GANG_OK, "plan failed: %d", rc);
	fclose(null);
}

/*
 * Stand-in for the profile's image: the input's first bytes (1 to 4 KiB, by
 * input size) at image.address, or at the flash base for formats that carry
 * their own addresses. NULL when that would pass 4 GiB.
 */
static gang_image *fuzz_stand_in(const gang_profile *p, const uint8_t *data, size_t size)
{
	uint32_t at = p->image_has_address ? p->image_address : FUZZ_FLASH_BASE;
	size_t len = 1U + size % FUZZ_STAND_IN_MAX;
	gang_image *img = NULL;

	if (len > size)
		len = size;
	if (gang_image_from_buffer(&img, at, data, len) != GANG_OK)
		return NULL;
	return img;
}

/*
 * The plan: connect first, one pass, every built-in kind once and in order,
 * every own step exactly once with its needs legal for its side of the pass,
 * a checksum that never covers its own word.
 */
static void fuzz_check_plan(const gang_profile *p)
{
	const gang_plan *pl = &p->plan;
	size_t own = 0, passes = 0;
	int last_builtin = -1;

	FUZZ_CHECK(pl->n >= 7 && pl->n <= GANG_PLAN_MAX, "plan of %zu steps", pl->n);
	FUZZ_CHECK(pl->step[0].kind == GANG_KIND_CONNECT, "plan starts with %d", (int)pl->step[0].kind);
	for (size_t i = 0; i < pl->n; i++) {
		const gang_plan_step *st = &pl->step[i];

		FUZZ_CHECK(st->name && st->name[0], "step %zu without a name", i);
		FUZZ_CHECK(st->after_pass == (passes > 0), "step %zu after_pass %d", i, (int)st->after_pass);
		if (st->own) {
			own++;
			FUZZ_CHECK(st->kind == GANG_KIND_EXEC || st->kind == GANG_KIND_MEMCHECK, "own kind %d", (int)st->kind);
			FUZZ_CHECK(st->timeout_ms >= 1000U, "step %zu time-out %u ms", i, st->timeout_ms);
			FUZZ_CHECK(!st->after_pass || st->need == GANG_NEED_NONE || st->need == GANG_NEED_RELEASED,
				   "step %zu after the pass needs %d", i, (int)st->need);
			FUZZ_CHECK(st->kind != GANG_KIND_EXEC || (st->own->run && st->own->run[0]), "command step %zu "
				   "without a command", i);
			continue;
		}
		FUZZ_CHECK((int)st->kind > last_builtin, "built-in step %zu out of order", i);
		last_builtin = (int)st->kind;
		passes += st->kind == GANG_KIND_PASS;
	}
	FUZZ_CHECK(passes == 1 && own == p->n_steps, "%zu passes, %zu of %zu own steps", passes, own, p->n_steps);
	FUZZ_CHECK(!p->checksum.present || p->checksum.start < p->checksum.end, "checksum range");
	FUZZ_CHECK(!p->checksum.present || p->checksum.address >= p->checksum.end ||
			   p->checksum.address + 4U <= p->checksum.start, "checksum covers itself");
}

static void fuzz_check_profile(const gang_profile *p, const char *path, const uint8_t *data, size_t size)
{
	char sha[GANG_SHA256_HEX_LEN + 1];
	gang_image *img;

	FUZZ_CHECK(p != NULL, "success without a profile");
	FUZZ_CHECK(p->path && fuzz_prefix(p->path, path) > 0 && p->path[strlen(path)] == '\0', "path \"%s\"", p->path ? p->path : "(null)");
	gang_sha256_hex(sha, data, size);
	FUZZ_CHECK(strcmp(sha, p->sha256) == 0, "profile sha256 %.65s, file bytes hash to %s", p->sha256, sha);
	fuzz_text("name", p->name, sizeof(p->name), true, true);
	fuzz_text("target", p->target, sizeof(p->target), false, true);
	FUZZ_CHECK(strncmp(p->target, "STM32", 5) == 0 && p->target[5] != '\0', "target '%s'", p->target);
	fuzz_text("station", p->station, sizeof(p->station), true, false);
	fuzz_text("description", p->description, sizeof(p->description), false, false);
	FUZZ_CHECK(p->image_path && p->image_path[0], "no image path");
	fuzz_check_modes(p);
	fuzz_check_serial(&p->serial);
	fuzz_check_ob(&p->ob, p->target);
	fuzz_check_plan(p);
	fuzz_check_use(p, NULL);
	img = fuzz_stand_in(p, data, size);
	fuzz_check_use(p, img);
	gang_image_free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_tmp_path("profile.cfg");
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	int rc;

	fuzz_tmp_write(path, data, size);
	rc = gang_profile_load(&p, path, &d);
	if (rc == GANG_OK) {
		fuzz_check_profile(p, path, data, size);
	} else {
		FUZZ_CHECK(p == NULL, "error %d but a profile was returned", rc);
		FUZZ_CHECK(rc == GANG_EPROFILE || rc == GANG_ELOCKED_FOREVER || rc == GANG_EFILE || rc == GANG_ENOMEM,
			   "undocumented error %d (%s)", rc, d.msg);
		fuzz_check_diag_names(rc, &d, path);
	}
	gang_profile_free(p);
	return 0;
}
