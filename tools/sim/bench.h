/*
 * bench.h — the bench file (libconfig) that describes a virtual test bench:
 * ST-Link probes (serial, model, firmware, timing, USB faults) and the
 * boards in each probe's fixture (part, UID, initial flash and option
 * bytes, fixture wiring, board faults). Keys are documented in
 * tools/sim/benches/README.md; defaults follow the datasheets
 * (DS5792 Table 29; USB 2.0 frame times; the probes' USB identities).
 *
 * A bad file yields one sentence naming file, line and key.
 * A loaded bench is immutable.
 */
#ifndef GANGSIM_BENCH_H
#define GANGSIM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"

typedef enum sim_model {
	SIM_MODEL_V2 = 0,
	SIM_MODEL_V2_1,
	SIM_MODEL_V3,
} sim_model;

typedef struct sim_bench_board {
	sim_board_cfg cfg;        /* state_dir is filled in by the probe */
	bool absent;              /* empty fixture: no voltage, no DP */
	char *firmware_path;      /* owned; cfg.firmware points here */
} sim_bench_board;

typedef struct sim_fw_version {
	unsigned v, j, s, m, b;   /* S: SWIM (V2) / swim (V3); M: MSD (V2-1, V3); B: bridge (V3) */
	char text[24];
} sim_fw_version;

typedef struct sim_bench_probe {
	char serial[25];          /* 24 hex digits */
	bool clone;               /* serial descriptor carries 12 raw bytes */
	char key[32];             /* names its state files and derives its UIDs: the serial,
				     with "-2", "-3".. for further clones sharing it */
	sim_model model;
	sim_fw_version fw;
	double swap_s;            /* < 0: the operator never swaps */
	int64_t usb_rtt_ns;       /* per command round trip */
	double usb_bytes_per_s;   /* bulk data rate */
	unsigned swd_clocks_per_word; /* SWCLK per 32-bit access, 46 */
	double unplug_at_s;       /* < 0: never */
	double unplug_for_s;
	double usb_timeout_rate;  /* probability a command is lost */
	uint32_t seed;
	sim_bench_board *boards;  /* the tray, in insertion order */
	size_t n_boards;
} sim_bench_probe;

typedef struct sim_bench {
	char *path;
	sim_bench_probe *probes;
	size_t n_probes;
} sim_bench;

/* Load and validate path; on error -1 with "file:line: key 'k': why" in err. */
int sim_bench_load(sim_bench **out, const char *path, char *err, size_t errlen);
void sim_bench_free(sim_bench *b);

/* Parse "V2J37S7", "V2J37M26", "V3J7M3B5S1"; -1 when malformed or not for model. */
int sim_bench_parse_fw(sim_fw_version *out, const char *text, sim_model model);
/* Deterministic 96-bit UID of board index i of a probe serial. */
void sim_bench_derive_uid(uint8_t uid_out[12], const char *serial, size_t index);
const char *sim_model_name(sim_model m);

#endif
