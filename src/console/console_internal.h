/*
 * console_internal.h — the console sink's handle, shared by console.c
 * (sink operations, UI thread, keys) and console_draw.c (painting).
 */
#ifndef GANG_CONSOLE_CONSOLE_INTERNAL_H
#define GANG_CONSOLE_CONSOLE_INTERNAL_H

#include <curses.h>
#include <pthread.h>
#include <stdbool.h>

#include "console/console_model.h"
#include "sched/events.h"

#define CONSOLE_KEY_QUEUE 16U
/* curses colour pairs */
#define CONSOLE_PAIR_PASS 1
#define CONSOLE_PAIR_FAIL 2
#define CONSOLE_PAIR_NOTE 3
#define CONSOLE_PAIR_BAR 4

typedef struct console_key {
	int key;                          /* 'q' or 'p' */
	char label[GANG_CONSOLE_LABEL_LEN];
} console_key;

typedef struct console {
	gang_sink base;
	pthread_mutex_t mu;               /* guards model, dirty, stop and the key queue */
	gang_console_model model;
	bool dirty;
	bool stop;
	console_key keys[CONSOLE_KEY_QUEUE];
	size_t key_head, key_n;
	/* a scanned label being typed (under mu); one prompt at a time (scan_turn) */
	pthread_mutex_t scan_turn;
	pthread_cond_t scan_cv;
	bool scan_open, scan_done;
	char scan_slot[GANG_CONSOLE_LABEL_LEN];
	char scan_prefix[GANG_CONSOLE_TEXT_LEN]; /* the slot's note when asked: the prompt or a refusal */
	char scan_buf[128];
	size_t scan_len;
	/* owned by the UI thread between new() and free() */
	SCREEN *scr;
	pthread_t thread;
	gang_console_model view;          /* snapshot being drawn */
	char sel_label[GANG_CONSOLE_LABEL_LEN];
	size_t top;                       /* first slot row shown when scrolled */
	bool overlay;                     /* 'r' batch summary is up */
	int digits;                       /* list number being typed */
	double digit_ts;
	bool colors;
	int cols;                         /* terminal width at the last paint, for the final table */
	/* set by new(), read by free() on the creating thread */
	FILE *tty_out;
	int saved_stderr;                 /* the caller's stderr while it points at the log; -1: untouched */
} console;

/* Paint the whole screen from c->view (UI thread only). */
void console_draw(console *c, double now);
/* Index of the selected slot in c->view (0 when none is selected). */
size_t console_selected(const console *c);

#endif
