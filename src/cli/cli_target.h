/*
 * cli_target.h — what the engineer commands (flash, read, erase, options)
 * share: the --probe/--target/--connect/--swd-khz/--log-level options, and
 * opening one probe and attaching to its board.
 */
#ifndef GANG_CLI_CLI_TARGET_H
#define GANG_CLI_CLI_TARGET_H

#include <getopt.h>
#include <stdbool.h>

#include "core/err.h"
#include "stlink/stlink.h"
#include "target/target.h"
#include "usb/usb.h"

typedef struct cli_target_args {
	const char *probe;
	const char *part;
	gang_connect_mode mode;
	unsigned swd_khz;
	int log_level;               /* gang_log_level + 1; 0: not given (warn) */
} cli_target_args;

/* getopt_long entries for the shared options; ids CLI_OPT_BASE.. */
#define CLI_OPT_BASE 1000
#define CLI_TARGET_OPTIONS \
	{ "probe", required_argument, NULL, CLI_OPT_BASE + 0 }, \
	{ "target", required_argument, NULL, CLI_OPT_BASE + 1 }, \
	{ "connect", required_argument, NULL, CLI_OPT_BASE + 2 }, \
	{ "swd-khz", required_argument, NULL, CLI_OPT_BASE + 3 }, \
	{ "log-level", required_argument, NULL, CLI_OPT_BASE + 4 }

/*
 * Handle one shared option c with optarg; returns 1 if c was one of them,
 * 0 if not, or -GANG_EXIT_USAGE after printing a usage error.
 */
int cli_target_option(cli_target_args *a, const char *cmd, int c, const char *arg);

typedef struct cli_session {
	gang_usb *usb;
	gang_stlink *sl;
	gang_target *t;
	gang_diag d;
} cli_session;

/*
 * Open the probe and attach to its board; on failure prints the error and
 * returns the exit status. Without --probe and with several ST-Links
 * attached, the usage error lists them (serial and port path).
 */
int cli_session_open(cli_session *s, const cli_target_args *a, const char *cmd);
/* Detach (after), close everything; returns the first error. */
int cli_session_close(cli_session *s, gang_detach_after after);

#endif
