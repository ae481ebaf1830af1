/*
 * console.c — the console sink: slot threads apply events to the model
 * under the sink's mutex; one UI thread owns curses (newterm on the given
 * terminal), repaints from a snapshot of the model and turns keys into
 * selection, the summary overlay, or requests queued for poll_key()
 * (q: stop after current boards, p: pause/resume a slot). Nothing global:
 * the UI thread is the only one touching curses between new and free.
 * While the console is up, stderr points at the engineer log (dup2(2)), so
 * no other writer can scribble over the screen.
 */
#include "console/console.h"

#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console/console_internal.h"

#define CONSOLE_TICK_MS 50         /* key poll; also bounds the latency of a repaint */
#define CONSOLE_REDRAW_MIN_S 0.1   /* at most ten repaints a second */
#define CONSOLE_CLOCK_S 1.0        /* repaint anyway so elapsed times tick */
#define CONSOLE_DIGIT_S 1.0        /* digits typed within this join into one list number */
#define CONSOLE_ESC_DELAY_MS 25    /* arrow keys arrive as one burst */
#define CONSOLE_KEY_CTRL_L 12

static void console_emit(gang_sink *s, const gang_event *ev)
{
	console *c = (console *)s;

	pthread_mutex_lock(&c->mu);
	gang_console_model_apply(&c->model, ev);
	c->dirty = true;
	pthread_mutex_unlock(&c->mu);
}

static int console_poll_key(gang_sink *s, char *slot_out, size_t cap)
{
	console *c = (console *)s;
	int key = 0;

	pthread_mutex_lock(&c->mu);
	if (c->key_n) {
		const console_key *k = &c->keys[c->key_head];

		key = k->key;
		if (slot_out && cap)
			snprintf(slot_out, cap, "%s", k->label);
		c->key_head = (c->key_head + 1) % CONSOLE_KEY_QUEUE;
		c->key_n--;
	}
	pthread_mutex_unlock(&c->mu);
	return key;
}

/* Queue a request for poll_key (mutex held); a full queue drops the key, the operator presses again. */
static void console_push(console *c, int key, const char *label)
{
	console_key *k;
	size_t n = strnlen(label, sizeof(k->label) - 1);

	if (c->key_n == CONSOLE_KEY_QUEUE)
		return;
	k = &c->keys[(c->key_head + c->key_n) % CONSOLE_KEY_QUEUE];
	k->key = key;
	memcpy(k->label, label, n);
	k->label[n] = '\0';
	c->key_n++;
}

/* The prompt in the slot's note: what was asked, then the text typed so far (mutex held). */
static void console_scan_show(console *c)
{
	gang_console_slot *sl = gang_console_model_find(&c->model, c->scan_slot);

	if (sl)
		snprintf(sl->note, sizeof(sl->note), "%.100s: %.80s_", c->scan_prefix, c->scan_buf);
	c->dirty = true;
}

/* A key while a scan is asked for: a barcode scanner's characters, Backspace, Enter (mutex held). */
static void console_scan_key(console *c, int ch)
{
	if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
		c->scan_done = true;
		pthread_cond_broadcast(&c->scan_cv);
		return;
	}
	if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && c->scan_len)
		c->scan_buf[--c->scan_len] = '\0';
	else if (ch >= 0x20 && ch < 0x7F && c->scan_len + 1 < sizeof(c->scan_buf)) {
		c->scan_buf[c->scan_len++] = (char)ch;
		c->scan_buf[c->scan_len] = '\0';
	}
	console_scan_show(c);
}

/* Wait for Enter, the console's end or stop(stop_arg), which is asked without the mutex (mutex held). */
static int console_scan_wait(console *c, bool (*stop)(void *), void *stop_arg)
{
	struct timespec until;
	bool cancel = false;

	while (!c->scan_done && !c->stop && !cancel) {
		gang_console_slot *sl = gang_console_model_find(&c->model, c->scan_slot);

		if (sl) /* waiting for the operator is not a stuck slot */
			sl->last_ts = gang_now_unix();
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200L * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&c->scan_cv, &c->mu, &until);
		pthread_mutex_unlock(&c->mu);
		cancel = stop && stop(stop_arg);
		pthread_mutex_lock(&c->mu);
	}
	return c->scan_done ? GANG_OK : GANG_ECANCELLED;
}

/*
 * Ask for the label of slot's board: the prompt in the slot's area, keys
 * typed into it (they are not commands meanwhile; Ctrl-C still stops the
 * run), Enter ends it. Slots asking together get the prompt in turn.
 */
