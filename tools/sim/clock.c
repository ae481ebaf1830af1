/*
 * clock.c — virtual probe clock with host-gap accounting and optional
 * realtime pacing (issue "Time": gaps measured from the end of the previous
 * command's processing; --realtime S sleeps so wall = S x virtual).
 */
#include "clock.h"

#include <errno.h>

static int64_t clock_ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

int64_t sim_clock_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return clock_ts_ns(&ts);
}

void sim_clock_init(sim_clock *c, double realtime)
{
	c->now_ns = 0;
	c->realtime = realtime > 0 ? realtime : 0;
	c->started = false;
	clock_gettime(CLOCK_MONOTONIC, &c->mark);
	c->begin = c->mark;
	c->cmd_start_ns = 0;
}

/* Wall gap since the mark, scaled: with pacing, wall = S x virtual. */
static int64_t clock_gap_ns(const sim_clock *c, const struct timespec *now)
{
	int64_t gap = clock_ts_ns(now) - clock_ts_ns(&c->mark);

	if (gap < 0)
		gap = 0;
	if (c->realtime > 0)
		gap = (int64_t)((double)gap / c->realtime);
	return gap;
}

void sim_clock_begin(sim_clock *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (c->started)
		c->now_ns += clock_gap_ns(c, &now);
	c->started = true;
	c->begin = now;
	c->cmd_start_ns = c->now_ns;
}

void sim_clock_add(sim_clock *c, int64_t ns)
{
	if (ns > 0)
		c->now_ns += ns;
}

void sim_clock_reach(sim_clock *c, int64_t t_ns)
{
	if (t_ns > c->now_ns)
		c->now_ns = t_ns;
}

void sim_clock_end(sim_clock *c)
{
	if (c->realtime > 0) {
		int64_t want = (int64_t)((double)(c->now_ns - c->cmd_start_ns) * c->realtime);
		int64_t spent = sim_clock_wall_ns() - clock_ts_ns(&c->begin);
		int64_t left = want - spent;

		if (left > 0) {
			struct timespec ts = { left / 1000000000LL, left % 1000000000LL };

			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &c->mark);
}

void sim_clock_follow_wall(sim_clock *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (c->started)
		c->now_ns += clock_gap_ns(c, &now);
	c->started = true;
	c->mark = now;
}
