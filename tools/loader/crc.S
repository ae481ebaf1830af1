/*
 * crc.S — on-target CRC stub (every family) for verify (RM0008 §4, CRC calculation
 * unit): resets the unit (CRC_CR.RESET, 8 bytes above CRC_DR on every
 * family here), feeds r1 words from address r0 into the data register at
 * r2, then stops at bkpt; the host reads CRC_DR. The host enables
 * RCC_AHBENR.CRCEN first. Thumb-1 (M0 subset).
 * A DR write stalls until the unit is done, so the stores go back to back.
 */
	.syntax unified
	.cpu cortex-m0
	.thumb
	.text
	.global gang_loader_crc
	.thumb_func
gang_loader_crc:
	movs	r3, #1
	str	r3, [r2, #8]		@ CRC_CR.RESET: DR back to 0xFFFFFFFF
1:	ldr	r3, [r0]
	adds	r0, r0, #4
	str	r3, [r2]
	subs	r1, r1, #1
	bne	1b
	bkpt	#0
