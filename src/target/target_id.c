/*
 * target_id.c — identification after attach: DP IDR (already read),
 * CPUID, DBGMCU_IDCODE tried at the families' addresses (those whose
 * cores match the CPUID first), the flash-size register and the 96-bit
 * UID at the family's addresses, the RDP level from the family's driver;
 * then the part check and the debug freeze. No family is named here: the
 * addresses and CPUID parts are rows of target/parts.def.
 *
 * Facts: RM0008 "Device electronic signature" and RM0091/RM0316
 * (addresses), ARMv7-M ARM B3.2 and ARMv6-M ARM (CPUID PARTNO; an
 * ARMv6-M PPB holds no DBGMCU), RM0008 DBGMCU_IDCODE (DEV_ID 0 or 0xFFF:
 * nothing answers there; flash size 0 or 0xFFFF means "unknown"), RM0008
 * DBGMCU_CR (freeze bits survive system reset, written on attach).
 */
#include "target/target_internal.h"

#include <inttypes.h>
#include <string.h>

#define TGT_IDCODE_TRIES 8U    /* distinct DBGMCU_IDCODE addresses tried at most */
#define TGT_ID_SPAN_MAX  192U   /* bytes of the one read that covers flash size and UID (U5: 0xA4, H7: 0x84) */

static bool tgt_has_addr(const uint32_t *list, unsigned n, uint32_t addr)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i] == addr)
			return true;
	return false;
}

/* Add family f's IDCODE addresses to out (no repeats; none in the PPB of an ARMv6-M core). */
static unsigned tgt_add_idcodes(uint32_t *out, unsigned n, const gang_family *f, bool v6m)
{
	for (unsigned k = 0; k < GANG_IDCODE_ADDRS_MAX && f->idcode_addrs[k] != 0; k++) {
		uint32_t a = f->idcode_addrs[k];

		if ((v6m && a >= TGT_PPB_BASE) || tgt_has_addr(out, n, a) || n >= TGT_IDCODE_TRIES)
			continue;
		out[n++] = a;
	}
	return n;
}

static bool tgt_family_has_core(const gang_family *f, uint16_t cpart)
{
	for (unsigned k = 0; k < GANG_CPUID_PARTS_MAX && f->cpuid_parts[k] != 0; k++)
		if (f->cpuid_parts[k] == cpart)
			return true;
	return false;
}

/*
 * The DBGMCU_IDCODE addresses to try: those of the families with this
 * core; only for a core no family has, every family's (an address of
 * another bus can fault, so a known core never reads one).
 */
static unsigned tgt_idcode_candidates(uint32_t *out, uint16_t cpart)
{
	bool v6m = cpart == TGT_CPUID_M0 || cpart == TGT_CPUID_M0P;
	unsigned n = 0;

	for (unsigned i = 0; i < gang_family_count(); i++)
		if (tgt_family_has_core(gang_family_at(i), cpart))
			n = tgt_add_idcodes(out, n, gang_family_at(i), v6m);
	if (n > 0)
		return n;
	for (unsigned i = 0; i < gang_family_count(); i++)
		n = tgt_add_idcodes(out, n, gang_family_at(i), v6m);
	return n;
}

/* The first candidate reading a DEV_ID other than 0 and 0xFFF (nothing there) gives the part. */
static int tgt_read_idcode(uint32_t *idc_out, gang_target *t)
{
	uint32_t addrs[TGT_IDCODE_TRIES];
	unsigned n = tgt_idcode_candidates(addrs, (uint16_t)TGT_CPUID_PART(t->info.cpuid));
	int err = GANG_OK;

	*idc_out = 0;
	for (unsigned i = 0; i < n; i++) {
		if ((err = gang_stlink_read32(idc_out, t->sl, addrs[i])) < 0)
			return err;
		if ((*idc_out & 0xFFFU) != 0 && (*idc_out & 0xFFFU) != 0xFFFU)
			break;
	}
	return err;
}

static int tgt_read_ids(gang_target *t)
{
	uint32_t idc = 0;
	int err;

	if ((err = gang_stlink_read32(&t->info.cpuid, t->sl, TGT_CPUID)) < 0 ||
	    (err = tgt_read_idcode(&idc, t)) < 0)
		return err;
	t->info.dev_id = (uint16_t)(idc & 0xFFFU);
	t->info.rev = (uint16_t)(idc >> 16);
	/* ES0182 §2.2.2: early F40x/F41x (revision A) report the F2's DEV_ID; a Cortex-M4 tells them apart */
	if (t->info.dev_id == TGT_DEV_F2 && TGT_CPUID_PART(t->info.cpuid) == TGT_CPUID_M4)
		t->info.dev_id = TGT_DEV_F40X;
	t->fam = gang_part_family_of(t->info.dev_id);
	if (t->fam == NULL)
		return gang_diag_set(t->d, t->want ? GANG_EWRONG_PART : GANG_ENOTSUP,
				     "board has an unknown STM32 (DEV_ID 0x%03X, CPUID 0x%08" PRIX32
				     ")%s%s", (unsigned)t->info.dev_id, t->info.cpuid,
				     t->want ? ", profile wants " : "", t->want ? t->want->name : "");
	return GANG_OK;
}

