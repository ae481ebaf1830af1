/*
 * libusb_desc.c — libusb-1.0 replacement, part 2: the USB descriptors of
 * the virtual probes (device, configuration 1 with interface 0 = the
 * ST-Link debug interface and its bulk endpoints per model, plus the MSD
 * and VCP interfaces of V2-1/V3), string descriptors as the real firmware
 * answers them (as read from real V2, V2-1 and V3 probes), the parsed configuration
 * descriptor API, and libusb_get_string_descriptor_ascii with libusb's
 * conversion rules (non-ASCII code units become '?').
 */
#include "libusb_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stlink/stlink_cmd.h"

#define DESC_LANGID_EN_US  0x0409U
#define DESC_FS_BULK       64U
#define DESC_HS_BULK       512U
#define DESC_MAX_EP        3
#define DESC_MAX_IF        4
#define DESC_BCD_DEVICE    0x0100U
#define DESC_MAX_POWER_2MA 50U      /* 100 mA */

typedef struct desc_ep {
	uint8_t addr, attr;      /* attr: 2 bulk, 3 interrupt */
	uint16_t maxpkt;         /* 0: the model's bulk size */
	uint8_t interval;
} desc_ep;

typedef struct desc_if {
	uint8_t cls, sub, proto, n_ep;
	desc_ep ep[DESC_MAX_EP];
} desc_if;

typedef struct desc_model {
	uint8_t n_if;
	desc_if ifs[DESC_MAX_IF];
} desc_model;

/* V2: the debug interface alone (EP2 OUT, EP1 IN, EP3 IN SWO). */
static const desc_model desc_v2 = { 1, {
	{ 0xFF, 0xFF, 0xFF, 3, { { STLINK_EP_IN, 2, 0, 0 }, { STLINK_EP_OUT_V2, 2, 0, 0 },
				  { STLINK_EP_TRACE_V2, 2, 0, 0 } } },
} };

/* V2-1 and V3: debug (EP1 OUT, EP1 IN, EP2 IN SWO), mass storage, VCP (CDC ACM). */
static const desc_model desc_v21 = { 4, {
	{ 0xFF, 0xFF, 0xFF, 3, { { STLINK_EP_IN, 2, 0, 0 }, { STLINK_EP_OUT_V21, 2, 0, 0 },
				  { STLINK_EP_TRACE_V21, 2, 0, 0 } } },
	{ 0x08, 0x06, 0x50, 2, { { 0x83, 2, 0, 0 }, { 0x03, 2, 0, 0 } } },
	{ 0x02, 0x02, 0x01, 1, { { 0x84, 3, 16, 16 } } },
	{ 0x0A, 0x00, 0x00, 2, { { 0x05, 2, 0, 0 }, { 0x85, 2, 0, 0 } } },
} };

static const desc_model *desc_of(const sim_probe *p)
{
	return sim_probe_cfg(p)->model == SIM_MODEL_V2 ? &desc_v2 : &desc_v21;
}

static uint16_t desc_bulk(const sim_probe *p)
{
	return sim_probe_cfg(p)->model == SIM_MODEL_V3 ? DESC_HS_BULK : DESC_FS_BULK;
}

void shim_device_descriptor(struct libusb_device_descriptor *d, const sim_probe *p)
{
	bool composite = sim_probe_cfg(p)->model != SIM_MODEL_V2;

	memset(d, 0, sizeof(*d));
	d->bLength = LIBUSB_DT_DEVICE_SIZE;
	d->bDescriptorType = LIBUSB_DT_DEVICE;
	d->bcdUSB = 0x0200;
	/* composite devices announce interface association (class EF/02/01) */
	d->bDeviceClass = composite ? 0xEF : 0;
	d->bDeviceSubClass = composite ? 0x02 : 0;
	d->bDeviceProtocol = composite ? 0x01 : 0;
	d->bMaxPacketSize0 = 64;
	d->idVendor = STLINK_VID;
	d->idProduct = sim_probe_pid(p);
	d->bcdDevice = DESC_BCD_DEVICE;
	d->iManufacturer = 1;
	d->iProduct = 2;
	d->iSerialNumber = 3;
	d->bNumConfigurations = 1;
}

static size_t desc_put_if(uint8_t *b, const desc_if *f, uint8_t num, uint16_t bulk)
{
	size_t n = 0;

	b[n++] = LIBUSB_DT_INTERFACE_SIZE, b[n++] = LIBUSB_DT_INTERFACE, b[n++] = num, b[n++] = 0;
	b[n++] = f->n_ep, b[n++] = f->cls, b[n++] = f->sub, b[n++] = f->proto, b[n++] = 0;
	for (int e = 0; e < f->n_ep; e++) {
		uint16_t mp = f->ep[e].maxpkt ? f->ep[e].maxpkt : bulk;

		b[n++] = LIBUSB_DT_ENDPOINT_SIZE, b[n++] = LIBUSB_DT_ENDPOINT;
		b[n++] = f->ep[e].addr, b[n++] = f->ep[e].attr;
		b[n++] = (uint8_t)mp, b[n++] = (uint8_t)(mp >> 8), b[n++] = f->ep[e].interval;
	}
	return n;
}

