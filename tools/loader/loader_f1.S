/*
 * loader_f1.S — gang's streaming flash loader for the F0/F1/F3 FPEC
 * (PM0075 and RM0091 §3 FPEC rules; the stock loaders' instruction subset
 * as traced; DS5792 timings). Thumb-1 only (Cortex-M0 subset) so one
 * binary serves F0 (M0), F1 (M3) and F3 (M4).
 *
 * Protocol: the host writes a control block in SRAM and starts the core
 * here with r0 = its address. The host is the producer of a ring of
 * half-words, the loader the consumer:
 *   +0  wp       host: ring byte address the host will write next
 *   +4  rp       loader: ring byte address the loader will read next
 *   +8  state    loader: 1 = all programmed, 2 = flash error
 *   +12 sr       loader: FLASH_SR at the error
 *   +16 addr     loader: flash address of the failing half-word
 *   +20 fpec     host: FPEC base (0x40022000)
 *   +24 dst      host: first flash address (half-word aligned)
 *   +28 dst_end  host: end flash address (exclusive)
 *   +32 ring     host: ring start
 *   +36 ring_end host: ring end (exclusive)
 *   +40 iwdg_kr  host: IWDG key register
 *   +44 reload   host: IWDG reload key (0xAAAA)
 * The host sets FLASH_CR.PG before starting and locks the FPEC afterwards.
 *
 * Speed: each half-word takes t_prog (52.5 us = 420 cycles at 8 MHz). The
 * loop therefore starts a program, then fetches and checks the next value
 * while BSY is set, and only then polls BSY, so the gap between BSY falling
 * and the next start is a three-instruction poll plus the store. Half-words
 * equal to 0xFFFF are skipped: erased flash already holds them.
 * The loader reloads the independent watchdog for every half-word: a
 * hardware watchdog (USER WDG_SW = 0) runs while the core runs, and a
 * 256 KiB image takes seconds (IWDG_STOP only freezes it while halted).
 */
	.syntax unified
	.cpu cortex-m0
	.thumb
	.text
	.global gang_loader_f1_prog
	.thumb_func
gang_loader_f1_prog:
	mov	r5, r0			@ r5 = control block
	ldr	r0, [r5, #20]		@ r0 = FPEC base
	ldr	r1, [r5, #24]		@ r1 = flash destination
	ldr	r2, [r5, #28]
	mov	r10, r2			@ r10 = destination end
	ldr	r6, [r5, #32]		@ r6 = read pointer
	mov	r8, r6			@ r8 = ring start
	ldr	r2, [r5, #36]
	mov	r9, r2			@ r9 = ring end
	movs	r4, #0
	mvns	r4, r4
	lsrs	r4, r4, #16		@ r4 = 0xFFFF, the erased value
	mov	r12, r1
	cmp	r1, r10
	beq	done
fetch:
	ldr	r2, [r5, #0]		@ wp: how far the host has filled
	cmp	r2, r6
	beq	fetch			@ ring empty: wait for the host
	ldrh	r7, [r6]
	ldr	r2, [r5, #40]		@ IWDG_KR
	ldr	r3, [r5, #44]
	str	r3, [r2]		@ reload the watchdog
	adds	r6, r6, #2
	cmp	r6, r9
	bne	1f
	mov	r6, r8			@ wrap
1:	str	r6, [r5, #4]		@ publish rp: that slot may be refilled
	cmp	r7, r4
	beq	next			@ already erased: nothing to program
busy:
	ldr	r2, [r0, #12]		@ FLASH_SR
	lsrs	r3, r2, #1		@ BSY into carry
	bcs	busy
	strh	r7, [r1]		@ start programming this half-word
	mov	r12, r1
	ldr	r2, [r0, #12]
	movs	r3, #0x14		@ PGERR | WRPRTERR
	tst	r2, r3
	bne	fail
next:
	adds	r1, r1, #2
	cmp	r1, r10
	bne	fetch
done:
	ldr	r2, [r0, #12]		@ wait for the last program
	lsrs	r3, r2, #1
	bcs	done
	movs	r3, #0x14
	tst	r2, r3
	bne	fail
	movs	r3, #1
	str	r3, [r5, #8]
	bkpt	#0
fail:
	str	r2, [r5, #12]
	mov	r3, r12
	str	r3, [r5, #16]
	movs	r3, #2
	str	r3, [r5, #8]
	bkpt	#0
