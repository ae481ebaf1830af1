/*
 * profile_plan_build.c — the attempt as a plan, built once per profile at
 * load: the built-in steps in their fixed order (connect, serial, checksum
 * when the profile has one, unprotect, program, verify, option_bytes), the
 * marker "pass" where the pass is committed and the board released, and
 * the profile's own steps placed by `after` (after an anchor and after the
 * own steps already placed behind it, in the order the profile lists
 * them). The job (sched/job.c) runs this plan and `gang check` prints it
 * (profile_plan.c), so the two cannot disagree.
 */
#include "profile/profile_internal.h"

#include <stdio.h>
#include <string.h>

/* Each kind: its name and what it needs of the target. Index = gang_step_kind. */
static const struct plan_kind {
	const char *name;
	gang_target_need need;
} plan_kinds[] = {
	[GANG_KIND_CONNECT] = { "connect", GANG_NEED_NONE },
	[GANG_KIND_SCAN] = { "scan", GANG_NEED_NONE },
	[GANG_KIND_SERIAL] = { "serial", GANG_NEED_NONE },
	[GANG_KIND_DATA] = { "data", GANG_NEED_NONE },
	[GANG_KIND_CHECKSUM] = { "checksum", GANG_NEED_NONE },
	[GANG_KIND_UNPROTECT] = { "unprotect", GANG_NEED_HALTED },
	[GANG_KIND_PROGRAM] = { "program", GANG_NEED_HALTED },
	[GANG_KIND_VERIFY] = { "verify", GANG_NEED_HALTED },
	[GANG_KIND_OPTION_BYTES] = { "option_bytes", GANG_NEED_HALTED },
	[GANG_KIND_PASS] = { "pass", GANG_NEED_NONE },
	[GANG_KIND_EXEC] = { "exec", GANG_NEED_HALTED },
	[GANG_KIND_MEMCHECK] = { "memcheck", GANG_NEED_RUNNING },
};

const char *gang_step_kind_name(gang_step_kind k)
{
	return (size_t)k < sizeof(plan_kinds) / sizeof(plan_kinds[0]) ? plan_kinds[k].name : "?";
}

/* A built-in step; only program has a deadline of its own (program.timeout_s), erase included. */
static void plan_add_builtin(gang_plan *pl, gang_step_kind k, const gang_profile *p)
{
	pl->step[pl->n++] = (gang_plan_step){ .kind = k, .name = plan_kinds[k].name, .need = plan_kinds[k].need,
					      .timeout_ms = k == GANG_KIND_PROGRAM ? p->program_timeout_ms : 0U };
}

/* Index of the step named name, or -1. */
static int plan_find(const gang_plan *pl, const char *name)
{
	for (size_t i = 0; i < pl->n; i++)
		if (strcmp(pl->step[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* "connect, serial, ..., pass, selftest": what an after may name. */
static void plan_names(char *out, size_t cap, const gang_plan *pl)
{
	out[0] = '\0';
	for (size_t i = 0; i < pl->n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? ", " : "", pl->step[i].name);
}

/* Where s goes: after its anchor and the own steps already behind it. */
static int plan_where(size_t *pos_out, const prof_ctx *c, const gang_plan *pl, const gang_profile_step *s,
		      size_t i)
{
	char prefix[32], names[GANG_DIAG_LEN / 2];
	int a = plan_find(pl, s->after);
	size_t pos;

	snprintf(prefix, sizeof(prefix), "steps[%zu]", i);
	if (plan_find(pl, s->name) >= 0)
		return prof_err(c, s->line, prefix, "name", GANG_EPROFILE, "'%s' is already a step of the attempt",
				s->name);
	if (a < 0) {
		plan_names(names, sizeof(names), pl);
		return prof_err(c, s->line, prefix, "after", GANG_EPROFILE,
				"no step '%s' before this one (expected one of: %s)", s->after, names);
	}
	for (pos = (size_t)a + 1; pos < pl->n && pl->step[pos].own; pos++)
		;
	*pos_out = pos;
	return GANG_OK;
}

/* What the step needs of the target, given which side of the pass it is on. */
static int plan_need(gang_target_need *out, const prof_ctx *c, const gang_profile_step *s, size_t i,
		     bool after_pass)
{
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "steps[%zu]", i);
	*out = s->need;
	if (after_pass && s->kind == GANG_KIND_MEMCHECK)
		return prof_err(c, s->line, prefix, "after", GANG_EPROFILE, "a memory check needs the probe; "
				"after the pass the board is released (place it before \"pass\")");
	if (after_pass && s->need != GANG_NEED_NONE && s->need != GANG_NEED_RELEASED)
		return prof_err(c, s->line, prefix, "target", GANG_EPROFILE, "'%s' is not possible after the "
				"pass: the board is released then (use \"released\" or leave target out)",
				gang_target_need_name(s->need));
	/* after the pass the board runs already; the probe stays gang's unless "released" */
	if (s->need == GANG_NEED_NONE && !after_pass)
		*out = GANG_NEED_HALTED;
	return GANG_OK;
}

static int plan_place(const prof_ctx *c, gang_plan *pl, const gang_profile_step *s, size_t i)
{
	size_t pos = 0, pass = (size_t)plan_find(pl, "pass");
	gang_plan_step st = { .kind = s->kind, .name = s->name, .timeout_ms = s->timeout_ms, .own = s };
	int rc;

	if ((rc = plan_where(&pos, c, pl, s, i)) < 0)
		return rc;
	st.after_pass = pos > pass;
	if ((rc = plan_need(&st.need, c, s, i, st.after_pass)) < 0)
		return rc;
	memmove(&pl->step[pos + 1], &pl->step[pos], (pl->n - pos) * sizeof(pl->step[0]));
	pl->step[pos] = st;
	pl->n++;
	return GANG_OK;
}

int prof_plan_build(const prof_ctx *c)
{
	gang_profile *p = c->p;
	gang_plan *pl = &p->plan;
	int rc;

	pl->n = 0;
	for (int k = GANG_KIND_CONNECT; k <= GANG_KIND_PASS; k++)
		if ((k != GANG_KIND_CHECKSUM || p->checksum.present) && (k != GANG_KIND_DATA || p->n_data) &&
		    (k != GANG_KIND_SCAN || p->scan.present))
			plan_add_builtin(pl, (gang_step_kind)k, p);
	for (size_t i = 0; i < p->n_steps; i++)
		if ((rc = plan_place(c, pl, &p->steps[i], i)) < 0)
			return rc;
	return GANG_OK;
}
