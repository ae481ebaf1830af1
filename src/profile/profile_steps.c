/*
 * profile_steps.c — the profile's own steps (steps = ( ... ): a command or
 * a memory check, placed by `after`), the checksum group and the program
 * group. Keys: profiles/README.md "steps", "checksum", "program". Where a
 * step goes in the attempt is decided by profile_plan_build.c; here each
 * entry is read and checked on its own, every error naming file, line and
 * key ("x.cfg:14: steps[1].timeout_s: 0 out of range 1-3600").
 */
#include "profile/profile_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROF_STEP_TIMEOUT_DEFAULT_S 60
#define PROF_CHECK_TIMEOUT_DEFAULT_S 10
#define PROF_RUN_MAX 4095U

static const char *const prof_step_keys[] = { "name", "after", "run", "check", "timeout_s", "target", NULL };
static const char *const prof_memcheck_keys[] = { "address", "equals", "timeout_s", NULL };
static const char *const prof_checksum_keys[] = { "address", "over", "kind", NULL };
static const char *const prof_program_keys[] = { "skip_if_same", "timeout_s", NULL };
/* Index = gang_target_need less one: a profile names halted, running or released. */
static const char *const prof_need_names[] = { "halted", "running", "released" };
static const char *const prof_checksum_names[] = { "crc32", "crc32-stm32" };

const char *gang_target_need_name(gang_target_need n)
{
	return n == GANG_NEED_NONE ? "none" : (size_t)n - 1 < 3 ? prof_need_names[n - 1] : "?";
}

const char *gang_checksum_kind_name(gang_checksum_kind k)
{
	return (size_t)k < 2 ? prof_checksum_names[k] : "?";
}

/* The command line: printable text, at most PROF_RUN_MAX bytes, copied. */
static int prof_step_run(const prof_ctx *c, const config_setting_t *g, const char *prefix, gang_profile_step *s)
{
	char *buf = malloc(PROF_RUN_MAX + 1);
	int rc;

	if (!buf)
		return gang_diag_set(c->d, GANG_ENOMEM, "%s: out of memory", c->path);
	rc = prof_get_text(c, g, prefix, "run", PROF_REQUIRED, buf, PROF_RUN_MAX + 1);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	s->run = buf;
	s->kind = GANG_KIND_EXEC;
	return GANG_OK;
}

/* check = { address; equals; timeout_s; }: a word the firmware leaves in memory. */
static int prof_step_check(const prof_ctx *c, const config_setting_t *step, const char *prefix,
			   gang_profile_step *s)
{
	const config_setting_t *g;
	char sub[56];
	int64_t addr, want, t = PROF_CHECK_TIMEOUT_DEFAULT_S;
	int rc;

	snprintf(sub, sizeof(sub), "%s.check", prefix);
	if ((rc = prof_get_group(c, step, prefix, "check", PROF_REQUIRED, &g)) < 0 ||
	    (rc = prof_check_keys(c, g, sub, prof_memcheck_keys)) < 0 ||
	    (rc = prof_get_int(c, g, sub, "address", PROF_REQUIRED, 0, UINT32_MAX, &addr)) < 0 ||
	    (rc = prof_get_int(c, g, sub, "equals", PROF_REQUIRED, 0, UINT32_MAX, &want)) < 0 ||
	    (rc = prof_get_int(c, g, sub, "timeout_s", PROF_OPTIONAL, 1, GANG_STEP_TIMEOUT_MAX_S, &t)) < 0)
		return rc;
	if (addr % 4 != 0)
		return prof_err(c, prof_line(config_setting_get_member(g, "address")), sub, "address",
				GANG_EPROFILE, "0x%08" PRIX64 " is not a multiple of 4 (a 32-bit word is read)",
				addr);
	s->kind = GANG_KIND_MEMCHECK;
	s->need = GANG_NEED_RUNNING;
	s->check_address = (uint32_t)addr;
	s->check_equals = (uint32_t)want;
	s->timeout_ms = (uint32_t)t * 1000U;
	return GANG_OK;
}