static int console_scan(gang_sink *s, char *out, size_t cap, const char *slot, bool (*stop)(void *), void *stop_arg)
{
	console *c = (console *)s;
	gang_console_slot *sl;
	int err;

	pthread_mutex_lock(&c->scan_turn);
	pthread_mutex_lock(&c->mu);
	sl = gang_console_model_find(&c->model, slot);
	snprintf(c->scan_slot, sizeof(c->scan_slot), "%s", slot);
	snprintf(c->scan_prefix, sizeof(c->scan_prefix), "%s", sl && sl->note[0] ? sl->note : "scan the label");
	c->scan_buf[0] = '\0';
	c->scan_len = 0;
	c->scan_done = false;
	c->scan_open = true;
	console_scan_show(c);
	err = console_scan_wait(c, stop, stop_arg);
	snprintf(out, cap, "%s", err == GANG_OK ? c->scan_buf : "");
	if ((sl = gang_console_model_find(&c->model, slot)) != NULL)
		snprintf(sl->note, sizeof(sl->note), "scanned %.120s", c->scan_buf);
	c->scan_open = false;
	c->dirty = true;
	pthread_mutex_unlock(&c->mu);
	pthread_mutex_unlock(&c->scan_turn);
	return err;
}

static void console_select(console *c, size_t idx)
{
	if (idx < c->view.n_slots)
		snprintf(c->sel_label, sizeof(c->sel_label), "%s", c->view.slots[idx].label);
}

/* A digit selects by list number; digits typed in quick succession form one number (slot 12). */
static void console_digit(console *c, int ch, double now)
{
	int d = ch - '0';
	int num = d;

	if (c->digits > 0 && now - c->digit_ts < CONSOLE_DIGIT_S && c->digits * 10 + d <= (int)c->view.n_slots)
		num = c->digits * 10 + d;
	c->digits = num;
	c->digit_ts = now;
	if (num >= 1)
		console_select(c, (size_t)num - 1);
}

static void console_pause(console *c)
{
	size_t sel = console_selected(c);

	if (sel >= c->view.n_slots)
		return;
	pthread_mutex_lock(&c->mu);
	/* The scheduler flips its flag on each 'p', so the console's mark follows the same toggle. */
	gang_console_model_toggle_pause(&c->model, c->view.slots[sel].label);
	console_push(c, 'p', c->view.slots[sel].label);
	c->dirty = true;
	pthread_mutex_unlock(&c->mu);
}

/* One key on the UI thread. Returns true when the screen must be repainted now. */
static bool console_key_in(console *c, int ch, double now)
{
	size_t sel = console_selected(c);

	if (ch == KEY_RESIZE || ch == CONSOLE_KEY_CTRL_L) {
		clearok(curscr, TRUE);
		return true;
	}
	pthread_mutex_lock(&c->mu);
	if (c->scan_open) { /* a label is being typed: every key is part of it */
		console_scan_key(c, ch);
		pthread_mutex_unlock(&c->mu);
		return true;
	}
	pthread_mutex_unlock(&c->mu);
	if (c->overlay) { /* any key closes the summary and does nothing else */
		c->overlay = false;
		return true;
	}
	if (ch == 'q' || ch == 'Q') {
		pthread_mutex_lock(&c->mu);
		console_push(c, 'q', "");
		/* Acknowledged at once in the header; the scheduler's "stopping" event follows. */
		gang_console_model_stop(&c->model);
		c->dirty = true;
		pthread_mutex_unlock(&c->mu);
	} else if (ch == 'p' || ch == 'P') {
		console_pause(c);
	} else if (ch == 'r' || ch == 'R') {
		c->overlay = true;
	} else if (ch == KEY_UP || ch == 'k') {
		console_select(c, sel ? sel - 1 : 0);
	} else if (ch == KEY_DOWN || ch == 'j') {
		console_select(c, sel + 1);
	} else if (ch >= '0' && ch <= '9') {
		console_digit(c, ch, now);
	} else {
		return false;
	}
	return true;
}

/* Copy the model when it changed or the clock must tick; returns whether to repaint. */
static bool console_snapshot(console *c, double now, double last, bool force, bool *stop)
{
	bool draw;

	pthread_mutex_lock(&c->mu);
	*stop = c->stop;
	draw = force || *stop || now - last >= CONSOLE_CLOCK_S || (c->dirty && now - last >= CONSOLE_REDRAW_MIN_S);
	if (draw && (c->dirty || *stop)) {
		memcpy(&c->view, &c->model, sizeof(c->view));
		c->dirty = false;
	}
	pthread_mutex_unlock(&c->mu);
	return draw;
}

static void *console_main(void *arg)
{
	console *c = arg;
	double last = 0.0;
	bool stop = false;

	while (!stop) {
		int ch = getch();
		double now = gang_now_unix();
		bool force = ch != ERR && console_key_in(c, ch, now);

		if (console_snapshot(c, now, last, force, &stop)) {
			if (!*c->sel_label && c->view.n_slots)
				console_select(c, 0);
			console_draw(c, now);
			last = now;
		}
	}
	return NULL;
}

