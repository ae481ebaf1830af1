/*
 * erase.S — on-target erase loop for controllers that erase a unit when
 * the core writes a word into it with the erase mode armed: the L0/L1
 * PECR controller (PECR = ERASE | PROG, then 0x00000000 to the page,
 * RM0377 §3.3.4 "Page erase", RM0038 §3.9.2). Pages there are 128/256
 * bytes, so a 64 KiB erase is 512 operations; from the host each would
 * cost link round trips on top of the 3.2 ms the page takes.
 *
 * In: r0 = status register, r1 = first page, r2 = end (exclusive),
 * r3 = page size, r4 = busy bits, r5 = error bits, r6 = IWDG_KR (reloaded
 * with 0xAAAA per page). Out at bkpt: r7 = the last status read, r1 = the
 * end on success, or one page past the failing page (bkpt #1).
 * Thumb-1 (M0 subset).
 */
	.syntax unified
	.cpu cortex-m0
	.thumb
	.text
	.global gang_loader_page_erase
	.thumb_func
gang_loader_page_erase:
	cmp	r1, r2
	beq	wait
page:
	movs	r7, #0xAA
	lsls	r7, r7, #8
	adds	r7, r7, #0xAA
	str	r7, [r6]		@ IWDG_KR = 0xAAAA
	movs	r7, #0
	str	r7, [r1]		@ start erasing this page
	adds	r1, r1, r3
wait:
	ldr	r7, [r0]
	tst	r7, r4
	bne	wait
	tst	r7, r5
	bne	fail
	cmp	r1, r2
	bne	page
	bkpt	#0
fail:
	bkpt	#1
