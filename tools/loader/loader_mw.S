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
 * reload and the result words are those of loader.S. Thumb-1 only (the
 * Cortex-M33 runs it; M0 subset for one toolchain invocation).
 */
#include "flash/loader_abi.h"

#if GANG_LDR_MW_UNIT == 8
#define LDR_ENTRY gang_loader_tz_u64_prog
#elif GANG_LDR_MW_UNIT == 16
#define LDR_ENTRY gang_loader_tz_u128_prog
#else
#error "GANG_LDR_MW_UNIT must be 8 or 16"
#endif

	.syntax unified
	.cpu cortex-m0
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
	movs	r4, #0
	mvns	r4, r4
	movs	r2, #(GANG_LDR_MW_UNIT - 4)
2:	ldr	r3, [r6, r2]		@ AND of the unit's words
	ands	r4, r3
	subs	r2, r2, #4
	bpl	2b
	adds	r4, r4, #1
	beq	next			@ the whole unit reads erased: skip it
busy:
	ldr	r2, [r0]		@ status: the previous unit done?
	mov	r3, r11
	tst	r2, r3
	bne	busy
	mov	r12, r1
	movs	r2, #0
3:	ldr	r3, [r6, r2]		@ the unit's words back to back
	str	r3, [r1, r2]
	adds	r2, r2, #4
	cmp	r2, #GANG_LDR_MW_UNIT
	bne	3b
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
	ldmia	r1!, {r3, r4}		@ what the flash holds now: runs are whole units
	str	r3, [r2]
	str	r4, [r2]
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
