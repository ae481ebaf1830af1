/*
 * libusb_io.c — libusb-1.0 replacement, part 3: device handles (open,
 * claim with a per-probe lock file so two processes cannot share a probe,
 * like usbfs's exclusive claim), synchronous bulk/control transfers, and
 * the asynchronous API OpenOCD uses (transfers submitted back to back,
 * run in submission order and completed in libusb_handle_events*).
 */
#include "libusb_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "stlink/stlink_cmd.h"

#define IO_SETUP_SIZE     LIBUSB_CONTROL_SETUP_SIZE
#define IO_IDLE_WAIT_NS   100000L    /* handle_events with nothing queued: 100 us */

struct shim_xfer {
	shim_xfer *next;
	bool cancelled;
};

/* Private part in front of each libusb_transfer (as libusb itself does). */
typedef union io_priv {
	shim_xfer x;
	max_align_t align;
} io_priv;

static shim_xfer *io_priv_of(struct libusb_transfer *t)
{
	return &((io_priv *)(void *)t - 1)->x;
}

static struct libusb_transfer *io_xfer_of(shim_xfer *x)
{
	return (struct libusb_transfer *)(void *)((io_priv *)(void *)x + 1);
}

static int io_map(sim_xfer r)
{
	switch (r) {
	case SIM_XFER_OK:
		return LIBUSB_SUCCESS;
	case SIM_XFER_TIMEOUT:
		return LIBUSB_ERROR_TIMEOUT;
	case SIM_XFER_GONE:
		return LIBUSB_ERROR_NO_DEVICE;
	default:
		return LIBUSB_ERROR_PIPE;
	}
}

static bool io_alive(libusb_device *dev)
{
	unsigned gen;

	return sim_probe_attached(dev->probe, &gen) && gen == dev->generation;
}

SHIM_API int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **dev_handle)
{
	libusb_device_handle *h;

	if (!io_alive(dev))
		return LIBUSB_ERROR_NO_DEVICE;
	h = calloc(1, sizeof(*h));
	if (!h)
		return LIBUSB_ERROR_NO_MEM;
	h->dev = libusb_ref_device(dev);
	h->lock_fd = -1;
	h->configuration = 1;
	*dev_handle = h;
	return LIBUSB_SUCCESS;
}

SHIM_API libusb_device_handle * LIBUSB_CALL libusb_open_device_with_vid_pid(libusb_context *ctx,
	uint16_t vendor_id, uint16_t product_id)
{
	libusb_device **list, *found = NULL;
	libusb_device_handle *h = NULL;
	ssize_t n = libusb_get_device_list(ctx, &list);

	for (ssize_t i = 0; i < n && !found; i++)
		if (vendor_id == STLINK_VID && sim_probe_pid(list[i]->probe) == product_id)
			found = list[i];
	if (found && libusb_open(found, &h) < 0)
		h = NULL;
	if (n >= 0)
		libusb_free_device_list(list, 1);
	return h;
}

SHIM_API void LIBUSB_CALL libusb_close(libusb_device_handle *dev_handle)
{
	if (!dev_handle)
		return;
	if (dev_handle->lock_fd >= 0)
		close(dev_handle->lock_fd);
	/* only a handle that talked to the probe releases the board (not a serial lookup) */
	if (dev_handle->used)
		sim_probe_host_close(dev_handle->dev->probe, dev_handle->dev->generation);
	libusb_unref_device(dev_handle->dev);
	free(dev_handle);
}

SHIM_API libusb_device * LIBUSB_CALL libusb_get_device(libusb_device_handle *dev_handle)
{
	return dev_handle->dev;
}

