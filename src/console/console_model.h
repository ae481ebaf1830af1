/*
 * console_model.h — the operator console's picture of a production run,
 * built from the event stream (sched/events.h) and nothing else, plus the
 * pure text composition the screen draws (header, one line per slot, the
 * progress bar, the batch summary). No curses here: everything is testable
 * on strings. Column widths count display cells, so sentences with an em
 * dash fit (needs LC_CTYPE set to a UTF-8 locale; see docs/console.md).
 *
 * Not thread-safe: the console sink guards its model with its own mutex.
 */
#ifndef GANG_CONSOLE_CONSOLE_MODEL_H
#define GANG_CONSOLE_CONSOLE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/events.h"

#define GANG_CONSOLE_MAX_SLOTS 64U   /* same ceiling as the scheduler's slots */
#define GANG_CONSOLE_MAX_CLASSES 24U /* distinct error classes kept for the summary */
#define GANG_CONSOLE_LABEL_LEN 32U
#define GANG_CONSOLE_TEXT_LEN 192U   /* operator sentence, bytes (UTF-8) */
#define GANG_CONSOLE_LINE_LEN 1024U  /* one composed screen line, bytes */
#define GANG_CONSOLE_MAX_SEGS 24U
#define GANG_CONSOLE_PATH_LEN 256U
/*
 * Rates (boards per hour, first-pass yield, time left) are shown only once
 * at least one board has finished and the run has lasted this long: one
 * board after 0.3 s is not 12,000 boards an hour.
 */
#define GANG_CONSOLE_RATE_MIN_S 60.0
/* A busy slot with no event for this long is flagged as stuck (progress comes every second). */
#define GANG_CONSOLE_STUCK_S 30.0

typedef enum gang_console_state {
	GANG_CONSOLE_WAITING = 0, /* probe up, no board in the fixture */
	GANG_CONSOLE_BUSY,        /* a board is being programmed */
	GANG_CONSOLE_DONE,        /* result shown, board not yet removed */
	GANG_CONSOLE_DOWN,        /* probe gone */
} gang_console_state;

typedef struct gang_console_slot {
	char label[GANG_CONSOLE_LABEL_LEN];
	char probe[GANG_CONSOLE_LABEL_LEN];
	char uid[GANG_CONSOLE_LABEL_LEN];
	char serial[GANG_CONSOLE_LABEL_LEN];
	char step[GANG_CONSOLE_LABEL_LEN];
	gang_console_state state;
	bool paused;              /* operator pressed p; the scheduler starts no new board */
	int attempt;              /* of the board in progress; > 1 is a retry */
	double board_ts;          /* BOARD event time: start of the board's clock */
	double last_ts;           /* time of the slot's last event (stuck detection) */
	double elapsed_s;         /* RESULT: the board's cycle time */
	uint64_t done, total;     /* PROGRESS within the current step */
	double rate_kib_s;
	char note[GANG_CONSOLE_TEXT_LEN];    /* NOTE, shown until the result */
	gang_ev_result result;               /* of the board shown; NONE while it is worked on */
	char message[GANG_CONSOLE_TEXT_LEN]; /* RESULT or SLOT_DOWN sentence */
	char stopped_class[16];              /* DOWN for good, and why ("database", "serial"); "": probe gone */
	bool has_last;                       /* keep "last: PASS 001234" while waiting */
	gang_ev_result last_result;
	char last_id[GANG_CONSOLE_LABEL_LEN];
	unsigned passed, failed;             /* per-slot counts for the summary */
} gang_console_slot;

typedef struct gang_console_class {
	char name[GANG_CONSOLE_LABEL_LEN];
	unsigned count;
} gang_console_class;

typedef struct gang_console_model {
	char profile[64];
	char batch[64];
	double t_start;           /* RUN_START time; 0 until seen */
	double t_end;             /* RUN_END time; 0 while running */
	unsigned boards, passed, failed, aborted, first_pass;
	double end_boards_per_hour; /* the scheduler's figure from RUN_END */
	long boards_max;          /* --boards target from RUN_START; 0: none */
	int stop_level;           /* 0 running, 1 finishing boards in progress, 2 aborting them */
	char run_note[GANG_CONSOLE_TEXT_LEN]; /* RUN_NOTE sentence (e.g. probes ignored) */
	char log_path[GANG_CONSOLE_PATH_LEN]; /* where the engineer log goes, for the footer */
	gang_console_slot slots[GANG_CONSOLE_MAX_SLOTS];
	size_t n_slots;           /* sorted by label (natural order: s2 < s10) */
	size_t dropped_slots;     /* slots beyond GANG_CONSOLE_MAX_SLOTS */
	gang_console_class classes[GANG_CONSOLE_MAX_CLASSES];
	size_t n_classes;
} gang_console_model;

