/*
 * board_state.c — persistence of a virtual board: state_dir/<UID>/flash.bin
 * (exactly the flash size), option_bytes.bin (the flash model's layout and
 * size: the F0/F1/F3 16-byte block, or F2/F4/F7 OPTCR and OPTCR1 words) and
 * otp.bin where the family has OTP,
 * mmap'd MAP_SHARED so a killed process leaves the board exactly as a power
 * cut would, plus the swd_disabled marker that says the seed firmware
 * (which cuts SWD once it runs: the field failure connect-under-reset is for) is
 * still in flash.
 *
 * New files are built in a temporary name and renamed into place, so a
 * crash while creating never leaves a short state file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_internal.h"

static char *state_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int state_mkdir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	snprintf(err, errlen, "cannot create board state directory %s: %s", path, strerror(errno));
	return -1;
}

/* The initial flash image: erased, then the firmware .bin at offset 0. */
static int state_flash_image(const sim_board *b, uint8_t *img, char *err, size_t errlen)
{
	memset(img, b->fm->erased_zero ? 0x00 : 0xFF, b->flash_size);
	if (b->cfg.firmware == NULL)
		return 0;
	FILE *f = fopen(b->cfg.firmware, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "cannot open firmware %s: %s", b->cfg.firmware, strerror(errno));
		return -1;
	}
	size_t n = fread(img, 1, b->flash_size, f);
	int extra = fgetc(f);
	fclose(f);
	if (extra != EOF) {
		snprintf(err, errlen, "firmware %s is larger than the %u KiB flash of %s",
			 b->cfg.firmware, b->part->flash_kib, b->part->name);
		return -1;
	}
	(void)n;
	return 0;
}

static int state_write_new(const char *path, const uint8_t *data, size_t len,
			   char *err, size_t errlen)
{
	size_t n = strlen(path) + sizeof(".new");
	char *tmp = malloc(n);
	int fd = -1, rc = -1;

	if (tmp == NULL)
		goto out;
	snprintf(tmp, n, "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || fsync(fd) != 0)
		goto out;
	if (rename(tmp, path) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		snprintf(err, errlen, "cannot create board state file %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Map an existing state file of exactly len bytes. */
static uint8_t *state_map(const char *path, size_t len, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open board state file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || (size_t)st.st_size != len) {
		snprintf(err, errlen, "board state file %s is %lld bytes, expected %zu",
			 path, (long long)st.st_size, len);
		close(fd);
		return NULL;
	}
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot map board state file %s: %s", path, strerror(errno));
		return NULL;
	}
	return p;
}

static int state_create(sim_board *b, const char *fpath, const char *opath, const char *tpath,
			char *err, size_t errlen)
{
	size_t oblen = b->fm->ob_file_len, otplen = b->fm->otp_size;
	uint8_t *img = malloc(b->flash_size);
	uint8_t *ob = malloc(oblen + otplen);
	int rc = -1;

	if (img == NULL || ob == NULL) {
		snprintf(err, errlen, "out of memory for a %u KiB flash image", b->part->flash_kib);
		goto out;
	}
	if (state_flash_image(b, img, err, errlen) != 0)
		goto out;
	b->fm->ob_new(b, ob);
	if (state_write_new(opath, ob, oblen, err, errlen) != 0)
		goto out;
	/* OTP (or L0/L1 data EEPROM) leaves the factory erased */
	memset(ob, b->fm->erased_zero ? 0x00 : 0xFF, otplen);
	if (otplen != 0 && state_write_new(tpath, ob, otplen, err, errlen) != 0)
		goto out;
	if (b->cfg.swd_disabled && state_write_new(b->marker, (const uint8_t *)"1\n", 2,
						   err, errlen) != 0)
		goto out;
	/* flash.bin last: its presence says the state is complete */
	rc = state_write_new(fpath, img, b->flash_size, err, errlen);
out:
	free(img);
	free(ob);
	return rc;
}

static int state_dirs(sim_board *b, char *err, size_t errlen)
{
	char uid[25];

	for (unsigned i = 0; i < 12; i++)
		snprintf(uid + 2 * i, 3, "%02X", b->cfg.uid[i]);
	if (state_mkdir(b->cfg.state_dir, err, errlen) != 0)
		return -1;
	b->dir = state_path(b->cfg.state_dir, uid);
	if (b->dir == NULL || (b->marker = state_path(b->dir, "swd_disabled")) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return state_mkdir(b->dir, err, errlen);
}

int board_state_open(sim_board *b, char *err, size_t errlen)
{
	char *fpath = NULL, *opath = NULL, *tpath = NULL;
	int rc = -1;

	if (state_dirs(b, err, errlen) != 0)
		return -1;
	fpath = state_path(b->dir, "flash.bin");
	opath = state_path(b->dir, "option_bytes.bin");
	tpath = state_path(b->dir, "otp.bin");
	if (fpath == NULL || opath == NULL || tpath == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (access(fpath, F_OK) != 0 && state_create(b, fpath, opath, tpath, err, errlen) != 0)
		goto out;
	b->flash = state_map(fpath, b->flash_size, err, errlen);
	if (b->flash == NULL)
		goto out;
	b->ob = state_map(opath, b->fm->ob_file_len, err, errlen);
	if (b->ob == NULL)
		goto out;
	if (b->fm->otp_size != 0 && (b->otp = state_map(tpath, b->fm->otp_size, err, errlen)) == NULL)
		goto out;
	b->fw_kills_swd = access(b->marker, F_OK) == 0;
	rc = 0;
out:
	free(fpath);
	free(opath);
	free(tpath);
	return rc;
}

void board_state_close(sim_board *b)
{
	if (b->flash != NULL)
		munmap(b->flash, b->flash_size);
	if (b->ob != NULL)
		munmap(b->ob, b->fm->ob_file_len);
	if (b->otp != NULL)
		munmap(b->otp, b->fm->otp_size);
	b->flash = NULL;
	b->ob = NULL;
	b->otp = NULL;
	free(b->dir);
	free(b->marker);
	b->dir = NULL;
	b->marker = NULL;
}

bool board_state_first_time(sim_board *b, const char *name)
{
	char *path = b->dir ? state_path(b->dir, name) : NULL;
	int fd = path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) : -1;

	free(path);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Page 0 erased or chip mass-erased: the seed firmware is gone for good. */
void board_state_firmware_gone(sim_board *b)
{
	if (!b->fw_kills_swd)
		return;
	b->fw_kills_swd = false;
	if (b->marker != NULL)
		unlink(b->marker);
}
