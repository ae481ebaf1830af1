/*
 * loader_ring.c — the code gang runs on the target's core, for every
 * family: programming through a family's streaming loader, and the CRC
 * stub for verify.
 *
 * Programming (tools/loader/loader_*.S, control block in
 * flash/loader_abi.h): the host is the producer of a ring of program units
 * in SRAM and the loader the consumer, so USB transfers overlap flash
 * programming. The host writes whole 4 KiB-aligned chunks
 * (never across a 4 KiB TAR block), publishes its write pointer once per
 * batch, and instead of polling hard it sleeps for the time the loader
 * needs to free the next chunk (programmed units x t_prog).
 *
 * Facts: PM0075 and RM0091 §3 (PG, half-word writes, PGERR/WRPRTERR);
 * the stock FIFO loaders as traced and ARMv7-M ARM C1.6 (core control);
 * DS5792 flash timing table (t_prog 52.5 us) and docs/benchmarks.md (the
 * floor); the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use it
 * (6144-byte transfers, 4 KiB TAR block; OpenOCD's async flash algorithm
 * does the same overlap); RM0008 §4 (CRC unit: RCC_AHBENR.CRCEN first,
 * CR.RESET, DR).
 */
#include "flash/loader_ring.h"
#include "core/bytes.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flash/loader_abi.h"
#include "flash/loaders.inc"

#define PROG_LOADER        GANG_SRAM_BASE
#define PROG_CTRL          (GANG_SRAM_BASE + 0x100U)
#define PROG_RING          (GANG_SRAM_BASE + 0x1000U)
#define PROG_RING_MAX      0x10000U   /* min(SRAM - 4 KiB, 64 KiB): a link-bound loader (x32 on a V2) starts with all the erase left time for */
#define PROG_RING_RESERVED 0x1000U    /* loader and control block below the ring */
#define PROG_CHUNK         4096U      /* one TAR block: the biggest write that never crosses one */
#define PROG_FIRST         1024U      /* small first chunk: the loader starts sooner */
#define PROG_GAP           4U         /* kept free so a full ring differs from an empty one */
#define PROG_PIECE         1024U      /* the least a partial block write carries */
#define PROG_LOW_WATER     (2U * PROG_CHUNK) /* less known to the loader than this: publish each block */
#define PROG_SKIP_NS       2500U      /* loader time for an erased (skipped) unit */
#define PROG_STALL_MS      1500U      /* no progress for this long: the loader is stuck */
#define PROG_UNIT_CYCLES   4U         /* loader_mw.S: the BSY poll's last turn and the stm that starts the next unit */
#define PROG_TAIL_MARGIN_US 300U     /* an aimed last poll rather late than early */
#define PROG_ERASE_POLL_US 250U       /* between control-block reads while a started loader waits out the erase */

#define CRC_CYCLES_WORD      5U       /* ldr, adds, str, subs, bne */
#define CRC_STUB_ADDR        (GANG_SRAM_BASE + 0xF0U)  /* after the loader (240 bytes at most: the H7 one is 198), before the control block */

#define PROG_STAGE_MARGIN_US 3000U    /* staging stops this long before the erase should end */
#define PROG_HEAD_BYTES      (PROG_CTRL - PROG_LOADER + GANG_LDR_BYTES)  /* loader, CRC stub, control block */
#define PROG_NOTE_CRC_STUB   (1U << 0)  /* gang_target_sram_note: the CRC stub is at CRC_STUB_ADDR */
#define PROG_NOTE_CRC_CLOCK  (1U << 1)  /* the CRC unit's clock is on */
#define PROG_NOTE_FAST_CLOCK (1U << 2)  /* SYSCLK runs from the PLL (gang_fast_clock) */

