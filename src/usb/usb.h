/*
 * usb.h — the only gang module that talks to libusb: enumerates ST-Links
 * (every PID in stlink_cmd.h), normalises their serial numbers (12 raw
 * bytes -> 24 uppercase hex digits, as stlink 1.7.0 shows them), reports the
 * USB port path, opens one probe by serial or by port path, and moves
 * command/data/reply phases with explicit timeouts.
 *
 * Threading: one gang_usb per process (libusb contexts are thread-safe);
 * each gang_usb_handle is used by one thread only.
 */
#ifndef GANG_USB_USB_H
#define GANG_USB_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct gang_usb gang_usb;
typedef struct gang_usb_handle gang_usb_handle;

typedef struct gang_probe_id {
	char serial[2 * 12 + 1];  /* 24 uppercase hex digits (or the raw string if printable) */
	bool serial_binary;       /* the probe reported 12 raw bytes (old V2 firmware, clones) */
	uint16_t vid, pid;
	char model[8];            /* "V2", "V2-1", "V3" */
	char port_path[32];       /* "<bus>-<port>[.<port>...]", stable per physical socket */
	uint8_t bus, address;
} gang_probe_id;

int gang_usb_new(gang_usb **out, gang_diag *d);
void gang_usb_free(gang_usb *u);

/* List attached ST-Links without opening a debug session. *out is malloc'd. */
int gang_usb_list(gang_probe_id **out, size_t *count_out, gang_usb *u, gang_diag *d);

/*
 * Open the probe whose serial or port path equals selector (NULL: the only
 * attached probe; more than one is a usage error naming them).
 * Errors: GANG_EPROBE_NONE, GANG_EPROBE_BUSY, GANG_EPROBE_ACCESS.
 */
int gang_usb_open(gang_usb_handle **out, gang_usb *u, const char *selector, gang_diag *d);
void gang_usb_close(gang_usb_handle *h);
const gang_probe_id *gang_usb_id(const gang_usb_handle *h);

/*
 * One ST-Link transaction: cmd (16 bytes) OUT, then out_len bytes of data
 * OUT (if any), then in_len bytes IN (if any).
 * Errors: GANG_EPROBE_GONE, GANG_EPROBE_TIMEOUT, GANG_EPROBE_PROTOCOL (short reply).
 */
int gang_usb_xfer(gang_usb_handle *h, const uint8_t *cmd, size_t cmd_len,
		  const uint8_t *out_data, size_t out_len,
		  uint8_t *in, size_t in_len, unsigned timeout_ms, gang_diag *d);

#endif
