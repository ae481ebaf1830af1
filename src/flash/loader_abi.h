/*
 * loader_abi.h — the control block shared by gang (flash/loader_ring.c)
 * and its on-target streaming loader (tools/loader/loader.S, assembled for
 * half-words and for words, includes this file too), so the two cannot drift apart. The
 * loaders know program units, not controllers: the status register, its
 * busy and error bits come in the block. The host writes the
 * block in SRAM and starts the loader with r0 = its address; the host is
 * the producer of a ring of program units, the loader the consumer.
 *
 * Byte offsets of 32-bit words. Plain decimal on purpose: the assembler
 * takes them as immediates ("ldr r0, [r5, #GANG_LDR_SR_REG]"), and a U
 * suffix would not assemble. Nothing here but #defines, for the same reason.
 */
#ifndef GANG_FLASH_LOADER_ABI_H
#define GANG_FLASH_LOADER_ABI_H

#define GANG_LDR_WP        0    /* host: ring byte address the host will write next */
#define GANG_LDR_RP        4    /* loader: ring byte address the loader will read next */
#define GANG_LDR_STATE     8    /* loader: GANG_LDR_STATE_OK or _ERR; 0 while running */
#define GANG_LDR_SR        12   /* loader: the controller's status register at the error */
#define GANG_LDR_ADDR      16   /* loader: flash address of the failing unit */
#define GANG_LDR_SR_REG    20   /* host: the controller's status register (FLASH_SR) */
#define GANG_LDR_DST       24   /* host: first flash address (program-unit aligned) */
#define GANG_LDR_DST_END   28   /* host: end flash address (exclusive) */
#define GANG_LDR_RING      32   /* host: ring start */
#define GANG_LDR_RING_END  36   /* host: ring end (exclusive) */
#define GANG_LDR_IWDG_KR   40   /* host: independent watchdog key register */
#define GANG_LDR_RELOAD    44   /* host: its reload key (0xAAAA) */
#define GANG_LDR_CRC_DR    48   /* host: CRC unit data register for the closing read-back pass; 0: none */
#define GANG_LDR_CRC       52   /* loader: CRC of [DST, DST_END) read back from flash after the last unit */
#define GANG_LDR_BUSY      56   /* host: SR bits that mean "still programming" (BSY) */
#define GANG_LDR_ERRS      60   /* host: SR bits that mean the program failed */
#define GANG_LDR_SPLIT     64   /* host: where bank 2 starts, for a loader programming two banks at once
				   (H7: units alternate between the banks in the ring); 0: one bank */
#define GANG_LDR_ERASED    68   /* loader (L5/U5 loader_mw.S): 1 once the erase still running when the host let
				   it go has ended without an error bit (it waits BSY out before setting PG) */
#define GANG_LDR_BYTES     72   /* size of the block */

#define GANG_LDR_STATE_OK  1    /* every unit programmed */
#define GANG_LDR_STATE_ERR 2    /* a flash error: see SR and ADDR */
#define GANG_LDR_STATE_ERASE_ERR 3  /* the erase it waited out ended with an error bit: see SR (loader_mw.S) */

#endif