/* Word indices into the control block (flash/loader_abi.h gives byte offsets). */
#define CTRL_WP     (GANG_LDR_WP / 4U)
#define CTRL_RP     (GANG_LDR_RP / 4U)
#define CTRL_STATE  (GANG_LDR_STATE / 4U)
#define CTRL_SR     (GANG_LDR_SR / 4U)
#define CTRL_ADDR   (GANG_LDR_ADDR / 4U)
#define CTRL_SR_REG (GANG_LDR_SR_REG / 4U)
#define CTRL_DST    (GANG_LDR_DST / 4U)
#define CTRL_END    (GANG_LDR_DST_END / 4U)
#define CTRL_RING   (GANG_LDR_RING / 4U)
#define CTRL_RINGE  (GANG_LDR_RING_END / 4U)
#define CTRL_IWDG   (GANG_LDR_IWDG_KR / 4U)
#define CTRL_RELOAD (GANG_LDR_RELOAD / 4U)
#define CTRL_CRC_DR (GANG_LDR_CRC_DR / 4U)
#define CTRL_CRC    (GANG_LDR_CRC / 4U)
#define CTRL_BUSY   (GANG_LDR_BUSY / 4U)
#define CTRL_ERRS   (GANG_LDR_ERRS / 4U)
#define CTRL_SPLIT  (GANG_LDR_SPLIT / 4U)
#define CTRL_WORDS  (GANG_LDR_BYTES / 4U)

/*
 * SYSCLK from the PLL for gang's loader and CRC pass (the family's
 * gang_fast_clock): wait states first, then the PLL, then the switch,
 * which the hardware makes once the PLL has locked. Only on a chip gang
 * reset itself: a hot-plugged firmware's clock tree is left alone (the PLL
 * cannot be reconfigured while it runs, RM0008 §7.3.2). Five writes, no
 * reads: they fit the erase's shadow.
 */
static int prog_clock_up(gang_target *t)
{
	const gang_fast_clock *c = &gang_target_part(t)->family->clock;
	gang_stlink *sl = gang_target_stlink(t);
	uint32_t *note = gang_target_sram_note(t);
	int err;

	unsigned mv = gang_target_info_get(t)->target_mv;

	if (c->hz == 0 || (*note & PROG_NOTE_FAST_CLOCK) || gang_target_info_get(t)->mode == GANG_CONNECT_HOT_PLUG ||
	    (c->min_mv != 0 && mv != 0 && mv < c->min_mv))
		return GANG_OK;
	/* no ACR write where the reset wait states hold (acr_addr 0), no PLL set-up where there is no PLL (cfgr 0) */
	if ((c->acr_addr && (err = gang_stlink_write32(sl, c->acr_addr, c->acr)) < 0) ||
	    (c->pllcfgr_addr && (err = gang_stlink_write32(sl, c->pllcfgr_addr, c->pllcfgr)) < 0) ||
	    (c->cfgr && (err = gang_stlink_write32(sl, c->cfgr_addr, c->cfgr)) < 0) ||
	    (err = gang_stlink_write32(sl, c->cr_addr, c->cr)) < 0 ||
	    (err = gang_stlink_write32(sl, c->cfgr_addr, c->cfgr | c->sw_pll)) < 0)
		return err;
	*note |= PROG_NOTE_FAST_CLOCK;
	return GANG_OK;
}

/* The core clock gang's code runs at now. */
static uint32_t prog_core_hz(gang_target *t)
{
	const gang_fast_clock *c = &gang_target_part(t)->family->clock;

	return (*gang_target_sram_note(t) & PROG_NOTE_FAST_CLOCK) ? c->hz : c->reset_hz;
}

int gang_loader_clock_up(uint32_t *hz_out, gang_target *t)
{
	int err = prog_clock_up(t);

	*hz_out = prog_core_hz(t);
	return err;
}

typedef struct prog_stream {
	gang_target *t;
	const gang_loader *l;
	const gang_flash_run *run;
	uint32_t size;             /* ring bytes */
	uint32_t sent;             /* run bytes written into the ring */
	uint32_t published;        /* run bytes the loader has been told of (wp) */
	uint32_t done;             /* run bytes the loader has taken */
	uint32_t t_prog_ns;
	uint64_t pushed_us;        /* link time of the blocks written since the last poll */
	uint64_t tail_at_us;       /* gang_flash_now_us when the loader should have its result; 0: not aimed yet */
	uint32_t ctrl[CTRL_WORDS];
} prog_stream;