/* Reset m to an empty run. */
void gang_console_model_init(gang_console_model *m);
/* Apply one event; events without a slot label only touch the header. */
void gang_console_model_apply(gang_console_model *m, const gang_event *ev);
/* The slot named label, or NULL. Borrowed; valid until the next apply. */
gang_console_slot *gang_console_model_find(gang_console_model *m, const char *label);
/* Flip the paused mark of slot label; returns the new state (false if unknown). */
bool gang_console_model_toggle_pause(gang_console_model *m, const char *label);
/* The operator asked to stop (q): one more step towards the end, like the scheduler's. */
void gang_console_model_stop(gang_console_model *m);
/* First-pass yield in percent of boards finished (0 with no board). */
double gang_console_yield(const gang_console_model *m);
/* Boards finished per hour of run time up to now (RUN_END's figure once ended). */
double gang_console_boards_per_hour(const gang_console_model *m, double now);
/* Whether yield, boards per hour and time left mean something yet (GANG_CONSOLE_RATE_MIN_S). */
bool gang_console_rates_known(const gang_console_model *m, double now);
/* Seconds until the --boards target at the current rate; < 0 when unknown or no target. */
double gang_console_time_left(const gang_console_model *m, double now);
/* Slots with a board in progress. */
unsigned gang_console_busy(const gang_console_model *m);
/* Busy slot with no event for GANG_CONSOLE_STUCK_S seconds. */
bool gang_console_slot_stuck(const gang_console_slot *s, double now);

/* --- text composition (console_render.c) ------------------------------- */

typedef enum gang_console_tone {
	GANG_CONSOLE_TONE_NORMAL = 0,
	GANG_CONSOLE_TONE_PASS,   /* green, bold */
	GANG_CONSOLE_TONE_FAIL,   /* red, bold */
	GANG_CONSOLE_TONE_NOTE,   /* yellow */
	GANG_CONSOLE_TONE_DIM,    /* probe gone, headings */
	GANG_CONSOLE_TONE_BAR,    /* the filled part of a progress bar */
	GANG_CONSOLE_TONE_SELECT, /* the selection marker */
	GANG_CONSOLE_TONE_ALERT,  /* needs the operator now: reverse video, bold red */
} gang_console_tone;

typedef struct gang_console_seg {
	gang_console_tone tone;
	size_t off, len;          /* bytes of gang_console_line.text */
} gang_console_seg;

/* One screen line: text (UTF-8, at most cols cells) cut into toned segments. */
typedef struct gang_console_line {
	char text[GANG_CONSOLE_LINE_LEN];
	size_t len;
	int cols;                 /* cells used */
	gang_console_seg segs[GANG_CONSOLE_MAX_SEGS];
	size_t n_segs;
} gang_console_line;

/* Display cells of UTF-8 s under the current LC_CTYPE (invalid bytes: 1 cell each). */
int gang_console_width(const char *s);
/*
 * Copy the longest prefix of s that fits in cols cells to out (cap bytes),
 * never splitting a character; pad with spaces to exactly cols cells when
 * pad is set. Returns the cells written.
 */
int gang_console_fit(char *out, size_t cap, const char *s, int cols, bool pad);
/* Progress bar of width cells ("#" done, "-" to go), e.g. "#####-----"; returns cells. */
int gang_console_bar(char *out, size_t cap, int width, uint64_t done, uint64_t total);
/* Header lines (0: profile/batch/clock/stopping, 1: counters, rates, target) fitted to cols. */
void gang_console_header(gang_console_line *out, const gang_console_model *m, int row, double now, int cols);
/* Column headings matching gang_console_slot_line for cols. */
void gang_console_heading(gang_console_line *out, int cols);
/* The line of slot s (1-based list number num), fitted to cols. */
void gang_console_slot_line(gang_console_line *out, const gang_console_slot *s, size_t num, bool selected,
			    double now, int cols);
/* The key legend shown on the bottom row, then where the engineer log goes (m->log_path). */
void gang_console_legend(gang_console_line *out, const gang_console_model *m, int cols);
/* The run note line (m->run_note), alert-toned; empty when there is none. */
void gang_console_note_line(gang_console_line *out, const gang_console_model *m, int cols);
/*
 * Line row of what stays on the terminal after the console closes: the
 * header, every slot's final line, and which slots' boards were aborted
 * (not finished). Returns false when row is past the end.
 */
bool gang_console_final_line(gang_console_line *out, const gang_console_model *m, size_t row, double now,
			     int cols);
/*
 * One line standing for slots [from, n_slots) that do not fit on screen:
 * how many, and how many of them are busy, waiting, done and gone.
 */
void gang_console_more_line(gang_console_line *out, const gang_console_model *m, size_t from, int cols);
/*
 * Line row of the batch summary ('r' overlay): totals, failures by error
 * class, per-slot pass/fail. Returns false when row is past the end.
 */
bool gang_console_summary_line(gang_console_line *out, const gang_console_model *m, size_t row, double now,
			       int cols);

#endif
