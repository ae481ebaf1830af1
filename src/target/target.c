/*
 * target.c — attach/detach and the connect strategies: normal (attach,
 * then reset and halt), under reset (NRST low while attaching, halt and
 * VC_CORERESET armed in reset, release: halted before the first
 * instruction), hot-plug (halt where it is), and auto (normal, then under
 * reset when the debug port is silent or the core will not halt).
 *
 * Facts: RM0008 AFIO_MAPR.SWJ_CFG (firmware that sets SWJ_CFG=100
 * silences the SW-DP until a system reset), RM0008 debug support and
 * ARMv7-M ARM C1.6 DEMCR.VC_CORERESET (why connect under reset works;
 * S_RESET_ST tells whether NRST reached the chip), ARMv7-M ARM C1.6
 * (DHCSR/DEMCR); the ST-Link protocol as stlink 1.7.0 uses it (stlink's
 * sequences).
 */
#include "target/target_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Supply first: without it every later failure would be misleading. */
static int tgt_check_voltage(gang_target *t)
{
	unsigned mv = 0;
	int err = gang_stlink_target_voltage(&mv, t->sl);

	if (err == GANG_EPROBE_FIRMWARE) {
		gang_diag_clear(t->d);   /* old probe: cannot measure, carry on */
		return GANG_OK;
	}
	if (err < 0)
		return err;
	t->info.target_mv = mv;
	if (mv < TGT_MIN_MV)
		return gang_diag_set(t->d, GANG_ENO_BOARD,
				     "target voltage %u.%02u V (below 1.5 V): no board in the fixture or no power",
				     mv / 1000U, mv % 1000U / 10U);
	return GANG_OK;
}

/* ENTER SWD and read the DP's IDR; any failure means the debug port is silent. */
static int tgt_enter(gang_target *t)
{
	int err = gang_stlink_enter_swd(t->sl);

	if (err == GANG_OK)
		err = gang_stlink_read_idcodes(&t->info.dpidr, t->sl);
	if (err == GANG_ETARGET_FAULT)
		err = GANG_ETARGET_NOSWD;
	return err;
}

static int tgt_connect_normal(gang_target *t)
{
	int err = tgt_enter(t);
	char why[GANG_DIAG_LEN / 2];

	if (err == GANG_ETARGET_NOSWD) {
		snprintf(why, sizeof(why), "%.200s", t->d->msg);
		return gang_diag_set(t->d, GANG_ETARGET_NOSWD,
				     "the debug port does not answer (%s); if the firmware disables SWD "
				     "or sleeps, connect under reset", why);
	}
	if (err < 0)
		return err;
	return gang_target_reset_halt(t);
}

static int tgt_connect_hot_plug(gang_target *t)
{
	int err = tgt_enter(t);

	if (err == GANG_OK)
		err = gang_target_halt(t);
	return err;
}

/* NRST is low: arm halt-on-reset, release, and check that the reset really happened. */
static int tgt_release_reset(gang_target *t)
{
	uint32_t dhcsr = 0;
	int err;

	if ((err = gang_stlink_write32(t->sl, TGT_DHCSR, TGT_DHCSR_KEY | TGT_DHCSR_DEBUGEN |
				       TGT_DHCSR_HALT)) < 0 ||
	    (err = gang_stlink_write32(t->sl, TGT_DEMCR, TGT_DEMCR_RESET_HALT)) < 0 ||
	    (err = gang_stlink_read32(&dhcsr, t->sl, TGT_DHCSR)) < 0)
		return err;
	if ((err = gang_stlink_drive_nrst(t->sl, false)) < 0)
		return err;
	gang_target_sleep_us(1000);
	if ((err = gang_stlink_read32(&dhcsr, t->sl, TGT_DHCSR)) < 0)
		return err;
	if (!(dhcsr & TGT_DHCSR_S_RESET))
		return gang_diag_set(t->d, GANG_ENRST_UNWIRED,
				     "under-reset is impossible on this fixture: after driving NRST low "
				     "DHCSR.S_RESET_ST never read set (DHCSR=0x%08X)", (unsigned)dhcsr);
	if (!(dhcsr & TGT_DHCSR_S_HALT) &&
	    (err = gang_target_wait_halt(t, TGT_HALT_TIMEOUT_MS, 0, GANG_ETARGET_NOHALT, "the core after reset")) < 0)
		return err;
	t->flash_at_reset = true;   /* NRST released into the reset vector catch */
	t->reset_clean = true;
	return GANG_OK;
}

