/*
 * flash_ops.h — the family flash-driver table. A controller is one file
 * that fills a const gang_flash_ops plus its entry in flash_ops.c; the
 * family rows in target/part.c name the controller
 * (docs/architecture.md "Adding things"; what differs per controller:
 * PM0075 for F1, RM0091 §3 for F0).
 *
 * Every operation expects a halted core and reports through the target's
 * gang_diag. Addresses are absolute.
 */
#ifndef GANG_FLASH_FLASH_OPS_H
#define GANG_FLASH_FLASH_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "flash/flash.h"
#include "flash/ob.h"
#include "target/target.h"

/* Progress sink handed to long operations. */
typedef struct gang_flash_progress {
	gang_progress_fn fn;       /* may be NULL */
	void *user;
	const char *step;
	uint64_t base;             /* bytes done before this operation */
	uint64_t total;
} gang_flash_progress;

void gang_flash_progress_report(const gang_flash_progress *p, uint64_t done);

/*
 * What staging put in SRAM ahead of programming (flash/loader_ring.c):
 * the loader, its control block and the first run's first bytes, with the
 * core's registers set, so the program step only has to let it go.
 */
typedef struct gang_flash_stage {
	bool staged;
	uint32_t sent;             /* bytes of the first run already in the ring */
	bool may_start;            /* in: the erase running is the last before programming (gang_flash_overlap.last) */
	bool started;              /* the loader was let go during that erase and waits it out itself */
} gang_flash_stage;

/*
 * Work an erase overlaps: a driver's erase calls fn at most once, right
 * after starting its first operation, with the time it expects that
 * operation to take; flash never stalls SRAM or core-register accesses,
 * so uploads fit there (PM0075 §2.3: only flash reads wait on BSY). fn
 * says in *used_us what its transfers cost on the link (a simulated link
 * may take no wall time for them).
 */
typedef struct gang_flash_overlap {
	int (*fn)(void *ctx, uint64_t budget_us, uint64_t *used_us);
	void *ctx;
	bool done;
	/*
	 * Set by the driver before the run: the erase in progress is the last
	 * before programming (a mass erase), so staging may let a loader that
	 * waits out a running erase go (gang_loader.waits_erase).
	 */
	bool last;
	bool started;              /* out: it did; the driver learns the erase's end from the loader */
} gang_flash_overlap;

/* Monotonic microseconds. */
uint64_t gang_flash_now_us(void);
/* Run ov once (NULL or done: nothing); *spent_us: the longer of its wall time and its link cost. */
int gang_flash_overlap_run(uint64_t *spent_us, gang_flash_overlap *ov, uint64_t budget_us);

/* Size of the raw option-byte block the ob_read/ob_write operations move. */
#define GANG_OB_RAW_MAX GANG_OB_RAW_LEN

