/*
 * board_fpec_tz_ob.c — the option registers of the L5/U5 TrustZone
 * controller (board_fpec_tz.c) and what they decide: RDP level, TrustZone,
 * the secure watermarks and block-based secure pages, write protection.
 *
 * option_bytes.bin holds the option registers as programmed, 16 words:
 * OPTR, NSBOOTADD0R, NSBOOTADD1R, SECBOOTADD0R, SECWM1R1, SECWM1R2,
 * WRP1AR, WRP1BR, SECWM2R1, SECWM2R2, WRP2AR, WRP2BR (register order
 * 0x40-0x6C), then the U5 OEM1 and OEM2 keys (0 = not provisioned).
 *
 * Facts (sub-section numbers unverified, as in board_fpec_tz.c): RM0438
 * §6.4 and RM0456 §7.4 (option bytes, OPTSTRT loads them
 * into the option area, OBL_LAUNCH or a reset puts them in force), §6.6 /
 * §7.6 (RDP: 0xAA level 0, 0xCC level 2, 0x55 with TZEN = 1 level 0.5,
 * any other value level 1; a regression to level 0 mass-erases; level 2
 * is final), §6.5 / §7.5 (TZEN b31 set only at level 0, cleared only with
 * a regression to level 0; SECWMxR1 PSTRT b6:0 / PEND b22:16 make a page
 * range secure, SECBBxRy one bit per page; SECWMxR2: HDPxEN b31 and
 * HDPx_PEND b22:16, secure-only like SECWMxR1, held and reloaded as
 * programmed, their hiding of pages not modelled), §7.4.1 (WRPxyR: PSTRT b6:0,
 * PEND b22:16, U5 UNLOCK b31: once 0 the area can never change again);
 * RM0456 §7.6.3 (OEM1KEY: when provisioned, level 1 -> 0 needs the key,
 * presented through the debug port: not modelled, such a regression is
 * refused; without a key the regression is the legacy one).
 * Factory values are composed from the field descriptions (unverified
 * against the RMs' reset-value lines): L5 OPTR 0x1F4F70AA (DBANK = 1),
 * U5 OPTR 0x1FEFF0AA (DUALBANK = 1), watermarks 0..127 (all of each bank
 * secure once TZEN is set), no WRP area (PSTRT 0x7F > PEND 0), U5 UNLOCK 1.
 * Debug access (RM0438 §6.6.2, RM0456 §7.6.2): level 0 everything; level
 * 0.5 non-secure only (the secure aliases fault); level 1 no flash while a
 * debugger is attached; level 2 no debug port.
 */
#include "board_fpec_tz.h"

#define TZ_WM_PSTRT(v)   ((v) & 0x7FU)
#define TZ_WM_PEND(v)    (((v) >> 16) & 0x7FU)
#define TZ_WRP_NONE      0x0000007FU
#define TZ_WM_ALL        0x007F0000U

uint8_t tz_rdp_level(uint32_t optr)
{
	uint32_t rdp = optr & TZ_OPTR_RDP;

	if (rdp == TZ_RDP_L0)
		return 0;
	if (rdp == TZ_RDP_L2)
		return 2;
	if (rdp == TZ_RDP_L05 && (optr & TZ_OPTR_TZEN))
		return BOARD_TZ_RDP05;
	return 1;
}

static bool tz_in_area(uint32_t reg, uint32_t page)
{
	uint32_t s = TZ_WM_PSTRT(reg), e = TZ_WM_PEND(reg);

	return s <= e && page >= s && page <= e;
}

bool tz_page_secure(const sim_board *b, uint32_t bank, uint32_t page)
{
	const board_fpectz *f = &b->tz;
	uint32_t wm = f->opt_f[bank ? TZ_O_SECWM2R1 : TZ_O_SECWM1R1];

	if (!f->tzen)
		return false;
	if (tz_in_area(wm, page))
		return true;
	return page < 128U && (f->secbb[bank][page / 32U] >> (page % 32U) & 1U);
}

bool tz_page_protected(const sim_board *b, uint32_t bank, uint32_t page)
{
	const board_fpectz *f = &b->tz;

	return tz_in_area(f->opt_f[bank ? TZ_O_WRP2AR : TZ_O_WRP1AR], page) ||
	       tz_in_area(f->opt_f[bank ? TZ_O_WRP2BR : TZ_O_WRP1BR], page);
}

/* Secure state: the core always (it boots secure); a debugger only at level 0. */
bool tz_secure_ok(const sim_board *b, bool core)
{
	if (!b->tz.tzen)
		return false;   /* strict: no secure alias without TrustZone */
	return core || b->tz.rdp_level == 0;
}

