/*
 * cli_mem.c — the memory map `gang read` accepts: main flash and SRAM
 * from the part's row, system memory (ST's bootloader, with the flash-size
 * register and the UID), the OTP area with its lock bytes (or, on L0/L1,
 * the data EEPROM) and the option bytes from its family's row (target/part.c, where each figure cites its
 * reference manual).
 * Read protection (RDP 1) makes debugger reads of the main flash fail; SRAM,
 * system memory and the option bytes stay readable (PM0075 "Read
 * protection"), so only flash goes through the flash layer's RDP check.
 */
#include "cli/cli_mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "flash/flash.h"

#define CLI_MEM_CHUNK   1024U    /* ADIv5 TAR auto-increment is only sure within 1 KiB */

/* The memories of the part's family, from its rows in target/part.c. */
void cli_mem_regions(cli_mem_region out[CLI_MEM_NREGIONS], const gang_part *part)
{
	const gang_family *f = part->family;
	const gang_flash_ctrl_cfg *c = &f->flash;
	uint32_t lo = 0, hi = 0;

	out[0] = (cli_mem_region){ "flash", GANG_FLASH_BASE, part->flash_kib * 1024U, true };
	out[1] = (cli_mem_region){ "SRAM", GANG_SRAM_BASE, part->sram_kib * 1024U, false };
	out[2] = (cli_mem_region){ "system memory", f->sysmem_base, f->sysmem_bytes, false };
	out[3] = (cli_mem_region){ "OTP", c->otp_base, c->otp_bytes ? c->otp_bytes + c->otp_lock_bytes : 0U, false };
	/* L0/L1 have data EEPROM instead (RM0377 §3.3.1): read like flash, RDP included */
	if (c->otp_bytes == 0 && gang_flash_eeprom_range(&lo, &hi, part))
		out[3] = (cli_mem_region){ "data EEPROM", lo, hi - lo, true };
	out[4] = (cli_mem_region){ "option bytes", c->ob_base, c->ob_bytes, false };
}

const cli_mem_region *cli_mem_at(const cli_mem_region r[CLI_MEM_NREGIONS], uint32_t addr)
{
	for (size_t i = 0; i < CLI_MEM_NREGIONS; i++)
		if (r[i].size && addr >= r[i].base && (uint64_t)addr < (uint64_t)r[i].base + r[i].size)
			return &r[i];
	return NULL;
}

int cli_mem_check(const gang_part *part, uint32_t addr, uint64_t len, gang_diag *d)
{
	cli_mem_region r[CLI_MEM_NREGIONS];
	const cli_mem_region *at;
	uint64_t a = addr, end = (uint64_t)addr + len;
	char map[256];
	size_t n = 0;

	cli_mem_regions(r, part);
	while (a < end && a <= UINT32_MAX && (at = cli_mem_at(r, (uint32_t)a)))
		a = (uint64_t)at->base + at->size;
	if (a >= end)
		return GANG_OK;
	for (size_t i = 0; i < CLI_MEM_NREGIONS && n < sizeof(map); i++)
		if (r[i].size)
			n += (size_t)snprintf(map + n, sizeof(map) - n, "%s%s 0x%08" PRIX32 "-0x%08" PRIX32,
					      n ? ", " : "", r[i].name, r[i].base, r[i].base + r[i].size - 1U);
	return gang_diag_set(d, GANG_EUSAGE, "0x%08" PRIX64 " is not memory on %s (%s)", a, part->name, map);
}

int cli_mem_read(uint8_t *buf, gang_target *t, uint32_t addr, uint32_t len)
{
	cli_mem_region r[CLI_MEM_NREGIONS];
	const cli_mem_region *at;
	int err = cli_mem_check(gang_target_part(t), addr, len, gang_target_diag(t));

	cli_mem_regions(r, gang_target_part(t));
	while (err == GANG_OK && len > 0) {
		uint32_t n;

		at = cli_mem_at(r, addr);
		n = at->base + at->size - addr;
		if (!at->flash && n > CLI_MEM_CHUNK - addr % CLI_MEM_CHUNK)
			n = CLI_MEM_CHUNK - addr % CLI_MEM_CHUNK;
		if (n > len)
			n = len;
		err = at->flash ? gang_flash_read(buf, t, addr, n)
				: gang_stlink_read_mem(buf, gang_target_stlink(t), addr, n);
		buf += n;
		addr += n;
		len -= n;
	}
	return err;
}
