/*
 * test_cli_flags.c — the flags of every command agree everywhere: the
 * long options its getopt_long table accepts (published in the command
 * table, gang_cli_at), the flags its --help text names, those of its
 * `.SS` subsection of docs/gang.1 and those of its row in README.md's
 * command table. A flag missing on any side, or named by a document but
 * not accepted, fails, naming the command, the side and the flag. The
 * commands come from the binary's table, so a new command is checked
 * without touching this file.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli_util.h"

#define FLAGS_MAX 64
#define FLAG_LEN  40

typedef struct flag_set {
	char name[FLAGS_MAX][FLAG_LEN];
	size_t n;
} flag_set;

static bool flags_has(const flag_set *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return true;
	return false;
}

static void flags_add(flag_set *f, const char *name)
{
	if (!flags_has(f, name) && f->n < FLAGS_MAX)
		snprintf(f->name[f->n++], FLAG_LEN, "%s", name);
}

/* Every "--flag" of text; in roff, dashes are written "\-". */
static flag_set flags_of_text(const char *text, bool roff)
{
	const char *dash = roff ? "\\-\\-" : "--";
	flag_set f = { .n = 0 };

	for (const char *p = text; (p = strstr(p, dash)); p += strlen(dash)) {
		const char *q = p + strlen(dash);
		char name[FLAG_LEN];
		size_t n = 0;

		while (n + 1 < sizeof(name)) {
			if (roff && q[0] == '\\' && q[1] == '-') {
				name[n++] = '-';
				q += 2;
			} else if ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || (!roff && *q == '-')) {
				name[n++] = *q++;
			} else {
				break;
			}
		}
		name[n] = '\0';
		if (n > 0)
			flags_add(&f, name);
	}
	return f;
}

/* The long options of a getopt_long table, and --help, which every command takes. */
static flag_set flags_of_table(const struct option *opts)
{
	flag_set f = { .n = 0 };

	flags_add(&f, "help");
	for (size_t i = 0; opts && opts[i].name; i++)
		flags_add(&f, opts[i].name);
	return f;
}

/*
 * Compare a document's flags with the table's; writes the first
 * disagreement to why and returns false, or returns true.
 */
static bool flags_agree(char *why, size_t cap, const flag_set *table, const flag_set *doc, const char *side)
{
	for (size_t i = 0; i < table->n; i++)
		if (strcmp(table->name[i], "help") != 0 && !flags_has(doc, table->name[i])) {
			snprintf(why, cap, "%s lacks --%s", side, table->name[i]);
			return false;
		}
	for (size_t i = 0; i < doc->n; i++)
		if (!flags_has(table, doc->name[i])) {
			snprintf(why, cap, "%s names --%s, which the command does not accept", side, doc->name[i]);
			return false;
		}
	return true;
}

/* The README's command-table row of `name` ("| `gang NAME ..." up to the line's end), or NULL. */
static char *flags_readme_row(const char *readme, const char *name)
{
	char head[64];
	const char *s, *e;

	for (s = readme; (s = strstr(s, "\n| `gang ")); s++) {
		snprintf(head, sizeof(head), "\n| `gang %s", name);
		if (strncmp(s, head, strlen(head)) == 0 && (s[strlen(head)] == ' ' || s[strlen(head)] == '`'))
			break;
	}
	if (!s)
		return NULL;
	e = strchr(s + 1, '\n');
	return strndup(s + 1, e ? (size_t)(e - s - 1) : strlen(s + 1));
}

TestSuite(cli_flags, .init = cli_setup, .fini = cli_teardown, .timeout = 60);

Test(cli_flags, the_checker_fails_when_a_side_lacks_a_flag_or_names_one_too_many)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "db", required_argument, NULL, 'd' }, { 0, 0, 0, 0 },
	};
	flag_set table = flags_of_table(opts), doc;
	char why[128] = "";

	doc = flags_of_text("usage: x [--json] [--db PATH] [--help]\n", false);
	cr_expect(flags_agree(why, sizeof(why), &table, &doc, "help"), "%s", why);
	doc = flags_of_text("usage: x [--json]\n", false);
	cr_expect_not(flags_agree(why, sizeof(why), &table, &doc, "help"));
	cr_expect_str_eq(why, "help lacks --db");
	doc = flags_of_text(".RB [ \\-\\-json ] [ \\-\\-db ] [ \\-\\-no\\-such ]\n", true);
	cr_expect_not(flags_agree(why, sizeof(why), &table, &doc, "man"));
	cr_expect_str_eq(why, "man names --no-such, which the command does not accept");
}

Test(cli_flags, every_command_publishes_its_option_table)
{
	for (size_t i = 0; i < gang_cli_count(); i++)
		cr_expect_not_null(gang_cli_at(i)->opts, "gang %s: no getopt table in the command table (cli.c)",
				   gang_cli_at(i)->name);
}

Test(cli_flags, getopt_help_man_page_and_readme_name_the_same_flags_for_every_command)
{
	char *man = cli_slurp(MAN), *cmds = cli_man_section(man, "COMMANDS"), *readme = cli_slurp("README.md");
	char why[160];

	for (size_t i = 0; i < gang_cli_count(); i++) {
		const gang_cli_cmd *cmd = gang_cli_at(i);
		flag_set table = flags_of_table(cmd->opts), doc;
		char *sub = cli_man_command(cmds, cmd->name), *row = flags_readme_row(readme, cmd->name);

		doc = flags_of_text(cmd->help, false);
		cr_expect(flags_agree(why, sizeof(why), &table, &doc, "--help"), "gang %s: %s", cmd->name, why);
		cr_expect_not_null(sub, "gang %s: docs/gang.1 has no '.SS %s'", cmd->name, cmd->name);
		if (sub) {
			doc = flags_of_text(sub, true);
			cr_expect(flags_agree(why, sizeof(why), &table, &doc, "docs/gang.1"), "gang %s: %s", cmd->name,
				  why);
		}
		cr_expect_not_null(row, "gang %s: README.md's command table has no row '| `gang %s'", cmd->name,
				   cmd->name);
		if (row) {
			doc = flags_of_text(row, false);
			cr_expect(flags_agree(why, sizeof(why), &table, &doc, "README.md"), "gang %s: %s", cmd->name,
				  why);
		}
		free(sub);
		free(row);
	}
	free(readme);
	free(cmds);
	free(man);
}
