/*
 * cmd_flash.c — the engineer's one-board commands: `gang flash` (erase,
 * program through the on-target loader, verify), `gang read` (memory out to
 * a file, written to a temporary name and renamed so a failed read leaves
 * no half file; flash, SRAM, system memory, OTP or option bytes: cli_mem.c) and
 * `gang erase` (mass, or exactly the pages of a range).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_mem.h"
#include "cli/cli_target.h"
#include "flash/flash.h"
#include "flash/geom.h"
#include "image/image.h"

typedef struct flash_args {
	cli_target_args t;
	const char *file;
	uint32_t address, size;
	bool have_address, have_size;
	gang_erase_mode erase;
	gang_verify_mode verify;
	gang_detach_after after;
	bool allow_unprotect;
	const char *confirm_otp;   /* GANG_OTP_CONFIRM, for image data in the OTP area */
} flash_args;

static void flash_progress(void *user, const char *step, uint64_t done, uint64_t total)
{
	(void)user;
	if (!isatty(STDERR_FILENO) || total == 0)
		return;
	fprintf(stderr, "\r%-8s %3u%%", step, (unsigned)(done * 100U / total));
	if (done >= total)
		fputc('\n', stderr);
}

static int flash_after_parse(gang_detach_after *out, const char *s)
{
	static const char *const names[] = { "run", "reset", "halt" };
	static const gang_detach_after vals[] = { GANG_DETACH_RESET, GANG_DETACH_RESET, GANG_DETACH_HALT };

	for (size_t i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = vals[i];
			return 0;
		}
	return -1;
}

/* Each command accepts exactly the options its help names (tests/cli compares them). */
const struct option gang_cmd_flash_opts[] = {
	CLI_TARGET_OPTIONS,
	{ "address", required_argument, NULL, 'a' }, { "erase", required_argument, NULL, 'e' },
	{ "verify", required_argument, NULL, 'v' }, { "after", required_argument, NULL, 'A' },
	{ "allow-unprotect", no_argument, NULL, 'U' }, { "confirm-otp", required_argument, NULL, 'O' },
	{ 0, 0, 0, 0 },
};
const struct option gang_cmd_read_opts[] = {
	CLI_TARGET_OPTIONS,
	{ "address", required_argument, NULL, 'a' }, { "size", required_argument, NULL, 's' },
	{ 0, 0, 0, 0 },
};
const struct option gang_cmd_erase_opts[] = {
	CLI_TARGET_OPTIONS,
	{ "address", required_argument, NULL, 'a' }, { "size", required_argument, NULL, 's' },
	{ 0, 0, 0, 0 },
};

/* Options of flash/read/erase (opts: the command's table); positional FILE for flash and read. */
static int flash_parse(flash_args *a, const char *cmd, const struct option *opts, int argc, char **argv,
		       bool want_file)
{
	int c, r, m;

	a->erase = GANG_ERASE_MASS;
	a->after = GANG_DETACH_RESET;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((r = cli_target_option(&a->t, cmd, c, optarg)) != 0) {
			if (r < 0)
				return -r;
			continue;
		}
		switch (c) {
		case 'a':
			if (!gang_cli_parse_u32(&a->address, optarg))
				return gang_cli_usage(cmd, "bad --address '%s'", optarg);
			a->have_address = true;
			break;
		case 's':
			if (!gang_cli_parse_u32(&a->size, optarg) || a->size == 0)
				return gang_cli_usage(cmd, "bad --size '%s'", optarg);
			a->have_size = true;
			break;
		case 'e':
			if ((m = gang_erase_mode_parse(optarg)) < 0 || m == GANG_ERASE_NONE)
				return gang_cli_usage(cmd, "--erase takes mass or pages (sectors), not '%s'", optarg);
			a->erase = (gang_erase_mode)m;
			break;
		case 'v':
			if ((m = gang_verify_mode_parse(optarg)) < 0)
				return gang_cli_usage(cmd, "--verify takes crc, readback or none, not '%s'", optarg);
			a->verify = (gang_verify_mode)m;
			break;
		case 'A':
			if (flash_after_parse(&a->after, optarg) < 0)
				return gang_cli_usage(cmd, "--after takes run, reset or halt, not '%s'", optarg);
			break;
		case 'U': a->allow_unprotect = true; break;
		case 'O': a->confirm_otp = optarg; break;
		default: return gang_cli_bad_option(cmd, argv);
		}
	}
	if (want_file && optind != argc - 1)
		return gang_cli_usage(cmd, optind >= argc ? "a FILE is needed" : "one FILE only");
	if (!want_file && optind != argc)
		return gang_cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	if (want_file)
		a->file = argv[optind];
	return GANG_EXIT_OK;
}