/*
 * The flash-size register and the UID in one aligned READMEM: every family
 * here keeps them within 192 bytes of each other (RM0008 §30.1, RM0091
 * §33, RM0090 §39.1 and §39.2; F2/F4 and F7 put the size on a half-word
 * boundary, so it is read inside the aligned span; the double-word
 * families 84 bytes apart: UID 0x1FFF7590, size 0x1FFF75E0, RM0351 §48.1-2,
 * on C0 0x1FFF7550 and 0x1FFF75A0, RM0490; L0/L1 split the UID, its third
 * word 0x14 past the first, RM0377 §28.2; RM0433 §61.1-61.2: the H7's
 * UID at 0x1FF1E800, its size 0x80 above; L5 82 bytes apart,
 * UID 0x0BFA0590 and size 0x0BFA05E0, RM0438 §52.1-2; U5 164, UID
 * 0x0BFA0700 and size 0x0BFA07A0, RM0456 §75.1-2).
 */
static int tgt_read_size_uid(gang_target *t)
{
	uint32_t fsz = t->fam->flash_size_addr, uid = t->fam->uid_addr;
	uint32_t hi_off = t->fam->uid_hi_off ? t->fam->uid_hi_off : 8U;
	uint32_t lo = (fsz < uid ? fsz : uid) & ~3U;
	uint32_t hi = ((fsz + 2U > uid + hi_off + 4U ? fsz + 2U : uid + hi_off + 4U) + 3U) & ~3U;
	uint8_t buf[TGT_ID_SPAN_MAX], id[12];
	int err;

	if (hi - lo > sizeof(buf))
		return gang_diag_set(t->d, GANG_ERR, "flash-size register 0x%08" PRIX32 " and UID 0x%08" PRIX32
				     " are too far apart for one read", fsz, uid);
	if ((err = gang_stlink_read_mem(buf, t->sl, lo, hi - lo)) < 0)
		return err;
	t->info.flash_kib = (uint32_t)buf[fsz - lo] | (uint32_t)buf[fsz - lo + 1U] << 8;
	/* U_ID[63:0] at the UID address, U_ID[95:64] right after or (L0/L1) at +0x14 */
	memcpy(id, buf + (uid - lo), 8);
	memcpy(id + 8, buf + (uid - lo) + hi_off, 4);
	gang_part_uid_string(t->info.uid, id);
	return GANG_OK;
}

int gang_target_read_rdp(gang_target *t)
{
	return t->fam->read_rdp(&t->info.rdp_level, t);
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
	/* rows that share DEV_ID and size (H743ZI, H745ZI): the family tells them apart */
	return t->fam->pick_part ? t->fam->pick_part(&t->info.part, t) : GANG_OK;
}

int gang_target_identify(gang_target *t)
{
	int err;

	if ((err = tgt_read_ids(t)) < 0 || (err = tgt_read_size_uid(t)) < 0 ||
	    (err = tgt_match_part(t)) < 0)
		return err;
	return gang_target_read_rdp(t);
}

/*
 * Set bits at addr. After a reset the rest of the register is ours to
 * write (a debugger's leftovers at most: DBGMCU_CR survives a system
 * reset, RM0008 §31.16.3), so only a hot-plug attach reads it first.
 */
static int tgt_set_bits(gang_target *t, uint32_t addr, uint32_t bits)
{
	uint32_t v = 0;
	int err;

	if (t->info.mode != GANG_CONNECT_HOT_PLUG)
		return gang_stlink_write32(t->sl, addr, bits);
	err = gang_stlink_read32(&v, t->sl, addr);

	if (err == GANG_OK && (v & bits) != bits)
		err = gang_stlink_write32(t->sl, addr, v | bits);
	return err;
}

/* Watchdogs stopped and the debug link kept through sleep/stop/standby while attached. */
int gang_target_freeze_watchdogs(gang_target *t)
{
	int err = GANG_OK;

	/* G0/C0: DBG_CR and APB_FZ ignore writes until RCC_APBENR1.DBGEN clocks them (RM0444 §40.9) */
	if (t->fam->dbgmcu_clk_addr != 0)
		err = tgt_set_bits(t, t->fam->dbgmcu_clk_addr, t->fam->dbgmcu_clk_bit);
	if (err == GANG_OK)
		err = tgt_set_bits(t, t->fam->dbgmcu_cr_addr, t->fam->dbgmcu_cr_bits);
	if (err == GANG_OK && t->fam->dbgmcu_fz_addr != 0)
		err = tgt_set_bits(t, t->fam->dbgmcu_fz_addr, t->fam->dbgmcu_fz_bits);
	return err;
}
