/*
 * usb.c — gang's only libusb user: one libusb context per gang_usb,
 * enumeration of ST-Links (identity, serial, port path), opening one probe
 * by serial or port path, and the three-phase ST-Link transaction.
 * Depends on: usb_id.c (pure helpers), core/err.
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use
 * it (PIDs, endpoints, configuration 1, interface 0, framing, serial read,
 * open sequence); libusb-1.0 API docs (a timed-out bulk transfer may
 * still have moved data: check `transferred`).
 */
#include "usb/usb.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usb/usb_internal.h"

/* USB configuration and interface every ST-Link uses. */
#define USB_STLINK_CONFIG    1U
#define USB_STLINK_INTERFACE 0U

struct gang_usb {
	libusb_context *ctx;
};

struct gang_usb_handle {
	libusb_device_handle *dev;
	gang_probe_id id;
	uint8_t ep_out, ep_in;
	bool claimed;
};

/* One enumerated probe with its libusb device (referenced). */
typedef struct usb_found {
	gang_probe_id id;
	libusb_device *dev;
} usb_found;

int gang_usb_err_map(gang_diag *d, int lerr, const char *what)
{
	int code;

	switch (lerr) {
	case LIBUSB_ERROR_ACCESS:
		code = GANG_EPROBE_ACCESS;
		break;
	case LIBUSB_ERROR_BUSY:
		code = GANG_EPROBE_BUSY;
		break;
	case LIBUSB_ERROR_NO_DEVICE:
		code = GANG_EPROBE_GONE;
		break;
	case LIBUSB_ERROR_TIMEOUT:
		code = GANG_EPROBE_TIMEOUT;
		break;
	case LIBUSB_ERROR_NO_MEM:
		code = GANG_ENOMEM;
		break;
	default:
		code = GANG_EPROBE_PROTOCOL;
		break;
	}
	if (lerr == LIBUSB_ERROR_ACCESS)
		return gang_diag_set(d, code, "%s: %s (install tools/udev/49-gang-stlink.rules, replug)",
				     what, libusb_error_name(lerr));
	return gang_diag_set(d, code, "%s: %s", what, libusb_error_name(lerr));
}

int gang_usb_new(gang_usb **out, gang_diag *d)
{
	gang_usb *u;
	int r;

	*out = NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return gang_diag_set(d, GANG_ENOMEM, "gang_usb_new: out of memory");
	r = libusb_init(&u->ctx);
	if (r < 0) {
		free(u);
		return gang_usb_err_map(d, r, "libusb_init");
	}
	*out = u;
	return GANG_OK;
}

void gang_usb_free(gang_usb *u)
{
	if (!u)
		return;
	libusb_exit(u->ctx);
	free(u);
}

/* LANGID then iSerialNumber, each one GET_DESCRIPTOR of 50 bytes. */
static int usb_read_serial(gang_probe_id *id, libusb_device_handle *h, uint8_t idx,
			   gang_diag *d)
{
	uint8_t buf[GANG_USB_SERIAL_DESC_LEN];
	uint16_t langid = GANG_USB_LANGID_EN_US;
	int r;

	if (idx == 0)
		return gang_diag_set(d, GANG_EPROBE_PROTOCOL, "probe at %s has no serial string",
				     id->port_path);
	r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
				    (uint16_t)(LIBUSB_DT_STRING << 8), 0, buf, sizeof(buf),
				    GANG_USB_CTRL_TIMEOUT_MS);
	if (r >= 4)
		langid = (uint16_t)(buf[2] | (buf[3] << 8));
	r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
				    (uint16_t)((LIBUSB_DT_STRING << 8) | idx), langid, buf,
				    sizeof(buf), GANG_USB_CTRL_TIMEOUT_MS);
	if (r < 0)
		return gang_usb_err_map(d, r, "reading the serial descriptor");
	if ((size_t)r > sizeof(buf))
		r = (int)sizeof(buf); /* never trust a count beyond the buffer */
	return gang_usb_serial_decode(id->serial, &id->serial_binary, buf, (size_t)r, d);
}

/* Fill identity fields that need no open: model, bus, port path. */
static void usb_fill_id(gang_probe_id *id, libusb_device *dev,
			const struct libusb_device_descriptor *desc, const char *model)
{
	uint8_t ports[GANG_USB_MAX_PORTS];
	int n;

	memset(id, 0, sizeof(*id));
	id->vid = desc->idVendor;
	id->pid = desc->idProduct;
	snprintf(id->model, sizeof(id->model), "%s", model);
	id->bus = libusb_get_bus_number(dev);
	id->address = libusb_get_device_address(dev);
	n = libusb_get_port_numbers(dev, ports, GANG_USB_MAX_PORTS);
	gang_usb_port_path_format(id->port_path, sizeof(id->port_path), id->bus, ports, n);
}

