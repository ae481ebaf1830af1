/*
 * console_driver.c — the tmux tests' driver, built into the console test
 * binary (the Makefile compiles every .c file of tests/console into one program).
 * When GANG_CONSOLE_DRIVER names an output file, this constructor takes the
 * process over before Criterion's main: it opens the console sink on the
 * terminal it was started on (a tmux pane), feeds a scripted run from one
 * thread per slot, writes every key poll_key() returns to the file ("q",
 * "p LABEL") plus "ready" once the script is done, and after 'q' frees the
 * sink and prints "console closed" so a test can see the terminal restored.
 * GANG_CONSOLE_DRIVER_EXTRA=N adds N idle slots (scrolling tests).
 * GANG_CONSOLE_DRIVER_LOG=FILE hands the console FILE as the engineer log;
 * the slot whose probe goes then writes a line to stderr from its thread,
 * as the engineer log or libusb would, which must land in FILE.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/console.h"

#define DRIVER_SLOTS 5
#define DRIVER_STEP_US 20000
#define DRIVER_POLL_US 20000
#define DRIVER_POLLS_MAX 3000      /* 60 s, then give up on the test */
#define DRIVER_LINGER_S 30         /* keep the pane alive for the capture */
#define DRIVER_STDERR_LINE "warn  [D DEADBEEF] probe lost: LIBUSB_ERROR_NO_DEVICE (driver)"

typedef struct driver_slot {
	gang_sink *sink;
	const char *label, *probe, *uid, *serial;
	int script;
} driver_slot;

enum { DRIVER_PASS, DRIVER_RECOVERED, DRIVER_VERIFY_FAIL, DRIVER_GONE, DRIVER_BUSY };

static void driver_emit(const driver_slot *s, gang_event ev)
{
	ev.ts = ev.ts != 0.0 ? ev.ts : gang_now_unix();
	ev.slot = s->label;
	ev.probe = s->probe;
	if (ev.kind >= GANG_EV_BOARD && ev.kind <= GANG_EV_RESULT)
		ev.uid = s->uid;
	gang_sink_emit(s->sink, &ev);
	usleep(DRIVER_STEP_US);
}

static void driver_program(const driver_slot *s, bool finish, int attempt)
{
	driver_emit(s, (gang_event){ .kind = GANG_EV_BOARD, .attempt = attempt, .ts = gang_now_unix() - 7.5 });
	driver_emit(s, (gang_event){ .kind = GANG_EV_STEP, .step = "erase", .serial = s->serial });
	driver_emit(s, (gang_event){ .kind = GANG_EV_STEP, .step = "program", .serial = s->serial });
	driver_emit(s, (gang_event){ .kind = GANG_EV_PROGRESS, .step = "program", .done = 32768, .total = 65536,
				     .rate_kib_s = 41.5 });
	if (finish)
		driver_emit(s, (gang_event){ .kind = GANG_EV_PROGRESS, .step = "program", .done = 65536,
					     .total = 65536, .rate_kib_s = 44.0 });
}

static void *driver_slot_main(void *arg)
{
	const driver_slot *s = arg;
	const char *swd = "SWD disabled by firmware \xe2\x80\x94 recovered under reset";

	driver_emit(s, (gang_event){ .kind = GANG_EV_SLOT_UP });
	driver_emit(s, (gang_event){ .kind = GANG_EV_WAITING });
	switch (s->script) {
	case DRIVER_PASS:
		driver_program(s, true, 1);
		driver_emit(s, (gang_event){ .kind = GANG_EV_RESULT, .result = GANG_RESULT_PASS, .attempt = 1,
					     .serial = s->serial, .elapsed_s = 8.4 });
		driver_emit(s, (gang_event){ .kind = GANG_EV_REMOVED });
		driver_emit(s, (gang_event){ .kind = GANG_EV_WAITING });
		break;
	case DRIVER_RECOVERED:
		driver_emit(s, (gang_event){ .kind = GANG_EV_NOTE, .message = swd });
		driver_program(s, true, 1);
		driver_emit(s, (gang_event){ .kind = GANG_EV_RESULT, .result = GANG_RESULT_PASS, .attempt = 1,
					     .serial = s->serial, .message = swd, .elapsed_s = 9.1 });
		break;
	case DRIVER_VERIFY_FAIL:
		driver_program(s, true, 1);
		driver_emit(s, (gang_event){ .kind = GANG_EV_RESULT, .result = GANG_RESULT_FAIL, .attempt = 1,
					     .error_class = "verify", .elapsed_s = 6.0,
					     .message = "verify failed at 0x08012344 \xe2\x80\x94 set board aside" });
		break;
	case DRIVER_GONE:
		driver_emit(s, (gang_event){ .kind = GANG_EV_SLOT_DOWN,
					     .message = "probe unplugged \xe2\x80\x94 plug it back in" });
		if (getenv("GANG_CONSOLE_DRIVER_LOG"))
			fprintf(stderr, "%s\n", DRIVER_STDERR_LINE);
		break;
	default:
		/* the second attempt at this board: the first failed and is retried */
		driver_emit(s, (gang_event){ .kind = GANG_EV_BOARD, .attempt = 1 });
		driver_emit(s, (gang_event){ .kind = GANG_EV_RESULT, .result = GANG_RESULT_FAIL, .attempt = 1, .retry = true,
					     .error_class = "target", .message = "no answer on SWD" });
		driver_program(s, false, 2);
		driver_emit(s, (gang_event){ .kind = GANG_EV_NOTE, .message = swd });
		break;
	}
	return NULL;
}