static uint64_t prog_link_us(gang_target *t, unsigned commands, uint64_t bytes);

static uint64_t prog_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

static uint32_t prog_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * The granule a partial block keeps: a whole unit up to the H7's 32-byte
 * flash word (those loaders take a unit once wp passes its start); a row
 * loader waits for whole rows, so its blocks keep double words.
 */
static uint32_t prog_align(const prog_stream *s)
{
	return s->l->unit < 4U ? 4U : s->l->unit > 32U ? 8U : s->l->unit;
}

/* The next contiguous block the host wants to write, and how much of it is free. */
static uint32_t prog_want(const prog_stream *s, uint32_t *room_out)
{
	uint32_t off = s->sent % s->size, used = s->sent - s->done;
	uint32_t want = prog_min(PROG_CHUNK - off % PROG_CHUNK, s->size - off);

	want = prog_min(want, s->run->len - s->sent);
	/* pieces that double from PROG_FIRST until the first block is in: the loader starts on little */
	if (s->sent < PROG_CHUNK)
		want = prog_min(want, s->sent > PROG_FIRST ? s->sent : PROG_FIRST);
	*room_out = s->size - PROG_GAP - used;
	return want;
}

/* Tell the loader how far the ring is filled (GANG_LDR_WP). */
static int prog_publish(prog_stream *s)
{
	int err = gang_stlink_write32(gang_target_stlink(s->t), PROG_CTRL + GANG_LDR_WP,
				      PROG_RING + s->sent % s->size);

	if (err == GANG_OK)
		s->published = s->sent;
	return err;
}

/*
 * How far the loader may have got: what the last poll saw, plus what it
 * programs in the link time spent writing since (the blocks of a long
 * push take long enough for the loader to work through what it was told).
 */
static uint32_t prog_done_est(const prog_stream *s)
{
	uint64_t est = s->done + s->pushed_us * 1000U / (s->t_prog_ns ? s->t_prog_ns : 1U) * s->l->unit;

	return est < s->published ? (uint32_t)est : s->published;
}

/*
 * Write blocks while they fit (until at least limit bytes went), then
 * publish wp once (unless the caller writes the control block itself). A
 * block that does not fit whole goes in part once PROG_PIECE of it fits:
 * where the link is the bottleneck (x32 on a V2) the host must never wait
 * for a whole block while the loader drains the ring.
 */
static int prog_push(prog_stream *s, uint32_t limit, bool publish)
{
	gang_stlink *sl = gang_target_stlink(s->t);
	uint32_t room, want, n, before = s->sent;
	int err;

	while (s->sent < s->run->len && s->sent - before < limit) {
		want = prog_want(s, &room);
		n = want <= room ? want : room & ~(prog_align(s) - 1U);
		/* a part only when it is worth a command, and leaves a rest that is too */
		if (n < want && (n < PROG_PIECE || want - n < PROG_PIECE))
			break;
		err = gang_stlink_write_mem(sl, PROG_RING + s->sent % s->size, s->run->data + s->sent, n);
		if (err < 0)
			return err;
		s->sent += n;
		s->pushed_us += prog_link_us(s->t, 1U, n);
		/* a loader about to run dry hears of each block at once, not at the end of the batch */
		if (publish && s->published - prog_done_est(s) < PROG_LOW_WATER && (err = prog_publish(s)) < 0)
			return err;
	}
	if (s->sent == s->published || !publish)
		return GANG_OK;
	return prog_publish(s);
}

/* True when the unit at p reads as erased flash (the loaders skip those). */
static bool prog_unit_erased(const uint8_t *p, unsigned unit, uint8_t erased)
{
	for (unsigned k = 0; k < unit; k++)
		if (p[k] != erased)
			return false;
	return true;
}

/* Loader time to take the next n bytes: programmed units cost t_prog, erased ones little. */
static unsigned prog_eta_us(const prog_stream *s, uint32_t n)
{
	uint64_t ns = 0;
	const uint8_t *p = s->run->data + s->done;
	unsigned unit = s->l->unit;
	uint8_t erased = gang_target_part(s->t)->geom.erased;

	n = prog_min(n, s->sent - s->done);
	for (uint32_t i = 0; i + unit <= n; i += unit)
		ns += prog_unit_erased(p + i, unit, erased) ? PROG_SKIP_NS : s->t_prog_ns;
	return (unsigned)(ns / 1000U);
}

