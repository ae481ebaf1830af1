/*
 * ctl.c — the bench's control channel (ctl.h): fixture names, the checks
 * a person at a real fixture makes (a board already in, nothing left in
 * the tray), the locked rewrite of the fixture file, and the status list.
 * A board inserted by hand is the next one of the probe's tray, so it has
 * its own UID and its own flash in the state directory, as a new board
 * from the supply would.
 */
#include "ctl.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fixture.h"

#define CTL_BENCH_RECORD "bench.path"
#define CTL_MAX_WORDS    3

static const char *const ctl_op_names[] = { "status", "insert", "remove", "swap" };

__attribute__((format(printf, 3, 4)))
static int ctl_say(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return SIM_CTL_REFUSED;
}

/* "board 2/8 (UID 0123...)" for tray position idx. */
static void ctl_board_desc(char *out, size_t outlen, const sim_bench_probe *c, size_t idx)
{
	char uid[25];

	if (idx >= c->n_boards) {
		snprintf(out, outlen, "no board");
		return;
	}
	for (unsigned i = 0; i < 12; i++)
		snprintf(uid + 2 * i, 3, "%02X", c->boards[idx].cfg.uid[i]);
	snprintf(out, outlen, "board %zu/%zu (UID %s)", idx + 1, c->n_boards, uid);
}

static size_t ctl_boards_left(const sim_fixture *f, const sim_bench_probe *c)
{
	size_t n = 0;

	for (size_t i = sim_fixture_next_board(f, c); i < c->n_boards; i++)
		n += !c->boards[i].absent;
	return n;
}

static bool ctl_is_fixture_number(const char *name, size_t *n_out)
{
	char *end;
	unsigned long n;

	if ((name[0] != 'S' && name[0] != 's') || name[1] < '1' || name[1] > '9')
		return false;
	errno = 0;
	n = strtoul(name + 1, &end, 10);
	if (errno || *end)
		return false;
	*n_out = n;
	return true;
}

int sim_ctl_find(size_t *out, const sim_bench *b, const char *name, char *err, size_t errlen)
{
	size_t n, serial_hits = 0;

	if (ctl_is_fixture_number(name, &n) && n <= b->n_probes) {
		*out = n - 1;
		return 0;
	}
	for (size_t i = 0; i < b->n_probes; i++)
		if (strcasecmp(b->probes[i].serial, name) == 0 && serial_hits++ == 0)
			*out = i;
	if (serial_hits == 1)
		return 0;
	if (serial_hits > 1) {
		snprintf(err, errlen, "serial %s is shared by %zu clone probes: name the fixture as S<n> "
			 "or %s-2, %s-3..", name, serial_hits, name, name);
		return -1;
	}
	for (size_t i = 0; i < b->n_probes; i++)
		if (strcasecmp(b->probes[i].key, name) == 0) {
			*out = i;
			return 0;
		}
	snprintf(err, errlen, "no fixture '%s' on bench %s: name it S1..S%zu or by its probe's serial",
		 name, b->path, b->n_probes);
	return -1;
}

/* Check op against the fixture as it is and change f; a refusal leaves f as it was. */
static int ctl_decide(char *msg, size_t msglen, sim_fixture *f, const sim_bench_probe *c,
		      size_t i, sim_ctl_op op)
{
	const char *name = ctl_op_names[op];
	bool has = sim_fixture_has_board(f, c);
	size_t next = sim_fixture_next_board(f, c);
	char cur[64], nb[64];

	ctl_board_desc(cur, sizeof(cur), c, f->idx);
	ctl_board_desc(nb, sizeof(nb), c, next);
	if (op == SIM_CTL_INSERT && has)
		return ctl_say(msg, msglen, "S%zu: cannot insert: %s is in the fixture (remove it first, or swap)",
			       i + 1, cur);
	if (op != SIM_CTL_INSERT && !has)
		return ctl_say(msg, msglen, "S%zu: cannot %s: the fixture is empty", i + 1, name);
	if (op != SIM_CTL_REMOVE && next >= c->n_boards)
		return ctl_say(msg, msglen, "S%zu: cannot %s: no board left in the tray (all %zu used)",
			       i + 1, name, c->n_boards);
	f->pending = false;   /* the person at the bench overrides a swap the operator had due */
	if (op == SIM_CTL_REMOVE) {
		f->pulled = true;
		snprintf(msg, msglen, "S%zu: %s removed; the fixture is empty", i + 1, cur);
		return SIM_CTL_OK;
	}
	if (op == SIM_CTL_INSERT)
		snprintf(msg, msglen, "S%zu: %s inserted", i + 1, nb);
	else
		snprintf(msg, msglen, "S%zu: %s swapped for %s", i + 1, cur, nb);
	f->idx = next;
	f->pulled = false;
	return SIM_CTL_OK;
}

int sim_ctl_apply(char *msg, size_t msglen, const sim_bench *b, const char *state_dir, size_t i,
		  sim_ctl_op op)
{
	const sim_bench_probe *c = &b->probes[i];
	char path[4200];
	sim_fixture f;
	int fd, rc;

	sim_fixture_path(path, sizeof(path), state_dir, c);
	fd = sim_fixture_lock(path);
	if (fd < 0) {
		snprintf(msg, msglen, "S%zu: cannot lock %s.lock: %s", i + 1, path, strerror(errno));
		return SIM_CTL_USAGE;
	}
	sim_fixture_read(&f, path);
	rc = ctl_decide(msg, msglen, &f, c, i, op);
	if (rc == SIM_CTL_OK) {
		f.seq++;
		if (sim_fixture_write(path, &f) != 0) {
			snprintf(msg, msglen, "S%zu: cannot write %s: %s", i + 1, path, strerror(errno));
			rc = SIM_CTL_USAGE;
		}
	}
	sim_fixture_unlock(fd);
	return rc;
}

