/*
 * loader.S — gang's streaming flash loader for controllers that program
 * one unit per store with PG set, assembled four times by
 * tools/loader/gen.sh: GANG_LDR_UNIT 2 (gang_loader_u16_prog, half-words),
 * 4 (gang_loader_u32_prog, words), 8 (gang_loader_u64_prog, double words)
 * and 256 (gang_loader_row_prog, fast-programming rows of 32 double
 * words). They serve the F0/F1/F3 FPEC (PM0075, RM0091 §3: half-words),
 * the F2/F4/F7 sector controller (RM0090 §3.6: half-words at PSIZE x16,
 * words at x32) and the G0/G4/L4/L4+/WB/WL/C0 double-word controller
 * (RM0351 §3.3.7: a double word is the first word at an 8-aligned address
 * then the second, programming starts after the second; §3.3.7 fast
 * programming: with FSTPG the 64 words of a 256-byte row follow each other
 * with no pause, or MISSERR). It knows program units, not controllers: the
 * status register and its busy and error bits come in the control block.
 * Thumb-1 only (Cortex-M0 subset), so one binary serves the M0, M0+, M3,
 * M4 and M7 cores.
 *
 * Protocol: the control block of src/flash/loader_abi.h (included below,
 * the same file the host compiles), started with r0 = its address; the
 * ring holds units. The host arms programming (FLASH_CR.PG or FSTPG, and
 * PSIZE where there is one) before starting and locks the controller
 * afterwards. The row variant needs the ring size, DST and DST_END to be
 * multiples of 256 and takes a row only once the host has published all
 * of it, so its 64 stores go back to back.
 *
 * Speed: the loop starts a program, then fetches and checks the next value
 * while the controller is busy, and only then polls the busy bits, so the
 * gap between them clearing and the next start is a short poll plus the
 * store. Units (rows) that read as erased flash are skipped. When
 * the host names the CRC unit (GANG_LDR_CRC_DR), the loader ends by reading
 * the whole run back from flash through it, as verify's CRC stub would, so
 * verify needs no second start of the core. The independent watchdog is
 * reloaded for every unit: a hardware watchdog runs while the core runs,
 * and IWDG_STOP only freezes it while halted.
 */
#include "flash/loader_abi.h"