/*
 * Main flash as asked, then the image's data in the OTP area (if any) once
 * and only with its confirmation; nothing of either is written when the
 * OTP part would be refused for want of it.
 */
static int flash_program_all(gang_target *t, gang_image *img, const gang_program_opts *po,
			     const flash_args *a)
{
	gang_image *otp = NULL;
	uint32_t lo, hi;
	int err = GANG_OK;

	if (gang_flash_otp_range(&lo, &hi, gang_target_part(t)))
		err = gang_image_take(&otp, img, lo, hi, gang_target_diag(t));
	if (err == GANG_OK && otp && (a->confirm_otp == NULL || strcmp(a->confirm_otp, GANG_OTP_CONFIRM) != 0))
		err = gang_diag_set(gang_target_diag(t), GANG_ELOCKED_FOREVER, "the image has %zu byte%s for "
				    "the OTP area, which can never be erased or changed; add --confirm-otp \"%s\"",
				    gang_image_size(otp), gang_image_size(otp) == 1 ? "" : "s", GANG_OTP_CONFIRM);
	if (err == GANG_OK && img->n_seg > 0 && (err = gang_flash_program_image(t, img, po)) == GANG_OK)
		err = gang_flash_verify(t, img, a->verify, flash_progress, NULL);
	if (err == GANG_OK && otp)
		err = gang_flash_otp_program(t, otp, a->confirm_otp);
	if (otp) {
		/* the segments go back so the summary counts them */
		for (size_t i = 0; i < otp->n_seg; i++)
			gang_image_patch(img, otp->seg[i].addr, otp->seg[i].data, otp->seg[i].len, 0, NULL);
		gang_image_free(otp);
	}
	return err;
}

int gang_cmd_flash(int argc, char **argv)
{
	flash_args a = { 0 };
	gang_program_opts po = { 0 };
	gang_image *img = NULL;
	cli_session s;
	gang_diag d = { 0 };
	int rc, err;

	if ((rc = flash_parse(&a, "flash", gang_cmd_flash_opts, argc, argv, true)) != GANG_EXIT_OK)
		return rc;
	err = gang_image_load(&img, a.file, GANG_IMAGE_AUTO, a.have_address ? a.address : 0x08000000U, &d);
	if (err < 0)
		return gang_cli_fail("flash", err, &d);
	if ((rc = cli_session_open(&s, &a.t, "flash")) != GANG_EXIT_OK) {
		gang_image_free(img);
		return rc;
	}
	po.erase = a.erase;
	po.allow_unprotect = a.allow_unprotect;
	po.progress = flash_progress;
	err = flash_program_all(s.t, img, &po, &a);
	if (err < 0)
		d = *gang_target_diag(s.t);
	rc = cli_session_close(&s, err == GANG_OK ? a.after : GANG_DETACH_HALT);
	if (err == GANG_OK && rc < 0)
		err = rc;
	if (err == GANG_OK)
		printf("%s: %zu byte%s programmed and verified (%s)\n", a.file, gang_image_size(img),
		       gang_image_size(img) == 1 ? "" : "s", gang_verify_mode_name(a.verify));
	gang_image_free(img);
	if (err == GANG_EREAD_PROTECTED && !a.allow_unprotect)
		return gang_cli_fail_protected("flash", "add --allow-unprotect to lower it to RDP 0 first, "
					       "which mass-erases the chip");
	return err < 0 ? gang_cli_fail("flash", err, &d) : GANG_EXIT_OK;
}

/* Write buf to path through a temporary file: a failed read leaves nothing. */
static int flash_write_file(const char *path, const uint8_t *buf, size_t len, gang_diag *d)
{
	char tmp[4096];
	FILE *fp;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.part", path);
	if (!(fp = fopen(tmp, "wb")))
		return gang_diag_set(d, GANG_EOUTPUT, "%s: cannot create: %s", tmp, strerror(errno));
	ok = fwrite(buf, 1, len, fp) == len;
	ok = (fclose(fp) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return gang_diag_set(d, GANG_EOUTPUT, "%s: write failed", path);
	}
	return GANG_OK;
}

