/*
 * itest.c — helpers of the integration tests and the torture driver (see
 * itest.h). gang runs as a child process exactly as on the line; the bench
 * replaces libusb through LD_PRELOAD like tools/gangsim does
 * (tools/sim/benches/README.md). Checks read the bench's board files and
 * the database directly, never through gang.
 */
#include "itest.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"

#define ITEST_ERASED 0xFFU
#define ITEST_SERIAL_LEN 4U

/*
 * The build directory is where this binary lives (build/torture) or its
 * parent (build/tests/integration), so a sanitizer build (build/tsan/...)
 * runs its own gang and bench; the root is the first parent with a Makefile.
 */
static void itest_dirs(itest_env *e)
{
	char exe[ITEST_DIR_MAX] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *dir;

	exe[n > 0 ? n : 0] = '\0';
	dir = dirname(exe);
	if (strcmp(basename(dir), "tests") == 0)
		dir = dirname(dir);
	snprintf(e->build, sizeof(e->build), "%s", dir);
	for (int up = 0; up < 4; up++) {
		char mk[ITEST_DIR_MAX + 16];

		snprintf(mk, sizeof(mk), "%s/Makefile", dir);
		if (access(mk, R_OK) == 0)
			break;
		dir = dirname(dir);
	}
	snprintf(e->root, sizeof(e->root), "%s", dir);
}

bool itest_env_init(itest_env *e)
{
	const char *tmp = getenv("TMPDIR");
	const char *gang = getenv("GANG_ITEST_GANG");

	memset(e, 0, sizeof(*e));
	itest_dirs(e);
	if (gang && *gang)
		snprintf(e->gang, sizeof(e->gang), "%s", gang);
	else
		snprintf(e->gang, sizeof(e->gang), "%s/gang", e->build);
	snprintf(e->dir, sizeof(e->dir), "%s/gang-itest-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(e->dir)) {
		fprintf(stderr, "itest: cannot create %s: %s\n", e->dir, strerror(errno));
		return false;
	}
	snprintf(e->state, sizeof(e->state), "%s/state", e->dir);
	snprintf(e->db, sizeof(e->db), "%s/gang.sqlite", e->dir);
	snprintf(e->out, sizeof(e->out), "%s/stdout", e->dir);
	snprintf(e->err, sizeof(e->err), "%s/stderr", e->dir);
	return mkdir(e->state, 0777) == 0;
}

static int itest_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	/* A test may have made a file read-only; removal needs only the directory. */
	return remove(path);
}

void itest_env_cleanup(itest_env *e)
{
	if (e->dir[0] && !getenv("GANG_ITEST_KEEP"))
		nftw(e->dir, itest_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void itest_path(char *out, size_t cap, const itest_env *e, const char *rel)
{
	if (rel[0] == '/')
		snprintf(out, cap, "%s", rel);
	else
		snprintf(out, cap, "%s/%s", e->root, rel);
}

/* argv for execvp: the wrapper if any, gang, then the caller's arguments. */
static void itest_argv(const char **av, size_t cap, const itest_env *e, const char *const *argv)
{
	size_t n = 0;

	for (size_t i = 0; e->wrap && e->wrap[i] && n + 2 < cap; i++)
		av[n++] = e->wrap[i];
	av[n++] = e->gang;
	for (size_t i = 0; argv[i] && n + 1 < cap; i++)
		av[n++] = argv[i];
	av[n] = NULL;
}

/* In the child: the bench's environment, output files, then exec gang. */
static void itest_child(const itest_env *e, const char *bench, const char *const *argv)
{
	char path[ITEST_PATH_MAX], pre[ITEST_PATH_MAX], rt[32];
	const char *av[2 * ITEST_MAX_ARGS + 2];
	int fo = open(e->out, O_WRONLY | O_CREAT | O_APPEND, 0644);
	int fe = open(e->err, O_WRONLY | O_CREAT | O_APPEND, 0644);

	/* Own process group: a timeout kills a wrapper's children too. */
	int fi = e->in[0] ? open(e->in, O_RDONLY) : STDIN_FILENO;

	if (setpgid(0, 0) != 0 || fo < 0 || fe < 0 || fi < 0 || dup2(fo, STDOUT_FILENO) < 0 ||
	    dup2(fe, STDERR_FILENO) < 0 || (fi != STDIN_FILENO && dup2(fi, STDIN_FILENO) < 0))
		_exit(126);
	itest_path(path, sizeof(path), e, bench);
	snprintf(pre, sizeof(pre), "%s/libgangsim.so", e->build);
	snprintf(rt, sizeof(rt), "%g", e->realtime);
	setenv("GANGSIM_BENCH", path, 1);
	setenv("GANGSIM_STATE", e->state, 1);
	setenv("XDG_STATE_HOME", e->state, 1);   /* a station's journal stays in the test's directory */
	setenv("GANGSIM_REALTIME", rt, 1);
	unsetenv("GANGSIM_STATS");
	unsetenv("GANGSIM_TRACE");
	setenv("LD_PRELOAD", pre, 1);
	itest_argv(av, sizeof(av) / sizeof(av[0]), e, argv);
	execvp(av[0], (char *const *)av);
	fprintf(stderr, "itest: cannot run %s: %s\n", av[0], strerror(errno));
	_exit(127);
}

pid_t itest_spawn(itest_env *e, const char *bench, const char *const *argv)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		itest_child(e, bench, argv);
	return pid;
}

static double itest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void itest_nap(void)
{
	struct timespec ts = { 0, 20 * 1000000L };

	nanosleep(&ts, NULL);
}

int itest_wait(pid_t pid, double timeout_s)
{
	double until = itest_now() + timeout_s;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0)
			return -1;
		if (itest_now() > until) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		itest_nap();
	}
}