#if GANG_LDR_UNIT == 2
#define LDR_ENTRY gang_loader_u16_prog
#define LDR_LOAD  ldrh
#define LDR_STORE strh
#elif GANG_LDR_UNIT == 4
#define LDR_ENTRY gang_loader_u32_prog
#define LDR_LOAD  ldr
#define LDR_STORE str
#elif GANG_LDR_UNIT == 8
#define LDR_ENTRY gang_loader_u64_prog
#elif GANG_LDR_UNIT == 256
#define LDR_ENTRY gang_loader_row_prog
#else
#error "GANG_LDR_UNIT must be 2, 4, 8 or 256"
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
	ldr	r1, [r5, #GANG_LDR_DST]	@ r1 = flash destination
	ldr	r2, [r5, #GANG_LDR_DST_END]
	mov	r10, r2			@ r10 = destination end
	ldr	r6, [r5, #GANG_LDR_RING]	@ r6 = read pointer
	mov	r8, r6			@ r8 = ring start
	ldr	r2, [r5, #GANG_LDR_RING_END]
	mov	r9, r2			@ r9 = ring end
	ldr	r2, [r5, #GANG_LDR_BUSY]
	mov	r11, r2			@ r11 = busy bits
	movs	r4, #0
	mvns	r4, r4			@ r4 = 0xFFFFFFFF (units of 2 and 4: the erased value)
#if GANG_LDR_UNIT == 2
	lsrs	r4, r4, #16		@ r4 = 0xFFFF, an erased half-word
#endif
	mov	r12, r1
	cmp	r1, r10
	beq	done
#if GANG_LDR_UNIT <= 4
fetch:
	ldr	r2, [r5, #GANG_LDR_WP]	@ wp: how far the host has filled
	cmp	r2, r6
	beq	fetch			@ ring empty: wait for the host
	LDR_LOAD	r7, [r6]
	ldr	r2, [r5, #GANG_LDR_IWDG_KR]	@ IWDG_KR
	ldr	r3, [r5, #GANG_LDR_RELOAD]
	str	r3, [r2]		@ reload the watchdog
	adds	r6, r6, #GANG_LDR_UNIT
	cmp	r6, r9
	bne	1f
	mov	r6, r8			@ wrap
1:	str	r6, [r5, #GANG_LDR_RP]	@ publish rp: that slot may be refilled
	cmp	r7, r4
	beq	next			@ already erased: nothing to program
busy:
	ldr	r2, [r0]		@ FLASH_SR
	mov	r3, r11
	tst	r2, r3
	bne	busy
	LDR_STORE	r7, [r1]		@ start programming this unit
	mov	r12, r1
	ldr	r2, [r0]
	ldr	r3, [r5, #GANG_LDR_ERRS]
	tst	r2, r3
	bne	fail
next:
	adds	r1, r1, #GANG_LDR_UNIT
	cmp	r1, r10
	bne	fetch
#elif GANG_LDR_UNIT == 8
fetch:
	ldr	r2, [r5, #GANG_LDR_WP]	@ wp: how far the host has filled
	cmp	r2, r6
	beq	fetch			@ ring empty: wait for the host
	ldr	r7, [r6]		@ first word
	ldr	r4, [r6, #4]		@ second word
	ldr	r2, [r5, #GANG_LDR_IWDG_KR]	@ IWDG_KR
	ldr	r3, [r5, #GANG_LDR_RELOAD]
	str	r3, [r2]		@ reload the watchdog
	adds	r6, r6, #8
	cmp	r6, r9
	bne	1f
	mov	r6, r8			@ wrap
1:	str	r6, [r5, #GANG_LDR_RP]	@ publish rp: that slot may be refilled
	mov	r2, r7
	ands	r2, r4
	adds	r2, r2, #1
	beq	next			@ both words 0xFFFFFFFF: erased, nothing to program
busy:
	ldr	r2, [r0]		@ FLASH_SR
	mov	r3, r11
	tst	r2, r3
	bne	busy
	str	r7, [r1]		@ first word: latched
	str	r4, [r1, #4]		@ second word: programming starts
	mov	r12, r1
	ldr	r2, [r0]
	ldr	r3, [r5, #GANG_LDR_ERRS]
	tst	r2, r3
	bne	fail
next:
	adds	r1, r1, #8
	cmp	r1, r10
	bne	fetch
#else
fetch:
	ldr	r2, [r5, #GANG_LDR_WP]	@ wp: how far the host has filled
	cmp	r2, r6
	beq	fetch			@ ring empty: wait for the host
	bcc	1f			@ wp below rp: rp..ring end is full, a whole row
	subs	r2, r2, r6
	cmp	r2, #255
	bls	fetch			@ less than a whole row published yet
1:	ldr	r2, [r5, #GANG_LDR_IWDG_KR]	@ IWDG_KR
	ldr	r3, [r5, #GANG_LDR_RELOAD]
	str	r3, [r2]		@ reload the watchdog
	movs	r4, #0
	mvns	r4, r4
	movs	r2, #252
2:	ldr	r3, [r6, r2]		@ AND of the row's words
	ands	r4, r3
	subs	r2, r2, #4
	bpl	2b
	adds	r4, r4, #1
	beq	next			@ the whole row reads erased: skip it
busy:
	ldr	r2, [r0]		@ FLASH_SR: the previous row done?
	mov	r3, r11
	tst	r2, r3
	bne	busy
	mov	r12, r1
	movs	r2, #0
3:	ldr	r3, [r6, r2]		@ 64 words back to back (FSTPG)
	str	r3, [r1, r2]
	adds	r2, r2, #4
	lsrs	r3, r2, #8
	beq	3b
	ldr	r2, [r0]
	ldr	r3, [r5, #GANG_LDR_ERRS]
	tst	r2, r3
	bne	fail
next:
	movs	r2, #1
	lsls	r2, r2, #8		@ r2 = 256
	adds	r6, r6, r2
	cmp	r6, r9
	bne	4f
	mov	r6, r8			@ wrap
4:	str	r6, [r5, #GANG_LDR_RP]	@ publish rp only now: the row's slots were read
	adds	r1, r1, r2
	cmp	r1, r10
	bne	fetch
#endif
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
#if GANG_LDR_UNIT == 256
	ldmia	r1!, {r3, r4, r6, r7}	@ what the flash holds now: 4 words, runs are whole rows
	str	r3, [r2]
	str	r4, [r2]
	str	r6, [r2]
	str	r7, [r2]
#elif GANG_LDR_UNIT == 8
	ldmia	r1!, {r3, r4}		@ what the flash holds now: a double word
	str	r3, [r2]
	str	r4, [r2]
#else
	ldr	r3, [r1]		@ what the flash holds now
	str	r3, [r2]
	adds	r1, r1, #4
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
