/*
 * probe.h — one virtual ST-Link (V2, V2-1, V3) as its firmware behaves on
 * the USB bulk endpoints: the 16-byte command set as OpenOCD 0.12 and
 * stlink 1.7.0 use it, with real reply lengths, status codes, size limits
 * and firmware-version gating; the fixture with its tray of boards
 * (board.h), the virtual operator who swaps them and the person who moves
 * them by hand (ctl.h); the probe's virtual clock; USB faults (lost
 * commands, unplug/replug); statistics and trace lines.
 *
 * Threading: every entry point takes the probe's own mutex, so several
 * probes in one process never serialise on a shared lock.
 */
#ifndef GANGSIM_PROBE_H
#define GANGSIM_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"

typedef struct sim_probe sim_probe;

/* Outcome of one bulk transfer (the shim maps it to a libusb code). */
typedef enum sim_xfer {
	SIM_XFER_OK = 0,
	SIM_XFER_TIMEOUT,        /* nothing answered within the caller's timeout */
	SIM_XFER_GONE,           /* the device was unplugged (handle is stale) */
	SIM_XFER_BAD_EP,         /* no such endpoint on this model */
} sim_xfer;

typedef struct sim_probe_env {
	const char *state_dir;   /* board files and tray position live here */
	double realtime;         /* 0: no pacing; S: wall = S x virtual */
	int trace_fd;            /* -1: no trace */
} sim_probe_env;

/* cfg and env strings are borrowed and must outlive the probe. */
int sim_probe_new(sim_probe **out, const sim_bench_probe *cfg, const sim_probe_env *env,
		  char *err, size_t errlen);
void sim_probe_free(sim_probe *p);
const sim_bench_probe *sim_probe_cfg(const sim_probe *p);

/* USB identity of the model (VID 0483, PID 3748 / 374B / 374F, as the probes enumerate). */
uint16_t sim_probe_pid(const sim_probe *p);
uint8_t sim_probe_ep_out(const sim_probe *p);
uint8_t sim_probe_ep_trace(const sim_probe *p);

/*
 * Whether the probe is on the bus; *generation_out changes at every
 * re-plug, so handles opened before an unplug stay dead. While unplugged,
 * the probe's clock follows wall time.
 */
bool sim_probe_attached(sim_probe *p, unsigned *generation_out);

/* Bulk OUT (command or data phase) / bulk IN (reply or trace). */
sim_xfer sim_probe_bulk_out(sim_probe *p, unsigned generation, uint8_t ep,
			    const uint8_t *data, size_t len, unsigned timeout_ms);
sim_xfer sim_probe_bulk_in(sim_probe *p, unsigned generation, uint8_t ep, uint8_t *data,
			   size_t len, size_t *actual_out, unsigned timeout_ms);

/* The host closed its handle: counts as releasing the board (virtual operator). */
void sim_probe_host_close(sim_probe *p, unsigned generation);

/* Virtual time of the probe (ns since its first command). */
int64_t sim_probe_now(sim_probe *p);

/*
 * Statistics as one JSON object on one line (malloc'd), or NULL when the
 * probe saw no command in this process:
 * {"serial": .., "usb_commands": .., "bytes_out": .., "bytes_in": ..,
 *  "virtual_us": .., "boards": [{"uid": .., "virtual_us": ..}, ..]}
 */
char *sim_probe_stats_json(sim_probe *p);

#endif
