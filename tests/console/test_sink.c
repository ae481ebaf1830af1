/*
 * test_sink.c — the console sink on a pseudo-terminal: refusals (not a
 * terminal, TERM unset or unknown), keys typed on the terminal reaching
 * poll_key, the terminal modes restored by free, and concurrent emit().
 * A thread drains the pty master so curses never blocks on output.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "console/console.h"

#define KEY_WAIT_MS 3000
#define EMIT_THREADS 8
#define EMIT_PER_THREAD 400

typedef struct pty {
	int master;
	int slave;
	FILE *out, *in;
	pthread_t drain;
} pty;

static void *pty_drain(void *arg)
{
	char buf[4096];
	const pty *p = arg;

	while (read(p->master, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static void pty_open(pty *p)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 100 };

	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(p->master, 0);
	cr_assert_eq(grantpt(p->master), 0);
	cr_assert_eq(unlockpt(p->master), 0);
	p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY);
	cr_assert_geq(p->slave, 0);
	ioctl(p->slave, TIOCSWINSZ, &ws);
	p->out = fdopen(dup(p->slave), "w");
	p->in = fdopen(dup(p->slave), "r");
	cr_assert(p->out && p->in);
	pthread_create(&p->drain, NULL, pty_drain, p);
}

static void pty_type(const pty *p, const char *keys)
{
	cr_assert_eq(write(p->master, keys, strlen(keys)), (ssize_t)strlen(keys));
}

static void term_setup(void)
{
	setenv("TERM", "xterm", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
}

TestSuite(console_sink, .init = term_setup, .timeout = 20);

/* poll_key until it returns something or the wait runs out. */
static int wait_key(gang_sink *s, char *label, size_t cap)
{
	for (int i = 0; i < KEY_WAIT_MS / 10; i++) {
		int k = gang_sink_poll_key(s, label, cap);

		if (k)
			return k;
		usleep(10000);
	}
	return 0;
}

Test(console_sink, refuses_output_that_is_not_a_terminal)
{
	FILE *f = tmpfile();
	pty p;
	gang_diag d = { 0 };

	pty_open(&p);
	cr_assert_null(gang_sink_console_new(f, p.in, NULL, NULL, &d));
	cr_assert_eq(d.code, GANG_EUSAGE);
	cr_assert(strstr(d.msg, "needs a terminal for output"), "%s", d.msg);
	gang_diag_clear(&d);
	cr_assert_null(gang_sink_console_new(p.out, f, NULL, NULL, &d));
	cr_assert(strstr(d.msg, "needs a terminal for keys"), "%s", d.msg);
	fclose(f);
}

Test(console_sink, refuses_when_term_is_unset)
{
	pty p;
	gang_diag d = { 0 };

	pty_open(&p);
	unsetenv("TERM");
	cr_assert_null(gang_sink_console_new(p.out, p.in, NULL, NULL, &d));
	cr_assert_eq(d.code, GANG_EUSAGE);
	cr_assert(strstr(d.msg, "TERM is not set"), "%s", d.msg);
}

Test(console_sink, refuses_an_unknown_terminal_type_by_name)
{
	pty p;
	gang_diag d = { 0 };

	pty_open(&p);
	setenv("TERM", "no-such-terminal-9", 1);
	cr_assert_null(gang_sink_console_new(p.out, p.in, NULL, NULL, &d));
	cr_assert_eq(d.code, GANG_EUSAGE);
	cr_assert(strstr(d.msg, "\"no-such-terminal-9\" is unknown"), "%s", d.msg);
}

