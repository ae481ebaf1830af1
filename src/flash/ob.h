/*
 * ob.h — option bytes as a family's named fields, whatever the family
 * stores them in (the F0/F1/F3 block of value/complement half-words at
 * 0x1FFFF800, the F2/F4/F7 FLASH_OPTCR/OPTCR1 words): decode through the
 * family driver, declarative write (fields left "unchanged" keep their
 * value; nothing is written when the result equals what the chip holds),
 * and the RDP safety rules: a 1 -> 0 regression (which mass-erases the
 * chip) only when allowed, level 2 only with the exact confirmation
 * sentence.
 *
 * Facts: PM0075 option bytes, RDP and WRP, RM0091 §3 for F0/F3 (layout,
 * RDP values 0xA5 / 0xAA / 0xCC, WRP bit = 0 protected, OPTERR,
 * sequences, reload); RM0090 §3.7 for F2/F4/F7 (OPTCR user bits, RDP,
 * nWRP bit = 0 protected, one bit per sector).
 */
#ifndef GANG_FLASH_OB_H
#define GANG_FLASH_OB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "target/part.h"
#include "target/target.h"

#define GANG_OB_UNCHANGED (-1)
#define GANG_OB_LEVEL2_CONFIRM "I understand this locks the chip forever"
#define GANG_OB_RAW_LEN 40U      /* the largest block: L1's ten option words */
/*
 * Data words beyond data0/data1 (BYTE and WRP fields from index 2): L5/U5
 * WRP2A/2B, SECWMx, WRPxy UNLOCK, HDPxEN and HDPx_PEND; L0/L1 WRP2..WRP4
 * and PCROP.
 */
#define GANG_OB_MORE 12U
/*
 * RDP level 0.5 (L5/U5 with TrustZone on: RDP byte 0x55 and TZEN = 1,
 * RM0438 §6.6.2, RM0456 §7.6.2) as gang_ob.rdp_level and
 * gang_ob_want.rdp_level hold it: a code, not a number between 0 and 1.
 * Print a level with gang_ob_rdp_name.
 */
#define GANG_OB_RDP_LEVEL05 5
/* WRP words a family may have: L1 Cat.5/6 protects 128 sectors of 4 KiB (RM0038 §3.8.1). */
#define GANG_OB_WRP_WORDS 4U

typedef struct gang_ob {
	int rdp_level;        /* 0, 1, 2 or GANG_OB_RDP_LEVEL05 */
	uint8_t rdp;          /* raw RDP byte */
	uint32_t user;        /* user bits as the family's driver places them (F1: the USER byte;
				 F2/F4/F7: FLASH_OPTCR without RDP, nWRP, OPTLOCK, OPTSTRT) */
	uint16_t data0, data1;/* F0/F1/F3 Data0/Data1; F7 BOOT_ADD0/BOOT_ADD1 */
	uint32_t wrp;         /* write protection, bit = 0 protected (F1 FLASH_WRPR, F2/F4/F7 nWRP
				 with bank 2's sectors from bit 12); more WRP words in more[] */
	bool opterr;          /* some value/complement pair did not match (reads as 0xFF) */
	uint32_t more[GANG_OB_MORE]; /* BYTE fields index 2.. (0 where the family has none) */
} gang_ob;

/* Desired option bytes; every field GANG_OB_UNCHANGED or a value. */
typedef struct gang_ob_want {
	int rdp_level;        /* 0, 1, 2 or GANG_OB_RDP_LEVEL05 (L5/U5) */
	int64_t user;         /* the whole user word, 0..0xFFFFFFFF */
	uint32_t user_mask;   /* user bits set by named fields, applied after user */
	uint32_t user_val;
	int data0, data1;     /* 0..0xFFFF (the field's width limits it) */
	int64_t wrp;          /* 0..0xFFFFFFFF (bit = 0 protected) */
	int64_t more[GANG_OB_MORE]; /* BYTE fields index 2.. */
} gang_ob_want;

