/*
 * clock.h — the virtual clock of one simulated probe (nanoseconds since the
 * probe's first command). Commands add their modelled cost; the wall time
 * the host spends between commands is added too (divided by the realtime
 * scale when pacing), so sleeps and host CPU count like on a real bench
 * while the simulator's own processing time does not. With a realtime
 * scale S > 0 the clock paces wall time to S x virtual time.
 *
 * Owned by the probe that contains it (callers hold the probe's mutex).
 */
#ifndef GANGSIM_CLOCK_H
#define GANGSIM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef struct sim_clock {
	int64_t now_ns;          /* virtual time */
	double realtime;         /* 0: no pacing; S: wall = S x virtual */
	bool started;            /* first command seen */
	struct timespec mark;    /* wall time at the end of the last command */
	struct timespec begin;   /* wall time at the start of the current command */
	int64_t cmd_start_ns;    /* virtual time at the start of the current command */
} sim_clock;

/* Wall monotonic time in nanoseconds. */
int64_t sim_clock_wall_ns(void);

void sim_clock_init(sim_clock *c, double realtime);
/* Start of a command: add the host's wall gap since the last command. */
void sim_clock_begin(sim_clock *c);
/* Add modelled cost. */
void sim_clock_add(sim_clock *c, int64_t ns);
/* Move forward to t (no-op when already later). */
void sim_clock_reach(sim_clock *c, int64_t t_ns);
/* End of a command: pace (sleep) when realtime > 0, then mark the wall time. */
void sim_clock_end(sim_clock *c);
/* While no command runs (e.g. unplugged): follow the wall time since the mark. */
void sim_clock_follow_wall(sim_clock *c);

#endif