static void console_colors(console *c)
{
	if (!has_colors() || start_color() == ERR)
		return;
	use_default_colors(); /* -1 keeps the operator's background */
	init_pair(CONSOLE_PAIR_PASS, COLOR_GREEN, -1);
	init_pair(CONSOLE_PAIR_FAIL, COLOR_RED, -1);
	init_pair(CONSOLE_PAIR_NOTE, COLOR_YELLOW, -1);
	init_pair(CONSOLE_PAIR_BAR, COLOR_CYAN, -1);
	c->colors = true;
}

/* Curses on the given terminal; the caller's stdout and stderr stay untouched. */
static int console_open(console *c, FILE *tty_out, FILE *tty_in, gang_diag *d)
{
	const char *term = getenv("TERM");

	if (!isatty(fileno(tty_out)) || !isatty(fileno(tty_in)))
		return gang_diag_set(d, GANG_EUSAGE, "the console needs a terminal for %s; use --plain or --json",
				     !isatty(fileno(tty_out)) ? "output" : "keys");
	if (!term || !*term)
		return gang_diag_set(d, GANG_EUSAGE, "TERM is not set, the console cannot draw; use --plain");
	/* Only LC_CTYPE: wide characters render, while numbers in logs and JSON keep the C format. */
	setlocale(LC_CTYPE, "");
	c->scr = newterm(NULL, tty_out, tty_in);
	if (!c->scr)
		return gang_diag_set(d, GANG_EUSAGE, "terminal type \"%s\" is unknown (TERM); use --plain", term);
	set_term(c->scr);
	cbreak(); /* keys arrive one by one; Ctrl-C still raises SIGINT */
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	set_escdelay(CONSOLE_ESC_DELAY_MS);
	timeout(CONSOLE_TICK_MS);
	curs_set(0);
	console_colors(c);
	return GANG_OK;
}

static void console_close(console *c)
{
	if (!c->scr)
		return;
	endwin();
	delscreen(c->scr);
	c->scr = NULL;
}

/*
 * Point stderr at the log file while curses owns the terminal: the engineer
 * log and any library or thread writing to fd 2 would otherwise draw over
 * the screen. dup2(2) keeps the log's O_APPEND (one open file description).
 */
static int console_grab_stderr(console *c, FILE *log_fp, gang_diag *d)
{
	c->saved_stderr = -1;
	if (!log_fp)
		return GANG_OK;
	fflush(stderr);
	c->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (c->saved_stderr < 0 || dup2(fileno(log_fp), STDERR_FILENO) < 0) {
		if (c->saved_stderr >= 0)
			close(c->saved_stderr);
		c->saved_stderr = -1;
		return gang_diag_set(d, GANG_EFILE, "console: cannot send stderr to the log file");
	}
	return GANG_OK;
}

static void console_release_stderr(console *c)
{
	if (c->saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(c->saved_stderr, STDERR_FILENO);
	close(c->saved_stderr);
	c->saved_stderr = -1;
}

/* The screen is gone once curses ends: leave the final slot table on the terminal. */
static void console_print_final(const console *c)
{
	gang_console_line line;
	double now = gang_now_unix();
	int cols = c->cols > 0 ? c->cols : 80;

	if (!c->view.n_slots)
		return;
	for (size_t row = 0; gang_console_final_line(&line, &c->view, row, now, cols); row++)
		fprintf(c->tty_out, "%s\n", line.text);
	fflush(c->tty_out);
}

static void console_free(gang_sink *s)
{
	console *c = (console *)s;

	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_broadcast(&c->scan_cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	console_close(c);
	/* The UI thread's last snapshot was taken after stop, so the view holds every event. */
	console_print_final(c);
	console_release_stderr(c);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->scan_turn);
	pthread_cond_destroy(&c->scan_cv);
	free(c);
}

static const gang_sink_ops console_ops = { console_emit, console_poll_key, console_free, console_scan };

gang_sink *gang_sink_console_new(FILE *tty_out, FILE *tty_in, FILE *log_fp, const char *log_path, gang_diag *d)
{
	console *c = calloc(1, sizeof(*c));

	if (!c) {
		gang_diag_set(d, GANG_ENOMEM, "console: out of memory");
		return NULL;
	}
	c->base.ops = &console_ops;
	c->tty_out = tty_out;
	c->saved_stderr = -1;
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->scan_turn, NULL);
	pthread_cond_init(&c->scan_cv, NULL);
	gang_console_model_init(&c->model);
	if (log_path)
		snprintf(c->model.log_path, sizeof(c->model.log_path), "%s", log_path);
	if (console_open(c, tty_out, tty_in, d) < 0 || console_grab_stderr(c, log_fp, d) < 0)
		goto fail;
	if (pthread_create(&c->thread, NULL, console_main, c) != 0) {
		gang_diag_set(d, GANG_ERR, "console: cannot start the display thread");
		goto fail;
	}
	return &c->base;
fail:
	console_close(c);
	console_release_stderr(c);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->scan_turn);
	pthread_cond_destroy(&c->scan_cv);
	free(c);
	return NULL;
}
