/*
 * profile_parse.c — strict typed access to libconfig settings for the
 * profile loader: every miss, wrong type, range violation or unknown key
 * becomes "path:line: key: what" (profiles/README.md "Errors").
 * libconfig 1.5 silently wraps integers that need more than 32 bits unless
 * they carry an L suffix (0xFFFFFFFF reads as -1, 4294967296 as 0), so each
 * named integer is re-read from the source text and compared.
 */
#include "profile/profile_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static const char *const prof_type_names[] = {
	[CONFIG_TYPE_NONE] = "nothing",       [CONFIG_TYPE_GROUP] = "a group { }",
	[CONFIG_TYPE_INT] = "an integer",     [CONFIG_TYPE_INT64] = "an integer",
	[CONFIG_TYPE_FLOAT] = "a float",      [CONFIG_TYPE_STRING] = "a string",
	[CONFIG_TYPE_BOOL] = "a boolean",     [CONFIG_TYPE_ARRAY] = "an array [ ]",
	[CONFIG_TYPE_LIST] = "a list ( )",
};

static const char *prof_type_name(const config_setting_t *s)
{
	int t = config_setting_type(s);

	if (t < 0 || (size_t)t >= sizeof(prof_type_names) / sizeof(prof_type_names[0]))
		return "an unknown type";
	return prof_type_names[t];
}

int prof_err(const prof_ctx *c, int line, const char *prefix, const char *name, int code,
	     const char *fmt, ...)
{
	char what[GANG_DIAG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return gang_diag_set(c->d, code, "%s:%d: %s%s%s: %s", c->path, line, prefix,
			     *prefix ? "." : "", name, what);
}

int prof_line(const config_setting_t *s)
{
	int line = s ? (int)config_setting_source_line(s) : 0;

	return line > 0 ? line : 1;
}

int prof_check_keys(const prof_ctx *c, const config_setting_t *group, const char *prefix,
		    const char *const *allowed)
{
	char list[GANG_DIAG_LEN / 2] = "";
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(m);
		size_t k = 0;

		while (allowed[k] && strcmp(allowed[k], name) != 0)
			k++;
		if (allowed[k])
			continue;
		for (k = 0; allowed[k]; k++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : "",
				 allowed[k]);
		return prof_err(c, prof_line(m), prefix, name, GANG_EPROFILE,
				"unknown key (expected one of: %s)", list);
	}
	return GANG_OK;
}

/* Member name of parent, or a "missing" error / 0 when optional. */
static int prof_member(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		       const char *name, bool required, const config_setting_t **out)
{
	*out = config_setting_get_member(parent, name);
	if (*out)
		return 1;
	if (!required)
		return 0;
	return prof_err(c, prof_line(parent), prefix, name, GANG_EPROFILE, "missing (required)");
}

static int prof_want(const prof_ctx *c, const config_setting_t *s, const char *prefix,
		     const char *name, int type, const char *want)
{
	int t = config_setting_type(s);

	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return GANG_OK;
	return prof_err(c, prof_line(s), prefix, name, GANG_EPROFILE, "expected %s, got %s", want,
			prof_type_name(s));
}

int prof_get_group(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		   const char *name, bool required, const config_setting_t **out)
{
	int rc = prof_member(c, parent, prefix, name, required, out);

	if (rc <= 0)
		return rc;
	rc = prof_want(c, *out, prefix, name, CONFIG_TYPE_GROUP, "a group { ... }");
	return rc < 0 ? rc : 1;
}

int prof_get_string(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		    const char *name, bool required, const char **out)
{
	const config_setting_t *s;
	int rc = prof_member(c, parent, prefix, name, required, &s);

	if (rc <= 0)
		return rc;
	rc = prof_want(c, s, prefix, name, CONFIG_TYPE_STRING, "a string in double quotes");
	if (rc < 0)
		return rc;
	*out = config_setting_get_string(s);
	return 1;
}