/*
 * Identify one device. Returns 1 when it is a supported ST-Link (*f
 * filled, device referenced), 0 to skip it, or a negative gang_err.
 * A serial that cannot be decoded leaves serial empty: the probe stays
 * selectable by port path, which is the cure for garbage clone serials.
 */
static int usb_identify(usb_found *f, libusb_device *dev, gang_diag *d)
{
	struct libusb_device_descriptor desc;
	libusb_device_handle *h;
	const char *model;
	int r;

	if (libusb_get_device_descriptor(dev, &desc) < 0 || desc.idVendor != STLINK_VID)
		return 0;
	model = gang_usb_model_for_pid(desc.idProduct);
	if (!model)
		return 0; /* V1 (SCSI) or another ST device, e.g. a board's own USB */
	usb_fill_id(&f->id, dev, &desc, model);
	r = libusb_open(dev, &h);
	if (r == LIBUSB_ERROR_NO_DEVICE)
		return 0; /* unplugged while we looked */
	if (r < 0)
		return gang_usb_err_map(d, r, "opening the ST-Link to read its serial");
	if (usb_read_serial(&f->id, h, desc.iSerialNumber, NULL) < 0)
		f->id.serial[0] = '\0';
	libusb_close(h);
	f->dev = libusb_ref_device(dev);
	return 1;
}

static void usb_found_free(usb_found *found, size_t n)
{
	for (size_t i = 0; found && i < n; i++)
		libusb_unref_device(found[i].dev);
	free(found);
}

/* Order by port path, numerically ("1-2" before "1-10"): stable listings per fixture. */
static int usb_found_cmp(const void *a, const void *b)
{
	return strverscmp(((const usb_found *)a)->id.port_path, ((const usb_found *)b)->id.port_path);
}

/* Enumerate ST-Links: *out is malloc'd, each entry holds a device reference. */
static int usb_enumerate(usb_found **out, size_t *n_out, gang_usb *u, gang_diag *d)
{
	libusb_device **list = NULL;
	usb_found *found = NULL;
	ssize_t cnt;
	size_t n = 0;
	int err = GANG_OK;

	*out = NULL;
	*n_out = 0;
	cnt = libusb_get_device_list(u->ctx, &list);
	if (cnt < 0)
		return gang_usb_err_map(d, (int)cnt, "listing USB devices");
	found = calloc((size_t)cnt + 1, sizeof(*found));
	if (!found) {
		err = gang_diag_set(d, GANG_ENOMEM, "listing USB devices: out of memory");
		goto out;
	}
	for (ssize_t i = 0; i < cnt; i++) {
		int r = usb_identify(&found[n], list[i], d);

		if (r < 0) {
			err = r;
			goto out;
		}
		n += (size_t)r;
	}
out:
	libusb_free_device_list(list, 1);
	if (err < 0) {
		usb_found_free(found, n);
		return err;
	}
	qsort(found, n, sizeof(*found), usb_found_cmp);
	*out = found;
	*n_out = n;
	return GANG_OK;
}

