/*
 * flash.h — gang's generic flash layer: program an image (erase of the
 * pages it touches, a mass erase, or none; streamed through the family's
 * on-target loader), verify it (on-target CRC unit or full read-back),
 * read flash out, erase, blank check; and the pure helpers behind them
 * (page and program-run planning, host CRC-32/MPEG-2).
 *
 * Facts: PM0075 and RM0091 §3 (FPEC, erase units, option bytes: RDP
 * level 1 blocks debugger flash access), DS5792 flash timing table (the
 * floor is erase + programmed half-words x t_prog; docs/benchmarks.md),
 * RM0008 §4 (CRC unit and its byte order). Family drivers:
 * flash/flash_ops.h.
 *
 * Errors go to the target's gang_diag. Threading: as the gang_target.
 */
#ifndef GANG_FLASH_FLASH_H
#define GANG_FLASH_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "image/image.h"
#include "target/target.h"

typedef enum gang_erase_mode {
	GANG_ERASE_PAGES = 0,      /* exactly the pages the image touches */
	GANG_ERASE_MASS,           /* the whole main flash */
	GANG_ERASE_NONE,           /* flash is known to be erased */
} gang_erase_mode;

typedef enum gang_verify_mode {
	GANG_VERIFY_CRC = 0,       /* CRC unit on target vs host CRC; read-back only to locate a mismatch */
	GANG_VERIFY_READBACK,      /* every byte read back */
	GANG_VERIFY_NONE,
} gang_verify_mode;

/* Progress: step is "erase", "program", "verify" or "unprotect"; done/total in bytes. */
typedef void (*gang_progress_fn)(void *user, const char *step, uint64_t done, uint64_t total);

typedef struct gang_program_opts {
	gang_erase_mode erase;
	bool allow_unprotect;      /* RDP level 1 board: regress to level 0 (mass-erases it) first */
	gang_progress_fn progress; /* may be NULL */
	void *user;
} gang_program_opts;

const char *gang_erase_mode_name(gang_erase_mode m);
int gang_erase_mode_parse(const char *s);      /* "pages" (or "sectors"), "mass", "none"; -1 if unknown */
const char *gang_verify_mode_name(gang_verify_mode m);
int gang_verify_mode_parse(const char *s);     /* "crc", "readback", "none"; -1 if unknown */

/*
 * Erase as asked, program every segment of img, leave the FPEC locked.
 * Errors: GANG_EIMAGE (outside the part's flash), GANG_EREAD_PROTECTED
 * (RDP 1 without allow_unprotect), GANG_EWRITE_PROTECTED (names the page
 * or half-word), GANG_EFLASH ("PGERR at 0x08001234 (FLASH_SR=0x...)"),
 * probe/target errors.
 */
int gang_flash_program_image(gang_target *t, const gang_image *img, const gang_program_opts *o);
/* GANG_EVERIFY "verify failed at 0x08012344: wrote 0x.. read 0x.." on a mismatch. */
int gang_flash_verify(gang_target *t, const gang_image *img, gang_verify_mode mode,
		      gang_progress_fn progress, void *user);
/*
 * *same_out: flash already holds img (the CRC unit over each program run
 * equals the host's CRC of the same bytes; gaps in a run count as the
 * erased value), so erase and program can be skipped. Nothing is read
 * back. GANG_EREAD_PROTECTED under RDP 1; probe and target errors.
 */
int gang_flash_same(bool *same_out, gang_target *t, const gang_image *img);
/* Read len bytes of flash at addr. GANG_EREAD_PROTECTED under RDP 1; GANG_EUSAGE outside flash. */
int gang_flash_read(uint8_t *buf, gang_target *t, uint32_t addr, size_t len);
/* Mass erase of main flash (option bytes untouched). */
int gang_flash_erase_mass(gang_target *t);
/* Erase the erase units (pages or sectors) overlapping [addr, addr + len). */
int gang_flash_erase_range(gang_target *t, uint32_t addr, uint32_t len);
/* GANG_EFLASH "flash not blank at 0x...: reads 0x.." unless [addr, addr + len) is all erased. */
int gang_flash_blank_check(gang_target *t, uint32_t addr, uint32_t len);
/* Regress RDP 1 -> 0 (the chip mass-erases itself), keeping the other option bytes (L0 PCROP goes with it). */
int gang_flash_unprotect(gang_target *t);

