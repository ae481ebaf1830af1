/*
 * bench_session.h — test helper: one virtual bench (a file under
 * tests/fixtures/benches/) with a fresh state directory, one probe opened
 * through gang's real USB/ST-Link code, and optionally a target attached.
 * Shared by the driver tests (tests/flash, tests/target).
 */
#ifndef GANG_TESTS_BENCH_SESSION_H
#define GANG_TESTS_BENCH_SESSION_H

#include "core/err.h"
#include "stlink/stlink.h"
#include "target/target.h"
#include "usb/usb.h"

typedef struct bench_session {
	char state[64];
	gang_diag d;
	gang_usb *usb;
	gang_stlink *sl;
	gang_target *t;
} bench_session;

/* Select tests/fixtures/benches/<bench>, make a state dir named after tag, open the probe (asserts). */
void bench_session_open(bench_session *s, const char *bench, const char *tag);
/* Attach s->t with mode and expected part (NULL: any); returns gang_target_attach's result. */
int bench_session_attach(bench_session *s, gang_connect_mode mode, const char *part);
/* Detach (halt), close, delete the state dir, zero s. */
void bench_session_close(bench_session *s);

#endif
