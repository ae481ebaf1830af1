/*
 * usb_internal.h — pure helpers of the USB module, shared by usb.c and
 * usb_enum.c and unit-tested without a bus: ST-Link PID table (model name,
 * command endpoint), serial-descriptor decoding with the 12-raw-byte quirk,
 * port-path formatting and selector matching.
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use
 * it (PIDs, endpoints, serial quirk). No libusb types here, so tests need
 * no libusb.
 */
#ifndef GANG_USB_USB_INTERNAL_H
#define GANG_USB_USB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "stlink/stlink_cmd.h"
#include "usb/usb.h"

/* Bytes asked for in the serial GET_DESCRIPTOR (a genuine 24-char string is 50). */
#define GANG_USB_SERIAL_DESC_LEN   50U
/* bLength of a descriptor carrying 12 raw bytes, one per UTF-16 unit. */
#define GANG_USB_SERIAL_BINARY_LEN 26U
/* LANGID used when the device's LANGID table cannot be read (US English). */
#define GANG_USB_LANGID_EN_US      0x0409U
/* Control-transfer timeout for descriptor reads. */
#define GANG_USB_CTRL_TIMEOUT_MS   1000U
/* libusb's documented maximum depth of port numbers. */
#define GANG_USB_MAX_PORTS         7U

/*
 * Model name ("V2", "V2-1", "V3") of an ST-Link PID usable with API v2/v3;
 * NULL for V1 (SCSI wrapper, not supported) and for unknown PIDs.
 */
const char *gang_usb_model_for_pid(uint16_t pid);
/* Command OUT endpoint for the PID: EP2 on V2, EP1 on V2-1 and V3. */
uint8_t gang_usb_ep_out_for_pid(uint16_t pid);

/*
 * Decode a serial-number string descriptor (desc, got bytes received).
 * bLength 26: 12 raw bytes hex-encoded upper-case, *binary_out = true.
 * Otherwise a printable ASCII string of up to 24 UTF-16 units.
 * Errors: GANG_EPROBE_PROTOCOL (truncated, wrong type, unprintable, odd size).
 */
int gang_usb_serial_decode(char out[STLINK_SERIAL_LEN + 1], bool *binary_out,
			   const uint8_t *desc, size_t got, gang_diag *d);

/* "<bus>-<p1>[.<p2>...]" ("<bus>-0" for a root-hub device). */
void gang_usb_port_path_format(char *out, size_t out_len, uint8_t bus,
			       const uint8_t *ports, int n_ports);

/* True when selector names this probe: port path, or serial (case-insensitive). */
bool gang_usb_selector_matches_port(const gang_probe_id *id, const char *selector);
bool gang_usb_selector_matches_serial(const gang_probe_id *id, const char *selector);

/*
 * Pick the probe named by selector among ids[0..n): index in *index_out.
 * NULL selector: the only probe. Errors: GANG_EPROBE_NONE (no match),
 * GANG_EUSAGE (no selector and several probes; or a serial shared by
 * several probes — the message tells to select by port path).
 */
int gang_usb_select(size_t *index_out, const gang_probe_id *ids, size_t n,
		    const char *selector, gang_diag *d);

/*
 * Map a libusb error code (LIBUSB_ERROR_*, passed as int so this header
 * needs no libusb) to gang_err, recording what was being done in d:
 * ACCESS -> GANG_EPROBE_ACCESS (naming the udev rules), BUSY -> _BUSY,
 * NO_DEVICE -> _GONE, TIMEOUT -> _TIMEOUT, NO_MEM -> GANG_ENOMEM, any
 * other -> GANG_EPROBE_PROTOCOL.
 */
int gang_usb_err_map(gang_diag *d, int libusb_err, const char *what);

#endif