int gang_usb_list(gang_probe_id **out, size_t *count_out, gang_usb *u, gang_diag *d)
{
	usb_found *found;
	gang_probe_id *ids;
	size_t n;
	int err;

	*out = NULL;
	*count_out = 0;
	err = usb_enumerate(&found, &n, u, d);
	if (err < 0)
		return err;
	ids = calloc(n + 1, sizeof(*ids));
	if (!ids) {
		usb_found_free(found, n);
		return gang_diag_set(d, GANG_ENOMEM, "listing ST-Links: out of memory");
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = found[i].id;
	usb_found_free(found, n);
	*out = ids;
	*count_out = n;
	return GANG_OK;
}

/* Detach a kernel driver, select configuration 1, claim interface 0. */
static int usb_claim(gang_usb_handle *h, gang_diag *d)
{
	int cfg = 0, r;

	if (libusb_kernel_driver_active(h->dev, USB_STLINK_INTERFACE) == 1) {
		r = libusb_detach_kernel_driver(h->dev, USB_STLINK_INTERFACE);
		if (r < 0 && r != LIBUSB_ERROR_NOT_FOUND)
			return gang_usb_err_map(d, r, "detaching the kernel driver");
	}
	r = libusb_get_configuration(h->dev, &cfg);
	if (r < 0)
		return gang_usb_err_map(d, r, "reading the USB configuration");
	if (cfg != USB_STLINK_CONFIG) {
		r = libusb_set_configuration(h->dev, USB_STLINK_CONFIG);
		if (r < 0)
			return gang_usb_err_map(d, r, "selecting USB configuration 1");
	}
	r = libusb_claim_interface(h->dev, USB_STLINK_INTERFACE);
	if (r < 0)
		return gang_usb_err_map(d, r, "claiming the ST-Link interface");
	h->claimed = true;
	return GANG_OK;
}

static int usb_open_found(gang_usb_handle **out, const usb_found *f, gang_diag *d)
{
	gang_usb_handle *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return gang_diag_set(d, GANG_ENOMEM, "opening the ST-Link: out of memory");
	h->id = f->id;
	h->ep_out = gang_usb_ep_out_for_pid(f->id.pid);
	h->ep_in = (uint8_t)STLINK_EP_IN;
	r = libusb_open(f->dev, &h->dev);
	if (r < 0) {
		free(h);
		return gang_usb_err_map(d, r, "opening the ST-Link");
	}
	r = usb_claim(h, d);
	if (r < 0) {
		if (d && r != GANG_EPROBE_ACCESS)
			snprintf(d->msg + strlen(d->msg), sizeof(d->msg) - strlen(d->msg),
				 " (probe %s at port %s)", f->id.serial, f->id.port_path);
		gang_usb_close(h);
		return r;
	}
	*out = h;
	return GANG_OK;
}

int gang_usb_open(gang_usb_handle **out, gang_usb *u, const char *selector, gang_diag *d)
{
	usb_found *found;
	gang_probe_id *ids = NULL;
	size_t n, pick = 0;
	int err;

	*out = NULL;
	err = usb_enumerate(&found, &n, u, d);
	if (err < 0)
		return err;
	ids = calloc(n + 1, sizeof(*ids));
	if (!ids) {
		err = gang_diag_set(d, GANG_ENOMEM, "opening the ST-Link: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = found[i].id;
	err = gang_usb_select(&pick, ids, n, selector, d);
	if (err < 0)
		goto out;
	err = usb_open_found(out, &found[pick], d);
out:
	free(ids);
	usb_found_free(found, n);
	return err;
}

void gang_usb_close(gang_usb_handle *h)
{
	if (!h)
		return;
	if (h->claimed)
		libusb_release_interface(h->dev, USB_STLINK_INTERFACE);
	libusb_close(h->dev);
	free(h);
}

const gang_probe_id *gang_usb_id(const gang_usb_handle *h)
{
	return &h->id;
}

/* One bulk phase; a short transfer is a protocol error, a timeout is checked
 * after `transferred` (libusb may have moved part of the data). */
static int usb_bulk(gang_usb_handle *h, uint8_t ep, uint8_t *data, size_t len,
		    unsigned timeout_ms, const char *phase, gang_diag *d)
{
	int done = 0;
	int r = libusb_bulk_transfer(h->dev, ep, data, (int)len, &done, timeout_ms);

	if (r == LIBUSB_ERROR_TIMEOUT)
		return gang_diag_set(d, GANG_EPROBE_TIMEOUT,
				     "%s on EP 0x%02X: timeout after %u ms, %d of %zu bytes moved",
				     phase, ep, timeout_ms, done, len);
	if (r < 0)
		return gang_usb_err_map(d, r, phase);
	if ((size_t)done != len)
		return gang_diag_set(d, GANG_EPROBE_PROTOCOL, "%s on EP 0x%02X: %d of %zu bytes",
				     phase, ep, done, len);
	return GANG_OK;
}

int gang_usb_xfer(gang_usb_handle *h, const uint8_t *cmd, size_t cmd_len,
		  const uint8_t *out_data, size_t out_len,
		  uint8_t *in, size_t in_len, unsigned timeout_ms, gang_diag *d)
{
	uint8_t frame[STLINK_CMD_LEN] = { 0 };
	int err;

	/* Every command is one 16-byte OUT, zero padded. */
	if (cmd_len > sizeof(frame))
		return gang_diag_set(d, GANG_ERR, "ST-Link command of %zu bytes (max %u)",
				     cmd_len, STLINK_CMD_LEN);
	memcpy(frame, cmd, cmd_len);
	err = usb_bulk(h, h->ep_out, frame, sizeof(frame), timeout_ms, "command", d);
	if (err == GANG_OK && out_len > 0)
		/* libusb takes a non-const buffer for both directions; OUT data is only read. */
		err = usb_bulk(h, h->ep_out, (uint8_t *)(uintptr_t)out_data, out_len, timeout_ms,
			       "data out", d);
	if (err == GANG_OK && in_len > 0)
		err = usb_bulk(h, h->ep_in, in, in_len, timeout_ms, "reply", d);
	return err;
}