/* Without --size: to the end of A's memory; without --address: the whole main flash. */
static uint32_t read_default_size(const flash_args *a, const gang_part *part)
{
	cli_mem_region r[CLI_MEM_NREGIONS];
	const cli_mem_region *at;

	if (a->have_size)
		return a->size;
	if (!a->have_address)
		return part->flash_kib * 1024U;
	cli_mem_regions(r, part);
	at = cli_mem_at(r, a->address);
	return at ? at->base + at->size - a->address : 1U; /* 1: cli_mem_check names the address */
}

int gang_cmd_read(int argc, char **argv)
{
	flash_args a = { 0 };
	cli_session s;
	gang_diag d = { 0 };
	uint8_t *buf = NULL;
	uint32_t addr, len;
	int rc, err;

	if ((rc = flash_parse(&a, "read", gang_cmd_read_opts, argc, argv, true)) != GANG_EXIT_OK)
		return rc;
	if ((rc = cli_session_open(&s, &a.t, "read")) != GANG_EXIT_OK)
		return rc;
	addr = a.have_address ? a.address : GANG_FLASH_BASE;
	len = read_default_size(&a, gang_target_part(s.t));
	/* checked before the buffer: --size 4G is refused, not out of memory */
	err = cli_mem_check(gang_target_part(s.t), addr, len, &d);
	if (err == GANG_OK && !(buf = malloc(len)))
		err = GANG_ENOMEM;
	if (err == GANG_OK && (err = cli_mem_read(buf, s.t, addr, len)) < 0)
		d = *gang_target_diag(s.t);
	if (err == GANG_OK)
		err = flash_write_file(a.file, buf, len, &d);
	cli_session_close(&s, GANG_DETACH_RUN);
	if (err == GANG_OK)
		printf("%s: %u byte%s from 0x%08X\n", a.file, (unsigned)len, len == 1 ? "" : "s", (unsigned)addr);
	free(buf);
	if (err == GANG_EREAD_PROTECTED)
		return gang_cli_fail_protected("read", "its flash cannot be read; 'gang options set --rdp 0 "
					       "--allow-unprotect' lowers it to RDP 0, which mass-erases the chip");
	return err < 0 ? gang_cli_fail("read", err, &d) : GANG_EXIT_OK;
}

/* "erased 1 page at 0x08000400-0x080007FF": the pages the range touched. */
static void erase_print_pages(uint32_t addr, uint32_t size, const gang_flash_geom *g)
{
	gang_flash_unit lo, hi;
	unsigned first, last, n;

	if (!gang_geom_span(&first, &last, g, addr, size) || !gang_geom_unit(&lo, g, first) ||
	    !gang_geom_unit(&hi, g, last))
		return;
	n = last - first + 1U;
	printf("erased %u %s%s at 0x%08" PRIX32 "-0x%08" PRIX64 "\n", n,
	       gang_geom_uniform_unit(g) ? "page" : "sector", n == 1 ? "" : "s", lo.addr,
	       (uint64_t)hi.addr + hi.size - 1U);
}

int gang_cmd_erase(int argc, char **argv)
{
	flash_args a = { 0 };
	cli_session s;
	gang_diag d = { 0 };
	const gang_flash_geom *geom;
	int rc, err;

	if ((rc = flash_parse(&a, "erase", gang_cmd_erase_opts, argc, argv, false)) != GANG_EXIT_OK)
		return rc;
	if (a.have_address != a.have_size)
		return gang_cli_usage("erase", "--address and --size go together");
	if ((rc = cli_session_open(&s, &a.t, "erase")) != GANG_EXIT_OK)
		return rc;
	geom = &gang_target_part(s.t)->geom;
	err = a.have_address ? gang_flash_erase_range(s.t, a.address, a.size) : gang_flash_erase_mass(s.t);
	if (err < 0)
		d = *gang_target_diag(s.t);
	cli_session_close(&s, GANG_DETACH_HALT);
	if (err == GANG_OK && a.have_address)
		erase_print_pages(a.address, a.size, geom);
	else if (err == GANG_OK)
		printf("mass-erased\n");
	if (err == GANG_EREAD_PROTECTED)
		return gang_cli_fail_protected("erase", "'gang options set --rdp 0 --allow-unprotect' lowers it to "
					       "RDP 0, which mass-erases the chip");
	return err < 0 ? gang_cli_fail("erase", err, &d) : GANG_EXIT_OK;
}
