/*
 * test_udev.c — tools/udev/49-gang-stlink.rules (issue 10 item 15): every
 * rule matches the ST-Link's USB device node itself (SUBSYSTEM=="usb",
 * ENV{DEVTYPE}=="usb_device", ATTR on the device), never a child through
 * SUBSYSTEMS/ATTRS (which would hand the V2-1's tty and mass-storage disk
 * to plugdev, udev(7)); gives MODE 0660, GROUP plugdev and the uaccess tag;
 * and there is one rule for each PID of src/stlink/stlink_cmd.h. When the
 * host's udevadm has `verify` (systemd 254 and later; Debian 12 ships 252,
 * without it) the file must also pass it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stlink/stlink_cmd.h"

#define UDEV_RULES "tools/udev/49-gang-stlink.rules"

static const unsigned udev_pids[] = { STLINK_PID_V1,	 STLINK_PID_V2,	    STLINK_PID_V2_1,
				      STLINK_PID_V2_1_NOMSD, STLINK_PID_V3_BL,   STLINK_PID_V3E,
				      STLINK_PID_V3S,	 STLINK_PID_V3_2VCP, STLINK_PID_V3_NOMSD };
#define UDEV_NPIDS (sizeof(udev_pids) / sizeof(udev_pids[0]))

/* The rule's idProduct, or -1; asserts everything else about the line. */
static int udev_check_rule(const char *line, int lineno)
{
	static const char *const want[] = { "SUBSYSTEM==\"usb\", ", "ENV{DEVTYPE}==\"usb_device\", ",
					    "ATTR{idVendor}==\"0483\", ", "MODE=\"0660\"", "GROUP=\"plugdev\"",
					    "TAG+=\"uaccess\"" };
	const char *p;
	unsigned pid;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_not_null(strstr(line, want[i]), "%s:%d lacks %s: %s", UDEV_RULES, lineno, want[i], line);
	cr_expect_null(strstr(line, "SUBSYSTEMS"), "%s:%d matches parents (SUBSYSTEMS): %s", UDEV_RULES, lineno, line);
	cr_expect_null(strstr(line, "ATTRS{"), "%s:%d matches parents (ATTRS): %s", UDEV_RULES, lineno, line);
	cr_expect_eq(strncmp(line, "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ", 45), 0,
		     "%s:%d: the device match must come first: %s", UDEV_RULES, lineno, line);
	p = strstr(line, "ATTR{idProduct}==\"");
	cr_assert_not_null(p, "%s:%d has no ATTR{idProduct}: %s", UDEV_RULES, lineno, line);
	cr_assert_eq(sscanf(p + 18, "%4x\"", &pid), 1, "%s:%d: bad idProduct: %s", UDEV_RULES, lineno, line);
	return (int)pid;
}

Test(udev, every_rule_matches_the_usb_device_itself_and_every_stlink_pid_has_one)
{
	char line[512];
	int seen[UDEV_NPIDS] = { 0 }, lineno = 0, rules = 0;
	FILE *f = fopen(UDEV_RULES, "r");

	cr_assert_not_null(f, "cannot open %s (run from the repository root)", UDEV_RULES);
	while (fgets(line, sizeof(line), f)) {
		int pid;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		rules++;
		pid = udev_check_rule(line, lineno);
		for (size_t i = 0; i < UDEV_NPIDS; i++)
			seen[i] += (int)udev_pids[i] == pid;
	}
	fclose(f);
	cr_expect_eq(rules, (int)UDEV_NPIDS, "%d rules for %zu ST-Link PIDs", rules, UDEV_NPIDS);
	for (size_t i = 0; i < UDEV_NPIDS; i++)
		cr_expect_eq(seen[i], 1, "PID %04x has %d rules, want 1", udev_pids[i], seen[i]);
}

Test(udev, udevadm_verify_accepts_the_rules_when_the_host_has_it)
{
	if (system("udevadm verify --help >/dev/null 2>&1") != 0)
		cr_skip_test("this host's udevadm has no 'verify' (systemd < 254, or no udev)");
	cr_expect_eq(system("udevadm verify " UDEV_RULES), 0, "udevadm verify rejects " UDEV_RULES);
}