/* The raw configuration descriptor (GET_DESCRIPTOR(CONFIGURATION)); returns its length. */
int shim_config_raw(uint8_t *buf, size_t len, const sim_probe *p)
{
	const desc_model *m = desc_of(p);
	uint8_t b[256];
	size_t n = LIBUSB_DT_CONFIG_SIZE;

	for (uint8_t i = 0; i < m->n_if; i++) {
		if (i == 2) {
			/* interface association: the VCP's two interfaces are one function */
			const uint8_t iad[8] = { 8, 0x0B, 2, 2, 0x02, 0x02, 0x01, 0 };

			memcpy(b + n, iad, sizeof(iad));
			n += sizeof(iad);
		}
		n += desc_put_if(b + n, &m->ifs[i], i, desc_bulk(p));
	}
	b[0] = LIBUSB_DT_CONFIG_SIZE, b[1] = LIBUSB_DT_CONFIG;
	b[2] = (uint8_t)n, b[3] = (uint8_t)(n >> 8), b[4] = m->n_if, b[5] = 1, b[6] = 0;
	b[7] = 0x80, b[8] = DESC_MAX_POWER_2MA;
	memcpy(buf, b, n < len ? n : len);
	return (int)n;
}

static const char *desc_product(const sim_probe *p)
{
	return sim_probe_cfg(p)->model == SIM_MODEL_V3 ? "STLINK-V3" : "STM32 STLink";
}

static int desc_ascii(uint8_t *buf, size_t len, const char *s)
{
	size_t n = strlen(s), total = 2 + 2 * n, i;
	uint8_t b[256];

	b[0] = (uint8_t)total, b[1] = LIBUSB_DT_STRING;
	for (i = 0; i < n; i++)
		b[2 + 2 * i] = (uint8_t)s[i], b[3 + 2 * i] = 0;
	memcpy(buf, b, total < len ? total : len);
	return (int)total;
}

/* The serial descriptor: 24 hex digits, or (clones) the 12 bytes they encode. */
static int desc_serial(uint8_t *buf, size_t len, const sim_probe *p)
{
	const sim_bench_probe *c = sim_probe_cfg(p);
	uint8_t b[64];
	size_t total = 2 + 2 * 12;

	if (!c->clone)
		return desc_ascii(buf, len, c->serial);
	b[0] = (uint8_t)total, b[1] = LIBUSB_DT_STRING;
	for (int i = 0; i < 12; i++) {
		unsigned v;

		sscanf(c->serial + 2 * i, "%2x", &v);
		b[2 + 2 * i] = (uint8_t)v, b[3 + 2 * i] = 0;
	}
	memcpy(buf, b, total < len ? total : len);
	return (int)total;
}

/*
 * String descriptor index (0: LANGID table). Copies at most len bytes and
 * returns the full bLength: a short buffer gets the truncated descriptor
 * with byte 0 still giving the full length (st-flash 1.7.0 reads 48 bytes; observed).
 */
int shim_string_raw(uint8_t *buf, size_t len, const sim_probe *p, uint8_t index)
{
	static const uint8_t langids[4] = { 4, LIBUSB_DT_STRING, DESC_LANGID_EN_US & 0xFF,
					    DESC_LANGID_EN_US >> 8 };

	switch (index) {
	case 0:
		memcpy(buf, langids, len < 4 ? len : 4);
		return 4;
	case 1:
		return desc_ascii(buf, len, "STMicroelectronics");
	case 2:
		return desc_ascii(buf, len, desc_product(p));
	case 3:
		return desc_serial(buf, len, p);
	default:
		return LIBUSB_ERROR_PIPE;   /* the device stalls an unknown index */
	}
}

SHIM_API int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *dev_handle,
	uint8_t desc_index, unsigned char *data, int length)
{
	uint8_t t[255];
	int r, di = 0;

	if (desc_index == 0 || length <= 0)
		return LIBUSB_ERROR_INVALID_PARAM;
	r = libusb_control_transfer(dev_handle, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
				    (uint16_t)(LIBUSB_DT_STRING << 8 | desc_index), DESC_LANGID_EN_US,
				    t, sizeof(t), 1000);
	if (r < 0)
		return r;
	if (r < 2 || t[1] != LIBUSB_DT_STRING || t[0] > r)
		return LIBUSB_ERROR_IO;
	for (int si = 2; si + 1 < t[0] && di < length - 1; si += 2)
		data[di++] = (t[si] & 0x80) || t[si + 1] ? '?' : t[si];
	data[di] = 0;
	return di;
}