static void ctl_status_line(FILE *out, const sim_bench *b, const char *state_dir, size_t i)
{
	const sim_bench_probe *c = &b->probes[i];
	char path[4200], desc[64];
	sim_fixture f;

	sim_fixture_path(path, sizeof(path), state_dir, c);
	sim_fixture_read(&f, path);
	fprintf(out, "S%zu %s %-4s ", i + 1, c->key, sim_model_name(c->model));
	if (sim_fixture_has_board(&f, c)) {
		ctl_board_desc(desc, sizeof(desc), c, f.idx);
		fprintf(out, "%s%s\n", desc, f.pending ? ", released: the operator swaps it" : "");
		return;
	}
	fprintf(out, "empty, %zu board%s left in the tray\n", ctl_boards_left(&f, c),
		ctl_boards_left(&f, c) == 1 ? "" : "s");
}

void sim_ctl_status(FILE *out, const sim_bench *b, const char *state_dir, size_t only)
{
	for (size_t i = 0; i < b->n_probes; i++)
		if (only >= b->n_probes || only == i)
			ctl_status_line(out, b, state_dir, i);
}

static int ctl_op(sim_ctl_op *out, const char *word)
{
	for (size_t k = 0; k < sizeof(ctl_op_names) / sizeof(ctl_op_names[0]); k++)
		if (strcmp(word, ctl_op_names[k]) == 0) {
			*out = (sim_ctl_op)k;
			return 0;
		}
	return -1;
}

int sim_ctl_main(const sim_bench *b, const char *state_dir, int argc, char *const argv[],
		 FILE *out, FILE *errf)
{
	char msg[512];
	sim_ctl_op op;
	size_t i;
	int rc;

	if (argc == 1 && strcmp(argv[0], "status") == 0) {
		sim_ctl_status(out, b, state_dir, SIZE_MAX);
		return SIM_CTL_OK;
	}
	if (argc != 2) {
		fprintf(errf, "gangsim ctl: expected 'status' or 'FIXTURE insert|remove|swap|status'\n");
		return SIM_CTL_USAGE;
	}
	if (ctl_op(&op, argv[1]) < 0) {
		fprintf(errf, "gangsim ctl: unknown command '%s' (insert, remove, swap or status)\n", argv[1]);
		return SIM_CTL_USAGE;
	}
	if (sim_ctl_find(&i, b, argv[0], msg, sizeof(msg)) < 0) {
		fprintf(errf, "gangsim ctl: %s\n", msg);
		return SIM_CTL_USAGE;
	}
	if (op == SIM_CTL_STATUS) {
		sim_ctl_status(out, b, state_dir, i);
		return SIM_CTL_OK;
	}
	rc = sim_ctl_apply(msg, sizeof(msg), b, state_dir, i, op);
	fprintf(rc == SIM_CTL_OK ? out : errf, "%s%s\n", rc == SIM_CTL_OK ? "" : "gangsim ctl: ", msg);
	return rc;
}

void sim_ctl_record_bench(const char *state_dir, const char *bench_path)
{
	char abs[PATH_MAX], path[4200], tmp[4300];
	FILE *f;

	if (!realpath(bench_path, abs))
		return;
	snprintf(path, sizeof(path), "%s/%s", state_dir, CTL_BENCH_RECORD);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%s\n", abs);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		unlink(tmp);
}

/* The bench a process last ran with this state directory; -1 with a sentence in err. */
static int ctl_recorded_bench(char *out, size_t outlen, const char *state_dir, char *err, size_t errlen)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", state_dir, CTL_BENCH_RECORD);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s holds no bench yet (no process has loaded one with this "
			 "state directory): give --bench FILE", state_dir);
		return -1;
	}
	if (!fgets(out, (int)outlen, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int ctl_words(char *argv[CTL_MAX_WORDS], char *buf)
{
	char *save = NULL;
	int n = 0;

	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == CTL_MAX_WORDS)
			return CTL_MAX_WORDS + 1;
		argv[n++] = w;
	}
	return n;
}

int sim_ctl_env_main(void)
{
	const char *state = getenv("GANGSIM_STATE"), *bench = getenv("GANGSIM_BENCH");
	char words[512], recorded[PATH_MAX], err[1024];
	char *argv[CTL_MAX_WORDS];
	sim_bench *b = NULL;
	int argc, rc = SIM_CTL_USAGE;

	snprintf(words, sizeof(words), "%s", getenv("GANGSIM_CTL") ? getenv("GANGSIM_CTL") : "");
	argc = ctl_words(argv, words);
	err[0] = '\0';
	if (!state || !*state) {
		snprintf(err, sizeof(err), "the state directory of the running bench is needed (--state DIR)");
		goto out;
	}
	if (access(state, F_OK) != 0) {
		snprintf(err, sizeof(err), "state directory %s: %s", state, strerror(errno));
		goto out;
	}
	if ((!bench || !*bench) && ctl_recorded_bench(recorded, sizeof(recorded), state, err, sizeof(err)) < 0)
		goto out;
	if (sim_bench_load(&b, bench && *bench ? bench : recorded, err, sizeof(err)) < 0)
		goto out;
	rc = sim_ctl_main(b, state, argc > CTL_MAX_WORDS ? CTL_MAX_WORDS : argc, argv, stdout, stderr);
	err[0] = '\0';
out:
	if (err[0])
		fprintf(stderr, "gangsim ctl: %s\n", err);
	sim_bench_free(b);
	return rc;
}
