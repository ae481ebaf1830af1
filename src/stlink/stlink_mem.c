/*
 * stlink_mem.c — bulk target memory through the ST-Link: any address and
 * length, split into 8-bit commands for an unaligned head or a short tail
 * and 32-bit commands for the aligned middle, within the probe's size
 * limits and never across a TAR auto-increment block; every memory command
 * is followed by GETLASTRWSTATUS(2). Also the 16-bit write (J26+) and
 * single words through an access port other than AP0 (J28+, every V3).
 * Depends on: status.c (mem command + status, WAIT retry).
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use
 * it (READ/WRITEMEM_8/16/32BIT layouts; an 8-bit read of one byte answers
 * two; 6144-byte and 64/512-byte limits, 4 KiB TAR block on M3/M4, 32-bit
 * alignment).
 */
#include "stlink/stlink_internal.h"

#include <string.h>

/* Bytes per word: the 32-bit commands need address and length multiples of it. */
#define STLINK_MEM_WORD 4U
/* An 8-bit read of one byte returns two. */
#define STLINK_MEM_RD8_ONE_REPLY 2U

size_t gang_stlink_plan(gang_stlink_access *kind_out, uint32_t addr, size_t len,
			size_t max_rw8)
{
	size_t misalign = addr % STLINK_MEM_WORD, n;

	if (misalign != 0 || len < STLINK_MEM_WORD) {
		/* Head up to the next word boundary, or the whole short tail. */
		n = misalign != 0 ? STLINK_MEM_WORD - misalign : len;
		if (n > len)
			n = len;
		*kind_out = GANG_STLINK_ACCESS_8;
		return n < max_rw8 ? n : max_rw8;
	}
	n = len - len % STLINK_MEM_WORD;
	if (n > STLINK_MAX_RW32)
		n = STLINK_MAX_RW32;
	/* The AP's address auto-increment wraps inside a TAR block. */
	if (n > STLINK_TAR_BLOCK_M3 - addr % STLINK_TAR_BLOCK_M3)
		n = STLINK_TAR_BLOCK_M3 - addr % STLINK_TAR_BLOCK_M3;
	*kind_out = GANG_STLINK_ACCESS_32;
	return n;
}

static void stlink_mem_cmd(uint8_t cmd[STLINK_CMD_LEN], uint8_t sub, uint32_t addr, size_t n)
{
	memset(cmd, 0, STLINK_CMD_LEN);
	cmd[0] = STLINK_DEBUG_COMMAND;
	cmd[1] = sub;
	gang_stlink_put_le32(cmd + 2, addr);
	gang_stlink_put_le16(cmd + 6, (uint16_t)n);
}

static int stlink_mem_range(gang_stlink *sl, uint32_t addr, size_t len, const char *what)
{
	if (len == 0 || (uint64_t)addr + len - 1U <= UINT32_MAX)
		return GANG_OK;
	return gang_diag_set(sl->d, GANG_ERR, "%s of %zu bytes at 0x%08X runs past 0xFFFFFFFF", what,
			     len, (unsigned)addr);
}

static int stlink_read_piece(uint8_t *buf, gang_stlink *sl, gang_stlink_access kind,
			     uint32_t addr, size_t n)
{
	uint8_t cmd[STLINK_CMD_LEN], tmp[STLINK_MAX_RW8_V3 + 1];
	size_t in_len = n;
	int err;

	if (kind == GANG_STLINK_ACCESS_32) {
		stlink_mem_cmd(cmd, STLINK_DEBUG_READMEM_32BIT, addr, n);
		return gang_stlink_mem_cmd(sl, cmd, NULL, 0, buf, n, "READMEM_32BIT", addr);
	}
	if (n == 1)
		in_len = STLINK_MEM_RD8_ONE_REPLY;
	stlink_mem_cmd(cmd, STLINK_DEBUG_READMEM_8BIT, addr, n);
	err = gang_stlink_mem_cmd(sl, cmd, NULL, 0, tmp, in_len, "READMEM_8BIT", addr);
	if (err == GANG_OK)
		memcpy(buf, tmp, n);
	return err;
}

int gang_stlink_read_mem(uint8_t *buf, gang_stlink *sl, uint32_t addr, size_t len)
{
	int err = stlink_mem_range(sl, addr, len, "read");

	while (err == GANG_OK && len > 0) {
		gang_stlink_access kind;
		size_t n = gang_stlink_plan(&kind, addr, len, sl->feat.max_rw8);

		err = stlink_read_piece(buf, sl, kind, addr, n);
		buf += n;
		addr += (uint32_t)n;
		len -= n;
	}
	return err;
}

