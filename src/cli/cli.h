/*
 * cli.h — gang's command line: one table row per subcommand, each
 * implemented in src/cli/cmd_<name>.c. Every command returns the process
 * exit status documented in `gang --help`: 0 ok, 1 boards failed,
 * 2 usage/profile/image error, 3 probe/USB, 4 database, 5 internal.
 * Errors go to stderr as one actionable line; stdout carries results only.
 */
#ifndef GANG_CLI_CLI_H
#define GANG_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

#define GANG_VERSION "0.1.0"

#define GANG_EXIT_OK 0
#define GANG_EXIT_FAILED 1
#define GANG_EXIT_USAGE 2
#define GANG_EXIT_PROBE 3
#define GANG_EXIT_DB 4
#define GANG_EXIT_INTERNAL 5

typedef struct gang_cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);  /* argv[0] is the command name */
	const char *synopsis;               /* one line */
	const char *help;                   /* full help text (options, examples) */
} gang_cli_cmd;

int gang_cli_main(int argc, char **argv);
const gang_cli_cmd *gang_cli_find(const char *name);

/* Print "gang CMD: <sentence> (<detail>)" to stderr; returns the exit status for err. */
int gang_cli_fail(const char *cmd, int err, const gang_diag *d);
/* Usage error: "gang CMD: <msg>; see 'gang CMD --help'"; returns GANG_EXIT_USAGE. */
int gang_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt_long returned '?': one usage line naming the bad option; returns GANG_EXIT_USAGE. */
int gang_cli_bad_option(const char *cmd, char **argv);
/* Parse a number (decimal, 0x hex, optional k/K = KiB suffix); false if malformed. */
bool gang_cli_parse_u32(uint32_t *out, const char *s);
/* True if argv contains -h or --help; prints the command's help. */
bool gang_cli_wants_help(const gang_cli_cmd *cmd, int argc, char **argv);

/* Subcommands (one file each). */
int gang_cmd_probes(int argc, char **argv);
int gang_cmd_flash(int argc, char **argv);
int gang_cmd_read(int argc, char **argv);
int gang_cmd_erase(int argc, char **argv);
int gang_cmd_options(int argc, char **argv);
int gang_cmd_check(int argc, char **argv);
int gang_cmd_run(int argc, char **argv);
int gang_cmd_report(int argc, char **argv);
int gang_cmd_trace(int argc, char **argv);
int gang_cmd_serial(int argc, char **argv);

#endif
