/*
 * cli.h — gang's command line: one table row per subcommand, each
 * implemented in src/cli/cmd_<name>.c. Every command returns the process
 * exit status documented in `gang --help`: 0 ok, 1 boards failed,
 * 2 usage/profile/image error, 3 probe/USB, 4 database, 5 internal,
 * 6 an output file cannot be written.
 * Errors go to stderr as one actionable line; stdout carries results only.
 */
#ifndef GANG_CLI_CLI_H
#define GANG_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/err.h"

#define GANG_VERSION "0.1.0"

#define GANG_EXIT_OK 0
#define GANG_EXIT_FAILED 1
#define GANG_EXIT_USAGE 2
#define GANG_EXIT_PROBE 3
#define GANG_EXIT_DB 4
#define GANG_EXIT_INTERNAL 5
#define GANG_EXIT_OUTPUT 6

typedef struct gang_cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);  /* argv[0] is the command name */
	const char *synopsis;               /* one line */
	const char *help;                   /* full help text (options, examples) */
	const struct option *opts;          /* its getopt_long table; tests/cli checks the docs against it */
} gang_cli_cmd;

int gang_cli_main(int argc, char **argv);
const gang_cli_cmd *gang_cli_find(const char *name);
/* The command table, in `gang --help` order: count and row i (NULL past the end). */
size_t gang_cli_count(void);
const gang_cli_cmd *gang_cli_at(size_t i);

/* Print "gang CMD: <sentence> (<detail>)" to stderr; returns the exit status for err. */
int gang_cli_fail(const char *cmd, int err, const gang_diag *d);
/*
 * A read-protected chip: "gang CMD: <sentence>: <cure>" — the sentence once
 * and the flag that lifts the protection (the layer's detail would only
 * repeat the sentence). Returns the exit status of GANG_EREAD_PROTECTED.
 */
int gang_cli_fail_protected(const char *cmd, const char *cure);
/* Usage error: "gang CMD: <msg>; see 'gang CMD --help'"; returns GANG_EXIT_USAGE. */
int gang_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt_long returned '?': one usage line naming the bad option; returns GANG_EXIT_USAGE. */
int gang_cli_bad_option(const char *cmd, char **argv);
/*
 * Parse a number (decimal, 0x hex, optional k/K = KiB suffix); false if
 * malformed, signed, or above 0xFFFFFFFF (before or after the suffix).
 */
bool gang_cli_parse_u32(uint32_t *out, const char *s);
/*
 * The database a command opens: flag (--db) if not NULL, else the one
 * gang.conf or the XDG default names (core/config.h). Loads cfg first, so
 * a broken gang.conf stops every command with its file, line and key.
 * create: make the default's directory (commands that create the database).
 */
int gang_cli_db(const char **out, gang_config *cfg, const char *flag, bool create, gang_diag *d);

/*
 * A name given for flag (--batch, --operator, --station, a filter) must be
 * printable UTF-8 of at most GANG_TEXT_NAME_MAX bytes (core/text.h).
 * GANG_EXIT_OK, or a usage line naming the flag, the value (escaped) and
 * what is wrong, and GANG_EXIT_USAGE.
 */
int gang_cli_check_name(const char *cmd, const char *flag, const char *value);
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
int gang_cmd_parts(int argc, char **argv);
int gang_cmd_help(int argc, char **argv);
int gang_cmd_serial(int argc, char **argv);
int gang_cmd_pool(int argc, char **argv);
int gang_cmd_db(int argc, char **argv);

/* Their getopt_long tables (each ends with a zero row). */
extern const struct option gang_cmd_probes_opts[];
extern const struct option gang_cmd_flash_opts[];
extern const struct option gang_cmd_read_opts[];
extern const struct option gang_cmd_erase_opts[];
extern const struct option gang_cmd_options_opts[];
extern const struct option gang_cmd_check_opts[];
extern const struct option gang_cmd_run_opts[];
extern const struct option gang_cmd_report_opts[];
extern const struct option gang_cmd_trace_opts[];
extern const struct option gang_cmd_parts_opts[];
extern const struct option gang_cmd_help_opts[];
extern const struct option gang_cmd_serial_opts[];
extern const struct option gang_cmd_pool_opts[];
extern const struct option gang_cmd_db_opts[];

#endif
