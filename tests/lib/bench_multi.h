/*
 * bench_multi.h — test helper: one virtual bench with a board of every
 * part a driver test covers, written to a private directory (the bench
 * is read once per process), and the checks those tests share: bring
 * one part's board up, make images of pseudo-random bytes that are never
 * the erased value, and program an image, CRC-verify it and find it in
 * the board's own flash.bin with the bytes around it untouched.
 * Shared by tests/flash/test_bench_l4.c and test_bench_tz.c.
 */
#ifndef GANG_TESTS_BENCH_MULTI_H
#define GANG_TESTS_BENCH_MULTI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_session.h"
#include "flash/flash.h"
#include "image/image.h"

/* One probe of the bench and the part on it. */
typedef struct bench_board {
	const char *part;
	const char *probe;    /* its serial */
	const char *model;    /* "V2", "V3" */
} bench_board;

typedef struct bench_multi {
	bench_session *s;            /* the tests' session: s->t and s->sl are the board brought up */
	char dir[64];                /* private directory holding bench.cfg */
	const bench_board *boards;   /* n boards, stride bytes apart (a test's own row may hold more) */
	size_t n, stride;
} bench_multi;

/* Write the bench (one board per row), point the bench library at it, open USB (asserts). */
void bench_multi_open(bench_multi *m, bench_session *s, const bench_board *boards, size_t n, size_t stride,
		      const char *tag);
/* Close the session, delete the state and the bench directories. */
void bench_multi_close(bench_multi *m);
/* The row of part (asserts that there is one). */
const bench_board *bench_multi_board(const bench_multi *m, const char *part);
/* Close the board now up, open part's probe and attach its board (asserts). */
void bench_multi_up(bench_multi *m, const char *part);
/* The last message of the probe now open. */
const char *bench_multi_msg(const bench_multi *m);
/* The board's main flash as the bench stores it, independent of gang (*len_out bytes; caller frees). */
uint8_t *bench_multi_flash(size_t *len_out, const bench_multi *m);
/* Program img with erase mode em, CRC-verify it, and find every segment (erased bytes either side) in flash.bin. */
void bench_multi_program_check(const bench_multi *m, const gang_image *img, gang_erase_mode em);

/*
 * Bring part up, set option field name to value through the family's
 * OPTSTRT/OBL_LAUNCH (the chip resets), read it back, and check that the
 * same write again changes nothing (asserts; the field must differ first;
 * at_rdp0: the board must be at RDP 0 too).
 */
void bench_multi_ob_round_trip(bench_multi *m, const char *part, const char *name, int64_t value, bool at_rdp0);

/* len pseudo-random bytes at addr that are never 0xFF, so every unit is really programmed. */
gang_image *bench_image(uint32_t addr, size_t len, unsigned seed);
/* Patch len such bytes at addr into img. */
void bench_image_add(gang_image *img, uint32_t addr, size_t len, unsigned seed);

#endif