/* What a named option-byte field is, whatever its place in the family's block. */
typedef enum gang_ob_kind {
	GANG_OB_KIND_RDP = 0,  /* read-protection level 0, 1 or 2 (L5/U5 also GANG_OB_RDP_LEVEL05) */
	GANG_OB_KIND_BIT,      /* width user bits from bit index (BOR_LEV: 2 bits) */
	GANG_OB_KIND_BYTE,     /* a data word of width bits: Data0/Data1, BOOT_ADD0/1 (index 2..: gang_ob.more) */
	GANG_OB_KIND_WRP,      /* write-protection bits (as FLASH_WRPR: bit = 0 protected); index 0: the
				  first 32 bits (gang_ob.wrp), 2..: the next words (gang_ob.more) */
} gang_ob_kind;

/*
 * One option-byte field of a family, named as its reference manual names
 * it ("nRST_STOP", "Data0", "BOR_LEV"). The family's driver lists its
 * fields (gang_flash_ops.ob_fields) with its own encoding: the first user
 * bit and the width, or which data word.
 */
typedef struct gang_ob_field {
	const char *name;
	gang_ob_kind kind;
	uint8_t index;        /* BIT: first bit in user; BYTE: 0 data0, 1 data1, 2.. more[index - 2];
				 WRP: 0 wrp, 2.. more[index - 2] */
	uint8_t width;        /* BIT and BYTE: bits (0 means 1 for BIT, 8 for BYTE) */
	uint8_t parts;        /* 0: every part of the family; else the traits a part needs, all of
				 them (gang_flash_ops.ob_part_class: H7 single core, dual core, two banks) */
} gang_ob_field;

typedef struct gang_ob_write_opts {
	bool allow_rdp_regression;     /* RDP 1 -> 0: the chip mass-erases itself */
	const char *confirm_level2;    /* must equal GANG_OB_LEVEL2_CONFIRM for RDP 2 */
} gang_ob_write_opts;

/* A level as the operator writes it: "0", "0.5", "1", "2" ("?" for anything else). */
const char *gang_ob_rdp_name(int level);

/* A want with every field unchanged. */
void gang_ob_want_init(gang_ob_want *w);

/* The option-byte fields family f has (its driver's list, ended by a NULL name). */
const gang_ob_field *gang_ob_fields(const gang_family *f);
/* The field of f called name (case-insensitive: "nrst_stop" finds nRST_STOP), or NULL. */
const gang_ob_field *gang_ob_field_find(const gang_family *f, const char *name);
/* f's first write-protection field ("WRP" on F0/F1/F3 and L0/L1, "nWRP" on F2/F4/F7), or NULL. */
const gang_ob_field *gang_ob_field_wrp(const gang_family *f);
/* The largest value field k takes (RDP 2, a bit 1, BOR_LEV 3, Data0 255, WRP 0xFFFFFFFF). */
int64_t gang_ob_field_max(const gang_ob_field *k);
/* The value of field k in ob (RDP: its level). */
int64_t gang_ob_field_get(const gang_ob *ob, const gang_ob_field *k);
/*
 * The comma-separated names of f's fields ("RDP, WDG_SW, ..."), for
 * errors naming what a family has. Always NUL-terminated in out[cap].
 */
void gang_ob_field_list(char *out, size_t cap, const gang_family *f);
/* True when part p has field k (a field of p's family; k->parts 0 or among p's traits). */
bool gang_ob_field_on(const gang_ob_field *k, const gang_part *p);
/* The comma-separated names of the fields part p has, as gang_ob_field_list. */
void gang_ob_part_field_list(char *out, size_t cap, const gang_part *p);
/*
 * GANG_OK when part p has field k, else GANG_EUSAGE "option byte
 * BOOT_CM4_ADD0 exists only on the dual-core H745/H747/H755/H757, not on
 * the STM32H743ZI (it has ...)" (the parts named by ob_classes[k->parts]).
 */
