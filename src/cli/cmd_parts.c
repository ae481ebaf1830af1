/*
 * cmd_parts.c — `gang parts`: the part table as the engineer needs it to
 * write a profile's target (or --target), to size `gang read` ranges and
 * to see which sectors an image will erase.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "target/part.h"

const struct option gang_cmd_parts_opts[] = { { "json", no_argument, NULL, 'j' }, { 0, 0, 0, 0 } };

/* One unit size: "2K", or "128B" below a KiB (L0/L1 pages are 128 and 256 bytes, RM0377 §3.3.1). */
static void parts_unit(char *out, size_t cap, uint32_t unit)
{
	if (unit % 1024U == 0)
		snprintf(out, cap, "%uK", (unsigned)(unit / 1024U));
	else
		snprintf(out, cap, "%uB", (unsigned)unit);
}

/* The erase units as runs: "128 x 2K", "512 x 128B" or "4 x 16K + 64K + 7 x 128K | 4 x 16K + ..." (banks). */
static void parts_layout(char *out, size_t cap, const gang_part *p)
{
	size_t len = 0;
	char unit[16];

	out[0] = '\0';
	for (unsigned i = 0; i < p->geom.n_regions && len < cap; i++) {
		const gang_flash_region *r = &p->geom.regions[i];
		const char *sep = i == 0 ? "" : r->bank != p->geom.regions[i - 1].bank ? " | " : " + ";

		parts_unit(unit, sizeof(unit), r->unit);
		if (r->count == 1)
			len += (size_t)snprintf(out + len, cap - len, "%s%s", sep, unit);
		else
			len += (size_t)snprintf(out + len, cap - len, "%s%u x %s", sep, (unsigned)r->count, unit);
	}
}

static void parts_print_text(void)
{
	char layout[128];

	printf("%-12s  %-6s  %-6s  %9s  %8s  %s\n", "PART", "FAMILY", "DEV_ID", "FLASH KiB", "SRAM KiB",
	       "ERASE UNITS");
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);

		parts_layout(layout, sizeof(layout), p);
		printf("%-12s  %-6s  0x%03X   %9u  %8u  %s\n", p->name, p->family->name, (unsigned)p->dev_id,
		       (unsigned)p->flash_kib, (unsigned)p->sram_kib, layout);
	}
}

static void parts_print_regions_json(const gang_part *p)
{
	for (unsigned k = 0; k < p->geom.n_regions; k++) {
		const gang_flash_region *r = &p->geom.regions[k];

		printf("%s{\"base\":\"0x%08X\",\"unit\":%u,\"count\":%u,\"first\":%u,\"bank\":%u}",
		       k ? "," : "", (unsigned)r->base, (unsigned)r->unit, (unsigned)r->count,
		       (unsigned)r->first_no, (unsigned)r->bank);
	}
}

static void parts_print_json(void)
{
	fputc('[', stdout);
	for (unsigned i = 0; i < gang_part_count(); i++) {
		const gang_part *p = gang_part_at(i);

		printf("%s{\"name\":\"%s\",\"family\":\"%s\",\"dev_id\":\"0x%03X\",\"flash_kib\":%u,\"sram_kib\":%u,"
		       "\"page_size\":%u,\"write_unit\":%u,\"erased\":\"0x%02X\",\"regions\":[",
		       i ? "," : "", p->name, p->family->name, (unsigned)p->dev_id, (unsigned)p->flash_kib,
		       (unsigned)p->sram_kib, (unsigned)gang_part_page_size(p), (unsigned)p->geom.write_unit,
		       (unsigned)p->geom.erased);
		parts_print_regions_json(p);
		fputs("]}", stdout);
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
