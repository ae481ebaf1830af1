/*
 * cli_mem.h — the memories `gang read` may read on a part: main flash,
 * SRAM, system memory (ST's bootloader, with the flash-size register and
 * the UID), the one-time-programmable area (F2/F4/F7) and the option
 * bytes; and reading a range that spans them.
 */
#ifndef GANG_CLI_CLI_MEM_H
#define GANG_CLI_CLI_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "target/part.h"
#include "target/target.h"

typedef struct cli_mem_region {
	const char *name;          /* "flash", "SRAM", "system memory", "OTP" (L0/L1: "data EEPROM"), "option bytes" */
	uint32_t base;
	uint32_t size;             /* 0: the part has no such region known to gang */
	bool flash;                /* main flash or data EEPROM: read through the flash layer (RDP check) */
} cli_mem_region;

#define CLI_MEM_NREGIONS 5

/* The readable memories of part, in address-map order of the families here. */
void cli_mem_regions(cli_mem_region out[CLI_MEM_NREGIONS], const gang_part *part);
/* The region that holds addr, or NULL. */
const cli_mem_region *cli_mem_at(const cli_mem_region r[CLI_MEM_NREGIONS], uint32_t addr);
/*
 * GANG_OK when every byte of [addr, addr + len) is memory of part;
 * otherwise GANG_EUSAGE with "0x30000000 is not memory on STM32F103RC
 * (flash 0x08000000-0x0803FFFF, ...)" naming the first address that is not.
 */
int cli_mem_check(const gang_part *part, uint32_t addr, uint64_t len, gang_diag *d);
/*
 * Read [addr, addr + len), checked with cli_mem_check: main flash through
 * gang_flash_read (GANG_EREAD_PROTECTED under RDP 1), the other memories
 * through the ST-Link's memory path. Errors in gang_target_diag(t).
 */
int cli_mem_read(uint8_t *buf, gang_target *t, uint32_t addr, uint32_t len);

#endif
