/*
 * profile_data.c — the data list of a profile: values beyond the serial,
 * each item from its own pool and written at its own address.
 *
 *   data = (
 *     { pool = "mac"; address = 0x0803F810; format = "mac"; byte_order = "msb-first";
 *       start = "00:80:E1:00:00:00"; end = "00:80:E1:00:FF:FF"; },
 *     { pool = "keys"; address = 0x0803F820; format = "list"; length = 16; secret = true; }
 *   );
 *
 * Items may not overlap each other, the serial or the checksum word; two
 * items may not share a pool, nor an item the serial's pool name.
 * Pools: serial/data_pool.h. Keys: profiles/README.md "Data items".
 * Also the scan group (a board's printed label), checked here as text.
 */
#include "profile/profile_internal.h"

#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "serial/data_pool.h"

static const char *const prof_data_keys[] = {
	"pool", "address", "format", "byte_order", "start", "end", "length", "pad", "secret", "overlay", NULL,
};
static const char *const prof_data_formats[] = { "mac", "list" };
static const char *const prof_byte_orders[] = { "msb-first", "lsb-first" };

static int prof_data_line(const config_setting_t *g, const char *key)
{
	const config_setting_t *m = config_setting_get_member(g, key);

	return m ? prof_line(m) : prof_line(g);
}

/* A key the item's format does not use is an error, not silently ignored. */
static int prof_data_unused(const prof_ctx *c, const config_setting_t *g, const char *prefix,
			    const char *const *keys, const char *format)
{
	for (; *keys; keys++)
		if (config_setting_get_member(g, *keys))
			return prof_err(c, prof_data_line(g, *keys), prefix, *keys, GANG_EPROFILE,
					"not used by format %s", format);
	return GANG_OK;
}

static int prof_data_mac_end(const prof_ctx *c, const config_setting_t *g, const char *prefix, const char *key,
			     uint64_t *out)
{
	gang_diag sub = { 0 };
	const char *text;
	int rc;

	if ((rc = prof_get_string(c, g, prefix, key, PROF_REQUIRED, &text)) < 0)
		return rc;
	if (gang_mac_parse(out, text, &sub) < 0)
		return prof_err(c, prof_data_line(g, key), prefix, key, GANG_EPROFILE, "%s", sub.msg);
	return GANG_OK;
}

static int prof_data_mac(const prof_ctx *c, const config_setting_t *g, const char *prefix, gang_profile_data *it)
{
	static const char *const unused[] = { "length", "pad", "secret", NULL };
	int order = 0, rc;

	if ((rc = prof_data_unused(c, g, prefix, unused, "mac")) < 0 ||
	    (rc = prof_get_enum(c, g, prefix, "byte_order", PROF_REQUIRED, prof_byte_orders, 2, &order)) < 0 ||
	    (rc = prof_data_mac_end(c, g, prefix, "start", &it->first)) < 0 ||
	    (rc = prof_data_mac_end(c, g, prefix, "end", &it->last)) < 0)
		return rc;
	if (it->last < it->first)
		return prof_err(c, prof_data_line(g, "end"), prefix, "end", GANG_EPROFILE, "is below start");
	it->msb_first = order == 0;
	it->length = GANG_MAC_LEN;
	return GANG_OK;
}

static int prof_data_list(const prof_ctx *c, const config_setting_t *g, const char *prefix, gang_profile_data *it)
{
	static const char *const unused[] = { "byte_order", "start", "end", NULL };
	int64_t len = 0, pad = 0;
	int rc;

	if ((rc = prof_data_unused(c, g, prefix, unused, "list")) < 0 ||
	    (rc = prof_get_int(c, g, prefix, "length", PROF_REQUIRED, 1, GANG_DATA_VALUE_MAX, &len)) < 0 ||
	    (rc = prof_get_int(c, g, prefix, "pad", PROF_OPTIONAL, 0, 255, &pad)) < 0 ||
	    (rc = prof_get_bool(c, g, prefix, "secret", PROF_OPTIONAL, &it->secret)) < 0)
		return rc;
	it->length = (uint32_t)len;
	it->pad = (uint8_t)pad;
	return GANG_OK;
}