/* ---- layout of the registers --------------------------------------------------- */

static uint32_t tz_opt_mask(const sim_board *b, unsigned i)
{
	switch (i) {
	case TZ_O_OPTR: return tz_u5(b) ? 0xFFFFF7FFU : 0x9F7F77FFU;
	case TZ_O_NSBOOT0:
	case TZ_O_NSBOOT1: return 0xFFFFFF80U;
	case TZ_O_SECBOOT0: return 0xFFFFFF81U;   /* U5 BOOT_LOCK b0 */
	case TZ_O_SECWM1R1:
	case TZ_O_SECWM2R1: return 0x007F007FU;
	case TZ_O_SECWM1R2:
	case TZ_O_SECWM2R2: return 0x807F0000U;   /* HDPxEN, HDPx_PEND */
	case TZ_O_WRP1AR:
	case TZ_O_WRP1BR:
	case TZ_O_WRP2AR:
	case TZ_O_WRP2BR: return tz_u5(b) ? 0x807F007FU : 0x007F007FU;
	default: return tz_u5(b) ? 0xFFFFFFFFU : 0U;   /* OEM keys: U5 only */
	}
}

static bool tz_is_wrp(unsigned i)
{
	return i == TZ_O_WRP1AR || i == TZ_O_WRP1BR || i == TZ_O_WRP2AR || i == TZ_O_WRP2BR;
}

static bool tz_is_secure_opt(unsigned i)
{
	return i == TZ_O_SECBOOT0 || i == TZ_O_SECWM1R1 || i == TZ_O_SECWM1R2 ||
	       i == TZ_O_SECWM2R1 || i == TZ_O_SECWM2R2;
}

/* A U5 WRP area whose UNLOCK was programmed 0: frozen for ever. */
static bool tz_wrp_frozen(const sim_board *b, unsigned i)
{
	return tz_u5(b) && tz_is_wrp(i) && !(b->tz.opt_f[i] & TZ_WRP_UNLOCK);
}

/*
 * A new board: factory options; cfg->rdp 1 gives RDP 0xBB; cfg->wrp as
 * elsewhere "bit clear = protected", bits 0..31 naming bank-1 pages: the
 * run from the lowest to the highest clear bit becomes the WRP1A area.
 */
void tz_ob_new(const sim_board *b, uint8_t *img)
{
	uint32_t o[BOARD_TZ_OPT_N] = { 0 };
	uint32_t unlock = tz_u5(b) ? TZ_WRP_UNLOCK : 0U;

	o[TZ_O_OPTR] = tz_u5(b) ? 0x1FEFF000U : 0x1F4F7000U;
	o[TZ_O_OPTR] |= b->cfg.rdp ? TZ_RDP_L1 : TZ_RDP_L0;
	o[TZ_O_NSBOOT0] = 0x08000000U;
	o[TZ_O_NSBOOT1] = 0x0BF90000U;   /* system memory */
	o[TZ_O_SECBOOT0] = 0x0C000000U;
	o[TZ_O_SECWM1R1] = o[TZ_O_SECWM2R1] = TZ_WM_ALL;
	o[TZ_O_WRP1AR] = o[TZ_O_WRP1BR] = o[TZ_O_WRP2AR] = o[TZ_O_WRP2BR] = TZ_WRP_NONE | unlock;
	if (~b->cfg.wrp != 0) {
		uint32_t prot = ~b->cfg.wrp;
		uint32_t lo = (uint32_t)__builtin_ctz(prot), hi = 31U - (uint32_t)__builtin_clz(prot);
		o[TZ_O_WRP1AR] = lo | hi << 16 | unlock;
	}
	for (unsigned i = 0; i < BOARD_TZ_OPT_N; i++)
		board_le_put(img + 4U * i, 4, o[i]);
}

/* Reset: the programmed options come in force; the registers show them. */
void tz_ob_reset(sim_board *b)
{
	board_fpectz *f = &b->tz;

	for (unsigned i = 0; i < BOARD_TZ_OPT_N; i++) {
		f->opt_f[i] = board_le_get(b->ob + 4U * i, 4) & tz_opt_mask(b, i);
		f->opt[i] = i >= TZ_O_OEM1 ? 0U : f->opt_f[i];
	}
	f->tzen = (f->opt_f[TZ_O_OPTR] & TZ_OPTR_TZEN) != 0;
	f->rdp_level = tz_rdp_level(f->opt_f[TZ_O_OPTR]);
}

