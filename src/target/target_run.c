/*
 * target_run.c — core run control for attach and for the flash drivers:
 * halt, reset-and-halt with vector catch, starting code in SRAM with
 * interrupts masked, and waiting for the bkpt that ends it.
 *
 * Facts: ARMv7-M ARM (DDI 0403E) C1.6 and the stock loaders as traced
 * (core control during a loader run: registers through DCRSR/DCRDR,
 * xPSR.T=1, poll S_HALT); C1.6 and B3.2 (DHCSR key, C_MASKINTS set while
 * halted, DEMCR reset-halt value, AIRCR SYSRESETREQ, DFSR
 * write-1-to-clear).
 */
#include "target/target_internal.h"

#include <inttypes.h>
#include <time.h>

#define TGT_REG_PC    15U
#define TGT_REG_XPSR  16U
#define TGT_XPSR_T    0x01000000U
#define TGT_POLL_US   2000U

void gang_target_sleep_us(unsigned us)
{
	struct timespec ts = { (time_t)(us / 1000000U), (long)(us % 1000000U) * 1000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

int gang_target_poll_halt(bool *halted_out, gang_target *t)
{
	uint32_t dhcsr = 0;
	int err = gang_stlink_read32(&dhcsr, t->sl, TGT_DHCSR);

	*halted_out = err == GANG_OK && (dhcsr & TGT_DHCSR_S_HALT) != 0;
	return err;
}

/* Monotonic milliseconds, for timeouts only. */
static uint64_t tgt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

static bool tgt_stop_asked(gang_target *t)
{
	return t->should_stop != NULL && t->should_stop(t->stop_user);
}

/* Sleep us, in slices of check_us (0: at once) with the stop asked after each; true: a stop was asked. */
static bool tgt_sleep_or_stop(gang_target *t, unsigned us, unsigned check_us)
{
	while (us > 0) {
		unsigned s = check_us > 0 && us > check_us ? check_us : us;

		gang_target_sleep_us(s);
		us -= s;
		if (check_us > 0 && tgt_stop_asked(t))
			return true;
	}
	return false;
}

int gang_target_wait_halt_or_stop(bool *stopped_out, gang_target *t, unsigned timeout_ms, unsigned first_sleep_us,
				  unsigned check_us, int code, const char *what)
{
	uint64_t end = tgt_now_ms() + timeout_ms;
	bool halted = false;
	uint32_t pc = 0;
	int err;

	*stopped_out = false;
	if (tgt_sleep_or_stop(t, first_sleep_us, check_us)) {
		*stopped_out = true;
		return GANG_OK;
	}
	for (;;) {
		if ((err = gang_target_poll_halt(&halted, t)) < 0 || halted)
			return err;
		if (tgt_now_ms() > end)
			break;
		if (tgt_sleep_or_stop(t, TGT_POLL_US, check_us)) {
			*stopped_out = true;
			return GANG_OK;
		}
	}
	/* read the PC for the engineer: halt first, so the register is readable */
	if (gang_target_halt(t) == GANG_OK)
		gang_stlink_read_reg(&pc, t->sl, TGT_REG_PC);
	return gang_diag_set(t->d, code,
			     "%s did not stop within %u ms (PC=0x%08" PRIX32 ")", what, timeout_ms, pc);
}

int gang_target_wait_halt(gang_target *t, unsigned timeout_ms, unsigned first_sleep_us,
			  int code, const char *what)
{
	bool stopped;

	return gang_target_wait_halt_or_stop(&stopped, t, timeout_ms, first_sleep_us, 0U, code, what);
}

int gang_target_halt(gang_target *t)
{
	bool halted = false;
	int err = gang_stlink_write32(t->sl, TGT_DHCSR, TGT_DHCSR_KEY | TGT_DHCSR_DEBUGEN |
				      TGT_DHCSR_HALT);

	t->maskints = false;   /* that write cleared C_MASKINTS */

	if (err == GANG_OK)
		err = gang_target_poll_halt(&halted, t);
	if (err < 0 || halted)
		return err;
	for (unsigned i = 0; i < 50U && !halted && err == GANG_OK; i++) {
		gang_target_sleep_us(TGT_POLL_US);
		err = gang_target_poll_halt(&halted, t);
	}
	if (err == GANG_OK && !halted)
		err = gang_diag_set(t->d, GANG_ETARGET_NOHALT,
				    "the core does not halt (DHCSR.S_HALT stays 0 after C_HALT)");
	return err;
}

int gang_target_reset_halt(gang_target *t)
{
	int err;

	/* DFSR is cleared where it is read: before gang runs code (gang_target_run_prepare) */
	if ((err = gang_stlink_write32(t->sl, TGT_DHCSR, TGT_DHCSR_KEY | TGT_DHCSR_DEBUGEN |
				       TGT_DHCSR_HALT)) < 0 ||
	    (err = gang_stlink_write32(t->sl, TGT_DEMCR, TGT_DEMCR_RESET_HALT)) < 0 ||
	    (err = gang_stlink_write32(t->sl, TGT_AIRCR, TGT_AIRCR_SYSRESET)) < 0)
		return err;
	t->sram_note = 0;   /* the reset ends what the flash layer knew of SRAM and the CRC clock */
	t->n_crc_memo = 0;
	t->maskints = false;
	t->demcr_catch = false;
	if ((err = gang_target_wait_halt(t, TGT_HALT_TIMEOUT_MS, 0, GANG_ETARGET_NOHALT,
					 "the core after reset")) < 0)
		return err;
	t->flash_at_reset = true;   /* halted by the reset vector catch before any instruction */
	t->reset_clean = true;
	/* option bytes are reloaded by the reset: the RDP level may have changed */
	if (t->fam == NULL || (err = gang_target_read_rdp(t)) < 0)
		return err;
	return gang_target_hold_cores(t);   /* BCM4 may have changed too */
}

int gang_target_arm_reset_catch(gang_target *t)
{
	t->demcr_catch = false;
	return gang_stlink_write32(t->sl, TGT_DEMCR, TGT_DEMCR_RESET_HALT);
}

int gang_target_halt_reason(bool *bkpt_out, uint32_t *dfsr_out, gang_target *t)
{
	int err = gang_stlink_read32(dfsr_out, t->sl, TGT_DFSR);

	*bkpt_out = err == GANG_OK && (*dfsr_out & TGT_DFSR_BKPT);
	return err;
}

int gang_target_run_prepare(gang_target *t, uint32_t pc, const uint32_t *regs, unsigned n)
{
	int err = GANG_OK;

	t->ran_code = true;
	t->flash_at_reset = false;   /* what runs may touch the flash controller */
	/* a hardware watchdog runs while the core runs: start with a full period */
	if (t->fam != NULL)
		err = gang_stlink_write32(t->sl, t->fam->iwdg_kr, GANG_IWDG_KEY_RELOAD);
	for (unsigned i = 0; i < n && err == GANG_OK; i++)
		err = gang_stlink_write_reg(t->sl, i, regs[i]);
	if (err == GANG_OK)
		err = gang_stlink_write_reg(t->sl, TGT_REG_PC, pc);
	if (err == GANG_OK)
		err = gang_stlink_write_reg(t->sl, TGT_REG_XPSR, TGT_XPSR_T);
	if (err == GANG_OK && !t->demcr_catch)
		err = gang_stlink_write32(t->sl, TGT_DEMCR, TGT_DEMCR_CATCH);
	if (err == GANG_OK)
		t->demcr_catch = true;
	if (err == GANG_OK)
		err = gang_stlink_write32(t->sl, TGT_DFSR, TGT_DFSR_ALL);
	/*
	 * Interrupts of firmware that ran stay masked while gang's code runs.
	 * After gang's own reset no firmware ran, every NVIC enable is 0 and
	 * SysTick is off (ARMv7-M ARM B3.4.3, B3.3.3): nothing to mask, and
	 * the release needs no halt to clear it. C_MASKINTS may only change
	 * while halted (C1.6.3): set it now; it stays set.
	 */
	if (err == GANG_OK && !t->maskints && !t->reset_clean &&
	    (err = gang_stlink_write32(t->sl, TGT_DHCSR, TGT_DHCSR_KEY | TGT_DHCSR_DEBUGEN |
				       TGT_DHCSR_HALT | TGT_DHCSR_MASKINTS)) == GANG_OK)
		t->maskints = true;
	return err;
}

int gang_target_run_go(gang_target *t)
{
	return gang_stlink_write32(t->sl, TGT_DHCSR, TGT_DHCSR_KEY | TGT_DHCSR_DEBUGEN |
				   (t->maskints ? TGT_DHCSR_MASKINTS : 0U));
}

int gang_target_run(gang_target *t, uint32_t pc, const uint32_t *regs, unsigned n)
{
	int err = gang_target_run_prepare(t, pc, regs, n);

	return err < 0 ? err : gang_target_run_go(t);
}

uint32_t *gang_target_sram_note(gang_target *t)
{
	return &t->sram_note;
}

int gang_target_hold_cores(gang_target *t)
{
	return t->fam != NULL && t->fam->hold_cores != NULL ? t->fam->hold_cores(t) : GANG_OK;
}

int gang_target_release_cores(gang_target *t)
{
	return t->fam != NULL && t->fam->release_cores != NULL ? t->fam->release_cores(t) : GANG_OK;
}

bool gang_target_flash_at_reset_take(gang_target *t)
{
	bool at_reset = t->flash_at_reset;

	t->flash_at_reset = false;
	return at_reset;
}

void gang_target_crc_memo_put(gang_target *t, uint32_t addr, uint32_t len, uint32_t crc)
{
	unsigned i = t->n_crc_memo < GANG_TARGET_CRC_MEMOS ? t->n_crc_memo++ : GANG_TARGET_CRC_MEMOS - 1U;

	t->crc_memo[i].addr = addr;
	t->crc_memo[i].len = len;
	t->crc_memo[i].crc = crc;
}

bool gang_target_crc_memo_get(uint32_t *crc_out, const gang_target *t, uint32_t addr, uint32_t len)
{
	for (unsigned i = 0; i < t->n_crc_memo; i++)
		if (t->crc_memo[i].addr == addr && t->crc_memo[i].len == len) {
			*crc_out = t->crc_memo[i].crc;
			return true;
		}
	return false;
}

void gang_target_crc_memo_clear(gang_target *t)
{
	t->n_crc_memo = 0;
}