Test(console_sink, q_typed_on_the_terminal_comes_back_from_poll_key)
{
	pty p;
	gang_diag d = { 0 };
	gang_sink *s;
	char label[32] = "unchanged";

	pty_open(&p);
	s = gang_sink_console_new(p.out, p.in, NULL, NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(gang_sink_poll_key(s, label, sizeof(label)), 0);
	pty_type(&p, "q");
	cr_assert_eq(wait_key(s, label, sizeof(label)), 'q');
	cr_assert_eq(gang_sink_poll_key(s, label, sizeof(label)), 0, "one key, one request");
	gang_sink_free(s);
}

Test(console_sink, p_names_the_selected_slot_and_arrows_and_digits_move_it)
{
	pty p;
	gang_diag d = { 0 };
	gang_sink *s;
	char label[32];
	const char *names[] = { "s1", "s2", "s3" };

	pty_open(&p);
	s = gang_sink_console_new(p.out, p.in, NULL, NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	for (int i = 0; i < 3; i++)
		gang_sink_emit(s, &(gang_event){ .kind = GANG_EV_SLOT_UP, .slot = names[i], .probe = "P" });
	usleep(300000); /* let the UI thread take its first snapshot */
	pty_type(&p, "p");
	cr_assert_eq(wait_key(s, label, sizeof(label)), 'p');
	cr_assert_str_eq(label, "s1");
	pty_type(&p, "\x1bOB"); /* xterm cursor-down in keypad-transmit mode */
	usleep(200000);
	pty_type(&p, "p");
	cr_assert_eq(wait_key(s, label, sizeof(label)), 'p');
	cr_assert_str_eq(label, "s2");
	pty_type(&p, "3p");
	cr_assert_eq(wait_key(s, label, sizeof(label)), 'p');
	cr_assert_str_eq(label, "s3");
	gang_sink_free(s);
}

Test(console_sink, r_opens_the_summary_and_the_key_closing_it_is_swallowed)
{
	pty p;
	gang_diag d = { 0 };
	gang_sink *s;
	char label[32];

	pty_open(&p);
	s = gang_sink_console_new(p.out, p.in, NULL, NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	pty_type(&p, "r");
	usleep(200000);
	pty_type(&p, "q");
	usleep(300000);
	cr_assert_eq(gang_sink_poll_key(s, label, sizeof(label)), 0, "r and the closing q are the console's own");
	pty_type(&p, "q");
	cr_assert_eq(wait_key(s, label, sizeof(label)), 'q');
	gang_sink_free(s);
}

Test(console_sink, free_restores_the_terminal_modes)
{
	pty p;
	gang_diag d = { 0 };
	gang_sink *s;
	struct termios before, during, after;

	pty_open(&p);
	tcgetattr(p.slave, &before);
	cr_assert(before.c_lflag & ICANON);
	s = gang_sink_console_new(p.out, p.in, NULL, NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	usleep(100000);
	tcgetattr(p.slave, &during);
	cr_assert_not(during.c_lflag & ICANON, "console runs in cbreak mode");
	cr_assert_not(during.c_lflag & ECHO);
	cr_assert(during.c_lflag & ISIG, "Ctrl-C must still raise SIGINT");
	gang_sink_free(s);
	tcgetattr(p.slave, &after);
	cr_assert(after.c_lflag & ICANON);
	cr_assert(after.c_lflag & ECHO);
}

typedef struct emitter {
	gang_sink *sink;
	char label[16];
} emitter;

static void *emit_many(void *arg)
{
	const emitter *e = arg;

	for (int i = 0; i < EMIT_PER_THREAD; i++) {
		gang_event ev = { .kind = GANG_EV_PROGRESS, .ts = gang_now_unix(), .slot = e->label,
				  .step = "program", .done = (uint64_t)i, .total = EMIT_PER_THREAD };

		if (i % 100 == 0)
			ev = (gang_event){ .kind = GANG_EV_RESULT, .slot = e->label, .result = GANG_RESULT_PASS, .attempt = 1 };
		gang_sink_emit(e->sink, &ev);
	}
	return NULL;
}

Test(console_sink, concurrent_emit_from_many_slot_threads_is_safe)
{
	pty p;
	gang_diag d = { 0 };
	emitter e[EMIT_THREADS];
	pthread_t th[EMIT_THREADS];
	gang_sink *s;

	pty_open(&p);
	s = gang_sink_console_new(p.out, p.in, NULL, NULL, &d);
	cr_assert_not_null(s, "%s", d.msg);
	for (int i = 0; i < EMIT_THREADS; i++) {
		e[i].sink = s;
		snprintf(e[i].label, sizeof(e[i].label), "s%d", i);
		pthread_create(&th[i], NULL, emit_many, &e[i]);
	}
	for (int i = 0; i < EMIT_THREADS; i++)
		pthread_join(th[i], NULL);
	gang_sink_emit(s, &(gang_event){ .kind = GANG_EV_RUN_END, .ts = gang_now_unix() });
	usleep(200000);
	gang_sink_free(s);
}

static ino_t fd_inode(int fd)
{
	struct stat st;

	cr_assert_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

static void *stderr_writer(void *arg)
{
	(void)arg;
	fprintf(stderr, "a thread writes to stderr while the console is up\n");
	return NULL;
}

Test(console_sink, stderr_points_at_the_log_while_up_and_is_restored_by_free)
{
	char path[] = "/tmp/gang-sink-log-XXXXXX", buf[512] = "";
	int fd = mkstemp(path);
	FILE *log = fd >= 0 ? fdopen(fd, "a") : NULL;
	ino_t before = fd_inode(STDERR_FILENO);
	pthread_t th;
	gang_diag d = { 0 };
	gang_sink *s;
	pty p;

	cr_assert_not_null(log);
	pty_open(&p);
	s = gang_sink_console_new(p.out, p.in, log, path, &d);
	cr_assert_not_null(s, "%s", d.msg);
	cr_assert_eq(fd_inode(STDERR_FILENO), fd_inode(fileno(log)), "stderr is not the log while the console is up");
	pthread_create(&th, NULL, stderr_writer, NULL);
	pthread_join(th, NULL);
	gang_sink_free(s);
	cr_assert_eq(fd_inode(STDERR_FILENO), before, "stderr not restored");
	fclose(log);
	fd = open(path, O_RDONLY);
	cr_assert_gt(read(fd, buf, sizeof(buf) - 1), 0);
	close(fd);
	unlink(path);
	cr_assert(strstr(buf, "a thread writes to stderr while the console is up"), "log: %s", buf);
}

Test(console_sink, a_log_without_a_file_descriptor_is_refused_and_stderr_left_alone)
{
	char mem[64];
	FILE *log = fmemopen(mem, sizeof(mem), "w");
	ino_t before = fd_inode(STDERR_FILENO);
	gang_diag d = { 0 };
	pty p;

	cr_assert_not_null(log);
	pty_open(&p);
	cr_assert_null(gang_sink_console_new(p.out, p.in, log, "memory", &d));
	cr_assert_eq(d.code, GANG_EFILE);
	cr_assert(strstr(d.msg, "cannot send stderr to the log file"), "%s", d.msg);
	cr_assert_eq(fd_inode(STDERR_FILENO), before);
	fclose(log);
}