/* What confirms a write to one-time-programmable memory. */
#define GANG_OTP_CONFIRM "I understand OTP bytes can never be erased"
/* The family's OTP area with its lock bytes, [*lo, *hi); false when the family has none. */
bool gang_flash_otp_range(uint32_t *lo, uint32_t *hi, const gang_part *part);
/*
 * Write img (every segment inside the OTP area and its lock bytes, RM0090
 * §3.8) once: bytes that already hold the wanted value are left, a byte
 * that holds another value is GANG_EFLASH naming it (OTP is written
 * once); anything to write needs confirm == GANG_OTP_CONFIRM, else
 * GANG_ELOCKED_FOREVER saying what becomes permanent. Read back after:
 * GANG_EVERIFY. GANG_ENOTSUP on a family without OTP.
 */
int gang_flash_otp_program(gang_target *t, const gang_image *img, const char *confirm);

/* The part's data EEPROM (L0/L1, at 0x08080000), [*lo, *hi); false when it has none. */
bool gang_flash_eeprom_range(uint32_t *lo, uint32_t *hi, const gang_part *part);
/*
 * Write img (every segment inside the data EEPROM) word by word (RM0377
 * §3.3.4: no erase step, the controller erases a word it rewrites); words
 * already holding their bytes are left. Read back after: GANG_EVERIFY at
 * the first difference. GANG_EIMAGE for data outside the EEPROM,
 * GANG_ENOTSUP on a part without one. gang_flash_program_image calls it for
 * an image's EEPROM segments, after the flash.
 */
int gang_flash_eeprom_program(gang_target *t, const gang_image *img);

/* ---- pure helpers (no target) ----------------------------------------------- */

typedef struct gang_flash_range {
	uint32_t addr;
	uint32_t len;
} gang_flash_range;

/*
 * The erase-unit-aligned ranges (adjacent units merged) that img touches
 * in the flash g describes (pages or sectors of any size). *out is
 * malloc'd. GANG_EIMAGE naming the first address outside the flash.
 */
int gang_flash_plan_units(gang_flash_range **out, size_t *n_out, const gang_image *img,
			  const gang_flash_geom *g, gang_diag *d);

/* A contiguous word-aligned stretch to program; bytes not in the image are the erased value. */
typedef struct gang_flash_run {
	uint32_t addr;             /* multiple of 4 */
	uint32_t len;              /* multiple of 4 */
	uint8_t *data;             /* owned */
} gang_flash_run;

/*
 * Program runs for img: segments widened to whole program units (unit:
 * the part's geom.write_unit, at least a word), padding and gaps of at
 * most join_gap bytes filled with erased (the part's erased value: the
 * loader skips erased units, so filling costs transfer only), so small
 * gaps do not cost a loader start each. Segments sharing a unit are always
 * one run, so no unit is programmed twice.
 */
int gang_flash_plan_runs(gang_flash_run **out, size_t *n_out, const gang_image *img,
			 uint32_t join_gap, uint8_t erased, uint32_t unit);
void gang_flash_runs_free(gang_flash_run *runs, size_t n);

/* CRC-32/MPEG-2 (poly 0x04C11DB7, init 0xFFFFFFFF, no reflection, xorout 0) over bytes. */
uint32_t gang_crc32_mpeg2(uint32_t crc, const uint8_t *buf, size_t len);
/*
 * What the STM32 CRC unit computes over memory holding buf: each
 * little-endian word fed MSB first, a short tail padded with 0xFF.
 */
uint32_t gang_crc32_stm32(const uint8_t *buf, size_t len);

#endif