static int tgt_connect_under_reset(gang_target *t)
{
	int err = gang_stlink_drive_nrst(t->sl, true);

	if (err < 0)
		return err;
	gang_target_sleep_us(100);
	err = tgt_enter(t);
	if (err == GANG_ETARGET_NOSWD) {
		gang_stlink_drive_nrst(t->sl, false);
		return gang_diag_set(t->d, GANG_ENRST_UNWIRED,
				     "under-reset is impossible on this fixture: the debug port stays "
				     "silent with NRST driven low, so NRST does not reach the chip");
	}
	if (err == GANG_OK)
		err = tgt_release_reset(t);
	if (err < 0)
		gang_stlink_drive_nrst(t->sl, false);
	return err;
}

/*
 * What made a normal attach fail, for the operator and the record: a
 * silent debug port is firmware that took the SWD pins or put the chip in
 * STOP/STANDBY without DBGMCU's debug bits (RM0008 §9.4.2 and §31.16.3,
 * RM0090 §8.4.1 and §38.16.1: the two cannot be told apart from outside);
 * a core that will not halt is firmware asleep in a low-power mode or
 * locked up; faults while halting are a bus the firmware left stalled.
 */
static void tgt_recovered(gang_target *t, int why)
{
	const char *head = why == GANG_ETARGET_NOSWD ? "SWD disabled by firmware — recovered under reset"
			   : why == GANG_ETARGET_NOHALT ? "core would not halt — recovered under reset"
							: "bus faults while halting — recovered under reset";
	const char *note = why == GANG_ETARGET_NOSWD
				   ? "the debug port was silent (firmware turned the SWD pins into GPIO or put "
				     "the chip to sleep); connected under reset"
			   : why == GANG_ETARGET_NOHALT
				   ? "the core did not halt (firmware asleep in a low-power mode or locked up); "
				     "connected under reset"
				   : "halting the core faulted on the bus; connected under reset";

	snprintf(t->info.headline, sizeof(t->info.headline), "%s", head);
	snprintf(t->info.note, sizeof(t->info.note), "%s", note);
}

static int tgt_connect_auto(gang_target *t)
{
	int err = tgt_connect_normal(t), why = err;

	/* silent port, a core that will not halt, or faults while halting it: try under reset */
	if (err != GANG_ETARGET_NOSWD && err != GANG_ETARGET_NOHALT && err != GANG_ETARGET_FAULT)
		return err;
	gang_diag_clear(t->d);
	err = tgt_connect_under_reset(t);
	if (err == GANG_OK) {
		t->info.mode = GANG_CONNECT_UNDER_RESET;
		tgt_recovered(t, why);
	}
	return err;
}

static int tgt_connect(gang_target *t, gang_connect_mode mode)
{
	t->info.mode = mode;
	switch (mode) {
	case GANG_CONNECT_NORMAL: return tgt_connect_normal(t);
	case GANG_CONNECT_UNDER_RESET: return tgt_connect_under_reset(t);
	case GANG_CONNECT_HOT_PLUG: return tgt_connect_hot_plug(t);
	case GANG_CONNECT_AUTO:
		t->info.mode = GANG_CONNECT_NORMAL;
		return tgt_connect_auto(t);
	}
	return gang_diag_set(t->d, GANG_EUSAGE, "unknown connect mode %d", (int)mode);
}

static int tgt_unknown_part(gang_target *t, const char *name)
{
	char known[256] = "";
	size_t n = 0;

	for (unsigned i = 0; i < gang_part_count() && n < sizeof(known); i++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", i ? ", " : "",
				      gang_part_at(i)->name);
	return gang_diag_set(t->d, GANG_EPROFILE, "unknown part '%s' (known: %s)", name, known);
}

static int tgt_setup(gang_target *t, const gang_connect_opts *o)
{
	unsigned khz = o->swd_khz ? o->swd_khz : TGT_DEFAULT_KHZ;
	int err;

	if (o->part != NULL && (t->want = gang_part_find(o->part)) == NULL)
		return tgt_unknown_part(t, o->part);
	if ((err = tgt_check_voltage(t)) < 0)
		return err;
	err = gang_stlink_set_swd_khz(&t->info.swd_khz, t->sl, khz);
	if (err == GANG_EPROBE_FIRMWARE) {
		gang_diag_clear(t->d);   /* old probe: keeps its power-up clock */
		err = GANG_OK;
	}
	return err;
}

