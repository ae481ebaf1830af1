/*
 * cmd_probes.c — `gang probes`: every attached ST-Link with its firmware,
 * port path and target voltage, and the board behind it when it answers.
 * Boards are attached hot-plug (no reset) and resumed, so listing never
 * disturbs a fixture that is running (unlike st-info --probe, which resets
 * every target: stlink-protocol.md §1.3).
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
	char error[GANG_DIAG_LEN];
} probe_row;

static void probes_look(probe_row *r, gang_usb *usb, bool touch_target)
{
	gang_connect_opts o = { .mode = GANG_CONNECT_HOT_PLUG };
	gang_stlink *sl = NULL;
	gang_target *t = NULL;
	gang_diag d = { 0 };
	int err;

	if ((err = gang_stlink_open(&sl, usb, r->id.port_path, &d)) < 0) {
		snprintf(r->error, sizeof(r->error), "%s", gang_strerror(err));
		return;
	}
	snprintf(r->firmware, sizeof(r->firmware), "%s", gang_stlink_get_version(sl)->text);
	r->have_mv = gang_stlink_target_voltage(&r->mv, sl) == GANG_OK;
	if (touch_target && r->have_mv && r->mv >= 1500U) {
		if (gang_target_attach(&t, sl, &o) == GANG_OK) {
			r->info = *gang_target_info_get(t);
			r->have_target = true;
		} else {
			snprintf(r->error, sizeof(r->error), "%s", d.msg);
		}
		gang_target_detach(t, GANG_DETACH_RUN);
	}
	gang_stlink_close(sl);
}

static void probes_print_text(const probe_row *r, size_t n)
{
	printf("%-24s %-5s %-9s %-8s %6s  %-12s %s\n", "SERIAL", "MODEL", "FIRMWARE", "USB", "VOLTS", "PART", "UID");
	for (size_t i = 0; i < n; i++) {
		/* a clone's USB strings are whatever its firmware says: shown escaped */
		char volts[16] = "-", serial[GANG_TEXT_TERM_LEN], error[GANG_TEXT_TERM_LEN];

		if (r[i].have_mv)
			snprintf(volts, sizeof(volts), "%u.%02u", r[i].mv / 1000U, r[i].mv % 1000U / 10U);
		printf("%-24s %-5s %-9s %-8s %6s  %-12s %s%s%s\n", gang_text_term(serial, sizeof(serial), r[i].id.serial),
		       r[i].id.model,
		       r[i].firmware[0] ? r[i].firmware : "-", r[i].id.port_path, volts,
		       r[i].have_target && r[i].info.part ? r[i].info.part->name : "-",
		       r[i].have_target ? r[i].info.uid : "-", r[i].error[0] ? "  # " : "",
		       gang_text_term(error, sizeof(error), r[i].error));
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
		if (r[i].error[0]) {
			printf(",\"error\":");
			gang_json_string(stdout, r[i].error);
		}
		fputc('}', stdout);
	}
	fputs("]\n", stdout);
}

int gang_cmd_probes(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "no-target", no_argument, NULL, 'n' }, { 0, 0, 0, 0 },
	};
	bool json = false, touch = true;
	gang_usb *usb = NULL;
	gang_probe_id *ids = NULL;
	probe_row *rows = NULL;
	gang_diag d = { 0 };
	size_t n = 0;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'n')
			touch = false;
		else
			return gang_cli_bad_option("probes", argv);
	}
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
		probes_print_text(rows, n);
	else
		fprintf(stderr, "gang probes: no ST-Link attached\n");
out:
	free(rows);
	free(ids);
	gang_usb_free(usb);
	return err < 0 ? gang_cli_fail("probes", err, &d) : GANG_EXIT_OK;
}
