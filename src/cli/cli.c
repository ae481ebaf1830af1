/*
 * cli.c — subcommand table, global --help/--version, `gang help CMD`,
 * and the shared error/usage printers every command uses.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_help.h"
#include "core/text.h"

static const gang_cli_cmd cli_cmds[] = {
	{ "probes", gang_cmd_probes, GANG_HELP_PROBES_SYN, GANG_HELP_PROBES, gang_cmd_probes_opts },
	{ "parts", gang_cmd_parts, GANG_HELP_PARTS_SYN, GANG_HELP_PARTS, gang_cmd_parts_opts },
	{ "flash", gang_cmd_flash, GANG_HELP_FLASH_SYN, GANG_HELP_FLASH, gang_cmd_flash_opts },
	{ "read", gang_cmd_read, GANG_HELP_READ_SYN, GANG_HELP_READ, gang_cmd_read_opts },
	{ "erase", gang_cmd_erase, GANG_HELP_ERASE_SYN, GANG_HELP_ERASE, gang_cmd_erase_opts },
	{ "options", gang_cmd_options, GANG_HELP_OPTIONS_SYN, GANG_HELP_OPTIONS, gang_cmd_options_opts },
	{ "check", gang_cmd_check, GANG_HELP_CHECK_SYN, GANG_HELP_CHECK, gang_cmd_check_opts },
	{ "run", gang_cmd_run, GANG_HELP_RUN_SYN, GANG_HELP_RUN, gang_cmd_run_opts },
	{ "report", gang_cmd_report, GANG_HELP_REPORT_SYN, GANG_HELP_REPORT, gang_cmd_report_opts },
	{ "trace", gang_cmd_trace, GANG_HELP_TRACE_SYN, GANG_HELP_TRACE, gang_cmd_trace_opts },
	{ "help", gang_cmd_help, GANG_HELP_HELP_SYN, GANG_HELP_HELP, gang_cmd_help_opts },
	{ "serial", gang_cmd_serial, GANG_HELP_SERIAL_SYN, GANG_HELP_SERIAL, gang_cmd_serial_opts },
	{ "pool", gang_cmd_pool, GANG_HELP_POOL_SYN, GANG_HELP_POOL, gang_cmd_pool_opts },
	{ "db", gang_cmd_db, GANG_HELP_DB_SYN, GANG_HELP_DB, gang_cmd_db_opts },
};
#define CLI_NCMDS (sizeof(cli_cmds) / sizeof(cli_cmds[0]))

/* `gang help` takes no option of its own (--help is handled before it runs). */
const struct option gang_cmd_help_opts[] = { { 0, 0, 0, 0 } };

const gang_cli_cmd *gang_cli_find(const char *name)
{
	for (size_t i = 0; i < CLI_NCMDS; i++)
		if (strcmp(cli_cmds[i].name, name) == 0)
			return &cli_cmds[i];
	return NULL;
}

size_t gang_cli_count(void)
{
	return CLI_NCMDS;
}

const gang_cli_cmd *gang_cli_at(size_t i)
{
	return i < CLI_NCMDS ? &cli_cmds[i] : NULL;
}

static void cli_print_usage(FILE *fp)
{
	fputs("usage: gang [--version] [--help] COMMAND [ARGS]\n\n"
	      "gang programs STM32 boards through every attached ST-Link in parallel and keeps\n"
	      "each board's record (serial number, chip UID, steps) in SQLite.\n\ncommands:\n", fp);
	for (size_t i = 0; i < CLI_NCMDS; i++)
		fprintf(fp, "  %-8s %s\n", cli_cmds[i].name, cli_cmds[i].synopsis);
	fputs("\n" GANG_HELP_EXIT_CODES, fp);
}

int gang_cmd_help(int argc, char **argv)
{
	const gang_cli_cmd *cmd;

	optind = 1;
	if (getopt_long(argc, argv, "", gang_cmd_help_opts, NULL) != -1)
		return gang_cli_bad_option("help", argv);
	if (optind >= argc) {
		cli_print_usage(stdout);
		return GANG_EXIT_OK;
	}
	if (optind != argc - 1)
		return gang_cli_usage("help", "name one command");
	if (!(cmd = gang_cli_find(argv[optind])))
		return gang_cli_usage("help", "unknown command '%s'", argv[optind]);
	fputs(cmd->help, stdout);
	return GANG_EXIT_OK;
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

/*
 * Details and usage messages quote file names, profile values and
 * arguments: they reach the terminal escaped (core/text.h), never raw.
 */
int gang_cli_fail(const char *cmd, int err, const gang_diag *d)
{
	/* a refused argument: the detail says which and why; "invalid command line" adds nothing */
	if (err == GANG_EUSAGE && d && d->msg[0])
		return gang_cli_usage(cmd, "%s", d->msg);
	fprintf(stderr, "gang %s: %s", cmd, gang_strerror(err));
	if (d && d->msg[0]) {
		fputs(" (", stderr);
		gang_text_fput_term(stderr, d->msg);
		fputc(')', stderr);
	}
	fputc('\n', stderr);
	return gang_err_exit_code(err);
}

int gang_cli_fail_protected(const char *cmd, const char *cure)
{
	fprintf(stderr, "gang %s: %s: %s\n", cmd, gang_strerror(GANG_EREAD_PROTECTED), cure);
	return gang_err_exit_code(GANG_EREAD_PROTECTED);
}

int gang_cli_usage(const char *cmd, const char *fmt, ...)
{
	char msg[GANG_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "gang %s: ", cmd);
	gang_text_fput_term(stderr, msg);
	fprintf(stderr, "; see 'gang %s --help'\n", cmd);
	return GANG_EXIT_USAGE;
}

bool gang_cli_parse_u32(uint32_t *out, const char *s)
{
	char *end;
	unsigned long long v;

	/* strtoull would also take leading blanks, a sign, and wrap "-1" to UINT64_MAX. */
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end == 'k' || *end == 'K') {
		if (v > 0xFFFFFFFFULL / 1024ULL)
			return false; /* checked before multiplying: 2^54 k wraps to 0 in 64 bits */
		v *= 1024ULL;
		end++;
	}
	if (*end != '\0' || v > 0xFFFFFFFFULL)
		return false;
	*out = (uint32_t)v;
	return true;
}

int gang_cli_check_name(const char *cmd, const char *flag, const char *value)
{
	char why[128];

	if (gang_text_check(why, sizeof(why), value, GANG_TEXT_NAME_MAX) == 0)
		return GANG_EXIT_OK;
	/* gang_cli_usage shows the value escaped */
	return gang_cli_usage(cmd, "%s '%.*s': %s (a name is printable UTF-8 text of at most %u bytes)", flag,
			      (int)GANG_TEXT_NAME_MAX * 2, value, why, GANG_TEXT_NAME_MAX);
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

int gang_cli_db(const char **out, gang_config *cfg, const char *flag, bool create, gang_diag *d)
{
	int err;

	*out = NULL;
	if ((err = gang_config_load(cfg, d)) < 0)
		return err;
	return gang_config_db(out, cfg, flag, create, d);
}