/* run or check, exactly one; the keys that go with the other are refused. */
static int prof_step_what(const prof_ctx *c, const config_setting_t *g, const char *prefix, gang_profile_step *s)
{
	bool run = config_setting_get_member(g, "run") != NULL;
	bool check = config_setting_get_member(g, "check") != NULL;
	const char *k;

	if (run == check)
		return prof_err(c, prof_line(g), prefix, run ? "check" : "run", GANG_EPROFILE,
				run ? "a step has either run or check, not both" :
				"missing (a step needs run = \"command\" or check = { ... })");
	if (run)
		return prof_step_run(c, g, prefix, s);
	k = config_setting_get_member(g, "timeout_s") ? "timeout_s" : config_setting_get_member(g, "target") ? "target" : NULL;
	if (k)
		return prof_err(c, prof_line(config_setting_get_member(g, k)), prefix, k, GANG_EPROFILE,
				"not used by a memory check (it runs the firmware; its time-out is check.timeout_s)");
	return prof_step_check(c, g, prefix, s);
}

/* timeout_s and target of a command step. */
static int prof_step_exec(const prof_ctx *c, const config_setting_t *g, const char *prefix, gang_profile_step *s)
{
	int64_t t = PROF_STEP_TIMEOUT_DEFAULT_S;
	int need = -1;
	int rc;

	if ((rc = prof_get_int(c, g, prefix, "timeout_s", PROF_OPTIONAL, 1, GANG_STEP_TIMEOUT_MAX_S, &t)) < 0 ||
	    (rc = prof_get_enum(c, g, prefix, "target", PROF_OPTIONAL, prof_need_names, 3, &need)) < 0)
		return rc;
	s->timeout_ms = (uint32_t)t * 1000U;
	s->need = need < 0 ? GANG_NEED_NONE : (gang_target_need)(need + 1);
	return GANG_OK;
}

