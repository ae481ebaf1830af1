/*
 * bench-util.c — small deterministic helpers for the benchmark scripts
 * (tools/bench/flash-speed, tools/bench/scaling):
 *
 *   bench-util image SIZE SEED OUT      write SIZE random bytes (xorshift64*,
 *                                       seeded) to OUT: the same SEED gives
 *                                       the same image on every machine
 *   bench-util units FILE UNIT           print how many UNIT-byte program
 *                                       units of FILE are not all 0xFF (what
 *                                       a loader must program: 2 on F0/F1/F3,
 *                                       4 on F2/F4/F7, half pages of 64/128
 *                                       on L0/L1; up to 256)
 *   bench-util floor FILE [T_PROG_US] [ERASE_MS] [PAGES]
 *                                       print "HALFWORDS FLOOR_S": the chip's
 *                                       lower bound for programming FILE —
 *                                       ERASE_MS x PAGES (default one mass
 *                                       erase of 30 ms) + every half-word
 *                                       that is not 0xFFFF x T_PROG_US
 *                                       (default 52.5 us)
 *
 * The figures are those of docs/benchmarks.md (F1 FPEC: half-word
 * programming 52.5 us typical, page/mass erase 20-40 ms, DS5792).
 * An erased half-word reads 0xFFFF and needs no programming, which is why
 * the floor counts only the others.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BU_T_PROG_US 52.5      /* DS5792 typical half-word programming time */
#define BU_ERASE_MS 30.0       /* the bench's page/mass erase time (t_mass_erase_ms) */
#define BU_SIZE_MAX (16UL << 20)

static int bu_usage(void)
{
	fprintf(stderr, "usage: bench-util image SIZE SEED OUT\n"
			"       bench-util units FILE UNIT\n"
			"       bench-util floor FILE [T_PROG_US] [ERASE_MS] [PAGES]\n");
	return 2;
}

/* Parse a non-negative number or say which argument is wrong. */
static int bu_number(double *out, const char *what, const char *s)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || *out < 0) {
		fprintf(stderr, "bench-util: %s '%s' is not a number >= 0\n", what, s);
		return -1;
	}
	return 0;
}

/* xorshift64*: tiny, well distributed, and identical everywhere. */
static uint64_t bu_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int bu_image(const char *size_s, const char *seed_s, const char *path)
{
	double size, seed;
	uint64_t st, r = 0;
	FILE *f;
	int rc = 1;

	if (bu_number(&size, "SIZE", size_s) < 0 || bu_number(&seed, "SEED", seed_s) < 0)
		return 2;
	if (size < 1 || size > (double)BU_SIZE_MAX) {
		fprintf(stderr, "bench-util: SIZE %s is out of range 1..%lu\n", size_s, BU_SIZE_MAX);
		return 2;
	}
	if (!(f = fopen(path, "wb"))) {
		fprintf(stderr, "bench-util: %s: %s\n", path, strerror(errno));
		return 1;
	}
	st = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1U;   /* never zero */
	for (size_t i = 0; i < (size_t)size; i++) {
		if (i % 8U == 0)
			r = bu_next(&st);
		if (fputc((int)(r >> (8U * (i % 8U)) & 0xFFU), f) == EOF)
			goto out;
	}
	rc = 0;
out:
	if (fclose(f) != 0 || rc) {
		fprintf(stderr, "bench-util: %s: write failed: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* Count the half-words of FILE that are not 0xFFFF (an odd tail byte counts as one). */
static int bu_count(unsigned long *hw, const char *path)
{
	FILE *f = fopen(path, "rb");
	int lo, hi;

	*hw = 0;
	if (!f) {
		fprintf(stderr, "bench-util: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((lo = fgetc(f)) != EOF) {
		hi = fgetc(f);
		if (lo != 0xFF || (hi != EOF && hi != 0xFF))
			(*hw)++;
		if (hi == EOF)
			break;
	}
	fclose(f);
	return 0;
}

static int bu_floor(int argc, char **argv)
{
	double t_prog = BU_T_PROG_US, erase = BU_ERASE_MS, pages = 1;
	unsigned long hw;

	if ((argc > 3 && bu_number(&t_prog, "T_PROG_US", argv[3]) < 0) ||
	    (argc > 4 && bu_number(&erase, "ERASE_MS", argv[4]) < 0) ||
	    (argc > 5 && bu_number(&pages, "PAGES", argv[5]) < 0))
		return 2;
	if (bu_count(&hw, argv[2]) < 0)
		return 1;
	printf("%lu %.6f\n", hw, erase * pages / 1e3 + (double)hw * t_prog / 1e6);
	return 0;
}

static int bu_units(const char *path, const char *unit_s)
{
	double unit;
	unsigned long n = 0;
	unsigned k = 0;
	bool erased = true;
	FILE *f;
	int c;

	if (bu_number(&unit, "UNIT", unit_s) < 0 || unit < 1 || unit > 256)   /* 256: a fast-programming row */
		return 2;
	if (!(f = fopen(path, "rb"))) {
		fprintf(stderr, "bench-util: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((c = fgetc(f)) != EOF) {
		erased &= c == 0xFF;
		if (++k == (unsigned)unit) {
			n += !erased;
			k = 0;
			erased = true;
		}
	}
	n += k && !erased;
	fclose(f);
	printf("%lu\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "units") == 0)
		return bu_units(argv[2], argv[3]);
	if (argc == 5 && strcmp(argv[1], "image") == 0)
		return bu_image(argv[2], argv[3], argv[4]);
	if (argc >= 3 && argc <= 6 && strcmp(argv[1], "floor") == 0)
		return bu_floor(argc, argv);
	return bu_usage();
}