int itest_run(itest_env *e, const char *bench, const char *const *argv, double timeout_s)
{
	pid_t pid = itest_spawn(e, bench, argv);

	return pid < 0 ? -1 : itest_wait(pid, timeout_s);
}

const itest_layout itest_demo_layout = { "profiles/firmware/demo-f103.hex", 0x0803F800U, 256U * 1024U };

int itest_run_profile(itest_env *e, const char *bench, const char *profile, const char *boards, const char *batch,
		      const char *extra, double timeout_s)
{
	char prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", boards, "--db", e->db, "--plain", "--batch", batch, extra, NULL };

	itest_path(prof, sizeof(prof), e, profile);
	return itest_run(e, bench, argv, timeout_s);
}

char *itest_slurp(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			if (len_out)
				*len_out = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

int itest_count(const char *path, const char *needle)
{
	char *text = itest_slurp(path, NULL);
	int n = 0;

	if (!text)
		return -1;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		n += strstr(line, needle) != NULL;
	free(text);
	return n;
}

bool itest_wait_for(const char *path, const char *needle, int n, double timeout_s)
{
	double until = itest_now() + timeout_s;

	while (itest_count(path, needle) < n) {
		if (itest_now() > until)
			return false;
		itest_nap();
	}
	return true;
}

bool itest_write(char *out, size_t cap, const itest_env *e, const char *name, const char *text)
{
	FILE *f;
	bool ok;

	snprintf(out, cap, "%s/%s", e->dir, name);
	if (!(f = fopen(out, "w")))
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

static sqlite3 *itest_db_open(const itest_env *e)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(e->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

int64_t itest_db_int(const itest_env *e, const char *sql)
{
	sqlite3 *db = itest_db_open(e);
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (db && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (db)
		fprintf(stderr, "itest: %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

bool itest_db_text(char *out, size_t cap, const itest_env *e, const char *sql)
{
	sqlite3 *db = itest_db_open(e);
	sqlite3_stmt *st = NULL;
	bool ok = false;
	int rc;

	out[0] = '\0';
	if (db && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		rc = sqlite3_step(st);
		ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
		if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

/* The bytes a board must hold: erased, the image, the serial over it. */
static uint8_t *itest_expected(const itest_env *e, const itest_layout *l, uint32_t value, char *why, size_t cap)
{
	char path[ITEST_PATH_MAX + ITEST_DIR_MAX];
	gang_image *img = NULL;
	gang_diag d = { 0 };
	uint8_t *want = malloc(l->flash_size);

	itest_path(path, sizeof(path), e, l->image);
	if (!want || gang_image_load(&img, path, GANG_IMAGE_AUTO, 0x08000000U, &d) < 0) {
		snprintf(why, cap, "cannot load %s: %s", path, d.msg);
		free(want);
		return NULL;
	}
	memset(want, ITEST_ERASED, l->flash_size);
	for (size_t s = 0; s < img->n_seg; s++)
		memcpy(want + (img->seg[s].addr - 0x08000000U), img->seg[s].data, img->seg[s].len);
	for (unsigned b = 0; b < ITEST_SERIAL_LEN; b++)
		want[l->serial_addr - 0x08000000U + b] = (uint8_t)(value >> (8 * b));
	gang_image_free(img);
	return want;
}

bool itest_flash_ok(const itest_env *e, const itest_layout *l, const char *uid, uint32_t value, char *why,
		    size_t cap)
{
	char path[ITEST_PATH_MAX + 40];
	size_t len = 0;
	uint8_t *want = itest_expected(e, l, value, why, cap);
	uint8_t *got;
	bool ok = false;

	snprintf(path, sizeof(path), "%s/%s/flash.bin", e->state, uid);
	got = (uint8_t *)itest_slurp(path, &len);
	if (!want || !got) {
		if (want)
			snprintf(why, cap, "board %s: cannot read %s", uid, path);
	} else if (len != l->flash_size) {
		snprintf(why, cap, "board %s: %s has %zu bytes, not %u", uid, path, len, l->flash_size);
	} else {
		size_t i = 0;

		while (i < len && got[i] == want[i])
			i++;
		ok = i == len;
		if (!ok)
			snprintf(why, cap, "board %s serial %u: flash at 0x%08zX is 0x%02X, expected 0x%02X", uid,
				 value, 0x08000000U + i, got[i], want[i]);
	}
	free(want);
	free(got);
	return ok;
}

/* Each (uid, serial) of boards whose latest attempt passed must be on the board. */
static bool itest_passes_on_disk(const itest_env *e, const itest_layout *l, char *why, size_t cap)
{
	sqlite3 *db = itest_db_open(e);
	sqlite3_stmt *st = NULL;
	bool ok = db != NULL;
	const char *sql = "SELECT a.uid, a.serial_value FROM attempts a WHERE a.result = 'pass' AND a.id = "
			  "(SELECT max(b.id) FROM attempts b WHERE b.uid = a.uid)";

	if (!ok)
		snprintf(why, cap, "cannot open %s", e->db);
	if (ok && sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, cap, "%s", sqlite3_errmsg(db));
		ok = false;
	}
	while (ok && sqlite3_step(st) == SQLITE_ROW)
		ok = itest_flash_ok(e, l, (const char *)sqlite3_column_text(st, 0),
				    (uint32_t)sqlite3_column_int64(st, 1), why, cap);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

static const struct itest_rule {
	const char *sql;    /* must give 0 */
	const char *what;
} itest_rules[] = {
	{ "SELECT count(*) FROM (SELECT 1 FROM attempts WHERE serial_value IS NOT NULL "
	  "GROUP BY serial_pool, serial_value HAVING count(DISTINCT uid) > 1)",
	  "a serial value was given to two UIDs" },
	/* a serial the engineer voided (gang serial void) is replaced on purpose */
	{ "SELECT count(*) FROM (SELECT 1 FROM attempts a WHERE serial_value IS NOT NULL AND NOT EXISTS "
	  "(SELECT 1 FROM serials s WHERE s.pool = a.serial_pool AND s.value = a.serial_value AND s.state = 'void') "
	  "GROUP BY serial_pool, uid HAVING count(DISTINCT serial_value) > 1)",
	  "a UID got two different serial values (not counting voided ones)" },
	{ "SELECT count(*) FROM (SELECT 1 FROM serials WHERE state <> 'void' GROUP BY pool, uid "
	  "HAVING count(*) > 1)", "a UID holds two live serials" },
	{ "SELECT count(*) FROM attempts WHERE finished_at IS NULL", "an attempt is still open" },
	{ "SELECT count(*) FROM serials s WHERE s.state = 'burned' AND NOT EXISTS (SELECT 1 FROM attempts a "
	  "WHERE a.uid = s.uid AND a.serial_value = s.value AND a.result = 'pass')",
	  "a burned serial has no passing attempt" },
	{ "SELECT count(*) FROM attempts a WHERE a.result = 'pass' AND a.serial_value IS NOT NULL AND "
	  "NOT EXISTS (SELECT 1 FROM serials s WHERE s.uid = a.uid AND s.value = a.serial_value AND "
	  "s.state = 'burned')", "a passing attempt's serial is not burned" },
};

bool itest_invariants(const itest_env *e, const itest_layout *l, char *why, size_t cap)
{
	char ic[256];

	if (!itest_db_text(ic, sizeof(ic), e, "PRAGMA integrity_check") || strcmp(ic, "ok") != 0) {
		snprintf(why, cap, "integrity_check: %s", ic[0] ? ic : "cannot run");
		return false;
	}
	for (size_t i = 0; i < sizeof(itest_rules) / sizeof(itest_rules[0]); i++) {
		int64_t n = itest_db_int(e, itest_rules[i].sql);

		if (n != 0) {
			snprintf(why, cap, "%s (%lld rows)", itest_rules[i].what, (long long)n);
			return false;
		}
	}
	return itest_passes_on_disk(e, l, why, cap);
}

bool itest_aborted_redone(const itest_env *e, char *why, size_t cap)
{
	const char *sql = "SELECT count(*) FROM attempts a WHERE a.result = 'aborted' AND a.serial_value IS NOT NULL "
			  "AND NOT EXISTS (SELECT 1 FROM attempts b WHERE b.uid = a.uid AND b.id > a.id AND "
			  "b.result = 'pass' AND b.serial_value = a.serial_value)";
	int64_t n = itest_db_int(e, sql);

	if (n != 0)
		snprintf(why, cap, "%lld interrupted board(s) not programmed again with their serial", (long long)n);
	return n == 0;
}

int itest_kill_cycle(itest_env *e, const char *bench, const char *const *argv, double kill_after_s,
		     double timeout_s)
{
	pid_t pid = itest_spawn(e, bench, argv);
	struct timespec ts = { (time_t)kill_after_s, (long)((kill_after_s - (double)(time_t)kill_after_s) * 1e9) };
	int rc;

	if (pid < 0)
		return -1;
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	rc = itest_wait(pid, 10);
	if (rc < 0)
		return -1;
	return itest_run(e, bench, argv, timeout_s);
}

/* ---- a strict JSON reader (RFC 8259), enough to check gang's JSON Lines ---- */

typedef struct itest_json {
	const char *p;
	const char *key;   /* top-level member wanted */
	char *out;         /* its value: string unescaped-lite, others raw */
	size_t cap;
	bool found;
} itest_json;

static bool itest_json_value(itest_json *j, int depth, bool want);

static void itest_json_ws(itest_json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

/* A string; copied to out (escapes kept as written) when copy. */
static bool itest_json_string(itest_json *j, char *copy, size_t cap)
{
	size_t n = 0;

	if (*j->p++ != '"')
		return false;
	for (; *j->p != '"'; j->p++) {
		if ((unsigned char)*j->p < 0x20)
			return false;
		if (*j->p == '\\') {
			const char *esc = strchr("\"\\/bfnrtu", j->p[1]);

			if (!j->p[1] || !esc)
				return false;
			if (j->p[1] == 'u') {
				for (int k = 2; k < 6; k++)
					if (!j->p[k] || !strchr("0123456789abcdefABCDEF", j->p[k]))
						return false;
			}
			if (copy && n + 1 < cap)
				copy[n++] = *j->p;
			j->p++;
		}
		if (copy && n + 1 < cap)
			copy[n++] = *j->p;
	}
	j->p++;
	if (copy)
		copy[n] = '\0';
	return true;
}

static bool itest_json_number(itest_json *j)
{
	const char *s = j->p;

	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return false;
	if (*j->p == '.' && (j->p[1] < '0' || j->p[1] > '9'))
		return false;
	if (*j->p == '.')
		for (j->p++; *j->p >= '0' && *j->p <= '9'; j->p++)
			;
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (*j->p < '0' || *j->p > '9')
			return false;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static bool itest_json_members(itest_json *j, int depth, bool object)
{
	char key[64];

	j->p++;
	itest_json_ws(j);
	if (*j->p == (object ? '}' : ']'))
		return j->p++, true;
	for (;;) {
		bool want = false;

		itest_json_ws(j);
		if (object) {
			if (*j->p != '"' || !itest_json_string(j, key, sizeof(key)))
				return false;
			want = depth == 0 && j->key && strcmp(key, j->key) == 0;
			itest_json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!itest_json_value(j, depth + 1, want))
			return false;
		itest_json_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		return *j->p++ == (object ? '}' : ']');
	}
}

static bool itest_json_value(itest_json *j, int depth, bool want)
{
	const char *s;
	bool ok;

	itest_json_ws(j);
	s = j->p;
	if (depth > 32)
		return false;
	if (*j->p == '{' || *j->p == '[')
		ok = itest_json_members(j, depth, *j->p == '{');
	else if (*j->p == '"')
		ok = itest_json_string(j, want ? j->out : NULL, j->cap);
	else if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "null", 4) == 0)
		ok = (j->p += 4, true);
	else if (strncmp(j->p, "false", 5) == 0)
		ok = (j->p += 5, true);
	else
		ok = itest_json_number(j);
	if (ok && want && *s != '"')
		snprintf(j->out, j->cap, "%.*s", (int)(j->p - s), s);
	j->found |= ok && want;
	return ok;
}

bool itest_json_object(const char *line, const char *key, char *out, size_t cap)
{
	itest_json j = { .p = line, .key = key, .out = out, .cap = cap };

	if (out && cap)
		out[0] = '\0';
	itest_json_ws(&j);
	if (*j.p != '{' || !itest_json_value(&j, 0, false))
		return false;
	itest_json_ws(&j);
	return *j.p == '\0' && (!key || j.found);
}