/* Start of source line `line` in c->text, or NULL. */
static const char *prof_source_line(const prof_ctx *c, int line)
{
	const char *p = c->text;

	for (int l = 1; l < line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return p;
}

/* True when the literal token denotes exactly v (sign and magnitude). */
static bool prof_literal_is(const char *tok, int len, int64_t v)
{
	char buf[64];
	char *end;
	bool neg;
	uint64_t mag;

	if (len >= (int)sizeof(buf))
		return false;
	memcpy(buf, tok, (size_t)len);
	buf[len] = '\0';
	neg = buf[0] == '-';
	errno = 0;
	mag = strtoull(buf + (neg || buf[0] == '+'), &end, 0);
	if (errno == ERANGE || *end)
		return false;
	if (neg)
		return v <= 0 && (uint64_t)0 - (uint64_t)v == mag;
	return v >= 0 && (uint64_t)v == mag;
}

/*
 * True when s's source line writes "name = <literal>" and no such literal
 * equals v: libconfig wrapped it. The first literal goes to tok, tok_len.
 */
static bool prof_literal_wrapped(const prof_ctx *c, const config_setting_t *s, const char *name,
				 int64_t v, const char **tok, int *tok_len)
{
	const char *p = prof_source_line(c, prof_line(s));
	size_t n = strlen(name);
	bool seen = false;

	for (; p && *p && *p != '\n'; p++) {
		const char *q = p + n;
		int len;

		if (strncmp(p, name, n) != 0 ||
		    (p > c->text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
			continue;
		q += strspn(q, " \t");
		if (*q != '=' && *q != ':')
			continue;
		q += 1 + strspn(q + 1, " \t");
		len = (int)strspn(q, "+-0123456789abcdefABCDEFxX");
		if (len == 0)
			continue;
		if (prof_literal_is(q, len, v))
			return false;
		if (!seen) {
			*tok = q;
			*tok_len = len;
		}
		seen = true;
	}
	return seen;
}

int prof_get_int(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		 const char *name, bool required, int64_t min, int64_t max, int64_t *out)
{
	const config_setting_t *s;
	const char *tok;
	int tok_len;
	int rc = prof_member(c, parent, prefix, name, required, &s);

	if (rc <= 0)
		return rc;
	rc = prof_want(c, s, prefix, name, CONFIG_TYPE_INT, "an integer");
	if (rc < 0)
		return rc;
	*out = (int64_t)config_setting_get_int64(s);
	if (config_setting_type(s) == CONFIG_TYPE_INT &&
	    prof_literal_wrapped(c, s, name, *out, &tok, &tok_len))
		return prof_err(c, prof_line(s), prefix, name, GANG_EPROFILE,
				"%.*s needs more than 32 bits; write it with an L suffix (%.*sL)",
				tok_len, tok, tok_len, tok);
	/* libconfig clamps an L literal beyond 64 bits (strtoll) to INT64_MIN/MAX without a word. */
	if (config_setting_type(s) == CONFIG_TYPE_INT64 &&
	    prof_literal_wrapped(c, s, name, *out, &tok, &tok_len))
		return prof_err(c, prof_line(s), prefix, name, GANG_EPROFILE,
				"%.*s is out of range %" PRId64 "-%" PRId64, tok_len, tok, min, max);
	if (*out < min || *out > max)
		return prof_err(c, prof_line(s), prefix, name, GANG_EPROFILE,
				"%" PRId64 " out of range %" PRId64 "-%" PRId64, *out, min, max);
	return 1;
}

int prof_get_bool(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		  const char *name, bool required, bool *out)
{
	const config_setting_t *s;
	int rc = prof_member(c, parent, prefix, name, required, &s);

	if (rc <= 0)
		return rc;
	rc = prof_want(c, s, prefix, name, CONFIG_TYPE_BOOL, "true or false");
	if (rc < 0)
		return rc;
	*out = config_setting_get_bool(s) != 0;
	return 1;
}

int prof_get_enum(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		  const char *name, bool required, const char *const *names, size_t n, int *out)
{
	char list[GANG_DIAG_LEN / 2] = "";
	const char *v;
	int rc = prof_get_string(c, parent, prefix, name, required, &v);

	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 1;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 names[i]);
	}
	return prof_err(c, prof_line(config_setting_get_member(parent, name)), prefix, name,
			GANG_EPROFILE, "unknown value '%s' (expected %s)", v, list);
}

int prof_get_text(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		  const char *name, bool required, char *buf, size_t cap)
{
	const char *v;
	char why[128];
	int rc = prof_get_string(c, parent, prefix, name, required, &v);
	int line = prof_line(config_setting_get_member(parent, name));

	if (rc <= 0)
		return rc;
	if (!*v)
		return prof_err(c, line, prefix, name, GANG_EPROFILE, "must not be empty");
	if (strlen(v) >= cap)
		return prof_err(c, line, prefix, name, GANG_EPROFILE, "longer than %zu characters",
				cap - 1);
	/* Profile text reaches terminals, reports and the database: printable UTF-8 only. */
	if (gang_text_check(why, sizeof(why), v, cap - 1) < 0)
		return prof_err(c, line, prefix, name, GANG_EPROFILE, "%s", why);
	memcpy(buf, v, strlen(v) + 1);
	return 1;
}