int gang_ob_field_check_part(const gang_ob_field *k, const gang_part *p, gang_diag *d);
/* What ob means for the operator beyond its fields (the family driver's ob_note), or "". */
void gang_ob_note(char *out, size_t cap, const gang_ob *ob, const gang_part *p);
/* What w can never do on family f, whatever the chip holds (its driver's ob_want_check): GANG_OK or why. */
int gang_ob_want_check(const gang_ob_want *w, const gang_family *f, gang_diag *d);
/* gang_ob_want_set for part p: a field of its family the part lacks is refused as above. */
int gang_ob_want_set_part(gang_ob_want *w, const gang_part *p, const char *name, int64_t value,
			  gang_diag *d);
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
/* The register bits the BIT fields of a list own (a NULL name ends it): what a family's user options are. */
uint32_t gang_ob_bit_mask(const gang_ob_field *fields);
/*
 * The RDP byte for level 0, 1 or 2 on a family whose level 0 and 2 are its
 * row's bytes and whose level 1 is any other byte (level1, the one gang
 * writes); GANG_EUSAGE for any other level (level 0.5: "exists only on the
 * L5 and U5 families"). The drivers' ob_rdp_byte.
 */
int gang_ob_rdp_levels(uint8_t *out, int level, const gang_family *f, uint8_t level1, gang_diag *d);
/* RDP byte that selects a level on family f; GANG_ENOTSUP for level 2 where none exists. */
int gang_ob_rdp_byte(uint8_t *out, int level, const gang_family *f, gang_diag *d);

/*
 * Pure policy: the option bytes that result from applying w to cur, or an
 * error: GANG_EUSAGE (value out of range), GANG_EREAD_PROTECTED (1 -> 0
 * or 0.5 -> 0 not allowed), GANG_ELOCKED_FOREVER (level 2 unconfirmed, or the chip is
 * already at level 2), GANG_ENOTSUP (no level 2 on F1). *changed_out tells
 * whether anything differs.
 */
int gang_ob_plan(gang_ob *out, bool *changed_out, const gang_ob *cur, const gang_ob_want *w,
		 const gang_ob_write_opts *o, const gang_family *f, gang_diag *d);

/* Read and decode the option bytes of the attached chip. */
int gang_ob_read(gang_ob *out, gang_target *t);
/* The same, with the bytes the family's block holds on this part (*len_out <= GANG_OB_RAW_LEN). */
int gang_ob_read_len(gang_ob *out, size_t *len_out, gang_target *t);
/*
 * Compare, skip when equal, else erase and program the block (RDP last),
 * reload (reset; the core is halted again) and read back to confirm.
 * *changed_out (may be NULL) tells whether the chip was written.
 * GANG_EFLASH when the read-back differs.
 */
int gang_ob_write(bool *changed_out, gang_target *t, const gang_ob_want *w,
		  const gang_ob_write_opts *o);

/*
 * The write protection of a family as one bit string over its WRP fields
 * in list order (F1: one word; L0: WRP, WRP2; L1: WRP..WRP4), bit = 0
 * protected; n words, the rest all ones.
 */
typedef struct gang_ob_wrp_bits {
	uint32_t w[GANG_OB_WRP_WORDS];
	unsigned n;
} gang_ob_wrp_bits;

/* Nothing protected, with f's number of WRP words (0 when f has none). */
void gang_ob_wrp_none(gang_ob_wrp_bits *out, const gang_family *f);
/* The WRP words of ob, by f's WRP fields. */
void gang_ob_wrp_of(gang_ob_wrp_bits *out, const gang_ob *ob, const gang_family *f);
/* Set every WRP field of f in w from b. */
int gang_ob_want_wrp(gang_ob_want *w, const gang_ob_wrp_bits *b, const gang_family *f, gang_diag *d);
/*
 * Protect erase unit `page` (flash/geom.h index): the bit covering it
 * cleared; with one word, the last bit covers every later unit (F1).
 */
void gang_ob_wrp_protect(gang_ob_wrp_bits *b, uint32_t page, const gang_part *part);
/* True when b protects erase unit `page` (its bit is 0). */
bool gang_ob_wrp_protects(const gang_ob_wrp_bits *b, uint32_t page, const gang_part *part);
/* Lowest flash address write-protected by b, or 0 when none; units per bit from part. */
uint32_t gang_ob_wrp_first_page(const gang_ob_wrp_bits *b, const gang_part *part);

#endif
