/*
 * fixture.h — what sits in a probe's fixture, shared through the state
 * directory by every process that has the bench loaded and by
 * `tools/gangsim ctl`: the file DIR/tray-<key> holds one line
 * "<tray index> <swap pending> <pulled> <sequence>".
 *
 * Every writer (the virtual operator in a process, a ctl command) holds an
 * exclusive flock on DIR/tray-<key>.lock while it reads, decides and writes,
 * and writes a temporary file renamed into place, so a reader never sees a
 * half-written line and no change is lost. The sequence number grows with
 * each write: a process compares it with the last one it saw to notice a
 * change made elsewhere (a board inserted by hand while gang runs).
 */
#ifndef GANGSIM_FIXTURE_H
#define GANGSIM_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "bench.h"

typedef struct sim_fixture {
	size_t idx;              /* tray position of the fixture's board; >= n_boards: tray used up */
	bool pending;            /* the host released the board; the operator swaps it when due */
	bool pulled;             /* the board at idx was removed by hand: the fixture is empty */
	unsigned long seq;       /* 0: never written */
} sim_fixture;

/* DIR/tray-<key> of a probe. */
void sim_fixture_path(char *out, size_t outlen, const char *state_dir, const sim_bench_probe *cfg);

/* Exclusive lock for a read-modify-write of path; returns an fd for unlock, or -1. */
int sim_fixture_lock(const char *path);
void sim_fixture_unlock(int fd);

/* Read path; a missing file is the initial state (first board, seq 0). */
void sim_fixture_read(sim_fixture *out, const char *path);
/* Write f (seq as given) atomically; -1 with errno on failure. */
int sim_fixture_write(const char *path, const sim_fixture *f);

/* Whether path changed since *seen (inode, size, mtime); updates *seen. Cheap: one stat. */
bool sim_fixture_changed(struct stat *seen, const char *path);

/* Whether the fixture holds a board (not pulled, tray not used up, entry not absent). */
bool sim_fixture_has_board(const sim_fixture *f, const sim_bench_probe *cfg);
/* Tray position of the next board the operator can insert; >= n_boards: none left. */
size_t sim_fixture_next_board(const sim_fixture *f, const sim_bench_probe *cfg);

#endif
