/*
 * loader_mw.S — gang's streaming flash loader for the TrustZone controller
 * of L5/U5, whose program unit is several words stored back to back with
 * PG set: assembled by tools/loader/gen.sh with GANG_LDR_MW_UNIT 8
 * (loader_tz_u64_prog: an L5 double word, RM0438 §6.3.7: the first word
 * then the second, programming starts after the second) and 16
 * (loader_tz_u128_prog: a U5 quad word, RM0456 §7.3.7: four words, 128
 * bits and their ECC, programming starts after the fourth). A separate
 * source from loader.S on purpose: the double-word branch grows loader.S,
 * and the two should merge without touching each other.
 *
 * Protocol: the control block of src/flash/loader_abi.h, started with
 * r0 = its address; DST, DST_END and the ring size are multiples of the
 * unit. The host may publish a write pointer that is not on a unit
 * boundary (a partial block, flash/loader_ring.c), so the loader takes a
 * unit only once all of it is published: its stores then follow each
 * other with no pause. Units that read as erased flash (every word
 * 0xFFFFFFFF) are skipped. The closing CRC read-back pass, the watchdog
 * reload and the result words are those of loader.S. The loader sets PG
 * itself (the host leaves it one USB command less between the erase and
 * the first unit: gang_loader.start_val 0), and only once BSY has fallen:
 * the host may let it go while its last erase (a mass erase) still runs
 * (gang_loader.waits_erase), so the first unit starts when the erase ends
 * instead of after the host's next status poll and a DHCSR write. It then
 * checks the erase's error bits (a failed erase: state ERASE_ERR, SR, and
 * nothing programmed) and reports the clean end in GANG_LDR_ERASED for the
 * host's erase step.
 *
 * Thumb-2 (both families have a Cortex-M33, ARMv8-M mainline, which
 * assembled for it): the next unit is loaded
 * into registers and checked for erased while the previous one programs,
 * so between BSY clearing and the next unit's start there are only the
 * poll's last turn and one stm of the whole unit (programming starts after
 * its last word, RM0438 §6.3.7 / RM0456 §7.3.7), not a word-by-word copy
 * loop: about 23 instructions per unit less at the core's 16 MHz, which
 * on a U5 (82 us per quad word, the bench's unverified figure) is ~1.4 %
 * of the programming time. r12 keeps the unit's address for a failure,
 * lr is scratch.
 */
#include "flash/loader_abi.h"

#if GANG_LDR_MW_UNIT == 8
#define LDR_ENTRY gang_loader_tz_u64_prog
#define LDR_UNIT_REGS {r2, r3}			/* a double word */
#define LDR_CRC_REGS {r3, r4}
#elif GANG_LDR_MW_UNIT == 16
#define LDR_ENTRY gang_loader_tz_u128_prog
#define LDR_UNIT_REGS {r2, r3, r4, r7}		/* a quad word */
#define LDR_CRC_REGS {r3, r4, r6, r7}
#else
#error "GANG_LDR_MW_UNIT must be 8 or 16"
#endif

	.syntax unified
	.cpu cortex-m33
	.thumb
	.text
	.global LDR_ENTRY
	.thumb_func
