/*
 * loader_h7.S — gang's streaming flash loader for the STM32H7 two-bank
 * controller (RM0433 §4.3.9, RM0468 §4.3.9): a unit is a 256-bit flash
 * word, eight word stores to a 32-byte aligned address with PG set in the
 * bank's FLASH_CR; the word is programmed once the write buffer is full
 * and the bank's QW (and BSY) clear when it is done. Assembled by
 * tools/loader/gen.sh as loader_h7_prog. Thumb-2 for the Cortex-M7 only.
 *
 * Two banks at once: with GANG_LDR_SPLIT set, the run [DST, DST_END) is
 * cut at SPLIT into a bank-1 part and a bank-2 part, and the ring holds
 * their flash words alternately (bank 1, bank 2, bank 1, ...; the longer
 * part's rest at the end: flash/fpec_h7.c lays the ring out the same
 * way). A word goes to its bank as soon as that bank's previous word is
 * done, so while one bank programs the other takes the next word and both
 * controllers stay busy. SR_REG is the status register of the bank at
 * DST's side of the split; the other part's is SR_REG with the +0x100
 * bank offset flipped (RM0433 §4.9: bank 2's registers at +0x100), so the
 * host passes SR2 when SWAP_BANK maps bank 2 first (§4.3.13). The host keeps SPLIT within [DST, DST_END]: SPLIT =
 * DST_END is a run in bank 1 alone, SPLIT = DST one in bank 2 alone.
 *
 * Protocol as tools/loader/loader.S (control block src/flash/loader_abi.h,
 * r0 = its address, rp published once a unit is copied out of the ring,
 * erased units skipped, the watchdog reloaded per unit, the closing CRC
 * pass over [DST, DST_END) when GANG_LDR_CRC_DR names the unit). The host
 * sets PG (and PSIZE) in the FLASH_CR of each bank it uses.
 */
#include "flash/loader_abi.h"

	.syntax unified
	.cpu cortex-m7
	.thumb
	.text
	.global gang_loader_h7_prog
	.thumb_func
gang_loader_h7_prog:
	mov	r5, r0			@ r5 = control block
	add	r0, r5, #GANG_LDR_DST
	ldm	r0, {r1, r4, r6}	@ r1 = bank-1 cursor (DST), r4 = end, r6 = read pointer (RING)
	ldr	r2, [r5, #GANG_LDR_SPLIT]	@ r2 = end of the bank-1 part (the host keeps it in [DST, END])
	mov	r3, r2			@ r3 = bank-2 cursor
	sub	lr, r1, r2		@ lr = DST - SPLIT: bank 1 is next while r1 - r3 <= lr
next:
	cmp	r1, r2
	bne	fetch
	cmp	r3, r4
	beq	done			@ both parts programmed
fetch:
	ldr	r0, [r5, #GANG_LDR_WP]	@ wp: how far the host has filled
	cmp	r0, r6
	beq	fetch			@ ring empty: wait for the host
	ldr	r9, [r5, #GANG_LDR_SR_REG]	@ r9 = the chosen bank's FLASH_SR
	cmp	r1, r2
	beq	bank2			@ bank-1 part done
	cmp	r3, r4
	beq	bank1			@ bank-2 part done
	subs	r0, r1, r3
	cmp	r0, lr
	bgt	bank2			@ bank 1 is a word ahead
bank1:	mov	r8, r1			@ r8 = destination
	adds	r1, r1, #32
	b	picked
bank2:	mov	r8, r3
	adds	r3, r3, #32
	eor	r9, r9, #0x100		@ the other bank's FLASH_SR (SR2, or SR1 when swapped)
picked:
	ldr	r0, [r5, #GANG_LDR_IWDG_KR]
	ldr	r7, [r5, #GANG_LDR_RELOAD]
	str	r7, [r0]		@ reload the watchdog
	movs	r0, #28
erased:	ldr	r7, [r6, r0]		@ any word not all ones: program the unit
	adds	r7, r7, #1
	bne	busy
	subs	r0, r0, #4
	bpl	erased
	b	consumed		@ already erased: nothing to program
busy:	ldr	r0, [r9]		@ this bank's previous word done?
	ldr	r7, [r5, #GANG_LDR_BUSY]
	tst	r0, r7
	bne	busy
	ldr	r7, [r5, #GANG_LDR_ERRS]
	tst	r0, r7
	bne	fail			@ that word failed (r12 names the last word started)
	mov	r12, r8
	movs	r0, #0
copy:	ldr	r7, [r6, r0]		@ eight stores fill the write buffer: programming starts
	str	r7, [r8, r0]
	adds	r0, r0, #4
	cmp	r0, #32
	bne	copy
consumed:
	adds	r6, r6, #32
	ldr	r0, [r5, #GANG_LDR_RING_END]
	cmp	r6, r0
	it	eq
	ldreq	r6, [r5, #GANG_LDR_RING]	@ wrap
	str	r6, [r5, #GANG_LDR_RP]	@ publish rp: that slot may be refilled
	b	next
done:
	ldr	r7, [r5, #GANG_LDR_SR_REG]	@ bank 1, then bank 2 if the run has a part there
settle:	ldr	r0, [r7]
	ldr	r3, [r5, #GANG_LDR_BUSY]
	tst	r0, r3
	bne	settle
	ldr	r3, [r5, #GANG_LDR_ERRS]
	tst	r0, r3
	bne	fail
	cmp	r2, r4
	beq	crcpass
	mov	r2, r4			@ once
	eor	r7, r7, #0x100		@ the other bank's FLASH_SR
	b	settle
crcpass:
	ldr	r2, [r5, #GANG_LDR_CRC_DR]	@ closing read-back pass through the CRC unit?
	cbz	r2, ok
	movs	r3, #1
	str	r3, [r2, #8]		@ CRC_CR.RESET
	ldr	r1, [r5, #GANG_LDR_DST]
crc:	ldm	r1!, {r3}		@ what the flash holds now
	str	r3, [r2]
	cmp	r1, r4
	bne	crc
	ldr	r3, [r2]
	str	r3, [r5, #GANG_LDR_CRC]
ok:	movs	r3, #GANG_LDR_STATE_OK
	str	r3, [r5, #GANG_LDR_STATE]
	bkpt	#0
fail:	str	r0, [r5, #GANG_LDR_SR]
	str	r12, [r5, #GANG_LDR_ADDR]
	movs	r3, #GANG_LDR_STATE_ERR
	str	r3, [r5, #GANG_LDR_STATE]
	bkpt	#0