/* Bytes [lo, hi) of another thing the profile writes, for the overlap check. */
typedef struct prof_span {
	uint64_t lo, hi;
	char what[96];
} prof_span;

/* The serial, the checksum word and the items before item n. */
static size_t prof_data_spans(prof_span *out, const gang_profile *p, size_t n)
{
	size_t k = 0;

	if (p->serial.present) {
		out[k] = (prof_span){ p->serial.address, p->serial.address + gang_serial_fmt_len(&p->serial.fmt) };
		snprintf(out[k++].what, sizeof(out[0].what), "the serial (pool '%s')", p->serial.pool);
	}
	if (p->checksum.present) {
		out[k] = (prof_span){ p->checksum.address, (uint64_t)p->checksum.address + 4U };
		snprintf(out[k++].what, sizeof(out[0].what), "the checksum word");
	}
	for (size_t i = 0; i < n; i++) {
		out[k] = (prof_span){ p->data[i].address, (uint64_t)p->data[i].address + p->data[i].length };
		snprintf(out[k++].what, sizeof(out[0].what), "data[%zu] (pool '%s')", i, p->data[i].pool);
	}
	return k;
}

static int prof_data_clear(const prof_ctx *c, const char *prefix, size_t n)
{
	prof_span spans[GANG_PROFILE_DATA_MAX + 2];
	const gang_profile_data *it = &c->p->data[n];
	uint64_t lo = it->address, hi = lo + it->length;
	size_t k = prof_data_spans(spans, c->p, n);

	for (size_t i = 0; i < k; i++)
		if (lo < spans[i].hi && spans[i].lo < hi)
			return prof_err(c, it->address_line, prefix, "address", GANG_EPROFILE,
					"bytes 0x%08" PRIX64 "-0x%08" PRIX64 " overlap %s at 0x%08" PRIX64 "-0x%08" PRIX64,
					lo, hi - 1, spans[i].what, spans[i].lo, spans[i].hi - 1);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c->p->data[i].pool, it->pool) == 0)
			return prof_err(c, it->line, prefix, "pool", GANG_EPROFILE, "'%s' is already data[%zu]'s pool "
					"(one item per pool)", it->pool, i);
	if (c->p->serial.present && strcmp(c->p->serial.pool, it->pool) == 0)
		return prof_err(c, it->line, prefix, "pool", GANG_EPROFILE, "'%s' is the serial's pool; a data "
				"pool needs a name of its own", it->pool);
	return GANG_OK;
}

