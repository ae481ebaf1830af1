/*
 * libusb_shim.h — internals of the libusb-1.0 replacement shared by
 * libusb_shim.c (world, contexts, devices, descriptors), libusb_io.c
 * (handles, sync and async transfers, events) and stats.c.
 *
 * The "world" is the process's view of the bench: loaded once from the
 * GANGSIM_* environment at the first libusb_init, it owns the virtual
 * probes (which are physical devices, hence process-wide). Its mutex
 * guards only loading and device-list bookkeeping; transfers take the
 * probe's own mutex, so probes never serialise on each other.
 */
#ifndef GANGSIM_LIBUSB_SHIM_H
#define GANGSIM_LIBUSB_SHIM_H

#include <libusb-1.0/libusb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "probe.h"

#define SHIM_API __attribute__((visibility("default")))

typedef struct shim_xfer shim_xfer;

struct libusb_context {
	pthread_mutex_t lock;        /* guards devs and the transfer queue */
	libusb_device **devs;        /* this context's device object per probe (or NULL) */
	shim_xfer *head, *tail;      /* submitted, not yet handled transfers */
	int refs;                    /* the default context is refcounted */
};

struct libusb_device {
	int refs;                    /* atomic */
	libusb_context *ctx;
	sim_probe *probe;
	size_t index;                /* probe index in the bench */
	unsigned generation;         /* plug generation this object belongs to */
	uint8_t address;
};

struct libusb_device_handle {
	libusb_device *dev;
	int lock_fd;                 /* flock on the claimed debug interface, -1 */
	int configuration;
	bool used;                   /* moved data: closing it releases the board */
};

/* The process-wide bench view. */
typedef struct shim_world {
	pthread_mutex_t lock;
	bool loaded;
	int load_rc;                 /* LIBUSB_SUCCESS or the error init returns */
	sim_bench *bench;
	sim_probe **probes;
	size_t n_probes;
	char state_dir[4096];
	char stats_path[4096];
	int trace_fd;
	double realtime;
	unsigned next_address;
	libusb_context *default_ctx;
	bool stats_written_at_exit;
} shim_world;

shim_world *shim_world_get(void);
/* Load the bench from the environment (once); returns a libusb error code. */
int shim_world_load(void);
libusb_context *shim_ctx(libusb_context *ctx);

/* Device descriptors built from the probe's model. */
void shim_device_descriptor(struct libusb_device_descriptor *d, const sim_probe *p);
int shim_config_raw(uint8_t *buf, size_t len, const sim_probe *p);
int shim_string_raw(uint8_t *buf, size_t len, const sim_probe *p, uint8_t index);

/* stats.c: write GANGSIM_STATS (merging other processes' fragments). */
void sim_stats_write(const shim_world *w);

#endif