/* Read rp (and the state word): how far the loader got. */
static int prog_poll(prog_stream *s, uint32_t *state_out)
{
	uint8_t b[GANG_LDR_BYTES];
	uint32_t rp, used;
	int err = gang_stlink_read_mem(b, gang_target_stlink(s->t), PROG_CTRL, sizeof(b));

	if (err < 0)
		return err;
	s->pushed_us = 0;
	rp = gang_le32_get(b + GANG_LDR_RP) - PROG_RING;
	used = (s->sent % s->size + s->size - rp % s->size) % s->size;
	s->done = s->sent - used;
	*state_out = gang_le32_get(b + GANG_LDR_STATE);
	s->ctrl[CTRL_SR] = gang_le32_get(b + GANG_LDR_SR);
	s->ctrl[CTRL_ADDR] = gang_le32_get(b + GANG_LDR_ADDR);
	s->ctrl[CTRL_CRC] = gang_le32_get(b + GANG_LDR_CRC);
	return GANG_OK;
}

/*
 * A two-bank loader's split kept within the run (flash/loader_abi.h
 * GANG_LDR_SPLIT): at the run's end the run is bank 1's alone, at its
 * start bank 2's alone; 0 for a one-bank loader.
 */
static uint32_t prog_split(const prog_stream *s)
{
	uint32_t lo = s->run->addr, hi = s->run->addr + s->run->len, sp = s->l->split;

	if (sp == 0)
		return 0;
	return sp < lo ? lo : sp > hi ? hi : sp;
}

/* The control block for s->run: the ring empty, nothing taken yet. */
static void prog_ctrl_init(prog_stream *s)
{
	const gang_family *f = gang_target_part(s->t)->family;

	for (unsigned i = 0; i < CTRL_WORDS; i++)
		s->ctrl[i] = 0;
	s->ctrl[CTRL_SR_REG] = f->flash.base + s->l->sr_off;
	s->ctrl[CTRL_BUSY] = s->l->busy;
	s->ctrl[CTRL_ERRS] = s->l->errs;
	s->ctrl[CTRL_SPLIT] = prog_split(s);
	s->ctrl[CTRL_DST] = s->run->addr;
	s->ctrl[CTRL_END] = s->run->addr + s->run->len;
	s->ctrl[CTRL_RING] = PROG_RING;
	s->ctrl[CTRL_RINGE] = PROG_RING + s->size;
	s->ctrl[CTRL_RP] = PROG_RING;
	s->ctrl[CTRL_IWDG] = f->iwdg_kr;
	s->ctrl[CTRL_RELOAD] = GANG_IWDG_KEY_RELOAD;
	/* the closing read-back pass needs the CRC unit's clock, which staging turned on */
	s->ctrl[CTRL_CRC_DR] = (*gang_target_sram_note(s->t) & PROG_NOTE_CRC_CLOCK) ? f->crc_base : 0U;
}

/*
 * The control block with the current wp; with code, the loader and the
 * CRC stub in front of it too: they share the head of SRAM, so one
 * transfer carries all three.
 */
static int prog_write_head(prog_stream *s, bool code)
{
	uint8_t b[PROG_HEAD_BYTES] = { 0 };
	uint8_t *ctrl = b + (PROG_CTRL - PROG_LOADER);

	s->ctrl[CTRL_WP] = PROG_RING + s->sent % s->size;
	s->published = s->sent;
	for (unsigned i = 0; i < CTRL_WORDS; i++)
		gang_le32_put(ctrl + 4 * i, s->ctrl[i]);
	if (!code)
		return gang_stlink_write_mem(gang_target_stlink(s->t), PROG_CTRL, ctrl, GANG_LDR_BYTES);
	memcpy(b, s->l->code, s->l->code_len);
	memcpy(b + (CRC_STUB_ADDR - PROG_LOADER), loader_crc, sizeof(loader_crc));
	*gang_target_sram_note(s->t) |= PROG_NOTE_CRC_STUB;
	return gang_stlink_write_mem(gang_target_stlink(s->t), PROG_LOADER, b, sizeof(b));
}