SHIM_API int LIBUSB_CALL libusb_get_configuration(libusb_device_handle *dev, int *config)
{
	if (!io_alive(dev->dev))
		return LIBUSB_ERROR_NO_DEVICE;
	*config = dev->configuration;
	return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_set_configuration(libusb_device_handle *dev_handle, int configuration)
{
	if (!io_alive(dev_handle->dev))
		return LIBUSB_ERROR_NO_DEVICE;
	if (configuration != 1 && configuration != -1 && configuration != 0)
		return LIBUSB_ERROR_NOT_FOUND;
	dev_handle->configuration = configuration == -1 ? 0 : configuration;
	return LIBUSB_SUCCESS;
}

static int io_n_interfaces(const libusb_device *dev)
{
	return sim_probe_cfg(dev->probe)->model == SIM_MODEL_V2 ? 1 : 4;
}

/* Claiming the debug interface takes an exclusive lock: one process per probe. */
SHIM_API int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *dev_handle, int interface_number)
{
	char path[4200];

	if (!io_alive(dev_handle->dev))
		return LIBUSB_ERROR_NO_DEVICE;
	if (interface_number < 0 || interface_number >= io_n_interfaces(dev_handle->dev))
		return LIBUSB_ERROR_NOT_FOUND;
	if (interface_number != 0 || dev_handle->lock_fd >= 0)
		return LIBUSB_SUCCESS;
	snprintf(path, sizeof(path), "%s/claim-%s", shim_world_get()->state_dir,
		 sim_probe_cfg(dev_handle->dev->probe)->key);
	dev_handle->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (dev_handle->lock_fd < 0)
		return LIBUSB_ERROR_ACCESS;
	if (flock(dev_handle->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		close(dev_handle->lock_fd);
		dev_handle->lock_fd = -1;
		return LIBUSB_ERROR_BUSY;
	}
	return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_release_interface(libusb_device_handle *dev_handle, int interface_number)
{
	if (interface_number < 0 || interface_number >= io_n_interfaces(dev_handle->dev))
		return LIBUSB_ERROR_NOT_FOUND;
	if (interface_number == 0 && dev_handle->lock_fd >= 0) {
		close(dev_handle->lock_fd);
		dev_handle->lock_fd = -1;
	}
	return io_alive(dev_handle->dev) ? LIBUSB_SUCCESS : LIBUSB_ERROR_NO_DEVICE;
}

SHIM_API int LIBUSB_CALL libusb_set_interface_alt_setting(libusb_device_handle *dev_handle,
	int interface_number, int alternate_setting)
{
	if (!io_alive(dev_handle->dev))
		return LIBUSB_ERROR_NO_DEVICE;
	if (interface_number < 0 || interface_number >= io_n_interfaces(dev_handle->dev) ||
	    alternate_setting != 0)
		return LIBUSB_ERROR_NOT_FOUND;
	return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_clear_halt(libusb_device_handle *dev_handle, unsigned char endpoint)
{
	(void)endpoint;
	return io_alive(dev_handle->dev) ? LIBUSB_SUCCESS : LIBUSB_ERROR_NO_DEVICE;
}

SHIM_API int LIBUSB_CALL libusb_reset_device(libusb_device_handle *dev_handle)
{
	/* A port reset leaves the ST-Link firmware state alone; a gone device stays gone. */
	return io_alive(dev_handle->dev) ? LIBUSB_SUCCESS : LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_kernel_driver_active(libusb_device_handle *dev_handle, int interface_number)
{
	if (!io_alive(dev_handle->dev))
		return LIBUSB_ERROR_NO_DEVICE;
	return interface_number >= 0 && interface_number < io_n_interfaces(dev_handle->dev) ? 0 :
	       LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_detach_kernel_driver(libusb_device_handle *dev_handle, int interface_number)
{
	(void)interface_number;
	/* no kernel driver is bound to the debug interface */
	return io_alive(dev_handle->dev) ? LIBUSB_ERROR_NOT_FOUND : LIBUSB_ERROR_NO_DEVICE;
}

SHIM_API int LIBUSB_CALL libusb_attach_kernel_driver(libusb_device_handle *dev_handle, int interface_number)
{
	(void)interface_number;
	return io_alive(dev_handle->dev) ? LIBUSB_ERROR_NOT_FOUND : LIBUSB_ERROR_NO_DEVICE;
}

SHIM_API int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle *dev_handle, int enable)
{
	(void)dev_handle, (void)enable;
	return LIBUSB_SUCCESS;
}

/* ---- synchronous transfers ---------------------------------------------- */

static int io_bulk(libusb_device_handle *h, unsigned char ep, unsigned char *data, int length,
		   int *transferred, unsigned int timeout)
{
	size_t got = 0;
	sim_xfer r;

	if (length < 0)
		return LIBUSB_ERROR_INVALID_PARAM;
	h->used = true;
	if (ep & LIBUSB_ENDPOINT_IN)
		r = sim_probe_bulk_in(h->dev->probe, h->dev->generation, ep, data, (size_t)length,
				      &got, timeout);
	else
		r = sim_probe_bulk_out(h->dev->probe, h->dev->generation, ep, data, (size_t)length,
				       timeout);
	if (r == SIM_XFER_OK && !(ep & LIBUSB_ENDPOINT_IN))
		got = (size_t)length;
	if (transferred)
		*transferred = (int)got;
	return io_map(r);
}

SHIM_API int LIBUSB_CALL libusb_bulk_transfer(libusb_device_handle *dev_handle, unsigned char endpoint,
	unsigned char *data, int length, int *actual_length, unsigned int timeout)
{
	return io_bulk(dev_handle, endpoint, data, length, actual_length, timeout);
}

SHIM_API int LIBUSB_CALL libusb_interrupt_transfer(libusb_device_handle *dev_handle,
	unsigned char endpoint, unsigned char *data, int length, int *actual_length, unsigned int timeout)
{
	return io_bulk(dev_handle, endpoint, data, length, actual_length, timeout);
}

static int io_get_descriptor(libusb_device_handle *h, uint16_t wValue, unsigned char *data,
			     uint16_t wLength)
{
	uint8_t type = (uint8_t)(wValue >> 8), index = (uint8_t)wValue;
	struct libusb_device_descriptor d;
	int n;

	switch (type) {
	case LIBUSB_DT_DEVICE:
		shim_device_descriptor(&d, h->dev->probe);
		n = LIBUSB_DT_DEVICE_SIZE < wLength ? LIBUSB_DT_DEVICE_SIZE : wLength;
		/* the struct mirrors the wire layout on little-endian hosts */
		memcpy(data, &d, (size_t)n);
		return n;
	case LIBUSB_DT_CONFIG:
		n = index == 0 ? shim_config_raw(data, wLength, h->dev->probe) : LIBUSB_ERROR_PIPE;
		return n < 0 ? n : (n < wLength ? n : wLength);
	case LIBUSB_DT_STRING:
		n = shim_string_raw(data, wLength, h->dev->probe, index);
		return n < 0 ? n : (n < wLength ? n : wLength);
	default:
		return LIBUSB_ERROR_PIPE;
	}
}

SHIM_API int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *dev_handle,
	uint8_t request_type, uint8_t bRequest, uint16_t wValue, uint16_t wIndex,
	unsigned char *data, uint16_t wLength, unsigned int timeout)
{
	(void)wIndex, (void)timeout;
	if (!io_alive(dev_handle->dev))
		return LIBUSB_ERROR_NO_DEVICE;
	if (request_type == LIBUSB_ENDPOINT_IN && bRequest == LIBUSB_REQUEST_GET_DESCRIPTOR)
		return io_get_descriptor(dev_handle, wValue, data, wLength);
	if (request_type == LIBUSB_ENDPOINT_IN && bRequest == LIBUSB_REQUEST_GET_STATUS) {
		memset(data, 0, wLength < 2 ? wLength : 2);
		return wLength < 2 ? wLength : 2;
	}
	if (!(request_type & LIBUSB_ENDPOINT_IN) &&
	    (bRequest == LIBUSB_REQUEST_SET_CONFIGURATION || bRequest == LIBUSB_REQUEST_CLEAR_FEATURE ||
	     bRequest == LIBUSB_REQUEST_SET_INTERFACE))
		return 0;
	return LIBUSB_ERROR_PIPE;   /* the probe stalls requests it does not know */
}

/* ---- asynchronous transfers ------------------------------------------------ */

SHIM_API struct libusb_transfer * LIBUSB_CALL libusb_alloc_transfer(int iso_packets)
{
	size_t size = sizeof(io_priv) + sizeof(struct libusb_transfer) +
		      (size_t)(iso_packets > 0 ? iso_packets : 0) * sizeof(struct libusb_iso_packet_descriptor);
	io_priv *p = calloc(1, size);

	if (!p)
		return NULL;
	io_xfer_of(&p->x)->num_iso_packets = iso_packets;
	return io_xfer_of(&p->x);
}

SHIM_API void LIBUSB_CALL libusb_free_transfer(struct libusb_transfer *transfer)
{
	if (!transfer)
		return;
	if ((transfer->flags & LIBUSB_TRANSFER_FREE_BUFFER) && transfer->buffer)
		free(transfer->buffer);
	free((io_priv *)(void *)transfer - 1);
}

SHIM_API int LIBUSB_CALL libusb_submit_transfer(struct libusb_transfer *transfer)
{
	libusb_context *c;
	shim_xfer *x = io_priv_of(transfer);

	if (!transfer->dev_handle)
		return LIBUSB_ERROR_INVALID_PARAM;
	if (!io_alive(transfer->dev_handle->dev))
		return LIBUSB_ERROR_NO_DEVICE;
	if (transfer->type != LIBUSB_TRANSFER_TYPE_BULK && transfer->type != LIBUSB_TRANSFER_TYPE_CONTROL &&
	    transfer->type != LIBUSB_TRANSFER_TYPE_INTERRUPT)
		return LIBUSB_ERROR_NOT_SUPPORTED;
	c = transfer->dev_handle->dev->ctx;
	x->next = NULL;
	x->cancelled = false;
	pthread_mutex_lock(&c->lock);
	if (c->tail)
		c->tail->next = x;
	else
		c->head = x;
	c->tail = x;
	pthread_mutex_unlock(&c->lock);
	return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_cancel_transfer(struct libusb_transfer *transfer)
{
	libusb_context *c = transfer->dev_handle->dev->ctx;
	int rc = LIBUSB_ERROR_NOT_FOUND;

	pthread_mutex_lock(&c->lock);
	for (shim_xfer *x = c->head; x; x = x->next)
		if (x == io_priv_of(transfer) && !x->cancelled) {
			x->cancelled = true;
			rc = LIBUSB_SUCCESS;
		}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static enum libusb_transfer_status io_status(int rc)
{
	switch (rc) {
	case LIBUSB_SUCCESS:
		return LIBUSB_TRANSFER_COMPLETED;
	case LIBUSB_ERROR_TIMEOUT:
		return LIBUSB_TRANSFER_TIMED_OUT;
	case LIBUSB_ERROR_NO_DEVICE:
		return LIBUSB_TRANSFER_NO_DEVICE;
	case LIBUSB_ERROR_PIPE:
		return LIBUSB_TRANSFER_STALL;
	default:
		return LIBUSB_TRANSFER_ERROR;
	}
}

static void io_run(struct libusb_transfer *t)
{
	int rc, n = 0;

	if (t->type == LIBUSB_TRANSFER_TYPE_CONTROL) {
		struct libusb_control_setup *s = libusb_control_transfer_get_setup(t);

		rc = libusb_control_transfer(t->dev_handle, s->bmRequestType, s->bRequest,
					     libusb_le16_to_cpu(s->wValue), libusb_le16_to_cpu(s->wIndex),
					     t->buffer + IO_SETUP_SIZE, libusb_le16_to_cpu(s->wLength),
					     t->timeout);
		n = rc > 0 ? rc : 0;
		rc = rc < 0 ? rc : LIBUSB_SUCCESS;
	} else {
		rc = io_bulk(t->dev_handle, t->endpoint, t->buffer, t->length, &n, t->timeout);
	}
	t->actual_length = n;
	t->status = io_status(rc);
	if (t->status == LIBUSB_TRANSFER_COMPLETED && (t->flags & LIBUSB_TRANSFER_SHORT_NOT_OK) &&
	    t->type != LIBUSB_TRANSFER_TYPE_CONTROL && n < t->length)
		t->status = LIBUSB_TRANSFER_ERROR;
}

static shim_xfer *io_pop(libusb_context *c)
{
	shim_xfer *x;

	pthread_mutex_lock(&c->lock);
	x = c->head;
	if (x) {
		c->head = x->next;
		if (!c->head)
			c->tail = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	return x;
}

/* Run and complete the transfers queued when called (callbacks may submit more). */
static int io_handle(libusb_context *ctx, int *completed)
{
	libusb_context *c = shim_ctx(ctx);
	shim_xfer *last, *x;
	bool any = false;

	if (!c)
		return LIBUSB_ERROR_INVALID_PARAM;
	pthread_mutex_lock(&c->lock);
	last = c->tail;
	pthread_mutex_unlock(&c->lock);
	while (last && (!completed || !*completed) && (x = io_pop(c))) {
		struct libusb_transfer *t = io_xfer_of(x);
		bool was_last = x == last;

		if (x->cancelled)
			t->status = LIBUSB_TRANSFER_CANCELLED, t->actual_length = 0;
		else
			io_run(t);
		any = true;
		if (t->callback)
			t->callback(t);
		if (t->flags & LIBUSB_TRANSFER_FREE_TRANSFER)
			libusb_free_transfer(t);
		if (was_last)
			break;
	}
	if (!any) {
		struct timespec ts = { 0, IO_IDLE_WAIT_NS };

		nanosleep(&ts, NULL);
	}
	return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context *ctx,
	struct timeval *tv, int *completed)
{
	(void)tv;
	return io_handle(ctx, completed);
}

SHIM_API int LIBUSB_CALL libusb_handle_events_timeout(libusb_context *ctx, struct timeval *tv)
{
	(void)tv;
	return io_handle(ctx, NULL);
}

SHIM_API int LIBUSB_CALL libusb_handle_events(libusb_context *ctx)
{
	return io_handle(ctx, NULL);
}

SHIM_API int LIBUSB_CALL libusb_handle_events_completed(libusb_context *ctx, int *completed)
{
	return io_handle(ctx, completed);
}

SHIM_API int LIBUSB_CALL libusb_handle_events_locked(libusb_context *ctx, struct timeval *tv)
{
	(void)tv;
	return io_handle(ctx, NULL);
}

SHIM_API int LIBUSB_CALL libusb_get_next_timeout(libusb_context *ctx, struct timeval *tv)
{
	(void)ctx, (void)tv;
	return 0;   /* no pending timeouts: transfers complete when handled */
}

SHIM_API void LIBUSB_CALL libusb_interrupt_event_handler(libusb_context *ctx)
{
	(void)ctx;
}

SHIM_API int LIBUSB_CALL libusb_wrap_sys_device(libusb_context *ctx, intptr_t sys_dev,
						libusb_device_handle **dev_handle)
{
	(void)ctx, (void)sys_dev, (void)dev_handle;
	return LIBUSB_ERROR_NOT_SUPPORTED;
}
