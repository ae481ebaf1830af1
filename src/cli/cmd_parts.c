/*
 * cmd_parts.c — `gang parts`: the part table as the engineer needs it to
 * write a profile's target (or --target) and to size `gang read` ranges.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "target/part.h"

const struct option gang_cmd_parts_opts[] = { { "json", no_argument, NULL, 'j' }, { 0, 0, 0, 0 } };

static void parts_print_text(void)
{
	printf("%-12s  %-6s  %-6s  %9s  %8s  %9s\n", "PART", "FAMILY", "DEV_ID", "FLASH KiB", "SRAM KiB", "PAGE");
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);

		printf("%-12s  %-6s  0x%03X   %9u  %8u  %9u\n", p->name, p->family->name, (unsigned)p->dev_id,
		       (unsigned)p->flash_kib, (unsigned)p->sram_kib, (unsigned)gang_part_page_size(p));
	}
}

static void parts_print_json(void)
{
	fputc('[', stdout);
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);

		printf("%s{\"name\":\"%s\",\"family\":\"%s\",\"dev_id\":\"0x%03X\",\"flash_kib\":%u,\"sram_kib\":%u,"
		       "\"page_size\":%u}",
		       i ? "," : "", p->name, p->family->name, (unsigned)p->dev_id, (unsigned)p->flash_kib,
		       (unsigned)p->sram_kib, (unsigned)gang_part_page_size(p));
	}
	fputs("]\n", stdout);
}

int gang_cmd_parts(int argc, char **argv)
{
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", gang_cmd_parts_opts, NULL)) != -1) {
		if (c != 'j')
			return gang_cli_bad_option("parts", argv);
		json = true;
	}
	if (optind != argc)
		return gang_cli_usage("parts", "unexpected argument '%s'", argv[optind]);
	if (json)
		parts_print_json();
	else
		parts_print_text();
	if (fflush(stdout) != 0)
		return gang_cli_fail("parts", GANG_EOUTPUT, NULL);
	return GANG_EXIT_OK;
}
