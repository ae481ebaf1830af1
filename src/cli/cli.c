/*
 * cli.c — subcommand table, global --help/--version, `gang help CMD`,
 * and the shared error/usage printers every command uses.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_help.h"

static const gang_cli_cmd cli_cmds[] = {
	{ "probes", gang_cmd_probes, GANG_HELP_PROBES_SYN, GANG_HELP_PROBES },
	{ "flash", gang_cmd_flash, GANG_HELP_FLASH_SYN, GANG_HELP_FLASH },
	{ "read", gang_cmd_read, GANG_HELP_READ_SYN, GANG_HELP_READ },
	{ "erase", gang_cmd_erase, GANG_HELP_ERASE_SYN, GANG_HELP_ERASE },
	{ "options", gang_cmd_options, GANG_HELP_OPTIONS_SYN, GANG_HELP_OPTIONS },
	{ "check", gang_cmd_check, GANG_HELP_CHECK_SYN, GANG_HELP_CHECK },
	{ "run", gang_cmd_run, GANG_HELP_RUN_SYN, GANG_HELP_RUN },
	{ "report", gang_cmd_report, GANG_HELP_REPORT_SYN, GANG_HELP_REPORT },
	{ "trace", gang_cmd_trace, GANG_HELP_TRACE_SYN, GANG_HELP_TRACE },
	{ "serial", gang_cmd_serial, GANG_HELP_SERIAL_SYN, GANG_HELP_SERIAL },
};
#define CLI_NCMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

const gang_cli_cmd *gang_cli_find(const char *name)
{
	for (size_t i = 0; i < CLI_NCMDS; i++)
		if (strcmp(cli_cmds[i].name, name) == 0)
			return &cli_cmds[i];
	return NULL;
}

static void cli_print_usage(FILE *fp)
{
	fputs("usage: gang [--version] [--help] COMMAND [ARGS]\n\n"
	      "gang programs STM32 boards through every attached ST-Link in parallel and keeps\n"
	      "each board's record (serial number, chip UID, steps) in SQLite.\n\ncommands:\n", fp);
	for (size_t i = 0; i < CLI_NCMDS; i++)
		fprintf(fp, "  %-8s %s\n", cli_cmds[i].name, cli_cmds[i].synopsis);
	fputs("  help     show the help of a command: gang help COMMAND\n\n" GANG_HELP_EXIT_CODES, fp);
}

int gang_cli_main(int argc, char **argv)
{
	const gang_cli_cmd *cmd;

	if (argc < 2) {
		cli_print_usage(stderr);
		return GANG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_print_usage(stdout);
		return GANG_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("gang %s\n", GANG_VERSION);
		return GANG_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			cli_print_usage(stdout);
			return GANG_EXIT_OK;
		}
		cmd = gang_cli_find(argv[2]);
		if (!cmd)
			return gang_cli_usage("help", "unknown command '%s'", argv[2]);
		fputs(cmd->help, stdout);
		return GANG_EXIT_OK;
	}
	cmd = gang_cli_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "gang: unknown command '%s'; see 'gang --help'\n", argv[1]);
		return GANG_EXIT_USAGE;
	}
	if (gang_cli_wants_help(cmd, argc - 1, argv + 1))
		return GANG_EXIT_OK;
	opterr = 0; /* commands name a bad option themselves, in one line */
	return cmd->run(argc - 1, argv + 1);
}

int gang_cli_fail(const char *cmd, int err, const gang_diag *d)
{
	if (d && d->msg[0])
		fprintf(stderr, "gang %s: %s (%s)\n", cmd, gang_strerror(err), d->msg);
	else
		fprintf(stderr, "gang %s: %s\n", cmd, gang_strerror(err));
	return gang_err_exit_code(err);
}

int gang_cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gang %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'gang %s --help'\n", cmd);
	return GANG_EXIT_USAGE;
}

bool gang_cli_parse_u32(uint32_t *out, const char *s)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end == 'k' || *end == 'K') {
		v *= 1024ULL;
		end++;
	}
	if (*end != '\0' || v > 0xFFFFFFFFULL)
		return false;
	*out = (uint32_t)v;
	return true;
}

int gang_cli_bad_option(const char *cmd, char **argv)
{
	const char *opt = optind > 0 ? argv[optind - 1] : "?";

	if (optopt && opt[0] == '-' && opt[1] != '-')
		return gang_cli_usage(cmd, "unknown option '-%c'", optopt);
	if (optopt)
		return gang_cli_usage(cmd, "option '%s' needs a value", opt);
	return gang_cli_usage(cmd, "unknown option '%s'", opt);
}

bool gang_cli_wants_help(const gang_cli_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(cmd->help, stdout);
			return true;
		}
	}
	return false;
}
