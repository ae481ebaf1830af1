/* bench_session.c — see bench_session.h. */
#include "bench_session.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_SESSION_DIR "tests/fixtures/benches/"

static int bench_session_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void bench_session_open(bench_session *s, const char *bench, const char *tag)
{
	char path[256];

	snprintf(path, sizeof(path), BENCH_SESSION_DIR "%s", bench);
	cr_assert_eq(access(path, R_OK), 0, "bench file %s missing", path);
	setenv("GANGSIM_BENCH", path, 1);
	snprintf(s->state, sizeof(s->state), "/tmp/gang-%s-XXXXXX", tag);
	cr_assert_not_null(mkdtemp(s->state));
	setenv("GANGSIM_STATE", s->state, 1);
	cr_assert_eq(gang_usb_new(&s->usb, &s->d), GANG_OK, "%s", s->d.msg);
	cr_assert_eq(gang_stlink_open(&s->sl, s->usb, NULL, &s->d), GANG_OK, "%s", s->d.msg);
}

int bench_session_attach(bench_session *s, gang_connect_mode mode, const char *part)
{
	gang_connect_opts o = { mode, 0, part };

	return gang_target_attach(&s->t, s->sl, &o);
}

void bench_session_close(bench_session *s)
{
	gang_target_detach(s->t, GANG_DETACH_HALT);
	gang_stlink_close(s->sl);
	gang_usb_free(s->usb);
	if (s->state[0])
		nftw(s->state, bench_session_rm, 8, FTW_DEPTH | FTW_PHYS);
	memset(s, 0, sizeof(*s));
}