static const driver_slot driver_script[DRIVER_SLOTS] = {
	{ NULL, "A", "0671FF485049", "066DFF383358411143123456", "001234", DRIVER_PASS },
	{ NULL, "B", "0669FF5051", "066DFF3833584111431234AB", "001235", DRIVER_RECOVERED },
	{ NULL, "C", "303030303030", "066DFF38335841114312CAFE", "001236", DRIVER_VERIFY_FAIL },
	{ NULL, "D", "DEADBEEF0001", "", "", DRIVER_GONE },
	{ NULL, "E", "0672FF48504E", "066DFF3833584111BEEF0042", "001237", DRIVER_BUSY },
};

static void driver_feed(gang_sink *sink, long extra)
{
	driver_slot slots[DRIVER_SLOTS];
	pthread_t th[DRIVER_SLOTS];
	char label[24];

	gang_sink_emit(sink, &(gang_event){ .kind = GANG_EV_RUN_START, .ts = gang_now_unix() - 600.0,
					    .profile = "f103-demo", .batch = "B-0042" });
	for (int i = 0; i < DRIVER_SLOTS; i++) {
		slots[i] = driver_script[i];
		slots[i].sink = sink;
		pthread_create(&th[i], NULL, driver_slot_main, &slots[i]);
	}
	for (int i = 0; i < DRIVER_SLOTS; i++)
		pthread_join(th[i], NULL);
	for (long i = 0; i < extra; i++) {
		snprintf(label, sizeof(label), "X%02ld", i + 1);
		gang_sink_emit(sink, &(gang_event){ .kind = GANG_EV_SLOT_UP, .ts = gang_now_unix(), .slot = label,
						    .probe = "0000CAFE" });
	}
}

/* Record what poll_key returns until 'q' (or the time limit). */
static void driver_keys(gang_sink *sink, FILE *out)
{
	char label[32];

	for (int i = 0; i < DRIVER_POLLS_MAX; i++) {
		int key = gang_sink_poll_key(sink, label, sizeof(label));

		if (key == 'p')
			fprintf(out, "p %s\n", label);
		else if (key)
			fprintf(out, "%c\n", key);
		fflush(out);
		if (key == 'q')
			return;
		usleep(DRIVER_POLL_US);
	}
}

static int driver_run(const char *path)
{
	const char *extra = getenv("GANG_CONSOLE_DRIVER_EXTRA");
	const char *log_path = getenv("GANG_CONSOLE_DRIVER_LOG");
	FILE *out = fopen(path, "w");
	FILE *log = log_path && *log_path ? fopen(log_path, "a") : NULL;
	gang_diag d = { 0 };
	gang_sink *sink;

	if (!out)
		return 2;
	sink = gang_sink_console_new(stdout, stdin, log, log ? log_path : NULL, &d);
	if (!sink) {
		fprintf(out, "error %s\n", d.msg);
		fclose(out);
		return 1;
	}
	driver_feed(sink, extra ? strtol(extra, NULL, 10) : 0);
	fputs("ready\n", out);
	fflush(out);
	driver_keys(sink, out);
	gang_sink_free(sink);
	if (log)
		fclose(log);
	printf("console closed\n");
	fflush(stdout);
	fputs("closed\n", out);
	fclose(out);
	sleep(DRIVER_LINGER_S);
	return 0;
}

__attribute__((constructor)) static void console_driver_maybe_run(void)
{
	const char *path = getenv("GANG_CONSOLE_DRIVER");

	if (path && *path)
		exit(driver_run(path));
}
