/*
 * loader_ring.h — the code gang runs on the target's core, for every
 * family: programming through a streaming loader fed over a ring in SRAM,
 * and the CRC stub of verify. A family driver describes its loader
 * (gang_loader) and calls these; the ring, the control block
 * (flash/loader_abi.h) and the pacing are the same for all.
 * Internal to src/flash.
 */
#ifndef GANG_FLASH_LOADER_RING_H
#define GANG_FLASH_LOADER_RING_H

#include <stddef.h>
#include <stdint.h>

#include "flash/flash_ops.h"

/* A family's streaming loader and what the host does around it. */
typedef struct gang_loader {
	const uint8_t *code;       /* Thumb machine code (flash/loaders.inc: loader_u16/u32) */
	size_t code_len;
	uint32_t start_off;        /* controller register written before the loader starts (FLASH_CR) */
	uint32_t start_val;        /* its value (PG, and PSIZE on F2/F4/F7); 0: none, the loader sets it (L5/U5) */
	uint32_t sr_off;           /* the controller's status register (FLASH_SR) */
	uint32_t busy;             /* its bits that mean "still programming" */
	uint32_t errs;             /* its bits that mean the program failed */
	uint16_t unit;             /* bytes the loader programs at once (256: a fast-programming row) */
	uint32_t t_unit_ns;        /* typical time to program one unit; 0: the family's t_prog */
	/* map the controller status the loader reported at addr to an error (GANG_OK: none) */
	int (*check)(gang_target *t, uint32_t sr, const char *what, uint32_t addr);
	/* a two-bank loader (H7): where bank 2 starts, the run's units alternating between the banks
	   in the ring (flash/loader_abi.h GANG_LDR_SPLIT); 0: one bank */
	uint32_t split;
	/*
	 * the loader waits for BSY to fall and checks the error bits before it
	 * sets PG (loader_mw.S), so staging may let it go while the last erase
	 * still runs (gang_flash_stage.may_start)
	 */
	bool waits_erase;
	/*
	 * core cycles per unit of the closing CRC pass (loader_mw.S: ldm, a
	 * store per word, the loop's compare and branch), so the host's last
	 * poll is aimed at the result; 0: not known, polls at 90 % of the units
	 * left as before
	 */
	uint8_t crc_cycles;
} gang_loader;

/*
 * Put loader l, the CRC stub, the control block and the first run's first
 * bytes in SRAM and set the core's registers, within about budget_us
 * (the rest of an erase); touches no flash. *st tells gang_loader_program;
 * *used_us is what the transfers cost on the probe's link.
 */
int gang_loader_stage(gang_flash_stage *st, uint64_t *used_us, gang_target *t, const gang_loader *l,
		      const gang_flash_run *runs, size_t n, uint64_t budget_us);
/*
 * The end of the erase a loader staging let go waits out (st->started):
 * poll its control block until it reports the erase clean (*sr_out 0) or
 * failed (*sr_out its status register then, for the driver's check),
 * sleeping expect_us first. Not reported within timeout_ms: the core is
 * halted and the error names the controller's status register.
 */
int gang_loader_erase_wait(uint32_t *sr_out, gang_target *t, const gang_loader *l, unsigned expect_us,
			   unsigned timeout_ms, const char *what);
/* Program the runs (erased where they hold data) through loader l; st (may be NULL) from staging. */
int gang_loader_program(gang_target *t, const gang_loader *l, const gang_flash_run *runs, size_t n,
			const gang_flash_progress *p, const gang_flash_stage *st);

/*
 * SYSCLK up to the family's fast clock (gang_fast_clock), unless this
 * session did it already or must not (a hot-plugged chip, a low supply);
 * *hz_out: the core clock gang's code runs at afterwards.
 */
int gang_loader_clock_up(uint32_t *hz_out, gang_target *t);

/*
 * The CRC unit's result over len bytes (a positive multiple of 4) at addr:
 * the loader's closing pass if it covered exactly this range, else a stub
 * run on the core.
 */
int gang_loader_crc(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len);

#endif
