/*
 * pgserver_hooks.h — the PostgreSQL server of a whole test binary
 * (pgserver.h, pgserver_shared): started in Criterion's runner before the
 * first test, stopped after the last (its watchdog also stops it if the
 * runner dies). Include it from exactly one file of the binary: it defines
 * the hooks.
 */
#ifndef GANG_TESTS_PGSERVER_HOOKS_H
#define GANG_TESTS_PGSERVER_HOOKS_H

#include <criterion/hooks.h>

#include "pgserver.h"

static pgserver pgserver_shared_srv;

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	pgserver_shared_start(&pgserver_shared_srv);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	pgserver_stop(&pgserver_shared_srv);
}

#endif
