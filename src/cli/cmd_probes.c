/*
 * cmd_probes.c — `gang probes`: every attached ST-Link with its firmware,
 * port path and target voltage, and the board behind it when it answers.
 * Boards are attached hot-plug (no reset) and resumed, so listing never
 * disturbs a fixture that is running (unlike st-info --probe, which resets
 * every target). A probe whose board does not answer shows the operator's
 * sentence; the probe's own answer (status bytes) is the detail, shown with
 * --verbose and in JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/text.h"
#include "sched/events.h"
#include "stlink/stlink.h"
#include "target/target.h"
#include "usb/usb.h"

typedef struct probe_row {
	gang_probe_id id;
	char firmware[24];
	unsigned mv;
	bool have_mv, have_target;
	gang_target_info info;
	int err;                    /* why there is no target (GANG_OK: none to tell) */
	char detail[GANG_DIAG_LEN]; /* the probe's answer behind err */
} probe_row;

const struct option gang_cmd_probes_opts[] = {
	{ "json", no_argument, NULL, 'j' }, { "no-target", no_argument, NULL, 'n' },
	{ "verbose", no_argument, NULL, 'v' }, { 0, 0, 0, 0 },
};

#define PROBES_MIN_MV 1500U /* below: no board, or the board has no power */

static void probes_look(probe_row *r, gang_usb *usb, bool touch_target)
{
	gang_connect_opts o = { .mode = GANG_CONNECT_HOT_PLUG };
	gang_stlink *sl = NULL;
	gang_target *t = NULL;
	gang_diag d = { 0 };

	if ((r->err = gang_stlink_open(&sl, usb, r->id.port_path, &d)) < 0) {
		snprintf(r->detail, sizeof(r->detail), "%s", d.msg);
		return;
	}
	snprintf(r->firmware, sizeof(r->firmware), "%s", gang_stlink_get_version(sl)->text);
	r->have_mv = gang_stlink_target_voltage(&r->mv, sl) == GANG_OK;
	if (touch_target && r->have_mv && r->mv < PROBES_MIN_MV)
		r->err = GANG_ENO_BOARD;
	if (touch_target && r->have_mv && r->mv >= PROBES_MIN_MV) {
		if ((r->err = gang_target_attach(&t, sl, &o)) == GANG_OK) {
			r->info = *gang_target_info_get(t);
			r->have_target = true;
		} else {
			snprintf(r->detail, sizeof(r->detail), "%s", d.msg);
		}
		gang_target_detach(t, GANG_DETACH_RUN);
	}
	gang_stlink_close(sl);
}

typedef struct probes_widths {
	int serial, model, firmware, usb, part;
} probes_widths;

static int probes_max(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

static probes_widths probes_measure(const probe_row *r, size_t n)
{
	probes_widths w = { 6, 5, 8, 3, 4 }; /* the headings */

	for (size_t i = 0; i < n; i++) {
		w.serial = probes_max(w.serial, r[i].id.serial);
		w.model = probes_max(w.model, r[i].id.model);
		w.firmware = probes_max(w.firmware, r[i].firmware);
		w.usb = probes_max(w.usb, r[i].id.port_path);
		if (r[i].have_target && r[i].info.part)
			w.part = probes_max(w.part, r[i].info.part->name);
	}
	return w;
}

/* Columns as wide as their widest cell; a board that does not answer gets its sentence instead of part and UID. */
static void probes_print_text(const probe_row *r, size_t n, bool verbose)
{
	probes_widths w = probes_measure(r, n);

	printf("%-*s  %-*s  %-*s  %-*s  %5s  %-*s  %s\n", w.serial, "SERIAL", w.model, "MODEL", w.firmware,
	       "FIRMWARE", w.usb, "USB", "VOLTS", w.part, "PART", "UID");
	for (size_t i = 0; i < n; i++) {
		/* a clone's USB strings are whatever its firmware says: shown escaped */
		char volts[16] = "-", serial[GANG_TEXT_TERM_LEN], error[GANG_TEXT_TERM_LEN];

		if (r[i].have_mv)
			snprintf(volts, sizeof(volts), "%u.%02u", r[i].mv / 1000U, r[i].mv % 1000U / 10U);
		gang_text_term(serial, sizeof(serial), r[i].id.serial);
		printf("%-*s  %-*s  %-*s  %-*s  %5s  ", w.serial, serial, w.model, r[i].id.model, w.firmware,
		       r[i].firmware[0] ? r[i].firmware : "-", w.usb, r[i].id.port_path, volts);
		if (r[i].have_target)
			printf("%-*s  %s\n", w.part, r[i].info.part ? r[i].info.part->name : "?", r[i].info.uid);
		else if (r[i].err < 0)
			printf("%s\n", gang_strerror(r[i].err));
		else
			printf("%-*s  -\n", w.part, "-");
		if (verbose && r[i].err < 0 && r[i].detail[0])
			printf("%*s  detail: %s\n", w.serial, "", gang_text_term(error, sizeof(error), r[i].detail));
	}
}

static void probes_print_json(const probe_row *r, size_t n)
{
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"serial\":", i ? "," : "");
		gang_json_string(stdout, r[i].id.serial);
		printf(",\"serial_binary\":%s,\"model\":\"%s\",\"pid\":\"%04x\",\"usb_path\":",
		       r[i].id.serial_binary ? "true" : "false", r[i].id.model, r[i].id.pid);
		gang_json_string(stdout, r[i].id.port_path);
		printf(",\"firmware\":");
		gang_json_string(stdout, r[i].firmware[0] ? r[i].firmware : NULL);
		if (r[i].have_mv)
			printf(",\"target_mv\":%u", r[i].mv);
		if (r[i].have_target)
			printf(",\"part\":\"%s\",\"dev_id\":\"0x%03X\",\"flash_kib\":%u,\"uid\":\"%s\"",
			       r[i].info.part ? r[i].info.part->name : "?", r[i].info.dev_id,
			       (unsigned)r[i].info.flash_kib, r[i].info.uid);
		if (r[i].err < 0) {
			printf(",\"error\":");
			gang_json_string(stdout, gang_strerror(r[i].err));
			printf(",\"detail\":");
			gang_json_string(stdout, r[i].detail);
		}
		fputc('}', stdout);
	}
	fputs("]\n", stdout);
}

int gang_cmd_probes(int argc, char **argv)
{
	bool json = false, touch = true, verbose = false;
	gang_usb *usb = NULL;
	gang_probe_id *ids = NULL;
	probe_row *rows = NULL;
	gang_diag d = { 0 };
	size_t n = 0;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", gang_cmd_probes_opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'n')
			touch = false;
		else if (c == 'v')
			verbose = true;
		else
			return gang_cli_bad_option("probes", argv);
	}
	if (optind != argc)
		return gang_cli_usage("probes", "unexpected argument '%s'", argv[optind]);
	if ((err = gang_usb_new(&usb, &d)) < 0 || (err = gang_usb_list(&ids, &n, usb, &d)) < 0)
		goto out;
	if (n && !(rows = calloc(n, sizeof(*rows)))) {
		err = GANG_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rows[i].id = ids[i];
		probes_look(&rows[i], usb, touch);
	}
	if (json)
		probes_print_json(rows, n);
	else if (n)
		probes_print_text(rows, n, verbose);
	if (n == 0)
		err = GANG_EPROBE_NONE; /* the same exit status as every other command without a probe */
out:
	free(rows);
	free(ids);
	gang_usb_free(usb);
	return err < 0 ? gang_cli_fail("probes", err, &d) : GANG_EXIT_OK;
}