/* Controller armed for programming (PG, PSIZE) unless the loader does it, then the prepared core let go. */
static int prog_go(prog_stream *s)
{
	const gang_family *f = gang_target_part(s->t)->family;
	int err = s->l->start_val == 0 ? GANG_OK : gang_stlink_write32(gang_target_stlink(s->t),
								      f->flash.base + s->l->start_off, s->l->start_val);

	return err < 0 ? err : gang_target_run_go(s->t);
}

/* Unstaged start: a small first chunk (the loader starts sooner, the rest overlaps), head, go. */
static int prog_start(prog_stream *s, bool code)
{
	uint32_t r0 = PROG_CTRL;
	int err;

	if ((err = prog_clock_up(s->t)) < 0)
		return err;
	prog_ctrl_init(s);
	if ((err = prog_push(s, PROG_FIRST, false)) < 0 || (err = prog_write_head(s, code)) < 0 ||
	    (err = gang_target_run_prepare(s->t, PROG_LOADER, &r0, 1)) < 0)
		return err;
	return prog_go(s);
}

static int prog_stuck(prog_stream *s)
{
	bool halted = false;
	int err = gang_target_poll_halt(&halted, s->t);

	if (err < 0)
		return err;
	return gang_diag_set_at(gang_target_diag(s->t), GANG_EFLASH, s->run->addr + s->done,
			     "flash loader %s at 0x%08" PRIX32 " (%" PRIu32 " of %" PRIu32 " bytes taken)",
			     halted ? "stopped without a result" : "made no progress for 1.5 s",
			     s->run->addr + s->done, s->done, s->run->len);
}

/*
 * The whole run sent: the loader's time to its result (the units it has
 * not taken, the core's turn between BSY falling and each next store, the
 * closing CRC pass), so the next poll lands just after its end: one aimed
 * at 90 % of it lands early, and the poll after it (two commands later)
 * late by up to their time.
 */
static unsigned prog_tail_us(const prog_stream *s)
{
	uint32_t left = s->sent - s->done;
	uint64_t cycles = (uint64_t)(left / s->l->unit + 1U) * PROG_UNIT_CYCLES;

	if (s->ctrl[CTRL_CRC_DR] != 0)
		cycles += (uint64_t)(s->run->len / s->l->unit) * s->l->crc_cycles;
	return prog_eta_us(s, left) + (unsigned)(cycles * 1000000U / prog_core_hz(s->t));
}

/*
 * Aim once, when the whole run is sent (the poll read the block a status
 * command ago, the next reads it a command after it starts, and rather
 * late than early); sleep until then, and past it poll again at once.
 */
static void prog_sleep_tail(prog_stream *s)
{
	uint64_t now = gang_flash_now_us(), tail, lead;

	if (s->tail_at_us == 0) {
		tail = prog_tail_us(s);
		lead = prog_link_us(s->t, 2U, 0U);
		s->tail_at_us = now + (tail > lead ? tail - lead : 0U) + PROG_TAIL_MARGIN_US;
	}
	if (now < s->tail_at_us)
		gang_target_sleep_us((unsigned)(s->tail_at_us - now));
}

