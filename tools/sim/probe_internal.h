/*
 * probe_internal.h — state of a virtual ST-Link shared by probe.c
 * (lifecycle, USB phases, clock, fixture and operator, stats) and
 * probe_cmd.c (the firmware's command set).
 * Everything here is touched only with sim_probe.lock held.
 */
#ifndef GANGSIM_PROBE_INTERNAL_H
#define GANGSIM_PROBE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "board.h"
#include "clock.h"
#include "probe.h"

#define PROBE_REPLY_MAX   8192U  /* > STLINK_MAX_RW32 + status words */
#define PROBE_DATA_MAX    65536U   /* a WRITEMEM data phase: its length field is 16 bits */
#define PROBE_TRACE_ARGS  96U

typedef struct probe_board_rec {
	uint8_t uid[12];
	int64_t busy_ns;
} probe_board_rec;

struct sim_probe {
	pthread_mutex_t lock;
	const sim_bench_probe *cfg;
	sim_probe_env env;
	sim_clock clock;
	uint64_t rng;

	/* firmware state */
	uint8_t mode;              /* STLINK_MODE_* */
	bool dp_up;                /* a DP answered the last connect */
	uint32_t dpidr;
	bool nrst_low;
	unsigned swd_khz, jtag_khz;
	uint8_t last_rw_status;
	uint32_t last_rw_addr;
	uint32_t ap_open[8];       /* APs 1..255 opened by INIT_AP since ENTER (bit per AP) */

	/* pending phases */
	uint8_t reply[PROBE_REPLY_MAX];
	size_t reply_len;
	bool reply_ready;
	uint8_t wcmd[16];          /* WRITEMEM command awaiting its data phase */
	size_t wneed, whave;
	uint8_t wdata[PROBE_DATA_MAX];

	/* fixture: the tray and the virtual operator */
	sim_board *board;
	size_t tray_idx;           /* board in the fixture; >= n_boards: empty */
	bool board_made;           /* board for tray_idx created (or known absent) */
	int64_t swap_at_ns;        /* -1: no swap scheduled */
	bool host_worked;          /* the host halted, reset, ran or wrote the target since the last release */
	bool swap_from_file;       /* a previous process released the board */
	bool pulled;               /* the board at tray_idx was removed by hand (tools/gangsim ctl) */
	unsigned long fx_seq;      /* sequence of the fixture file this process last saw (fixture.h) */
	struct stat fx_seen;       /* the fixture file as last stat'ed */
	char tray_path[4096];

	/* USB plug state */
	bool unplugged, unplug_done;
	int64_t replug_at_ns;
	unsigned generation;

	/* statistics */
	bool active;
	uint64_t usb_commands, bytes_out, bytes_in;
	probe_board_rec *hist;
	size_t n_hist, cap_hist;

	/* trace of the current command */
	const char *t_name;
	char t_args[PROBE_TRACE_ARGS];
};

/* probe.c */
sim_board *probe_board(sim_probe *p);
sim_swd probe_access(sim_probe *p, bool write, uint32_t addr, unsigned size, uint32_t *val);
/* The same through access port ap (memory commands carry it on multi-AP firmware). */
sim_swd probe_access_ap(sim_probe *p, unsigned ap, bool write, uint32_t addr, unsigned size,
			uint32_t *val);
sim_swd probe_dp_connect(sim_probe *p);
void probe_release(sim_probe *p);
/* The host changed the target (halt, reset, run, NRST, write): cancels a pending swap. */
void probe_work(sim_probe *p);
void probe_add_bytes(sim_probe *p, size_t n);
void probe_trace(sim_probe *p, const char *status);

/* probe_cmd.c */
void probe_cmd_execute(sim_probe *p, const uint8_t *cmd);
void probe_cmd_data(sim_probe *p);
uint8_t probe_status(sim_swd s);

#endif
