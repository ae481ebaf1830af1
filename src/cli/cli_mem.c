/*
 * cli_mem.c — the memory map `gang read` accepts. Main flash and SRAM come
 * from the part table; the option bytes are the block of 8 half-words at the
 * family's ob_base (RM0008 Tables 4-8; RM0091/RM0360 and RM0316 "Flash memory
 * organization"); the system memory (ST's bootloader, which also holds the
 * flash-size register and the UID) is per family: F1 low/medium/high density
 * 0x1FFFF000, 2 KiB (RM0008); F030x8 0x1FFFEC00, 3 KiB (RM0360); F303xC
 * 0x1FFFD800, 8 KiB (RM0316); F2/F4 0x1FFF0000, 30 KiB, then 512 bytes of
 * OTP and 16 lock bytes at 0x1FFF7800, option bytes at 0x1FFFC000
 * (RM0033 §2.3, RM0090 §3.3 Table 5); F7 0x1FF00000, 60 KiB, 1 KiB of OTP
 * and 16 lock bytes at 0x1FF0F000, 32 bytes of option bytes at 0x1FFF0000
 * (RM0385 §3.3.1, RM0410 §3.3.1).
 * Read protection (RDP 1) makes debugger reads of the main flash fail; SRAM,
 * system memory and the option bytes stay readable (PM0075 "Read
 * protection"), so only flash goes through the flash layer's RDP check.
 */
#include "cli/cli_mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "flash/flash.h"

#define CLI_MEM_OB_SIZE 16U      /* F0/F1/F3 RDP, USER, DATA0/1, WRP0..3 (value + complement); F2/F4 */
#define CLI_MEM_OB_F7   32U      /* F7: OPTCR/OPTCR1 images with their complements */
#define CLI_MEM_OTP_LOCK 16U     /* one lock byte per OTP block after the OTP area */
#define CLI_MEM_CHUNK   1024U    /* ADIv5 TAR auto-increment is only sure within 1 KiB */

typedef struct cli_mem_sysmem {
	const char *family;
	uint32_t base, size;
} cli_mem_sysmem;

static const cli_mem_sysmem cli_mem_sysmems[] = {
	{ "F1", 0x1FFFF000U, 0x800U },
	{ "F0", 0x1FFFEC00U, 0xC00U },
	{ "F3", 0x1FFFD800U, 0x2000U },
	{ "F2", 0x1FFF0000U, 0x7800U },
	{ "F4", 0x1FFF0000U, 0x7800U },
	{ "F7", 0x1FF00000U, 0xEDC0U },
};

void cli_mem_regions(cli_mem_region out[CLI_MEM_NREGIONS], const gang_part *part)
{
	out[0] = (cli_mem_region){ "flash", GANG_FLASH_BASE, part->flash_kib * 1024U, true };
	out[1] = (cli_mem_region){ "SRAM", GANG_SRAM_BASE, part->sram_kib * 1024U, false };
	out[2] = (cli_mem_region){ "system memory", 0, 0, false };
	out[3] = (cli_mem_region){ "OTP", part->family->flash.otp_base,
				   part->family->flash.otp_bytes ? part->family->flash.otp_bytes + CLI_MEM_OTP_LOCK : 0U,
				   false };
	out[4] = (cli_mem_region){ "option bytes", part->family->flash.ob_base,
				   (part->family->flash.flags & GANG_CTRL_F7_OPTCR) ? CLI_MEM_OB_F7 : CLI_MEM_OB_SIZE,
				   false };
	for (size_t i = 0; i < sizeof(cli_mem_sysmems) / sizeof(cli_mem_sysmems[0]); i++)
		if (strcmp(cli_mem_sysmems[i].family, part->family->name) == 0) {
			out[2].base = cli_mem_sysmems[i].base;
			out[2].size = cli_mem_sysmems[i].size;
		}
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