LDR_ENTRY:
	mov	r5, r0			@ r5 = control block
	ldr	r0, [r5, #GANG_LDR_SR_REG]	@ r0 = FLASH_NSSR or SECSR
	ldr	r1, [r5, #GANG_LDR_DST]	@ r1 = flash destination
	ldr	r2, [r5, #GANG_LDR_DST_END]
	mov	r10, r2			@ r10 = destination end
	ldr	r6, [r5, #GANG_LDR_RING]	@ r6 = read pointer
	mov	r8, r6			@ r8 = ring start
	ldr	r2, [r5, #GANG_LDR_RING_END]
	mov	r9, r2			@ r9 = ring end
	ldr	r2, [r5, #GANG_LDR_BUSY]
	mov	r11, r2			@ r11 = busy bits
	mov	r12, r1
erase:				@ an erase the host let the loader go during: wait it out (PG only after BSY)
	ldr	r2, [r5, #GANG_LDR_IWDG_KR]
	ldr	r3, [r5, #GANG_LDR_RELOAD]
	str	r3, [r2]		@ reload the watchdog while waiting
	ldr	r2, [r0]
	tst	r2, r11
	bne	erase
	ldr	r3, [r5, #GANG_LDR_ERRS]
	tst	r2, r3
	bne	erase_fail		@ the erase failed: program nothing
	movs	r3, #1
	str	r3, [r5, #GANG_LDR_ERASED]
	str	r3, [r0, #8]		@ PG into NSCR or SECCR, 8 bytes above its SR (RM0456 §7.9, RM0438 §6.9)
	cmp	r1, r10
	beq	done
fetch:
	ldr	r2, [r5, #GANG_LDR_WP]	@ wp: how far the host has filled
	cmp	r2, r6
	beq	fetch			@ ring empty: wait for the host
	bcc	1f			@ wp below rp: rp..ring end is full, a whole unit
	subs	r2, r2, r6
	cmp	r2, #(GANG_LDR_MW_UNIT - 1)
	bls	fetch			@ less than a whole unit published yet
1:	ldr	r2, [r5, #GANG_LDR_IWDG_KR]	@ IWDG_KR
	ldr	r3, [r5, #GANG_LDR_RELOAD]
	str	r3, [r2]		@ reload the watchdog
	ldm	r6, LDR_UNIT_REGS	@ the unit, while the previous one programs
	and	lr, r2, r3
#if GANG_LDR_MW_UNIT == 16
	and	lr, lr, r4
	and	lr, lr, r7
#endif
	cmn	lr, #1
	beq	next			@ the whole unit reads erased: skip it
busy:
	ldr	lr, [r0]		@ status: the previous unit done?
	tst	lr, r11
	bne	busy
	stm	r1, LDR_UNIT_REGS	@ the unit's words back to back: it programs
	mov	r12, r1
	ldr	r2, [r0]
	ldr	r3, [r5, #GANG_LDR_ERRS]
	tst	r2, r3
	bne	fail
next:
	adds	r6, r6, #GANG_LDR_MW_UNIT
	cmp	r6, r9
	bne	4f
	mov	r6, r8			@ wrap
4:	str	r6, [r5, #GANG_LDR_RP]	@ publish rp only now: the unit's slots were read
	adds	r1, r1, #GANG_LDR_MW_UNIT
	cmp	r1, r10
	bne	fetch
done:
	ldr	r2, [r0]		@ wait for the last program
	mov	r3, r11
	tst	r2, r3
	bne	done
	ldr	r3, [r5, #GANG_LDR_ERRS]
	tst	r2, r3
	bne	fail
	ldr	r2, [r5, #GANG_LDR_CRC_DR]	@ closing read-back pass through the CRC unit?
	cmp	r2, #0
	beq	ok
	movs	r3, #1
	str	r3, [r2, #8]		@ CRC_CR.RESET
	ldr	r1, [r5, #GANG_LDR_DST]
crc:
	ldmia	r1!, LDR_CRC_REGS	@ what the flash holds now, a unit at a time: runs are whole units
	str	r3, [r2]
	str	r4, [r2]
#if GANG_LDR_MW_UNIT == 16
	str	r6, [r2]
	str	r7, [r2]
#endif
	cmp	r1, r10
	bne	crc
	ldr	r3, [r2]
	str	r3, [r5, #GANG_LDR_CRC]
ok:
	movs	r3, #GANG_LDR_STATE_OK
	str	r3, [r5, #GANG_LDR_STATE]
	bkpt	#0
fail:
	str	r2, [r5, #GANG_LDR_SR]
	mov	r3, r12
	str	r3, [r5, #GANG_LDR_ADDR]
	movs	r3, #GANG_LDR_STATE_ERR
	str	r3, [r5, #GANG_LDR_STATE]
	bkpt	#0
erase_fail:
	str	r2, [r5, #GANG_LDR_SR]
	mov	r3, r12
	str	r3, [r5, #GANG_LDR_ADDR]
	movs	r3, #GANG_LDR_STATE_ERASE_ERR
	str	r3, [r5, #GANG_LDR_STATE]
	bkpt	#0