static int prof_data_item(const prof_ctx *c, const config_setting_t *g, size_t n)
{
	gang_profile_data *it = &c->p->data[n];
	char prefix[32];
	int64_t addr;
	int fmt = 0, rc;

	snprintf(prefix, sizeof(prefix), "data[%zu]", n);
	if (!config_setting_is_group(g))
		return prof_err(c, prof_line(g), "", prefix, GANG_EPROFILE, "expected a group { pool = ...; ... }");
	if ((rc = prof_check_keys(c, g, prefix, prof_data_keys)) < 0 ||
	    (rc = prof_get_text(c, g, prefix, "pool", PROF_REQUIRED, it->pool, sizeof(it->pool))) < 0 ||
	    (rc = prof_get_int(c, g, prefix, "address", PROF_REQUIRED, 0, UINT32_MAX, &addr)) < 0 ||
	    (rc = prof_get_enum(c, g, prefix, "format", PROF_REQUIRED, prof_data_formats, 2, &fmt)) < 0 ||
	    (rc = prof_get_bool(c, g, prefix, "overlay", PROF_OPTIONAL, &it->overlay)) < 0)
		return rc;
	if (strspn(it->pool, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(it->pool))
		return prof_err(c, prof_data_line(g, "pool"), prefix, "pool", GANG_EPROFILE,
				"'%s' may contain only letters, digits, '.', '_' and '-'", it->pool);
	it->kind = fmt == 0 ? GANG_PDATA_MAC : GANG_PDATA_LIST;
	it->address = (uint32_t)addr;
	it->line = prof_line(g);
	it->address_line = prof_data_line(g, "address");
	rc = it->kind == GANG_PDATA_MAC ? prof_data_mac(c, g, prefix, it) : prof_data_list(c, g, prefix, it);
	return rc < 0 ? rc : prof_data_clear(c, prefix, n);
}

int prof_parse_data_items(const prof_ctx *c, const config_setting_t *root)
{
	const config_setting_t *l = config_setting_get_member(root, "data");
	int rc;

	if (!l)
		return GANG_OK;
	if (!config_setting_is_list(l) || config_setting_length(l) == 0)
		return prof_err(c, prof_line(l), "", "data", GANG_EPROFILE,
				"expected a list of items: data = ( { pool = ...; address = ...; format = ...; } )");
	if ((size_t)config_setting_length(l) > GANG_PROFILE_DATA_MAX)
		return prof_err(c, prof_line(l), "", "data", GANG_EPROFILE, "more than %u items",
				GANG_PROFILE_DATA_MAX);
	for (int i = 0; i < config_setting_length(l); i++) {
		if ((rc = prof_data_item(c, config_setting_get_elem(l, (unsigned)i), (size_t)i)) < 0)
			return rc;
		c->p->n_data++;
	}
	return GANG_OK;
}

int prof_check_data(const gang_profile *p, const prof_mem *m, const gang_image *img, gang_diag *d)
{
	char mem[128];

	for (size_t i = 0; i < p->n_data; i++) {
		const gang_profile_data *it = &p->data[i];
		uint64_t lo = it->address, hi = lo + it->length;

		if (!prof_mem_holds(m, lo, hi))
			return gang_diag_set(d, GANG_EPROFILE, "%s:%d: data[%zu].address: bytes 0x%08" PRIX64 "-0x%08"
					     PRIX64 " lie outside %s", p->path, it->address_line, i, lo, hi - 1,
					     prof_mem_text(mem, sizeof(mem), m));
		for (size_t s = 0; img && !it->overlay && s < img->n_seg; s++) {
			uint64_t a = img->seg[s].addr, b = a + img->seg[s].len;

			if (a < hi && lo < b)
				return gang_diag_set(d, GANG_EPROFILE, "%s:%d: data[%zu].address: bytes 0x%08" PRIX64
						     "-0x%08" PRIX64 " overlap image data (set data[%zu].overlay = true "
						     "if the image reserves this space)", p->path, it->address_line, i,
						     lo, hi - 1, i);
	}
	}
	return GANG_OK;
}

/* scan = { required = true; pattern = "^PCB-[0-9]{8}$"; }: the pattern must compile (POSIX ERE). */
int prof_parse_scan(const prof_ctx *c, const config_setting_t *root)
{
	static const char *const keys[] = { "required", "pattern", NULL };
	gang_profile_scan *s = &c->p->scan;
	const config_setting_t *g;
	char why[128];
	regex_t re;
	int rc = prof_get_group(c, root, "", "scan", PROF_OPTIONAL, &g), ec;

	if (rc <= 0)
		return rc;
	s->required = true;
	if ((rc = prof_check_keys(c, g, "scan", keys)) < 0 ||
	    (rc = prof_get_bool(c, g, "scan", "required", PROF_OPTIONAL, &s->required)) < 0 ||
	    (rc = prof_get_text(c, g, "scan", "pattern", PROF_REQUIRED, s->pattern, sizeof(s->pattern))) < 0)
		return rc;
	if ((ec = regcomp(&re, s->pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(ec, &re, why, sizeof(why));
		return prof_err(c, prof_data_line(g, "pattern"), "scan", "pattern", GANG_EPROFILE,
				"\"%s\" is not a POSIX extended regular expression: %s", s->pattern, why);
	}
	regfree(&re);
	s->present = true;
	return GANG_OK;
}