/* Feed the ring until the loader reports a result. */
static int prog_stream_run(prog_stream *s, const gang_flash_progress *p, uint64_t base)
{
	uint64_t last = prog_now_ms();
	uint32_t state = 0, room, want, prev = 0;
	int err;

	while (state == 0) {
		/* a stop halts the loader between two pieces (prog_one halts the core, the caller locks) */
		if ((err = gang_target_stop_check(s->t, "program", s->run->addr + s->done)) < 0 ||
		    (err = prog_push(s, UINT32_MAX, true)) < 0 || (err = prog_poll(s, &state)) < 0)
			return err;
		gang_flash_progress_report(p, base + s->done);
		if (s->done != prev || state != 0)
			last = prog_now_ms();
		else if (prog_now_ms() - last > PROG_STALL_MS)
			return prog_stuck(s);
		prev = s->done;
		if (state != 0)
			break;
		/* sleep until about when the loader will have freed a piece (or finished) */
		if (s->sent < s->run->len) {
			want = prog_min(prog_want(s, &room), PROG_PIECE);
			want = want > room ? want - room : 0U;
		} else if (s->l->crc_cycles != 0) {
			prog_sleep_tail(s);
			continue;
		} else {
			want = s->sent - s->done;
		}
		if (want > 0)
			gang_target_sleep_us(prog_eta_us(s, want) * 9U / 10U + 200U);
	}
	if (state == GANG_LDR_STATE_OK) {
		if (s->ctrl[CTRL_CRC_DR] != 0)
			gang_target_crc_memo_put(s->t, s->run->addr, s->run->len, s->ctrl[CTRL_CRC]);
		return GANG_OK;
	}
	/* ERR, or ERASE_ERR (error bits already set when the loader started): the status names them */
	err = s->l->check(s->t, s->ctrl[CTRL_SR], "program", s->ctrl[CTRL_ADDR]);
	return err < 0 ? err : gang_diag_set(gang_target_diag(s->t), GANG_EFLASH, "flash loader "
					     "reported state %" PRIu32, state);
}

static uint32_t prog_ring_size(gang_target *t)
{
	uint32_t sram = gang_target_part(t)->sram_kib * 1024U;

	return prog_min(sram - PROG_RING_RESERVED, PROG_RING_MAX) & ~(PROG_CHUNK - 1U);
}

static void prog_stream_init(prog_stream *s, gang_target *t, const gang_loader *l, const gang_flash_run *run)
{
	*s = (prog_stream){ .t = t, .l = l, .run = run, .size = prog_ring_size(t),
			    .t_prog_ns = l->t_unit_ns ? l->t_unit_ns : gang_target_part(t)->family->flash.t_prog_ns };
	/* a run split over two banks programs two units at a time (H7) */
	if (prog_split(s) > run->addr && prog_split(s) < run->addr + run->len)
		s->t_prog_ns /= 2U;
}

/* Stream one run; staged: its loader, head and first bytes are in SRAM already and the core is set. */
static int prog_one(prog_stream *s, bool code, const gang_flash_stage *st, const gang_flash_progress *p,
		    uint64_t base)
{
	int err;

	if (st != NULL && st->staged) {
		prog_ctrl_init(s);
		s->sent = s->published = st->sent;
		err = st->started ? GANG_OK : prog_go(s);   /* started: it runs since the erase */
	} else {
		err = prog_start(s, code);
	}
	/*
	 * Every loader in tools/loader stores its result word as the last
	 * thing before its bkpt, so once the host has read an OK result the
	 * core is halted: no DHCSR read to confirm it (a command on the
	 * critical path after the last unit). On an error it is halted here.
	 */
	if (err == GANG_OK)
		err = prog_stream_run(s, p, base);
	if (err < 0)
		gang_target_halt(s->t);
	return err;
}

static int prog_check_sram(gang_target *t, const gang_loader *l)
{
	if (gang_target_part(t)->sram_kib * 1024U < PROG_RING_RESERVED + PROG_CHUNK)
		return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "%s has too little SRAM for the "
				     "flash loader", gang_target_part(t)->name);
	if (l->code_len > CRC_STUB_ADDR - PROG_LOADER)
		return gang_diag_set(gang_target_diag(t), GANG_ERR, "flash loader of %zu bytes overlaps the "
				     "CRC stub at 0x%08X", l->code_len, (unsigned)CRC_STUB_ADDR);
	return GANG_OK;
}

static int prog_crc_clock(gang_target *t);


/*
 * What n commands carrying bytes cost on the probe's link: a full-speed
 * V2 answers a command per 1 ms frame and moves about 250 bytes per ms
 * (64-byte packets); a high-speed V3 a command per 125-250 us micro-frame
 * pair and about 8 times the bytes (USB 2.0 §5.8 bulk transfers; the
 * ST-Link's per-command turnaround as OpenOCD's stlink driver paces it).
 */
