/*
 * cmd_options.c — `gang options show|set`: decode the option bytes (RDP,
 * USER bits, DATA0/1, write-protected pages) and change them, as the
 * family's named fields (--set NAME=VALUE for any of them), declaratively
 * through the driver (compare, skip when equal, erase + program, reload,
 * read back; RDP last; regression and permanent lock only when asked for in
 * so many words). Layout: PM0075 option bytes (RM0091 §3 for F0/F3).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_target.h"
#include "flash/geom.h"
#include "flash/ob.h"

#define OPT_FIELDS_MAX 16

/* One field to set, by the name the family's driver knows it under. */
typedef struct opt_field {
	const char *name;            /* "nRST_STOP"; case-insensitive */
	int64_t value;
} opt_field;

typedef struct opt_args {
	cli_target_args t;
	bool json;
	opt_field set[OPT_FIELDS_MAX];
	size_t n_set;
	const char *wrp;
	gang_ob_write_opts wo;
} opt_args;

static void opt_print_wrp(FILE *fp, uint32_t wrp, const gang_part *part, bool json)
{
	bool first = true;

	for (unsigned bit = 0; bit < 32; bit++) {
		uint32_t lo = bit * part->wrp_pages_per_bit;
		uint32_t pages = gang_geom_unit_count(&part->geom);
		uint32_t hi = bit == 31 ? pages - 1 : lo + part->wrp_pages_per_bit - 1;

		if ((wrp & (1U << bit)) || lo >= pages)
			continue;
		fprintf(fp, json ? "%s[%u,%u]" : "%s%u-%u", first ? "" : ",", (unsigned)lo,
			(unsigned)(hi < pages ? hi : pages - 1));
		first = false;
	}
	if (first && !json)
		fputs("none", fp);
}

static void opt_show(const gang_ob *ob, const gang_part *part, bool json)
{
	if (json) {
		printf("{\"rdp_level\":%d,\"rdp\":\"0x%02X\",\"user\":\"0x%02X\",\"wdg_sw\":%d,\"nrst_stop\":%d,"
		       "\"nrst_stdby\":%d,\"data0\":%u,\"data1\":%u,\"wrpr\":\"0x%08X\",\"opterr\":%s,"
		       "\"wrp_pages\":[", ob->rdp_level, ob->rdp, ob->user, ob->user & 1, (ob->user >> 1) & 1,
		       (ob->user >> 2) & 1, ob->data0, ob->data1, (unsigned)ob->wrp, ob->opterr ? "true" : "false");
		opt_print_wrp(stdout, ob->wrp, part, true);
		puts("]}");
		return;
	}
	printf("RDP        level %d (0x%02X)\n", ob->rdp_level, ob->rdp);
	printf("USER       0x%02X: WDG_SW=%d (%s watchdog) nRST_STOP=%d nRST_STDBY=%d\n", ob->user, ob->user & 1,
	       ob->user & 1 ? "software" : "hardware", (ob->user >> 1) & 1, (ob->user >> 2) & 1);
	printf("DATA0/1    0x%02X 0x%02X\n", ob->data0, ob->data1);
	printf("WRPR       0x%08X, write-protected pages: ", (unsigned)ob->wrp);
	opt_print_wrp(stdout, ob->wrp, part, false);
	printf("\n%s", ob->opterr ? "OPTERR     a value/complement pair does not match\n" : "");
}

/* "none" or "P,P-Q,..." page list -> WRPR value (bit = 0 protected). */
static int opt_parse_wrp(int64_t *out, const char *s, const gang_part *part)
{
	uint32_t wrp = 0xFFFFFFFFU;
	char buf[256], *save = NULL;

	if (strcmp(s, "none") == 0) {
		*out = wrp;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t lo, hi;
		char *dash = strchr(tok, '-');

		if (dash)
			*dash = '\0';
		if (!gang_cli_parse_u32(&lo, tok) || (dash && !gang_cli_parse_u32(&hi, dash + 1)))
			return -1;
		if (!dash)
			hi = lo;
		if (hi < lo || hi >= gang_geom_unit_count(&part->geom))
			return -1;
		for (uint32_t p = lo; p <= hi; p++)
			wrp = gang_ob_wrp_protect(wrp, p, part);
	}
	*out = wrp;
	return 0;
}

static int opt_add(opt_args *a, const char *name, int64_t value)
{
	if (a->n_set >= OPT_FIELDS_MAX)
		return gang_cli_usage("options", "at most %d fields at once", OPT_FIELDS_MAX);
	a->set[a->n_set].name = name;
	a->set[a->n_set++].value = value;
	return GANG_EXIT_OK;
}

/* --wdg-sw 1 and friends: the field named, its value checked against max here. */
static int opt_parse_byte(opt_args *a, const char *field, const char *what, const char *arg, uint32_t max)
{
	uint32_t v;

	if (!gang_cli_parse_u32(&v, arg) || v > max)
		return gang_cli_usage("options", "%s takes 0..%u, not '%s'", what, (unsigned)max, arg);
	return opt_add(a, field, v);
}

