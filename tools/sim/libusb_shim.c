/*
 * libusb_shim.c — libusb-1.0 replacement, part 1: the world (bench loaded
 * from GANGSIM_BENCH/STATE/STATS/TRACE/REALTIME), contexts, the device
 * list (probes leave and rejoin it when unplugged), device properties and
 * descriptors as the real probes present them (VID/PID, configuration 1,
 * interface 0, endpoints per model,
 * serial string descriptor genuine = 24 UTF-16 hex digits, bLength 50;
 * clone = 12 raw bytes as UTF-16 code units, bLength 26).
 * Compiled against <libusb-1.0/libusb.h> so the ABI matches.
 */
#include "libusb_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "stlink/stlink_cmd.h"

#define SHIM_BUS            1U
#define SHIM_HUB_PORTS      7U     /* probes sit behind 7-port hubs: path <hub>.<port> */

static shim_world shim_w = { .lock = PTHREAD_MUTEX_INITIALIZER, .trace_fd = -1 };

shim_world *shim_world_get(void)
{
	return &shim_w;
}

static void shim_atexit(void)
{
	if (!shim_w.stats_written_at_exit)
		sim_stats_write(&shim_w);
}

static int shim_env_realtime(double *out)
{
	const char *s = getenv("GANGSIM_REALTIME");
	char *end;

	*out = 0;
	if (!s || !*s)
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	if (errno || *end || *out < 0) {
		fprintf(stderr, "gangsim: GANGSIM_REALTIME=\"%s\" is not a scale >= 0\n", s);
		return -1;
	}
	return 0;
}

