/*
 * ob.h — option bytes of the F0/F1/F3 block (0x1FFFF800, eight
 * value/complement half-words): decode, declarative write (fields left
 * "unchanged" keep their value; nothing is written when the result equals
 * what the chip holds), and the RDP safety rules: a 1 -> 0 regression
 * (which mass-erases the chip) only when allowed, level 2 only with the
 * exact confirmation sentence.
 *
 * Facts: PM0075 option bytes, RDP and WRP, RM0091 §3 for F0/F3 (layout,
 * RDP values 0xA5 / 0xAA / 0xCC, WRP bit = 0 protected, OPTERR,
 * sequences, reload).
 */
#ifndef GANG_FLASH_OB_H
#define GANG_FLASH_OB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "target/part.h"
#include "target/target.h"

#define GANG_OB_UNCHANGED (-1)
#define GANG_OB_LEVEL2_CONFIRM "I understand this locks the chip forever"
#define GANG_OB_RAW_LEN 16U

typedef struct gang_ob {
	int rdp_level;        /* 0, 1, 2 */
	uint8_t rdp;          /* raw RDP byte */
	uint8_t user;         /* USER byte (F1: b0 WDG_SW, b1 nRST_STOP, b2 nRST_STDBY) */
	uint8_t data0, data1;
	uint32_t wrp;         /* WRP3..WRP0 as FLASH_WRPR: bit = 0 means protected */
	bool opterr;          /* some value/complement pair did not match (reads as 0xFF) */
} gang_ob;

#define GANG_OB_USER_BITS 8U

/* Desired option bytes; every field GANG_OB_UNCHANGED or a value. */
typedef struct gang_ob_want {
	int rdp_level;        /* 0, 1, 2 */
	int user;             /* 0..255 */
	int user_bit[GANG_OB_USER_BITS]; /* 0 or 1 per USER bit, applied after user */
	int data0, data1;     /* 0..255 */
	int64_t wrp;          /* 0..0xFFFFFFFF (bit = 0 protected) */
} gang_ob_want;

/* What a named option-byte field is, whatever its place in the family's block. */
typedef enum gang_ob_kind {
	GANG_OB_KIND_RDP = 0,  /* read-protection level 0, 1 or 2 */
	GANG_OB_KIND_BIT,      /* one USER bit, 0 or 1 */
	GANG_OB_KIND_BYTE,     /* a user data byte, 0..255 */
	GANG_OB_KIND_WRP,      /* write-protection bits (as FLASH_WRPR: bit = 0 protected) */
} gang_ob_kind;

/*
 * One option-byte field of a family, named as its reference manual names
 * it ("nRST_STOP", "Data0"). The family's driver lists its fields
 * (gang_flash_ops.ob_fields) with its own encoding: a USER bit number, or
 * which data byte.
 */
typedef struct gang_ob_field {
	const char *name;
	gang_ob_kind kind;
	uint8_t index;        /* BIT: bit in USER; BYTE: 0 Data0, 1 Data1 */
} gang_ob_field;

typedef struct gang_ob_write_opts {
	bool allow_rdp_regression;     /* RDP 1 -> 0: the chip mass-erases itself */
	const char *confirm_level2;    /* must equal GANG_OB_LEVEL2_CONFIRM for RDP 2 */
} gang_ob_write_opts;

/* A want with every field unchanged. */
void gang_ob_want_init(gang_ob_want *w);

/* The option-byte fields family f has (its driver's list, ended by a NULL name). */
const gang_ob_field *gang_ob_fields(const gang_family *f);
/* The field of f called name (case-insensitive: "nrst_stop" finds nRST_STOP), or NULL. */
const gang_ob_field *gang_ob_field_find(const gang_family *f, const char *name);
/*
 * The comma-separated names of f's fields ("RDP, WDG_SW, ..."), for
 * errors naming what a family has. Always NUL-terminated in out[cap].
 */
void gang_ob_field_list(char *out, size_t cap, const gang_family *f);
/*
 * Set field name of f to value in w. GANG_EUSAGE "option byte nBOOT1 does
 * not exist on the F1 family (it has RDP, WDG_SW, ...)" for a field f
 * lacks; GANG_EUSAGE for a value out of the field's range.
 */
int gang_ob_want_set(gang_ob_want *w, const gang_family *f, const char *name, int64_t value,
		     gang_diag *d);

/* Decode a raw block (GANG_OB_RAW_LEN bytes) for family f, by its driver's encoding. */
void gang_ob_decode(gang_ob *out, const uint8_t *raw, const gang_family *f);
/* Encode ob into family f's raw block (complements filled in, as the hardware stores them). */
void gang_ob_encode(uint8_t *raw, const gang_ob *ob, const gang_family *f);
/* RDP byte that selects a level on family f; GANG_ENOTSUP for level 2 where none exists. */
int gang_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d);

/*
 * Pure policy: the option bytes that result from applying w to cur, or an
 * error: GANG_EUSAGE (value out of range), GANG_EREAD_PROTECTED (1 -> 0
 * not allowed), GANG_ELOCKED_FOREVER (level 2 unconfirmed, or the chip is
 * already at level 2), GANG_ENOTSUP (no level 2 on F1). *changed_out tells
 * whether anything differs.
 */
int gang_ob_plan(gang_ob *out, bool *changed_out, const gang_ob *cur, const gang_ob_want *w,
		 const gang_ob_write_opts *o, const gang_family *f, gang_diag *d);

/* Read and decode the option bytes of the attached chip. */
int gang_ob_read(gang_ob *out, gang_target *t);
/*
 * Compare, skip when equal, else erase and program the block (RDP last),
 * reload (reset; the core is halted again) and read back to confirm.
 * *changed_out (may be NULL) tells whether the chip was written.
 * GANG_EFLASH when the read-back differs.
 */
int gang_ob_write(bool *changed_out, gang_target *t, const gang_ob_want *w,
		  const gang_ob_write_opts *o);

/*
 * WRPR value wrp with the bit covering erase unit `page` (flash/geom.h
 * index) cleared (protected); the last bit covers every later unit.
 */
uint32_t gang_ob_wrp_protect(uint32_t wrp, uint32_t page, const gang_part *part);
/* True when wrp protects erase unit `page` (its bit is 0). */
bool gang_ob_wrp_protects(uint32_t wrp, uint32_t page, const gang_part *part);
/* Lowest flash address write-protected by wrp (bit = 0), or 0 when none; units per bit from part. */
uint32_t gang_ob_wrp_first_page(uint32_t wrp, const gang_part *part);

#endif