typedef struct gang_flash_ops {
	const char *name;
	int (*unlock)(gang_target *t);
	int (*lock)(gang_target *t);
	/* ov (may be NULL) runs while the controller erases */
	int (*mass_erase)(gang_target *t, gang_flash_overlap *ov);
	/*
	 * erase units first..first+count-1 (flash/geom.h indices); progress in
	 * bytes erased. The generic layer passes one unit at a time and hears a
	 * stop between them, unless erase_steps_stop is set.
	 */
	int (*erase_units)(gang_target *t, unsigned first, unsigned count, const gang_flash_progress *p,
			   gang_flash_overlap *ov);
	/*
	 * erase_units takes a whole range and hears a stop itself between the
	 * steps it erases at once (gang_target_stop_check; H7: a sector of each
	 * bank together, which one unit per call would serialize)
	 */
	bool erase_steps_stop;
	/* optional: stage the program of runs in SRAM within about budget_us, touching no flash */
	int (*program_stage)(gang_flash_stage *st, gang_target *t, const gang_flash_run *runs, size_t n,
			     uint64_t budget_us, uint64_t *used_us);
	/* program the runs (already erased where they hold data); st: what staging did (may be NULL) */
	int (*program)(gang_target *t, const gang_flash_run *runs, size_t n, const gang_flash_progress *p,
		       const gang_flash_stage *st);
	/* CRC unit result over len bytes (multiple of 4) at addr */
	int (*crc)(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len);
	/* the raw option-byte block (value/complement pairs), *len_out bytes */
	int (*ob_read)(uint8_t *raw, size_t *len_out, gang_target *t);
	/* erase and rewrite the whole block (RDP last), reload it, halt again */
	int (*ob_write)(gang_target *t, const uint8_t *raw, size_t len);
	/* the named option-byte fields of family f (a NULL name ends the list) */
	const gang_ob_field *(*ob_fields)(const gang_family *f);
	/*
	 * optional: the traits of part p (a bit mask) for fields only some parts
	 * have (gang_ob_field.parts; H7: single core, dual core, two banks), and
	 * the parts each field's traits stand for in a refusal (ob_classes[parts])
	 */
	unsigned (*ob_part_class)(const gang_part *p);
	const char *const *ob_classes;
	/* optional: what option bytes ob mean for the operator beyond the fields (H7: the banks swapped); "" none */
	void (*ob_note)(char *out, size_t cap, const gang_ob *ob, const gang_part *p);
	/* the family's encoding: raw block (as ob_read gives it) <-> gang_ob, and RDP byte per level */
	void (*ob_decode)(gang_ob *out, const uint8_t *raw, const gang_family *f);
	void (*ob_encode)(uint8_t *raw, const gang_ob *ob, const gang_family *f);
	int (*ob_rdp_byte)(uint8_t *out, int level, const gang_family *f, gang_diag *d);
	/* optional: program len bytes of OTP at addr (unlocked; 0xFF bytes skipped) */
	int (*otp_write)(gang_target *t, uint32_t addr, const uint8_t *data, size_t len);
	/* optional: what a want can never do on this family whatever the chip holds, told when a profile loads */
	int (*ob_want_check)(const gang_ob_want *w, const gang_family *f, gang_diag *d);
	/* optional: the family's refusals of cur -> next beyond the RDP rules (irreversible bits) */
	int (*ob_policy)(const gang_ob *cur, const gang_ob *next, const gang_ob_write_opts *o,
			 const gang_family *f, gang_diag *d);
	/*
	 * optional: cur -> next is a change the chip takes only in two writes,
	 * mid first (reloaded and read back), then next; false when one write
	 * does (L5/U5: TZEN = 1, then RDP 0.5)
	 */
	bool (*ob_stage)(gang_ob *mid, const gang_ob *cur, const gang_ob *next, const gang_family *f);
	/* optional: the part's data EEPROM [*lo, *hi) (L0/L1), false when it has none */
	bool (*eeprom_range)(uint32_t *lo, uint32_t *hi, const gang_part *p);
	/* write len bytes of data EEPROM at addr (locked before and after; unchanged words skipped) */
	int (*eeprom_write)(gang_target *t, uint32_t addr, const uint8_t *data, size_t len);
} gang_flash_ops;

/* F0/F1/F3 FPEC (0x40022000). */
extern const gang_flash_ops gang_flash_ops_f1;
/* F2/F4/F7 sector controller (0x40023C00). */
extern const gang_flash_ops gang_flash_ops_f4;
/* L0/L1 PECR controller (0x40022000, 0x40023C00). */
extern const gang_flash_ops gang_flash_ops_l0;
/* G0/G4/L4/L4+/WB/WL/C0 double-word controller (0x40022000, 0x58004000 on WB/WL). */
extern const gang_flash_ops gang_flash_ops_l4;
/* H7 two-bank controller (0x52002000, bank 2 at +0x100). */
extern const gang_flash_ops gang_flash_ops_h7;

/* L5/U5 TrustZone controller (non-secure 0x40022000, secure 0x50022000). */
extern const gang_flash_ops gang_flash_ops_tz;

/* The driver of family f's flash controller (never NULL for a family in target/part.c). */
const gang_flash_ops *gang_flash_ops_of(const gang_family *f);

#endif