int gang_stlink_write_mem(gang_stlink *sl, uint32_t addr, const uint8_t *buf, size_t len)
{
	int err = stlink_mem_range(sl, addr, len, "write");

	while (err == GANG_OK && len > 0) {
		uint8_t cmd[STLINK_CMD_LEN];
		gang_stlink_access kind;
		size_t n = gang_stlink_plan(&kind, addr, len, sl->feat.max_rw8);
		bool w32 = kind == GANG_STLINK_ACCESS_32;

		stlink_mem_cmd(cmd, w32 ? STLINK_DEBUG_WRITEMEM_32BIT : STLINK_DEBUG_WRITEMEM_8BIT,
			       addr, n);
		err = gang_stlink_mem_cmd(sl, cmd, buf, n, NULL, 0,
					  w32 ? "WRITEMEM_32BIT" : "WRITEMEM_8BIT", addr);
		buf += n;
		addr += (uint32_t)n;
		len -= n;
	}
	return err;
}

int gang_stlink_write16(gang_stlink *sl, uint32_t addr, uint16_t val)
{
	uint8_t cmd[STLINK_CMD_LEN], data[2];

	/* Two 8-bit writes are not one half-word write: F1 flash programs only 16-bit. */
	if (!sl->feat.mem16)
		return gang_diag_set(sl->d, GANG_EPROBE_FIRMWARE,
				     "16-bit write at 0x%08X needs ST-Link firmware V2J%u or newer; "
				     "this probe runs %s",
				     (unsigned)addr, STLINK_V2_MIN_J_MEM16, sl->ver.text);
	if (addr % 2U != 0)
		return gang_diag_set(sl->d, GANG_ERR, "16-bit write at 0x%08X: address not aligned",
				     (unsigned)addr);
	stlink_mem_cmd(cmd, STLINK_DEBUG_APIV2_WRITEMEM_16BIT, addr, sizeof(data));
	gang_stlink_put_le16(data, val);
	return gang_stlink_mem_cmd(sl, cmd, data, sizeof(data), NULL, 0, "WRITEMEM_16BIT", addr);
}

/*
 * Another access port: firmware V2J28 and later, and every V3, read the
 * AP number from byte 8 of a memory command and answer an AP only after
 * INIT_AP opened it (OpenOCD 0.12 stlink_usb.c opens each AP it uses that
 * way; older firmware reaches AP0 alone). The second core of a dual-core
 * STM32H7 sits on AP3 (RM0399 §60.4).
 */
static int stlink_ap_check(gang_stlink *sl, unsigned ap, uint32_t addr, const char *what)
{
	if (!sl->feat.init_ap)
		return gang_diag_set(sl->d, GANG_EPROBE_FIRMWARE,
				     "%s through access port %u needs ST-Link firmware V2J%u or newer (or a V3); "
				     "this probe runs %s", what, ap, STLINK_V2_MIN_J_INIT_AP, sl->ver.text);
	if (ap > STLINK_AP_MAX)
		return gang_diag_set(sl->d, GANG_ERR, "%s: access port %u does not exist (0..%u)", what, ap,
				     STLINK_AP_MAX);
	return gang_stlink_check_align(sl, addr, STLINK_MEM_WORD, what);
}

int gang_stlink_ap_open(gang_stlink *sl, unsigned ap)
{
	uint8_t cmd[STLINK_CMD_LEN] = { STLINK_DEBUG_COMMAND, STLINK_DEBUG_APIV2_INIT_AP, 0 };
	uint8_t in[GANG_STLINK_REPLY_STATUS];
	int err = stlink_ap_check(sl, ap, 0, "INIT_AP");

	if (err < 0)
		return err;
	cmd[2] = (uint8_t)ap;
	return gang_stlink_cmd(sl, cmd, in, sizeof(in), GANG_STLINK_CTX_ACCESS, "INIT_AP", ap);
}

int gang_stlink_read32_ap(uint32_t *out, gang_stlink *sl, unsigned ap, uint32_t addr)
{
	uint8_t cmd[STLINK_CMD_LEN], buf[STLINK_MEM_WORD];
	int err = stlink_ap_check(sl, ap, addr, "READMEM_32BIT");

	*out = 0;
	if (err < 0)
		return err;
	stlink_mem_cmd(cmd, STLINK_DEBUG_READMEM_32BIT, addr, sizeof(buf));
	cmd[STLINK_MEM_AP_BYTE] = (uint8_t)ap;
	if ((err = gang_stlink_mem_cmd(sl, cmd, NULL, 0, buf, sizeof(buf), "READMEM_32BIT", addr)) == GANG_OK)
		*out = gang_stlink_get_le32(buf);
	return err;
}

int gang_stlink_write32_ap(gang_stlink *sl, unsigned ap, uint32_t addr, uint32_t val)
{
	uint8_t cmd[STLINK_CMD_LEN], buf[STLINK_MEM_WORD];
	int err = stlink_ap_check(sl, ap, addr, "WRITEMEM_32BIT");

	if (err < 0)
		return err;
	stlink_mem_cmd(cmd, STLINK_DEBUG_WRITEMEM_32BIT, addr, sizeof(buf));
	cmd[STLINK_MEM_AP_BYTE] = (uint8_t)ap;
	gang_stlink_put_le32(buf, val);
	return gang_stlink_mem_cmd(sl, cmd, buf, sizeof(buf), NULL, 0, "WRITEMEM_32BIT", addr);
}
