/*
 * target_id.c — identification after attach: DP IDR (already read),
 * CPUID, DBGMCU_IDCODE at the address the CPUID part implies, the
 * flash-size register and the 96-bit UID at the family's addresses, the
 * RDP level from FLASH_OBR; then the part check and the debug freeze.
 *
 * Facts: RM0008 "Device electronic signature" and RM0091/RM0316
 * (addresses), ARMv7-M ARM B3.2 and RM0008 DBGMCU_IDCODE (CPUID parts
 * 0xC20/0xC60 = M0: IDCODE at 0x40015800, else 0xE0042000; flash size 0
 * or 0xFFFF means "unknown"), PM0075 and RM0091 §3 (OBR RDPRT layouts),
 * RM0008 DBGMCU_CR (freeze bits survive system reset, written on attach).
 */
#include "target/target_internal.h"

#include <inttypes.h>

static int tgt_read_ids(gang_target *t)
{
	uint32_t idc = 0, cpart;
	int err;

	if ((err = gang_stlink_read32(&t->info.cpuid, t->sl, TGT_CPUID)) < 0)
		return err;
	cpart = TGT_CPUID_PART(t->info.cpuid);
	err = gang_stlink_read32(&idc, t->sl, (cpart == TGT_CPUID_M0 || cpart == TGT_CPUID_M0P) ?
				 TGT_IDCODE_M0 : TGT_IDCODE_M3M4);
	if (err < 0)
		return err;
	t->info.dev_id = (uint16_t)(idc & 0xFFFU);
	t->info.rev = (uint16_t)(idc >> 16);
	t->fam = gang_part_family_of(t->info.dev_id);
	if (t->fam == NULL)
		return gang_diag_set(t->d, t->want ? GANG_EWRONG_PART : GANG_ENOTSUP,
				     "board has an unknown STM32 (DEV_ID 0x%03X, CPUID 0x%08" PRIX32
				     ")%s%s", (unsigned)t->info.dev_id, t->info.cpuid,
				     t->want ? ", profile wants " : "", t->want ? t->want->name : "");
	return GANG_OK;
}

static int tgt_read_size_uid(gang_target *t)
{
	uint32_t fs = 0;
	uint8_t uid[12];
	int err;

	if ((err = gang_stlink_read32(&fs, t->sl, t->fam->flash_size_addr)) < 0 ||
	    (err = gang_stlink_read_mem(uid, t->sl, t->fam->uid_addr, sizeof(uid))) < 0)
		return err;
	t->info.flash_kib = fs & 0xFFFFU;
	gang_part_uid_string(t->info.uid, uid);
	return GANG_OK;
}

int gang_target_read_rdp(gang_target *t)
{
	uint32_t obr = 0;
	int err = gang_stlink_read32(&obr, t->sl, t->fam->fpec_base + TGT_FLASH_OBR);

	if (err < 0)
		return err;
	if (!(obr & TGT_OBR_RDPRT))
		t->info.rdp_level = 0;
	else
		t->info.rdp_level = (t->fam->obr_f0_layout && (obr & TGT_OBR_RDPRT2)) ? 2 : 1;
	return GANG_OK;
}

/* Pick the table row: the expected part (checked), or the one the registers name. */
static int tgt_match_part(gang_target *t)
{
	uint32_t kib = t->info.flash_kib;

	/* clones and early silicon read 0 or 0xFFFF: trust DEV_ID alone then */
	if ((kib == 0 || kib == 0xFFFFU) && t->want != NULL && t->want->dev_id == t->info.dev_id)
		kib = t->want->flash_kib;
	if (t->want != NULL) {
		t->info.part = t->want;
		return gang_part_check(t->want, t->info.dev_id, kib, t->d);
	}
	t->info.part = gang_part_identify(t->info.dev_id, kib);
	if (t->info.part == NULL)
		return gang_diag_set(t->d, GANG_ENOTSUP,
				     "board has DEV_ID 0x%03X with %" PRIu32 " KiB of flash, a size "
				     "gang's part table does not list", (unsigned)t->info.dev_id, kib);
	return GANG_OK;
}

int gang_target_identify(gang_target *t)
{
	int err;

	if ((err = tgt_read_ids(t)) < 0 || (err = tgt_read_size_uid(t)) < 0 ||
	    (err = tgt_match_part(t)) < 0)
		return err;
	return gang_target_read_rdp(t);
}

static int tgt_set_bits(gang_target *t, uint32_t addr, uint32_t bits)
{
	uint32_t v = 0;
	int err = gang_stlink_read32(&v, t->sl, addr);

	if (err == GANG_OK && (v & bits) != bits)
		err = gang_stlink_write32(t->sl, addr, v | bits);
	return err;
}

/* Watchdogs stopped and the debug link kept through sleep/stop/standby while attached. */
int gang_target_freeze_watchdogs(gang_target *t)
{
	int err = tgt_set_bits(t, t->fam->dbgmcu_cr_addr, t->fam->dbgmcu_cr_bits);

	if (err == GANG_OK && t->fam->dbgmcu_fz_addr != 0)
		err = tgt_set_bits(t, t->fam->dbgmcu_fz_addr, t->fam->dbgmcu_fz_bits);
	return err;
}
