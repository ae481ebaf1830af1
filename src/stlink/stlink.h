/*
 * stlink.h — ST-Link debug session over USB (API v2 and v3), speaking
 * the ST-Link USB protocol as OpenOCD 0.12 (src/jtag/drivers/stlink_usb.c)
 * and stlink 1.7.0 implement it, as traced on the bench: version and
 * feature gating, mode state machine, SWD entry, NRST, target voltage, SWD
 * frequency, memory and register access with the real size limits,
 * status-byte checking of every reply and bounded retry on WAIT.
 *
 * All errors are written to the gang_diag given at open (one per slot).
 * Threading: a gang_stlink is owned by one thread.
 */
#ifndef GANG_STLINK_STLINK_H
#define GANG_STLINK_STLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "usb/usb.h"

typedef struct gang_stlink gang_stlink;

typedef struct gang_stlink_version {
	unsigned stlink;          /* V: 2 or 3 */
	unsigned jtag;            /* J (SWD/JTAG firmware version) */
	unsigned swim;            /* S (V2) */
	unsigned msd;             /* M (V2-1 and V3) */
	unsigned bridge;          /* B (V3) */
	uint16_t vid, pid;
	char text[24];            /* "V2J37S7", "V2J37M26", "V3J7M3B5S1" */
} gang_stlink_version;

/* Open the probe (selector: serial or port path), read its version, leave DFU/mass mode. */
int gang_stlink_open(gang_stlink **out, gang_usb *usb, const char *selector, gang_diag *d);
/* Leave debug mode (DEBUG_EXIT) and close; safe with NULL. */
void gang_stlink_close(gang_stlink *sl);

/* (The accessor is not named gang_stlink_version: that is the struct type.) */
const gang_stlink_version *gang_stlink_get_version(const gang_stlink *sl);
const gang_probe_id *gang_stlink_id(const gang_stlink *sl);
gang_diag *gang_stlink_diag(gang_stlink *sl);

/* Target supply in millivolts (J13+). */
int gang_stlink_target_voltage(unsigned *mv_out, gang_stlink *sl);
/* Set the SWD clock to the nearest supported at or below khz; actual value out. */
int gang_stlink_set_swd_khz(unsigned *actual_out, gang_stlink *sl, unsigned khz);
/* Enter SWD debug mode (no reset). GANG_ETARGET_NOSWD when the DP does not answer. */
int gang_stlink_enter_swd(gang_stlink *sl);
int gang_stlink_exit_debug(gang_stlink *sl);
int gang_stlink_drive_nrst(gang_stlink *sl, bool low);
int gang_stlink_read_idcodes(uint32_t *dpidr_out, gang_stlink *sl);
int gang_stlink_reset_sys(gang_stlink *sl);

/* Single 32-bit AHB access (READDEBUGREG/WRITEDEBUGREG). */
int gang_stlink_read32(uint32_t *out, gang_stlink *sl, uint32_t addr);
int gang_stlink_write32(gang_stlink *sl, uint32_t addr, uint32_t val);
/* Bulk memory; any address/length: aligned middle with 32-bit commands, ends with 8/16-bit. */
int gang_stlink_read_mem(uint8_t *buf, gang_stlink *sl, uint32_t addr, size_t len);
int gang_stlink_write_mem(gang_stlink *sl, uint32_t addr, const uint8_t *buf, size_t len);
/* Half-word write (WRITEMEM_16BIT, J26+; 8-bit pair fallback is not equivalent on flash). */
int gang_stlink_write16(gang_stlink *sl, uint32_t addr, uint16_t val);

/*
 * Another access port (AP1..255): open it once after ENTER, then single
 * aligned words through it. GANG_EPROBE_FIRMWARE on firmware before V2J28.
 */
int gang_stlink_ap_open(gang_stlink *sl, unsigned ap);
int gang_stlink_read32_ap(uint32_t *out, gang_stlink *sl, unsigned ap, uint32_t addr);
int gang_stlink_write32_ap(gang_stlink *sl, unsigned ap, uint32_t addr, uint32_t val);

/* Core registers by DCRSR index (0-15 r0-r15, 16 xPSR, 17 MSP, 18 PSP). */
int gang_stlink_read_reg(uint32_t *out, gang_stlink *sl, unsigned idx);
int gang_stlink_write_reg(gang_stlink *sl, unsigned idx, uint32_t val);

#endif