/* ---- parsed configuration descriptor ----------------------------------- */

static int desc_parse_if(struct libusb_interface *itf, const desc_if *f, uint8_t num, uint16_t bulk)
{
	struct libusb_interface_descriptor *a = calloc(1, sizeof(*a));
	struct libusb_endpoint_descriptor *ep = calloc(DESC_MAX_EP, sizeof(*ep));

	if (!a || !ep) {
		free(a), free(ep);
		return LIBUSB_ERROR_NO_MEM;
	}
	*a = (struct libusb_interface_descriptor){ LIBUSB_DT_INTERFACE_SIZE, LIBUSB_DT_INTERFACE, num,
		0, f->n_ep, f->cls, f->sub, f->proto, 0, ep, NULL, 0 };
	for (int e = 0; e < f->n_ep; e++) {
		ep[e].bLength = LIBUSB_DT_ENDPOINT_SIZE;
		ep[e].bDescriptorType = LIBUSB_DT_ENDPOINT;
		ep[e].bEndpointAddress = f->ep[e].addr;
		ep[e].bmAttributes = f->ep[e].attr;
		ep[e].wMaxPacketSize = f->ep[e].maxpkt ? f->ep[e].maxpkt : bulk;
		ep[e].bInterval = f->ep[e].interval;
	}
	itf->altsetting = a;
	itf->num_altsetting = 1;
	return LIBUSB_SUCCESS;
}

SHIM_API void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *config)
{
	if (!config)
		return;
	for (int i = 0; i < config->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &config->interface[i];

		if (itf->altsetting)
			free((void *)itf->altsetting->endpoint);
		free((void *)itf->altsetting);
	}
	free((void *)config->interface);
	free(config);
}

SHIM_API int LIBUSB_CALL libusb_get_config_descriptor(libusb_device *dev, uint8_t config_index,
						      struct libusb_config_descriptor **config)
{
	const desc_model *m = desc_of(dev->probe);
	struct libusb_config_descriptor *c;
	struct libusb_interface *ifs;
	uint8_t raw[256];

	if (config_index != 0)
		return LIBUSB_ERROR_NOT_FOUND;
	c = calloc(1, sizeof(*c));
	ifs = calloc(DESC_MAX_IF, sizeof(*ifs));
	if (!c || !ifs) {
		free(c), free(ifs);
		return LIBUSB_ERROR_NO_MEM;
	}
	*c = (struct libusb_config_descriptor){ LIBUSB_DT_CONFIG_SIZE, LIBUSB_DT_CONFIG,
		(uint16_t)shim_config_raw(raw, sizeof(raw), dev->probe), m->n_if, 1, 0, 0x80,
		DESC_MAX_POWER_2MA, ifs, NULL, 0 };
	for (uint8_t i = 0; i < m->n_if; i++)
		if (desc_parse_if(&ifs[i], &m->ifs[i], i, desc_bulk(dev->probe)) < 0) {
			libusb_free_config_descriptor(c);
			return LIBUSB_ERROR_NO_MEM;
		}
	*config = c;
	return LIBUSB_SUCCESS;
}

SHIM_API int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *dev,
	struct libusb_config_descriptor **config)
{
	return libusb_get_config_descriptor(dev, 0, config);
}

SHIM_API int LIBUSB_CALL libusb_get_config_descriptor_by_value(libusb_device *dev,
	uint8_t bConfigurationValue, struct libusb_config_descriptor **config)
{
	if (bConfigurationValue != 1)
		return LIBUSB_ERROR_NOT_FOUND;
	return libusb_get_config_descriptor(dev, 0, config);
}

SHIM_API int LIBUSB_CALL libusb_get_max_packet_size(libusb_device *dev, unsigned char endpoint)
{
	const desc_model *m = desc_of(dev->probe);

	for (int i = 0; i < m->n_if; i++)
		for (int e = 0; e < m->ifs[i].n_ep; e++)
			if (m->ifs[i].ep[e].addr == endpoint)
				return m->ifs[i].ep[e].maxpkt ? m->ifs[i].ep[e].maxpkt : desc_bulk(dev->probe);
	return LIBUSB_ERROR_NOT_FOUND;
}

SHIM_API int LIBUSB_CALL libusb_get_max_iso_packet_size(libusb_device *dev, unsigned char endpoint)
{
	return libusb_get_max_packet_size(dev, endpoint);
}
