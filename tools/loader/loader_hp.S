/*
 * loader_hp.S — the half-page variant of loader.S for the L0/L1 PECR
 * controller, assembled by tools/loader/gen.sh for 64-byte (L0, 16 words)
 * and 128-byte (L1, 32 words) half pages: GANG_LDR_UNIT 64
 * (gang_loader_hp64_prog) and 128 (gang_loader_hp128_prog).
 *
 * The same control block and ring protocol as loader.S
 * (src/flash/loader_abi.h); the host sets PECR.FPRG, then PECR.FPRG|PROG,
 * before starting it (RM0377 §3.3.4 "Program a half page", RM0038 §3.9.5).
 * Per half page: wait until the host has put a whole one in the ring, skip
 * it when every word is 0x00 (the PECR controller's erased value), else
 * wait for BSY to clear and store its words to consecutive flash addresses
 * back to back, from SRAM, as the RM requires (an interrupted burst or an
 * access to flash in between aborts it with FWWERR/PGAERR). Thumb-1 only:
 * the L0's Cortex-M0+ runs it, so does the L1's M3.
 */
#include "flash/loader_abi.h"

#if GANG_LDR_UNIT == 64
#define LDR_ENTRY gang_loader_hp64_prog
#elif GANG_LDR_UNIT == 128
#define LDR_ENTRY gang_loader_hp128_prog
#else
#error "GANG_LDR_UNIT must be 64 or 128"
#endif

	.syntax unified
	.cpu cortex-m0
	.thumb
	.text
	.global LDR_ENTRY
	.thumb_func
LDR_ENTRY:
	mov	r5, r0			@ r5 = control block
	ldr	r0, [r5, #GANG_LDR_SR_REG]	@ r0 = FLASH_SR
	ldr	r1, [r5, #GANG_LDR_DST]	@ r1 = flash destination (half-page aligned)
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
	subs	r2, r2, r6		@ bytes filled past rp ...
	bpl	1f
	add	r2, r2, r9		@ ... across the wrap: + ring size
	mov	r3, r8
	subs	r2, r2, r3
1:	cmp	r2, #GANG_LDR_UNIT
	blo	fetch			@ less than a half page: wait for the host
	movs	r3, #0
	movs	r4, #0			@ r4 = OR of the half page's words
2:	ldr	r7, [r6, r3]
	orrs	r4, r7
	adds	r3, r3, #4
	cmp	r3, #GANG_LDR_UNIT
	bne	2b
	cmp	r4, #0
	beq	next			@ all 0x00 = erased: nothing to program
busy:
	ldr	r2, [r0]		@ FLASH_SR
	mov	r3, r11
	tst	r2, r3
	bne	busy
	mov	r12, r1
	movs	r3, #0
3:	ldr	r7, [r6, r3]		@ the burst: word after word, nothing in between
	str	r7, [r1, r3]
	adds	r3, r3, #4
	cmp	r3, #GANG_LDR_UNIT
	bne	3b
	ldr	r2, [r0]
	ldr	r3, [r5, #GANG_LDR_ERRS]
	tst	r2, r3
	bne	fail
next:
	ldr	r2, [r5, #GANG_LDR_IWDG_KR]	@ IWDG_KR
	ldr	r3, [r5, #GANG_LDR_RELOAD]
	str	r3, [r2]		@ reload the watchdog
	adds	r6, r6, #GANG_LDR_UNIT
	cmp	r6, r9
	bne	4f
	mov	r6, r8			@ wrap
4:	str	r6, [r5, #GANG_LDR_RP]	@ publish rp: that half page may be refilled
	adds	r1, r1, #GANG_LDR_UNIT
	cmp	r1, r10
	bne	fetch
done:
	ldr	r2, [r0]		@ wait for the last half page
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
	ldr	r3, [r1]
	str	r3, [r2]
	adds	r1, r1, #4
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