/* --set NAME=VALUE: any field of the family (its range is checked once the family is known). */
static int opt_parse_set(opt_args *a, char *arg)
{
	char *eq = strchr(arg, '=');
	uint32_t v;

	if (eq == NULL || eq == arg || !gang_cli_parse_u32(&v, eq + 1))
		return gang_cli_usage("options", "--set takes NAME=VALUE (e.g. nBOOT1=1), not '%s'", arg);
	*eq = '\0';
	return opt_add(a, arg, v);
}

const struct option gang_cmd_options_opts[] = {
	CLI_TARGET_OPTIONS,
	{ "json", no_argument, NULL, 'j' }, { "rdp", required_argument, NULL, 'r' },
	{ "wdg-sw", required_argument, NULL, 'w' }, { "nrst-stop", required_argument, NULL, 's' },
	{ "nrst-stdby", required_argument, NULL, 'S' }, { "data0", required_argument, NULL, '0' },
	{ "data1", required_argument, NULL, '1' }, { "wrp", required_argument, NULL, 'W' },
	{ "allow-unprotect", no_argument, NULL, 'U' }, { "confirm", required_argument, NULL, 'C' },
	{ "set", required_argument, NULL, 'F' }, { 0, 0, 0, 0 },
};

static int opt_parse(opt_args *a, int argc, char **argv)
{
	int c, r, rc = GANG_EXIT_OK;

	optind = 1;
	while (rc == GANG_EXIT_OK && (c = getopt_long(argc, argv, "", gang_cmd_options_opts, NULL)) != -1) {
		if ((r = cli_target_option(&a->t, "options", c, optarg)) != 0) {
			rc = r < 0 ? -r : GANG_EXIT_OK;
			continue;
		}
		switch (c) {
		case 'j': a->json = true; break;
		case 'r': rc = opt_parse_byte(a, "RDP", "--rdp", optarg, 2); break;
		case 'w': rc = opt_parse_byte(a, "WDG_SW", "--wdg-sw", optarg, 1); break;
		case 's': rc = opt_parse_byte(a, "nRST_STOP", "--nrst-stop", optarg, 1); break;
		case 'S': rc = opt_parse_byte(a, "nRST_STDBY", "--nrst-stdby", optarg, 1); break;
		case '0': rc = opt_parse_byte(a, "Data0", "--data0", optarg, 255); break;
		case '1': rc = opt_parse_byte(a, "Data1", "--data1", optarg, 255); break;
		case 'F': rc = opt_parse_set(a, optarg); break;
		case 'W': a->wrp = optarg; break;
		case 'U': a->wo.allow_rdp_regression = true; break;
		case 'C': a->wo.confirm_level2 = optarg; break;
		default: rc = gang_cli_bad_option("options", argv);
		}
	}
	return rc;
}

static int opt_set(cli_session *s, opt_args *a, gang_diag *d)
{
	const gang_part *part = gang_target_part(s->t);
	gang_ob_want want;
	gang_ob cur;
	int64_t wrp;
	bool changed = false;
	int err = GANG_OK;

	gang_ob_want_init(&want);
	for (size_t i = 0; i < a->n_set && err == GANG_OK; i++)
		err = gang_ob_want_set(&want, part->family, a->set[i].name, a->set[i].value, d);
	if (err < 0)
		return err;
	if (a->wrp && opt_parse_wrp(&wrp, a->wrp, part) < 0)
		return gang_diag_set(d, GANG_EUSAGE, "--wrp: '%s' is not 'none' or a list of pages 0..%u", a->wrp,
				     gang_geom_unit_count(&part->geom) - 1U);
	if (a->wrp && (err = gang_ob_want_set(&want, part->family, "WRP", wrp, d)) < 0)
		return err;
	if ((err = gang_ob_write(&changed, s->t, &want, &a->wo)) < 0)
		return err;
	printf("%s\n", changed ? "option bytes written, reloaded and confirmed" : "option bytes already as asked: nothing written");
	if ((err = gang_ob_read(&cur, s->t)) < 0)
		return err;
	opt_show(&cur, part, false);
	return GANG_OK;
}

int gang_cmd_options(int argc, char **argv)
{
	opt_args a = { 0 };
	cli_session s;
	gang_diag d = { 0 };
	gang_ob ob;
	bool set;
	int rc, err;

	if (argc < 2 || (strcmp(argv[1], "show") != 0 && strcmp(argv[1], "set") != 0))
		return gang_cli_usage("options", "say 'show' or 'set'");
	set = strcmp(argv[1], "set") == 0;
	if ((rc = opt_parse(&a, argc - 1, argv + 1)) != GANG_EXIT_OK)
		return rc;
	if ((rc = cli_session_open(&s, &a.t, "options")) != GANG_EXIT_OK)
		return rc;
	if (set)
		err = opt_set(&s, &a, &d);
	else if ((err = gang_ob_read(&ob, s.t)) == GANG_OK)
		opt_show(&ob, gang_target_part(s.t), a.json);
	if (err < 0 && !d.msg[0])
		d = *gang_target_diag(s.t);
	cli_session_close(&s, set ? GANG_DETACH_RESET : GANG_DETACH_RUN);
	if (err == GANG_EREAD_PROTECTED && !a.wo.allow_rdp_regression)
		return gang_cli_fail_protected("options", "add --allow-unprotect to lower it to RDP 0, which "
					       "mass-erases the chip");
	return err < 0 ? gang_cli_fail("options", err, &d) : GANG_EXIT_OK;
}