static uint64_t prog_link_us(gang_target *t, unsigned commands, uint64_t bytes)
{
	bool hs = gang_stlink_get_version(gang_target_stlink(t))->stlink >= 3U;

	return hs ? commands * 250U + bytes / 2U : commands * 1000U + bytes * 4U;
}

int gang_loader_stage(gang_flash_stage *st, uint64_t *used_us, gang_target *t, const gang_loader *l,
		      const gang_flash_run *runs, size_t n, uint64_t budget_us)
{
	uint32_t r0 = PROG_CTRL, room, want;
	prog_stream s;
	int err;

	st->staged = false;
	st->started = false;
	*used_us = 0;
	if (n == 0 || (err = prog_check_sram(t, l)) < 0)
		return n == 0 ? GANG_OK : err;
	prog_stream_init(&s, t, l, &runs[0]);
	/* the core's registers (7 commands), its clock (5), the CRC unit's clock (2), a first chunk (2) */
	if ((err = gang_target_run_prepare(t, PROG_LOADER, &r0, 1)) < 0 || (err = prog_clock_up(t)) < 0 ||
	    (err = prog_crc_clock(t)) < 0)
		return err;
	prog_ctrl_init(&s);
	if ((err = prog_push(&s, PROG_FIRST, false)) < 0)
		return err;
	*used_us = prog_link_us(t, 7U + 5U + 2U + 2U, s.sent);
	/* then as much as the erase leaves time for, a TAR block at a time, keeping the head's time */
	while (s.sent < s.run->len && (want = prog_want(&s, &room)) <= room &&
	       *used_us + prog_link_us(t, 4U, want + PROG_HEAD_BYTES) + PROG_STAGE_MARGIN_US < budget_us) {
		if ((err = prog_push(&s, 1U, false)) < 0)
			return err;
		*used_us += prog_link_us(t, 2U, want);
	}
	if ((err = prog_write_head(&s, true)) < 0)
		return err;
	*used_us += prog_link_us(t, 2U, PROG_HEAD_BYTES);
	st->staged = true;
	st->sent = s.sent;
	/* a loader that waits out the erase starts its first unit the moment the erase ends */
	if (st->may_start && l->waits_erase) {
		if ((err = gang_target_run_go(t)) < 0)
			return err;
		*used_us += prog_link_us(t, 1U, 0U);
		st->started = true;
	}
	return GANG_OK;
}

/* The loader's erase words: GANG_LDR_ERASED, the state and SR. */
static int prog_erase_poll(uint32_t *erased, uint32_t *state, uint32_t *sr, gang_target *t)
{
	uint8_t b[GANG_LDR_BYTES] = { 0 };
	int err = gang_stlink_read_mem(b, gang_target_stlink(t), PROG_CTRL, sizeof(b));

	*erased = gang_le32_get(b + GANG_LDR_ERASED);
	*state = gang_le32_get(b + GANG_LDR_STATE);
	*sr = gang_le32_get(b + GANG_LDR_SR);
	return err;
}

int gang_loader_erase_wait(uint32_t *sr_out, gang_target *t, const gang_loader *l, unsigned expect_us,
			   unsigned timeout_ms, const char *what)
{
	uint64_t end = prog_now_ms() + timeout_ms;
	uint32_t erased = 0, state = 0, sr = 0;
	int err;

	*sr_out = 0;
	if (expect_us)
		gang_target_sleep_us(expect_us);
	for (;;) {
		if ((err = prog_erase_poll(&erased, &state, &sr, t)) < 0)
			return err;
		if (erased)
			return GANG_OK;
		if (state == GANG_LDR_STATE_ERASE_ERR) {
			*sr_out = sr;
			return GANG_OK;
		}
		if (state != 0 || prog_now_ms() > end)
			break;
		gang_target_sleep_us(PROG_ERASE_POLL_US);
	}
	/* no word from the loader: halt it, then say what the controller shows */
	if ((err = gang_target_halt(t)) < 0 ||
	    (err = gang_stlink_read32(&sr, gang_target_stlink(t),
				      gang_target_part(t)->family->flash.base + l->sr_off)) < 0)
		return err;
	return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "%s: the flash loader waiting for it reported "
			     "no end within %u ms (state %" PRIu32 ", FLASH_SR=0x%08" PRIX32 "%s)", what, timeout_ms,
			     state, sr, (sr & l->busy) ? ": still busy" : "");
}

