/*
 * probe.c — a virtual ST-Link: lifecycle, USB phases and their timing, the
 * fixture (tray of boards, virtual operator swapping them swap_s after the
 * host releases one it worked on, boards moved by hand with tools/gangsim
 * ctl, all through the shared fixture file of fixture.h), USB faults (lost
 * commands -> timeout, unplug/replug) and statistics. The command set
 * itself is in probe_cmd.c.
 *
 * Timing (issue "Time"): each command costs one USB round trip plus its
 * bytes at the bus rate; each SWD access swd_clocks_per_word SWCLK periods
 * at the host-set frequency; the board adds core and flash time.
 * References: the ST-Link USB protocol as OpenOCD 0.12 (stlink_usb.c) and
 * stlink 1.7.0 (usb.c) drive it and as observed on the probes: endpoints
 * per model, the mode a probe powers up in (V2 DFU, V2-1/V3 mass storage).
 */
#include "probe_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "stlink/stlink_cmd.h"

#define PROBE_INSERT_BEFORE_NS   100000000LL   /* first board sat 100 ms in the fixture */
#define PROBE_INFINITE_WAIT_NS   5000000000LL  /* timeout 0 (infinite): give up after 5 s */
#define PROBE_WAIT_REPEATS       31            /* firmware repeats of an access answered WAIT */
#define PROBE_DEFAULT_SWD_KHZ    1800U         /* V2 divisor 1 after power-up (OpenOCD stlink_usb.c table) */
#define PROBE_DEFAULT_JTAG_KHZ   1125U

static uint64_t probe_rand(sim_probe *p)
{
	/* xorshift64: deterministic per probe serial. */
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return p->rng;
}

static bool probe_chance(sim_probe *p, double rate)
{
	return rate > 0 && (double)(probe_rand(p) >> 11) / 9007199254740992.0 < rate;
}

static void probe_tray_load(sim_probe *p)
{
	sim_fixture f;

	/* stat before read: a write in between is seen again at the next poll */
	(void)sim_fixture_changed(&p->fx_seen, p->tray_path);
	sim_fixture_read(&f, p->tray_path);
	p->tray_idx = f.idx;
	p->swap_from_file = f.pending;
	p->pulled = f.pulled;
	p->fx_seq = f.seq;
}

static void probe_reset_firmware(sim_probe *p)
{
	/* Power-up mode: V2 starts in DFU (traced), V2-1/V3 in mass storage (observed). */
	p->mode = p->cfg->model == SIM_MODEL_V2 ? STLINK_MODE_DFU : STLINK_MODE_MASS;
	p->dp_up = false;
	p->nrst_low = false;
	p->swd_khz = PROBE_DEFAULT_SWD_KHZ;
	p->jtag_khz = PROBE_DEFAULT_JTAG_KHZ;
	p->last_rw_status = STLINK_DEBUG_ERR_OK;
	p->reply_ready = false;
	p->wneed = p->whave = 0;
}

int sim_probe_new(sim_probe **out, const sim_bench_probe *cfg, const sim_probe_env *env,
		  char *err, size_t errlen)
{
	sim_probe *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p) {
		snprintf(err, errlen, "probe %s: out of memory", cfg->serial);
		return -1;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->cfg = cfg;
	p->env = *env;
	p->rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)cfg->seed << 1) ^ 1U;
	p->swap_at_ns = -1;
	sim_clock_init(&p->clock, env->realtime);
	probe_reset_firmware(p);
	sim_fixture_path(p->tray_path, sizeof(p->tray_path), env->state_dir, cfg);
	probe_tray_load(p);
	*out = p;
	return 0;
}

static void probe_board_retire(sim_probe *p)
{
	if (!p->board)
		return;
	if (p->n_hist == p->cap_hist) {
		size_t cap = p->cap_hist ? 2 * p->cap_hist : 8;
		probe_board_rec *h = realloc(p->hist, cap * sizeof(*h));

		if (!h)
			goto free_board;
		p->hist = h;
		p->cap_hist = cap;
	}
	memcpy(p->hist[p->n_hist].uid, sim_board_uid(p->board), 12);
	p->hist[p->n_hist++].busy_ns = sim_board_busy_ns(p->board);
free_board:
	sim_board_free(p->board);
	p->board = NULL;
}