static int shim_env_state(shim_world *w)
{
	const char *s = getenv("GANGSIM_STATE");
	const char *tmp = getenv("TMPDIR");

	if (s && *s) {
		snprintf(w->state_dir, sizeof(w->state_dir), "%s", s);
		if (mkdir(s, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "gangsim: GANGSIM_STATE %s: %s\n", s, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* no state dir given: a fresh one, silently (boards start blank) */
	snprintf(w->state_dir, sizeof(w->state_dir), "%s/gangsim-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(w->state_dir)) {
		fprintf(stderr, "gangsim: cannot create a state directory: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int shim_env_trace(shim_world *w)
{
	const char *s = getenv("GANGSIM_TRACE");

	if (!s || !*s)
		return 0;
	w->trace_fd = open(s, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (w->trace_fd < 0) {
		fprintf(stderr, "gangsim: GANGSIM_TRACE %s: %s\n", s, strerror(errno));
		return -1;
	}
	return 0;
}

static int shim_make_probes(shim_world *w)
{
	sim_probe_env env = { w->state_dir, w->realtime, w->trace_fd };
	char err[512];

	w->probes = calloc(w->bench->n_probes ? w->bench->n_probes : 1, sizeof(*w->probes));
	if (!w->probes)
		return -1;
	for (size_t i = 0; i < w->bench->n_probes; i++) {
		if (sim_probe_new(&w->probes[i], &w->bench->probes[i], &env, err, sizeof(err)) < 0) {
			fprintf(stderr, "gangsim: %s\n", err);
			return -1;
		}
		w->n_probes++;
	}
	return 0;
}

static int shim_world_load_locked(shim_world *w)
{
	const char *bench = getenv("GANGSIM_BENCH");
	const char *stats = getenv("GANGSIM_STATS");
	char err[1024];

	if (shim_env_realtime(&w->realtime) < 0 || shim_env_state(w) < 0 || shim_env_trace(w) < 0)
		return LIBUSB_ERROR_OTHER;
	if (stats && *stats)
		snprintf(w->stats_path, sizeof(w->stats_path), "%s", stats);
	w->next_address = 2;
	if (!bench || !*bench)
		return LIBUSB_SUCCESS;   /* no bench: a bus without ST-Links */
	if (sim_bench_load(&w->bench, bench, err, sizeof(err)) < 0) {
		fprintf(stderr, "gangsim: %s\n", err);
		return LIBUSB_ERROR_OTHER;
	}
	if (shim_make_probes(w) < 0)
		return LIBUSB_ERROR_NO_MEM;
	sim_ctl_record_bench(w->state_dir, bench);   /* so `gangsim ctl --state DIR` finds it */
	w->next_address = 2 + (unsigned)w->n_probes;
	atexit(shim_atexit);
	return LIBUSB_SUCCESS;
}

int shim_world_load(void)
{
	int rc;

	pthread_mutex_lock(&shim_w.lock);
	if (!shim_w.loaded) {
		shim_w.load_rc = shim_world_load_locked(&shim_w);
		shim_w.loaded = true;
	}
	rc = shim_w.load_rc;
	pthread_mutex_unlock(&shim_w.lock);
	return rc;
}

/*
 * Modes for the wrapper, run before the host program: GANGSIM_CHECK=1
 * validates the bench and exits; GANGSIM_CTL="FIXTURE insert" runs one
 * control command on a bench's state directory (ctl.h) and exits.
 */
__attribute__((constructor)) static void shim_check_mode(void)
{
	const char *check = getenv("GANGSIM_CHECK");
	const char *bench = getenv("GANGSIM_BENCH");
	const char *ctl = getenv("GANGSIM_CTL");
	char err[1024];
	sim_bench *b = NULL;
	int rc;

	if (ctl && *ctl) {
		rc = sim_ctl_env_main();
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	if (!check || strcmp(check, "1") != 0)
		return;
	if (bench && *bench && sim_bench_load(&b, bench, err, sizeof(err)) < 0) {
		fprintf(stderr, "gangsim: %s\n", err);
		_exit(2);
	}
	sim_bench_free(b);
	_exit(0);
}

static libusb_context *shim_ctx_new(void)
{
	libusb_context *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->refs = 1;
	return c;
}

libusb_context *shim_ctx(libusb_context *ctx)
{
	return ctx ? ctx : shim_w.default_ctx;
}

SHIM_API int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
	int rc = shim_world_load();

	if (rc != LIBUSB_SUCCESS)
		return rc;
	if (ctx) {
		*ctx = shim_ctx_new();
		return *ctx ? LIBUSB_SUCCESS : LIBUSB_ERROR_NO_MEM;
	}
	pthread_mutex_lock(&shim_w.lock);
	if (shim_w.default_ctx)
		shim_w.default_ctx->refs++;
	else
		shim_w.default_ctx = shim_ctx_new();
	rc = shim_w.default_ctx ? LIBUSB_SUCCESS : LIBUSB_ERROR_NO_MEM;
	pthread_mutex_unlock(&shim_w.lock);
	return rc;
}

static void shim_ctx_free(libusb_context *c)
{
	shim_world *w = &shim_w;

	if (c->devs)
		for (size_t i = 0; i < w->n_probes; i++)
			if (c->devs[i])
				libusb_unref_device(c->devs[i]);
	free(c->devs);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

SHIM_API void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
	bool last = false;

	pthread_mutex_lock(&shim_w.lock);
	if (!ctx && shim_w.default_ctx && --shim_w.default_ctx->refs == 0) {
		ctx = shim_w.default_ctx;
		shim_w.default_ctx = NULL;
		last = true;
	} else if (ctx) {
		last = true;
	}
	pthread_mutex_unlock(&shim_w.lock);
	if (!last)
		return;
	/* stats at libusb_exit (and again at exit, covering clients that never call it) */
	sim_stats_write(&shim_w);
	shim_ctx_free(ctx);
}

SHIM_API int LIBUSB_CALL libusb_set_option(libusb_context *ctx, enum libusb_option option, ...)
{
	(void)ctx;
	if (option == LIBUSB_OPTION_LOG_LEVEL || option == LIBUSB_OPTION_NO_DEVICE_DISCOVERY)
		return LIBUSB_SUCCESS;
	return option == LIBUSB_OPTION_USE_USBDK ? LIBUSB_ERROR_NOT_SUPPORTED : LIBUSB_SUCCESS;
}

SHIM_API void LIBUSB_CALL libusb_set_debug(libusb_context *ctx, int level)
{
	(void)ctx, (void)level;
}

SHIM_API void LIBUSB_CALL libusb_set_log_cb(libusb_context *ctx, libusb_log_cb cb, int mode)
{
	(void)ctx, (void)cb, (void)mode;
}

SHIM_API const struct libusb_version * LIBUSB_CALL libusb_get_version(void)
{
	static const struct libusb_version v = { 1, 0, 26, 11724, "", "gangsim virtual bench" };

	return &v;
}

SHIM_API int LIBUSB_CALL libusb_has_capability(uint32_t capability)
{
	/* no hotplug: clients poll the device list, which follows plug state */
	return capability == LIBUSB_CAP_HAS_CAPABILITY;
}

SHIM_API int LIBUSB_CALL libusb_setlocale(const char *locale)
{
	(void)locale;
	return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_hotplug_register_callback(libusb_context *ctx, int events,
	int flags, int vendor_id, int product_id, int dev_class, libusb_hotplug_callback_fn cb_fn,
	void *user_data, libusb_hotplug_callback_handle *callback_handle)
{
	(void)ctx, (void)events, (void)flags, (void)vendor_id, (void)product_id, (void)dev_class;
	(void)cb_fn, (void)user_data;
	if (callback_handle)
		*callback_handle = 0;
	return LIBUSB_ERROR_NOT_SUPPORTED;
}

SHIM_API void LIBUSB_CALL libusb_hotplug_deregister_callback(libusb_context *ctx,
	libusb_hotplug_callback_handle callback_handle)
{
	(void)ctx, (void)callback_handle;
}

/* ---- device list ------------------------------------------------------- */

static libusb_device *shim_dev_new(libusb_context *c, size_t i, unsigned gen, uint8_t addr)
{
	libusb_device *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->refs = 1;
	d->ctx = c;
	d->probe = shim_w.probes[i];
	d->index = i;
	d->generation = gen;
	d->address = addr;
	return d;
}

/* This context's object for probe i now on the bus (new object after a re-plug). */
static libusb_device *shim_dev_current(libusb_context *c, size_t i)
{
	unsigned gen;

	if (!sim_probe_attached(shim_w.probes[i], &gen))
		return NULL;
	if (c->devs[i] && c->devs[i]->generation == gen)
		return c->devs[i];
	if (c->devs[i])
		libusb_unref_device(c->devs[i]);
	/* first enumeration: fixed addresses; a re-plug gets the next free one */
	c->devs[i] = shim_dev_new(c, i, gen, (uint8_t)(gen == 0 ? 2 + i :
			shim_w.next_address++ % 126 + 1));
	return c->devs[i];
}

SHIM_API ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	libusb_context *c = shim_ctx(ctx);
	libusb_device **l;
	size_t n = 0;

	if (!c)
		return LIBUSB_ERROR_INVALID_PARAM;
	l = calloc(shim_w.n_probes + 1, sizeof(*l));
	if (!l)
		return LIBUSB_ERROR_NO_MEM;
	pthread_mutex_lock(&shim_w.lock);
	pthread_mutex_lock(&c->lock);
	if (!c->devs)
		c->devs = calloc(shim_w.n_probes + 1, sizeof(*c->devs));
	for (size_t i = 0; c->devs && i < shim_w.n_probes; i++) {
		libusb_device *d = shim_dev_current(c, i);

		if (d)
			l[n++] = libusb_ref_device(d);
	}
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&shim_w.lock);
	*list = l;
	return (ssize_t)n;
}

SHIM_API void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref_devices)
{
	if (!list)
		return;
	if (unref_devices)
		for (libusb_device **d = list; *d; d++)
			libusb_unref_device(*d);
	free(list);
}

SHIM_API libusb_device * LIBUSB_CALL libusb_ref_device(libusb_device *dev)
{
	__atomic_add_fetch(&dev->refs, 1, __ATOMIC_SEQ_CST);
	return dev;
}

SHIM_API void LIBUSB_CALL libusb_unref_device(libusb_device *dev)
{
	if (dev && __atomic_sub_fetch(&dev->refs, 1, __ATOMIC_SEQ_CST) == 0)
		free(dev);
}

SHIM_API uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
	(void)dev;
	return SHIM_BUS;
}

SHIM_API uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device *dev)
{
	return dev->address;
}

SHIM_API uint8_t LIBUSB_CALL libusb_get_port_number(libusb_device *dev)
{
	return (uint8_t)(dev->index % SHIM_HUB_PORTS + 1);
}

SHIM_API int LIBUSB_CALL libusb_get_port_numbers(libusb_device *dev, uint8_t *port_numbers,
						 int port_numbers_len)
{
	/* root port = hub number, then the hub's port: stable per fixture socket */
	if (port_numbers_len < 2)
		return LIBUSB_ERROR_OVERFLOW;
	port_numbers[0] = (uint8_t)(dev->index / SHIM_HUB_PORTS + 1);
	port_numbers[1] = (uint8_t)(dev->index % SHIM_HUB_PORTS + 1);
	return 2;
}

SHIM_API int LIBUSB_CALL libusb_get_port_path(libusb_context *ctx, libusb_device *dev,
					      uint8_t *path, uint8_t path_length)
{
	(void)ctx;
	return libusb_get_port_numbers(dev, path, path_length);
}

SHIM_API libusb_device * LIBUSB_CALL libusb_get_parent(libusb_device *dev)
{
	(void)dev;
	return NULL;
}

SHIM_API int LIBUSB_CALL libusb_get_device_speed(libusb_device *dev)
{
	return sim_probe_cfg(dev->probe)->model == SIM_MODEL_V3 ? LIBUSB_SPEED_HIGH : LIBUSB_SPEED_FULL;
}

SHIM_API int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev,
						      struct libusb_device_descriptor *desc)
{
	shim_device_descriptor(desc, dev->probe);
	return LIBUSB_SUCCESS;
}

/* ---- errors ------------------------------------------------------------ */

typedef struct shim_err_name {
	int code;
	const char *name;
	const char *text;
} shim_err_name;

static const shim_err_name shim_errs[] = {
	{ LIBUSB_SUCCESS, "LIBUSB_SUCCESS", "Success" },
	{ LIBUSB_ERROR_IO, "LIBUSB_ERROR_IO", "Input/Output Error" },
	{ LIBUSB_ERROR_INVALID_PARAM, "LIBUSB_ERROR_INVALID_PARAM", "Invalid parameter" },
	{ LIBUSB_ERROR_ACCESS, "LIBUSB_ERROR_ACCESS", "Access denied (insufficient permissions)" },
	{ LIBUSB_ERROR_NO_DEVICE, "LIBUSB_ERROR_NO_DEVICE", "No such device (it may have been disconnected)" },
	{ LIBUSB_ERROR_NOT_FOUND, "LIBUSB_ERROR_NOT_FOUND", "Entity not found" },
	{ LIBUSB_ERROR_BUSY, "LIBUSB_ERROR_BUSY", "Resource busy" },
	{ LIBUSB_ERROR_TIMEOUT, "LIBUSB_ERROR_TIMEOUT", "Operation timed out" },
	{ LIBUSB_ERROR_OVERFLOW, "LIBUSB_ERROR_OVERFLOW", "Overflow" },
	{ LIBUSB_ERROR_PIPE, "LIBUSB_ERROR_PIPE", "Pipe error" },
	{ LIBUSB_ERROR_INTERRUPTED, "LIBUSB_ERROR_INTERRUPTED", "System call interrupted (perhaps due to signal)" },
	{ LIBUSB_ERROR_NO_MEM, "LIBUSB_ERROR_NO_MEM", "Insufficient memory" },
	{ LIBUSB_ERROR_NOT_SUPPORTED, "LIBUSB_ERROR_NOT_SUPPORTED", "Operation not supported or unimplemented on this platform" },
	{ LIBUSB_ERROR_OTHER, "LIBUSB_ERROR_OTHER", "Other error" },
};

static const shim_err_name *shim_err_find(int code)
{
	for (size_t i = 0; i < sizeof(shim_errs) / sizeof(shim_errs[0]); i++)
		if (shim_errs[i].code == code)
			return &shim_errs[i];
	return NULL;
}

SHIM_API const char * LIBUSB_CALL libusb_error_name(int errcode)
{
	static const char *const xfer[] = { "LIBUSB_TRANSFER_COMPLETED", "LIBUSB_TRANSFER_ERROR",
		"LIBUSB_TRANSFER_TIMED_OUT", "LIBUSB_TRANSFER_CANCELLED", "LIBUSB_TRANSFER_STALL",
		"LIBUSB_TRANSFER_NO_DEVICE", "LIBUSB_TRANSFER_OVERFLOW" };
	const shim_err_name *e = shim_err_find(errcode);

	if (e)
		return e->name;
	if (errcode > 0 && errcode <= LIBUSB_TRANSFER_OVERFLOW)
		return xfer[errcode];
	return "**UNKNOWN**";
}

SHIM_API const char * LIBUSB_CALL libusb_strerror(int errcode)
{
	const shim_err_name *e = shim_err_find(errcode);

	return e ? e->text : "Unknown error";
}