int gang_loader_program(gang_target *t, const gang_loader *l, const gang_flash_run *runs, size_t n,
			const gang_flash_progress *p, const gang_flash_stage *st)
{
	uint64_t base = 0;
	prog_stream s;
	int err = prog_check_sram(t, l);

	for (size_t i = 0; i < n && err == GANG_OK; i++) {
		prog_stream_init(&s, t, l, &runs[i]);
		err = prog_one(&s, i == 0, i == 0 ? st : NULL, p, base);
		base += runs[i].len;
	}
	return err;
}

/* The CRC unit's clock on (RCC_AHBENR.CRCEN, RM0008 §7.3.6), unless this session did it already. */
static int prog_crc_clock(gang_target *t)
{
	const gang_family *f = gang_target_part(t)->family;
	gang_stlink *sl = gang_target_stlink(t);
	uint32_t *note = gang_target_sram_note(t), en = 0;
	int err;

	if (*note & PROG_NOTE_CRC_CLOCK)
		return GANG_OK;
	if ((err = gang_stlink_read32(&en, sl, f->rcc_ahbenr)) < 0)
		return err;
	if (!(en & f->rcc_crcen) && (err = gang_stlink_write32(sl, f->rcc_ahbenr, en | f->rcc_crcen)) < 0)
		return err;
	*note |= PROG_NOTE_CRC_CLOCK;
	return GANG_OK;
}

/* CRC unit clock on and the stub in SRAM, unless this session did both already (the stub resets the unit). */
static int prog_crc_setup(gang_target *t)
{
	gang_stlink *sl = gang_target_stlink(t);
	uint32_t *note = gang_target_sram_note(t);
	int err;

	if ((err = prog_crc_clock(t)) < 0 || (*note & PROG_NOTE_CRC_STUB))
		return err;
	if ((err = gang_stlink_write_mem(sl, CRC_STUB_ADDR, loader_crc, sizeof(loader_crc))) < 0)
		return err;
	*note |= PROG_NOTE_CRC_STUB;
	return GANG_OK;
}

int gang_loader_crc(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len)
{
	uint32_t core_hz = prog_core_hz(t);
	const gang_family *f = gang_target_part(t)->family;
	uint32_t words = len / 4U, dfsr = 0;
	bool bkpt = false;
	uint32_t regs[3] = { addr, words, f->crc_base };
	uint64_t us = (uint64_t)words * CRC_CYCLES_WORD * 1000000U / core_hz;
	int err;

	if (words == 0 || len % 4U != 0)
		return gang_diag_set(gang_target_diag(t), GANG_ERR, "CRC of %" PRIu32 " bytes at 0x%08"
				     PRIX32 ": not a positive multiple of 4", len, addr);
	/* the loader already read this run back through the CRC unit after programming it */
	if (gang_target_crc_memo_get(crc_out, t, addr, len))
		return GANG_OK;
	if ((err = prog_crc_setup(t)) < 0 || (err = gang_target_run(t, CRC_STUB_ADDR, regs, 3)) < 0 ||
	    (err = gang_target_wait_halt(t, (unsigned)(us / 1000U) * 4U + 500U, (unsigned)us,
					 GANG_EFLASH, "CRC stub")) < 0 ||
	    (err = gang_target_halt_reason(&bkpt, &dfsr, t)) < 0)
		return err;
	if (!bkpt)
		return gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, addr, "CRC stub over 0x%08" PRIX32
				     "..+%" PRIu32 " faulted (DFSR=0x%08" PRIX32 ")", addr, len, dfsr);
	return gang_stlink_read32(crc_out, gang_target_stlink(t), f->crc_base);
}