int gang_target_attach(gang_target **out, gang_stlink *sl, const gang_connect_opts *o)
{
	gang_connect_opts def = { GANG_CONNECT_AUTO, 0, NULL };
	gang_target *t;
	int err;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return gang_diag_set(gang_stlink_diag(sl), GANG_ENOMEM, "out of memory attaching target");
	t->sl = sl;
	t->d = gang_stlink_diag(sl);
	t->info.rdp_level = -1;
	t->should_stop = o ? o->should_stop : NULL;
	t->stop_user = o ? o->stop_user : NULL;
	if ((err = tgt_setup(t, o ? o : &def)) < 0 ||
	    (err = tgt_connect(t, o ? o->mode : def.mode)) < 0 ||
	    (err = gang_target_identify(t)) < 0 ||
	    (err = gang_target_freeze_watchdogs(t)) < 0 ||
	    (err = gang_target_hold_cores(t)) < 0)
		goto fail;
	*out = t;
	return GANG_OK;
fail:
	gang_stlink_exit_debug(sl);
	free(t);
	return err;
}

int gang_target_peek(gang_target_info *info_out, gang_stlink *sl, unsigned swd_khz)
{
	gang_connect_opts o = { GANG_CONNECT_HOT_PLUG, swd_khz, NULL };
	gang_target t = { .sl = sl, .d = gang_stlink_diag(sl), .info.rdp_level = -1 };
	int err;

	if ((err = tgt_setup(&t, &o)) == GANG_OK && (err = tgt_enter(&t)) == GANG_OK)
		err = gang_target_identify(&t);
	t.info.mode = GANG_CONNECT_HOT_PLUG;
	*info_out = t.info;
	gang_stlink_exit_debug(sl);
	return err;
}

/* Let the core go: from where it is (run) or from its reset vector (reset). */
static int tgt_release(gang_target *t, gang_detach_after after)
{
	int err, err2;

	if (after == GANG_DETACH_HALT)
		return GANG_OK;
	/* the core stopped inside gang's loader: only a reset starts the firmware cleanly */
	if (after == GANG_DETACH_RUN && t->ran_code)
		after = GANG_DETACH_RESET;
	if ((err = gang_stlink_write32(t->sl, TGT_DEMCR, 0)) < 0)
		return err;
	if (after == GANG_DETACH_RESET) {
		/* halted, C_MASKINTS cleared first: the release below may not change it on a running core */
		if (t->maskints && (err = gang_stlink_write32(t->sl, TGT_DHCSR, TGT_DHCSR_KEY | TGT_DHCSR_DEBUGEN |
							      TGT_DHCSR_HALT)) < 0)
			return err;
		if ((err = gang_stlink_write32(t->sl, TGT_AIRCR, TGT_AIRCR_SYSRESET)) < 0)
			return err;
	}
	/*
	 * One write lets the core go: C_DEBUGEN cleared takes C_HALT with it
	 * (ARMv7-M ARM, DDI 0403E §C1.6.3 DHCSR: with C_DEBUGEN 0 the core
	 * ignores C_HALT and leaves Debug state). Nothing is asked of the chip
	 * after that write, so firmware that turns the SWD pins into GPIO the
	 * moment it runs (AFIO_MAPR.SWJ_CFG on F1, GPIOA_MODER elsewhere)
	 * cannot make the release fail. A second core goes one write before
	 * (gang_family.release_cores).
	 */
	err = gang_target_release_cores(t);
	err2 = gang_stlink_write32(t->sl, TGT_DHCSR, TGT_DHCSR_KEY);
	return err < 0 ? err : err2;
}

int gang_target_detach(gang_target *t, gang_detach_after after)
{
	int err, err2;

	if (t == NULL)
		return GANG_OK;
	err = tgt_release(t, after);
	err2 = gang_stlink_exit_debug(t->sl);
	free(t);
	return err < 0 ? err : err2;
}

const gang_target_info *gang_target_info_get(const gang_target *t)
{
	return &t->info;
}

const gang_part *gang_target_part(const gang_target *t)
{
	return t->info.part;
}

gang_stlink *gang_target_stlink(gang_target *t)
{
	return t->sl;
}

gang_diag *gang_target_diag(gang_target *t)
{
	return t->d;
}

int gang_target_stop_check(gang_target *t, const char *during, uint32_t addr)
{
	if (t->should_stop == NULL || !t->should_stop(t->stop_user))
		return GANG_OK;
	return gang_target_stopped(t, during, addr);
}

int gang_target_stopped(gang_target *t, const char *during, uint32_t addr)
{
	return gang_diag_set(t->d, GANG_ECANCELLED, "stopped by the operator during %s at 0x%08" PRIX32, during, addr);
}