void sim_probe_free(sim_probe *p)
{
	if (!p)
		return;
	probe_board_retire(p);
	free(p->hist);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const sim_bench_probe *sim_probe_cfg(const sim_probe *p)
{
	return p->cfg;
}

uint16_t sim_probe_pid(const sim_probe *p)
{
	static const uint16_t pids[] = { STLINK_PID_V2, STLINK_PID_V2_1, STLINK_PID_V3S };

	return pids[p->cfg->model];
}

uint8_t sim_probe_ep_out(const sim_probe *p)
{
	return p->cfg->model == SIM_MODEL_V2 ? STLINK_EP_OUT_V2 : STLINK_EP_OUT_V21;
}

uint8_t sim_probe_ep_trace(const sim_probe *p)
{
	return p->cfg->model == SIM_MODEL_V2 ? STLINK_EP_TRACE_V2 : STLINK_EP_TRACE_V21;
}

/* The board in the fixture now (created on first need); NULL: empty fixture. */
sim_board *probe_board(sim_probe *p)
{
	const sim_bench_board *bb;
	sim_board_cfg cfg;
	char err[512];
	int64_t t_insert;

	if (p->board_made)
		return p->board;
	p->board_made = true;
	if (p->pulled || p->tray_idx >= p->cfg->n_boards)
		return NULL;
	bb = &p->cfg->boards[p->tray_idx];
	if (bb->absent)
		return NULL;
	cfg = bb->cfg;
	cfg.state_dir = p->env.state_dir;
	t_insert = p->swap_at_ns >= 0 ? p->swap_at_ns : p->clock.now_ns - PROBE_INSERT_BEFORE_NS;
	if (sim_board_new(&p->board, &cfg, t_insert, err, sizeof(err)) < 0) {
		fprintf(stderr, "gangsim: probe %s: %s (fixture left empty)\n", p->cfg->serial, err);
		p->board = NULL;
	}
	return p->board;
}

/*
 * A change of the fixture made elsewhere (another process's operator, a
 * board inserted, removed or swapped with tools/gangsim ctl) replaces this
 * process's view: a board taken out is retired, the DP link to it is lost,
 * and any swap this process had scheduled is void.
 */
static void probe_fixture_adopt(sim_probe *p, const sim_fixture *f)
{
	p->fx_seq = f->seq;
	p->swap_at_ns = -1;
	p->swap_from_file = f->pending;
	if (f->idx == p->tray_idx && f->pulled == p->pulled)
		return;
	probe_board_retire(p);
	p->tray_idx = f->idx;
	p->pulled = f->pulled;
	p->board_made = false;
	p->dp_up = false;
	p->host_worked = false;
}

/* Look for a change made elsewhere: one stat per call, a read only when the file changed. */
static void probe_fixture_poll(sim_probe *p)
{
	sim_fixture f;

	if (!sim_fixture_changed(&p->fx_seen, p->tray_path))
		return;
	sim_fixture_read(&f, p->tray_path);
	if (f.seq != p->fx_seq)
		probe_fixture_adopt(p, &f);
}

/*
 * Record the fixture's next state, unless it was changed elsewhere since
 * this process last looked: then that change is adopted and stands (the
 * person at the bench acted last). true: written, apply it.
 */
static bool probe_fixture_commit(sim_probe *p, size_t idx, bool pending)
{
	sim_fixture cur, next = { .idx = idx, .pending = pending, .pulled = false };
	int fd = sim_fixture_lock(p->tray_path);
	bool ok = false;

	sim_fixture_read(&cur, p->tray_path);
	if (cur.seq != p->fx_seq) {
		probe_fixture_adopt(p, &cur);
		goto out;
	}
	next.pulled = idx == p->tray_idx && p->pulled;
	next.seq = cur.seq + 1;
	/* an unwritable state directory keeps the swap in this process only, as before */
	(void)sim_fixture_write(p->tray_path, &next);
	p->fx_seq = next.seq;
	ok = true;
out:
	sim_fixture_unlock(fd);
	return ok;
}

/* The operator takes the board out and inserts the next one of the tray. */
static void probe_swap(sim_probe *p)
{
	if (!probe_fixture_commit(p, p->tray_idx + 1, false))
		return;
	probe_board_retire(p);
	p->tray_idx++;
	p->pulled = false;
	p->board_made = false;
	p->dp_up = false;
	p->host_worked = false;
	if (p->swap_at_ns >= 0)
		(void)probe_board(p);   /* insertion time is the swap time */
	p->swap_at_ns = -1;
}

/*
 * The host let go of the board. The operator's cue on a real line is the
 * result on the console, which ends a session that worked on the board
 * (halt, reset, NRST, writes): only such a release makes the operator swap
 * it, swap_s later. A look that only read (a slot peeking at a new board's
 * UID) is no cue: a real operator does not pull a board
 * that was just inserted. Work on the board before the swap (a retry)
 * cancels it (probe_work).
 */
void probe_release(sim_probe *p)
{
	bool worked = p->host_worked;

	p->host_worked = false;
	if (!worked || p->cfg->swap_s < 0 || p->swap_at_ns >= 0 || p->pulled ||
	    p->tray_idx >= p->cfg->n_boards)
		return;
	if (probe_fixture_commit(p, p->tray_idx, true))
		p->swap_at_ns = p->clock.now_ns + (int64_t)(p->cfg->swap_s * 1e9);
}

/*
 * The host works on the board again (a retry after a failed attempt): the
 * slot is busy, so the operator leaves the board in; the next release that
 * follows work arms the swap again.
 */
void probe_work(sim_probe *p)
{
	p->host_worked = true;
	if (p->swap_at_ns < 0)
		return;
	(void)probe_fixture_commit(p, p->tray_idx, false);
	p->swap_at_ns = -1;
}

static void probe_operator(sim_probe *p)
{
	probe_fixture_poll(p);
	if (p->swap_from_file) {
		/* Another process released this board; the operator has swapped it. */
		p->swap_from_file = false;
		probe_swap(p);
	}
	if (p->swap_at_ns >= 0 && p->clock.now_ns >= p->swap_at_ns)
		probe_swap(p);
}

static void probe_check_unplug(sim_probe *p)
{
	int64_t at = (int64_t)(p->cfg->unplug_at_s * 1e9);

	if (p->unplugged || p->unplug_done || p->cfg->unplug_at_s < 0 || p->clock.now_ns < at)
		return;
	p->unplugged = true;
	p->replug_at_ns = p->clock.now_ns + (int64_t)(p->cfg->unplug_for_s * 1e9);
}

static void probe_check_replug(sim_probe *p)
{
	if (!p->unplugged)
		return;
	sim_clock_follow_wall(&p->clock);
	if (p->clock.now_ns < p->replug_at_ns)
		return;
	p->unplugged = false;
	p->unplug_done = true;
	p->generation++;
	probe_reset_firmware(p);
}

bool sim_probe_attached(sim_probe *p, unsigned *generation_out)
{
	bool up;

	pthread_mutex_lock(&p->lock);
	probe_check_replug(p);
	up = !p->unplugged;
	if (generation_out)
		*generation_out = p->generation;
	pthread_mutex_unlock(&p->lock);
	return up;
}

int64_t sim_probe_now(sim_probe *p)
{
	int64_t t;

	pthread_mutex_lock(&p->lock);
	t = p->clock.now_ns;
	pthread_mutex_unlock(&p->lock);
	return t;
}

void probe_add_bytes(sim_probe *p, size_t n)
{
	sim_clock_add(&p->clock, (int64_t)((double)n * 1e9 / p->cfg->usb_bytes_per_s));
}

/* Start of any bulk phase: host gap, operator, unplug. false: device gone. */
static bool probe_begin(sim_probe *p, unsigned generation)
{
	probe_check_replug(p);
	if (p->unplugged || generation != p->generation)
		return false;
	sim_clock_begin(&p->clock);
	p->active = true;
	probe_operator(p);
	probe_check_unplug(p);
	if (p->unplugged) {
		sim_clock_end(&p->clock);
		return false;
	}
	return true;
}

static sim_xfer probe_timeout(sim_probe *p, unsigned timeout_ms)
{
	sim_clock_add(&p->clock, timeout_ms ? (int64_t)timeout_ms * 1000000LL : PROBE_INFINITE_WAIT_NS);
	sim_clock_end(&p->clock);
	return SIM_XFER_TIMEOUT;
}

static void probe_out_phase(sim_probe *p, const uint8_t *data, size_t len)
{
	p->bytes_out += len;
	if (p->wneed > p->whave) {
		/* data phase of a WRITEMEM command */
		size_t n = len < p->wneed - p->whave ? len : p->wneed - p->whave;

		memcpy(p->wdata + p->whave, data, n);
		p->whave += n;
		probe_add_bytes(p, len);
		if (p->whave == p->wneed)
			probe_cmd_data(p);
		return;
	}
	p->usb_commands++;
	sim_clock_add(&p->clock, p->cfg->usb_rtt_ns);
	probe_add_bytes(p, len);
	if (len != STLINK_CMD_LEN)
		return; /* firmware ignores malformed command packets */
	probe_cmd_execute(p, data);
}

sim_xfer sim_probe_bulk_out(sim_probe *p, unsigned generation, uint8_t ep,
			    const uint8_t *data, size_t len, unsigned timeout_ms)
{
	sim_xfer rc = SIM_XFER_OK;

	pthread_mutex_lock(&p->lock);
	if (ep != sim_probe_ep_out(p)) {
		rc = SIM_XFER_BAD_EP;
		goto out;
	}
	if (!probe_begin(p, generation)) {
		rc = SIM_XFER_GONE;
		goto out;
	}
	if (p->wneed == p->whave && probe_chance(p, p->cfg->usb_timeout_rate)) {
		/* the command is lost on the bus: nothing executes, nothing answers */
		p->reply_ready = false;
		rc = probe_timeout(p, timeout_ms);
		goto out;
	}
	probe_out_phase(p, data, len);
	sim_clock_end(&p->clock);
out:
	pthread_mutex_unlock(&p->lock);
	return rc;
}

sim_xfer sim_probe_bulk_in(sim_probe *p, unsigned generation, uint8_t ep, uint8_t *data,
			   size_t len, size_t *actual_out, unsigned timeout_ms)
{
	sim_xfer rc = SIM_XFER_OK;
	size_t n;

	*actual_out = 0;
	pthread_mutex_lock(&p->lock);
	if (ep != STLINK_EP_IN && ep != sim_probe_ep_trace(p)) {
		rc = SIM_XFER_BAD_EP;
		goto out;
	}
	if (!probe_begin(p, generation)) {
		rc = SIM_XFER_GONE;
		goto out;
	}
	if (ep != STLINK_EP_IN || !p->reply_ready) {
		rc = probe_timeout(p, timeout_ms); /* no SWO data, or no reply pending */
		goto out;
	}
	n = len < p->reply_len ? len : p->reply_len;
	memcpy(data, p->reply, n);
	*actual_out = n;
	p->reply_ready = false;
	p->bytes_in += n;
	probe_add_bytes(p, n);
	sim_clock_end(&p->clock);
out:
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void sim_probe_host_close(sim_probe *p, unsigned generation)
{
	pthread_mutex_lock(&p->lock);
	if (generation == p->generation && !p->unplugged && p->active)
		probe_release(p);
	pthread_mutex_unlock(&p->lock);
}

/* One SWD access at the host-set clock; the board runs up to the access time. */
sim_swd probe_access(sim_probe *p, bool write, uint32_t addr, unsigned size, uint32_t *val)
{
	return probe_access_ap(p, 0, write, addr, size, val);
}

sim_swd probe_access_ap(sim_probe *p, unsigned ap, bool write, uint32_t addr, unsigned size,
			uint32_t *val)
{
	sim_board *b = probe_board(p);
	sim_swd rc;

	sim_clock_add(&p->clock, (int64_t)p->cfg->swd_clocks_per_word * 1000000LL / p->swd_khz);
	if (!b || !p->dp_up) {
		*val = 0;
		return SIM_SWD_NOACK;
	}
	/*
	 * The probe's firmware repeats an access the AP answered WAIT to before it
	 * reports SWD_AP_WAIT (ADIv5: WAIT means "try again"); the host only sees a
	 * WAIT status when the target keeps stalling. Each repeat costs a transfer.
	 */
	for (unsigned tries = 0;; tries++) {
		sim_board_advance(b, p->clock.now_ns);
		rc = write ? sim_board_write_ap(b, ap, addr, size, *val) :
			     sim_board_read_ap(b, ap, addr, size, val);
		sim_clock_reach(&p->clock, sim_board_now(b));
		if (rc != SIM_SWD_WAIT || tries >= PROBE_WAIT_REPEATS)
			break;
		sim_clock_add(&p->clock, (int64_t)p->cfg->swd_clocks_per_word * 1000000LL / p->swd_khz);
	}
	if (rc == SIM_SWD_NOACK)
		p->dp_up = false;   /* the wire needs a new line reset (ENTER / READ_IDCODES) */
	if (rc != SIM_SWD_OK && !write)
		*val = 0;
	return rc;
}

/* Line reset + DPIDR read, as ENTER SWD and READ_IDCODES do on the wire. */
sim_swd probe_dp_connect(sim_probe *p)
{
	sim_board *b = probe_board(p);
	sim_swd rc;

	/* line reset (>50 clocks), JTAG-to-SWD (16), reset again, IDCODE read */
	sim_clock_add(&p->clock, 170LL * 1000000LL / p->swd_khz);
	p->dpidr = 0;
	if (!b) {
		p->dp_up = false;
		return SIM_SWD_NOACK;
	}
	sim_board_advance(b, p->clock.now_ns);
	rc = sim_board_dp_connect(b, &p->dpidr);
	sim_clock_reach(&p->clock, sim_board_now(b));
	p->dp_up = rc == SIM_SWD_OK;
	if (!p->dp_up)
		p->dpidr = 0;
	return rc;
}

void probe_trace(sim_probe *p, const char *status)
{
	char line[256];
	int n;

	if (p->env.trace_fd < 0 || !p->t_name)
		return;
	n = snprintf(line, sizeof(line), "%s %.3f %s%s%s -> %s\n", p->cfg->serial,
		     (double)p->clock.now_ns / 1e3, p->t_name, p->t_args[0] ? " " : "", p->t_args,
		     status);
	if (n > 0 && write(p->env.trace_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
		p->env.trace_fd = -1;
	p->t_name = NULL;
	p->t_args[0] = '\0';
}

static void probe_json_board(FILE *f, const uint8_t uid[12], int64_t busy_ns, bool first)
{
	fprintf(f, "%s{\"uid\": \"", first ? "" : ", ");
	for (int i = 0; i < 12; i++)
		fprintf(f, "%02X", uid[i]);
	fprintf(f, "\", \"virtual_us\": %lld}", (long long)(busy_ns / 1000));
}

char *sim_probe_stats_json(sim_probe *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	pthread_mutex_lock(&p->lock);
	if (!p->active || !(f = open_memstream(&buf, &len)))
		goto out;
	fprintf(f, "{\"serial\": \"%s\", \"usb_commands\": %llu, \"bytes_out\": %llu, "
		"\"bytes_in\": %llu, \"virtual_us\": %lld, \"boards\": [", p->cfg->serial,
		(unsigned long long)p->usb_commands, (unsigned long long)p->bytes_out,
		(unsigned long long)p->bytes_in, (long long)(p->clock.now_ns / 1000));
	for (size_t i = 0; i < p->n_hist; i++)
		probe_json_board(f, p->hist[i].uid, p->hist[i].busy_ns, i == 0);
	if (p->board)
		probe_json_board(f, sim_board_uid(p->board), sim_board_busy_ns(p->board), p->n_hist == 0);
	fprintf(f, "]}");
	fclose(f);
out:
	pthread_mutex_unlock(&p->lock);
	return buf;
}