bool tz_opt_reg_read(sim_board *b, uint32_t off, uint32_t *val, bool secure)
{
	unsigned i = (off - TZ_OPTR) / 4U;

	(void)secure;   /* the option registers read the same from both worlds */
	*val = i >= TZ_O_OEM1 ? 0U : b->tz.opt[i];   /* OEM keys are write-only */
	return true;
}

/* A write while OPTLOCK is clear: secure-only registers need secure access with TZEN. */
bool tz_opt_reg_write(sim_board *b, uint32_t off, uint32_t val, bool secure)
{
	board_fpectz *f = &b->tz;
	unsigned i = (off - TZ_OPTR) / 4U;

	if (f->tzen && tz_is_secure_opt(i) && !secure)
		return false;
	if (tz_wrp_frozen(b, i))
		return false;   /* UNLOCK was programmed 0: the area never changes (RM0456 §7.4.1) */
	if (i >= TZ_O_OEM1 && f->rdp_level != 0)
		return false;   /* keys are provisioned at level 0 only */
	f->opt[i] = val & tz_opt_mask(b, i);
	return true;
}

/* ---- OPTSTRT -------------------------------------------------------------------- */

static bool tz_oem1_set(const board_fpectz *f)
{
	return (f->opt_f[TZ_O_OEM1] | f->opt_f[TZ_O_OEM1 + 1]) != 0;
}

/* 0 when the new OPTR may be programmed, else OPTWERR (RM0456 §7.4.2, §7.6). */
static uint32_t tz_ob_check(const sim_board *b)
{
	const board_fpectz *f = &b->tz;
	uint32_t optr = f->opt[TZ_O_OPTR];
	uint8_t cur = f->rdp_level, nxt = tz_rdp_level(optr);
	bool tz_new = (optr & TZ_OPTR_TZEN) != 0;

	if (cur == 2U)
		return TZ_SR_OPTWERR;   /* level 2 is final (OEM2 key regression not modelled) */
	if (tz_new && !f->tzen && cur != 0U)
		return TZ_SR_OPTWERR;   /* TZEN is set only at level 0 */
	if (!tz_new && f->tzen && !(cur != 0U && nxt == 0U))
		return TZ_SR_OPTWERR;   /* TZEN is cleared only with a regression to level 0 */
	if (!tz_new && f->tzen && tz_u5(b) && cur == BOARD_TZ_RDP05)
		return TZ_SR_OPTWERR;   /* U5: TrustZone goes off from level 1 only (AN5347: from 0.5 on the L5) */
	if (cur == 1U && nxt == BOARD_TZ_RDP05)
		return TZ_SR_OPTWERR;   /* strict: level 1 -> 0.5 not modelled (unverified) */
	if (tz_u5(b) && cur == 1U && nxt == 0U && tz_oem1_set(f))
		return TZ_SR_OPTWERR;   /* the OEM1 key must be presented: not modelled */
	return 0;
}

uint32_t tz_ob_start(sim_board *b)
{
	board_fpectz *f = &b->tz;
	uint32_t err = tz_ob_check(b);

	if (err != 0)
		return err;
	f->op_regress = f->rdp_level != 0U && tz_rdp_level(f->opt[TZ_O_OPTR]) == 0U;
	f->op_set = TZ_NS;
	/* no datasheet figure for OPTSTRT: the bench's option-byte time (t_ob_erase_ms) */
	tz_start(b, BOARD_OP_OB_PROG, b->cfg.timing.t_ob_erase_ns + (f->op_regress ? tz_mass_ns(b) : 0U));
	return 0;
}

/* The options are programmed: in force at the next reset or OBL_LAUNCH (strict). */
void tz_ob_done(sim_board *b)
{
	board_fpectz *f = &b->tz;
	uint32_t v[BOARD_TZ_OPT_N];

	if (f->op_regress)
		board_flash_erase(b, 0, b->flash_size);   /* OTP survives (ST-U5) */
	for (unsigned i = 0; i < BOARD_TZ_OPT_N; i++)
		v[i] = tz_wrp_frozen(b, i) ? f->opt_f[i] : f->opt[i];
	for (unsigned i = TZ_O_OEM1; i < BOARD_TZ_OPT_N; i += 2U) {
		bool held = (f->opt_f[i] | f->opt_f[i + 1U]) != 0;
		bool given = (f->opt[i] | f->opt[i + 1U]) != 0;   /* an all-zero key is no key */
		if (held || !given) {
			v[i] = f->opt_f[i];
			v[i + 1U] = f->opt_f[i + 1U];
		}
		f->opt[i] = f->opt[i + 1U] = 0;
	}
	for (unsigned i = 0; i < BOARD_TZ_OPT_N; i++)
		board_le_put(b->ob + 4U * i, 4, v[i]);
}