static int prof_step_one(const prof_ctx *c, const config_setting_t *g, size_t i, gang_profile_step *s)
{
	char prefix[32];
	int rc;

	snprintf(prefix, sizeof(prefix), "steps[%zu]", i);
	s->line = prof_line(g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return prof_err(c, prof_line(g), "", prefix, GANG_EPROFILE, "expected a group { name = ...; ... }");
	if ((rc = prof_check_keys(c, g, prefix, prof_step_keys)) < 0 ||
	    (rc = prof_get_text(c, g, prefix, "name", PROF_REQUIRED, s->name, sizeof(s->name))) < 0 ||
	    (rc = prof_get_text(c, g, prefix, "after", PROF_REQUIRED, s->after, sizeof(s->after))) < 0 ||
	    (rc = prof_step_what(c, g, prefix, s)) < 0)
		return rc;
	if (strspn(s->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(s->name))
		return prof_err(c, prof_line(config_setting_get_member(g, "name")), prefix, "name", GANG_EPROFILE,
				"'%s' may contain only letters, digits, '_' and '-'", s->name);
	return s->kind == GANG_KIND_EXEC ? prof_step_exec(c, g, prefix, s) : GANG_OK;
}

int prof_parse_own_steps(const prof_ctx *c, const config_setting_t *root)
{
	const config_setting_t *l = config_setting_get_member(root, "steps");
	gang_profile *p = c->p;
	int n, rc = GANG_OK;

	if (!l)
		return GANG_OK;
	if (config_setting_type(l) != CONFIG_TYPE_LIST)
		return prof_err(c, prof_line(l), "", "steps", GANG_EPROFILE, "expected a list ( { ... }, { ... } )");
	n = config_setting_length(l);
	if ((size_t)n > GANG_PROFILE_STEPS_MAX)
		return prof_err(c, prof_line(l), "", "steps", GANG_EPROFILE, "%d steps; at most %u", n,
				GANG_PROFILE_STEPS_MAX);
	if (n > 0 && !(p->steps = calloc((size_t)n, sizeof(*p->steps))))
		return gang_diag_set(c->d, GANG_ENOMEM, "%s: out of memory", c->path);
	for (int i = 0; i < n && rc == GANG_OK; i++, p->n_steps++)
		rc = prof_step_one(c, config_setting_get_elem(l, (unsigned)i), (size_t)i, &p->steps[i]);
	return rc;
}

/* over = [start, end): two addresses, start < end. */
static int prof_checksum_over(const prof_ctx *c, const config_setting_t *g, gang_profile_checksum *k)
{
	const config_setting_t *a = config_setting_get_member(g, "over");
	int64_t v[2];

	if (!a)
		return prof_err(c, prof_line(g), "checksum", "over", GANG_EPROFILE, "missing (required)");
	c->p->line.checksum_over = prof_line(a);
	if (config_setting_type(a) != CONFIG_TYPE_ARRAY || config_setting_length(a) != 2)
		return prof_err(c, prof_line(a), "checksum", "over", GANG_EPROFILE,
				"expected [start, end]: two addresses, the end not included");
	for (unsigned i = 0; i < 2; i++) {
		const config_setting_t *e = config_setting_get_elem(a, i);
		int t = config_setting_type(e);

		v[i] = t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 ? (int64_t)config_setting_get_int64(e) : -1;
		if (v[i] < 0 || v[i] > (int64_t)UINT32_MAX - 3)
			return prof_err(c, prof_line(a), "checksum", "over", GANG_EPROFILE,
					"element %u is not an address (0 to 0xFFFFFFFCL; 0x80000000 and above "
					"need an L suffix)", i);
	}
	if (v[0] >= v[1] || v[0] % 4 || v[1] % 4)
		return prof_err(c, prof_line(a), "checksum", "over", GANG_EPROFILE,
				"[0x%08" PRIX64 ", 0x%08" PRIX64 ") must be a non-empty range of whole words "
				"(start < end, both multiples of 4)", v[0], v[1]);
	k->start = (uint32_t)v[0];
	k->end = (uint32_t)v[1];
	return GANG_OK;
}

int prof_parse_checksum(const prof_ctx *c, const config_setting_t *root)
{
	gang_profile_checksum *k = &c->p->checksum;
	const config_setting_t *g;
	int64_t addr;
	int kind = 0;
	int rc = prof_get_group(c, root, "", "checksum", PROF_OPTIONAL, &g);

	if (rc <= 0)
		return rc;
	if ((rc = prof_check_keys(c, g, "checksum", prof_checksum_keys)) < 0 ||
	    (rc = prof_get_int(c, g, "checksum", "address", PROF_REQUIRED, 0, UINT32_MAX - 3, &addr)) < 0 ||
	    (rc = prof_get_enum(c, g, "checksum", "kind", PROF_OPTIONAL, prof_checksum_names, 2, &kind)) < 0 ||
	    (rc = prof_checksum_over(c, g, k)) < 0)
		return rc;
	c->p->line.checksum_address = prof_line(config_setting_get_member(g, "address"));
	k->address = (uint32_t)addr;
	k->kind = (gang_checksum_kind)kind;
	if (k->address < k->end && k->address + 4U > k->start)
		return prof_err(c, c->p->line.checksum_address, "checksum", "address", GANG_EPROFILE,
				"0x%08" PRIX32 "-0x%08" PRIX32 " lies inside the range it covers (over = "
				"[0x%08" PRIX32 ", 0x%08" PRIX32 ")): the checksum cannot cover itself",
				k->address, k->address + 3U, k->start, k->end);
	k->present = true;
	return GANG_OK;
}

int prof_parse_program(const prof_ctx *c, const config_setting_t *root)
{
	const config_setting_t *g;
	int64_t t = 0;
	int rc;

	c->p->skip_if_same = true;
	if ((rc = prof_get_group(c, root, "", "program", PROF_OPTIONAL, &g)) <= 0)
		return rc;
	if ((rc = prof_check_keys(c, g, "program", prof_program_keys)) < 0 ||
	    (rc = prof_get_bool(c, g, "program", "skip_if_same", PROF_OPTIONAL, &c->p->skip_if_same)) < 0 ||
	    (rc = prof_get_int(c, g, "program", "timeout_s", PROF_OPTIONAL, 1, GANG_STEP_TIMEOUT_MAX_S, &t)) < 0)
		return rc;
	c->p->program_timeout_ms = (uint32_t)t * 1000U;
	return GANG_OK;
}
