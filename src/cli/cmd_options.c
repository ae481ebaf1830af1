/*
 * cmd_options.c — `gang options show|set`: decode the option bytes (RDP,
 * user bits, data, write-protected pages or sectors) as the family's named
 * fields and change them (--set NAME=VALUE for any of them), declaratively
 * through the driver (compare, skip when equal, write, reload, read back;
 * RDP last; regression and permanent lock only when asked for in so many
 * words). Fields: the family driver's (PM0075 for F0/F1/F3, RM0090 §3.9.10
 * for F2/F4/F7).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/* Protected units as ranges ("0-3,8"; JSON "[0,3],[8,8]"); with one word the last bit covers every later unit. */
static void opt_print_wrp(FILE *fp, const gang_ob_wrp_bits *wrp, const gang_part *part, bool json)
{
	uint32_t units = gang_geom_unit_count(&part->geom), bits = 32U * wrp->n;
	bool first = true;

	for (unsigned bit = 0; bit < bits; bit++) {
		uint32_t lo = bit * part->wrp_pages_per_bit;
		uint32_t hi = bit == 31 && wrp->n == 1 ? units - 1 : lo + part->wrp_pages_per_bit - 1;

		if ((wrp->w[bit / 32U] & (1U << (bit % 32U))) || lo >= units)
			continue;
		fprintf(fp, json ? "%s[%u,%u]" : "%s%u-%u", first ? "" : ",", (unsigned)lo,
			(unsigned)(hi < units ? hi : units - 1));
		first = false;
	}
	if (first && !json)
		fputs("none", fp);
}

/* "pages" or "sectors": what the part's erase units are called. */
static const char *opt_units(const gang_part *part)
{
	return gang_geom_uniform_unit(&part->geom) ? "pages" : "sectors";
}

static void opt_lower(char *out, size_t cap, const char *s)
{
	size_t i = 0;

	for (; s[i] && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

static void opt_show_json(const gang_ob *ob, const gang_part *part)
{
	gang_ob_wrp_bits wrp;
	char key[32];

	/* level 0.5 (L5/U5) as the JSON number 0.5 */
	printf("{\"family\":\"%s\",\"rdp_level\":%s,\"rdp\":\"0x%02X\",\"user\":\"0x%02X\"",
	       part->family->name, gang_ob_rdp_name(ob->rdp_level), ob->rdp, (unsigned)ob->user);
	for (const gang_ob_field *k = gang_ob_fields(part->family); k->name; k++) {
		if ((k->kind != GANG_OB_KIND_BIT && k->kind != GANG_OB_KIND_BYTE) || !gang_ob_field_on(k, part))
			continue;
		opt_lower(key, sizeof(key), k->name);
		printf(",\"%s\":%lld", key, (long long)gang_ob_field_get(ob, k));
	}
	gang_ob_wrp_of(&wrp, ob, part->family);
	printf(",\"wrpr\":\"0x%08X\"", (unsigned)ob->wrp);
	for (unsigned i = 1; i < wrp.n; i++)
		printf(",\"wrpr%u\":\"0x%08X\"", i + 1U, (unsigned)wrp.w[i]);
	printf(",\"opterr\":%s,\"wrp_%s\":[", ob->opterr ? "true" : "false", opt_units(part));
	opt_print_wrp(stdout, &wrp, part, true);
	puts("]}");
}

/* Every field the part has (of its family's) by its reference-manual name. */
static void opt_show(const gang_ob *ob, const gang_part *part, bool json)
{
	const gang_ob_field *wrp = gang_ob_field_wrp(part->family);
	char note[200];

	if (json) {
		opt_show_json(ob, part);
		return;
	}
	printf("RDP        level %s (0x%02X)\n", gang_ob_rdp_name(ob->rdp_level), ob->rdp);
	printf("USER       0x%02X:", (unsigned)ob->user);
	for (const gang_ob_field *k = gang_ob_fields(part->family); k->name; k++)
		if (k->kind == GANG_OB_KIND_BIT && gang_ob_field_on(k, part))
			printf(" %s=%lld", k->name, (long long)gang_ob_field_get(ob, k));
	printf("\nDATA      ");
	for (const gang_ob_field *k = gang_ob_fields(part->family); k->name; k++)
		if (k->kind == GANG_OB_KIND_BYTE && gang_ob_field_on(k, part))
			printf(" %s=0x%02llX", k->name, (long long)gang_ob_field_get(ob, k));
	/* the double-word families protect page areas, shown above as WRP1A/WRP1B (RM0351 §3.5.2) */
	if (wrp != NULL) {
		gang_ob_wrp_bits bits;

		gang_ob_wrp_of(&bits, ob, part->family);
		printf("\n%-10s 0x%08X", wrp->name, (unsigned)ob->wrp);
		for (unsigned i = 1; i < bits.n; i++)
			printf(" 0x%08X", (unsigned)bits.w[i]);
		printf(", write-protected %s: ", opt_units(part));
		opt_print_wrp(stdout, &bits, part, false);
	}
	gang_ob_note(note, sizeof(note), ob, part);
	printf("\n%s%s%s%s", ob->opterr ? "OPTERR     a value/complement pair does not match\n" : "",
	       note[0] ? "NOTE       " : "", note, note[0] ? "\n" : "");
}

/* "none" or "P,P-Q,..." page list -> the family's WRP words (bit = 0 protected). */
static int opt_parse_wrp(gang_ob_wrp_bits *out, const char *s, const gang_part *part)
{
	char buf[256], *save = NULL;

	gang_ob_wrp_none(out, part->family);
	if (strcmp(s, "none") == 0)
		return 0;
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
			gang_ob_wrp_protect(out, p, part);
	}
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

	/* RDP level 0.5 (L5/U5 with TrustZone); other families refuse it by name once the chip is known */
	if (strcmp(field, "RDP") == 0 && strcmp(arg, "0.5") == 0)
		return opt_add(a, field, GANG_OB_RDP_LEVEL05);
	if (!gang_cli_parse_u32(&v, arg) || v > max)
		return gang_cli_usage("options", "%s takes 0..%u, not '%s'", what, (unsigned)max, arg);
	return opt_add(a, field, v);
}

/* --set NAME=VALUE: any field of the family (its range is checked once the family is known). */
static int opt_parse_set(opt_args *a, char *arg)
{
	char *eq = strchr(arg, '=');
	uint32_t v;

	if (eq != NULL && eq - arg == 3 && strncasecmp(arg, "RDP", 3) == 0 && strcmp(eq + 1, "0.5") == 0) {
		*eq = '\0';
		return opt_add(a, arg, GANG_OB_RDP_LEVEL05);
	}
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
	gang_ob_wrp_bits wrp;
	bool changed = false;
	int err = GANG_OK;

	gang_ob_want_init(&want);
	for (size_t i = 0; i < a->n_set && err == GANG_OK; i++)
		err = gang_ob_want_set_part(&want, part, a->set[i].name, a->set[i].value, d);
	if (err < 0)
		return err;
	if (a->wrp && opt_parse_wrp(&wrp, a->wrp, part) < 0)
		return gang_diag_set(d, GANG_EUSAGE, "--wrp: '%s' is not 'none' or a list of %s 0..%u", a->wrp,
				     opt_units(part), gang_geom_unit_count(&part->geom) - 1U);
	if (a->wrp && gang_ob_field_wrp(part->family) == NULL)
		return gang_diag_set(d, GANG_EUSAGE, "--wrp: the %s family has no write protection",
				     part->family->name);
	if (a->wrp && (err = gang_ob_want_wrp(&want, &wrp, part->family, d)) < 0)
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
