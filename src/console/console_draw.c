/*
 * console_draw.c — paint the console from its model snapshot with curses:
 * header, column headings, one line per slot (scrolled so the selection
 * stays visible, hidden slots summarised on one line), the key legend and
 * the 'r' batch summary overlay. Runs on the UI thread only; curses diffs
 * against the last frame, so a full repaint each tick does not flicker.
 */
#include "console/console_internal.h"

#include <string.h>

#define DRAW_TOP_ROWS 3            /* two header lines and the column headings (+1 for a run note) */
#define DRAW_OVERLAY_MAX_COLS 76

static attr_t draw_attr(const console *c, gang_console_tone tone)
{
	switch (tone) {
	case GANG_CONSOLE_TONE_PASS: return A_BOLD | (c->colors ? COLOR_PAIR(CONSOLE_PAIR_PASS) : 0);
	case GANG_CONSOLE_TONE_FAIL:
		return A_BOLD | (c->colors ? COLOR_PAIR(CONSOLE_PAIR_FAIL) : A_UNDERLINE);
	case GANG_CONSOLE_TONE_NOTE: return c->colors ? COLOR_PAIR(CONSOLE_PAIR_NOTE) : A_UNDERLINE;
	case GANG_CONSOLE_TONE_DIM: return A_DIM;
	case GANG_CONSOLE_TONE_BAR: return c->colors ? COLOR_PAIR(CONSOLE_PAIR_BAR) : A_BOLD;
	case GANG_CONSOLE_TONE_SELECT: return A_REVERSE | A_BOLD;
	case GANG_CONSOLE_TONE_ALERT:
		/* Reverse video stands out on any terminal, in colour or not. */
		return A_REVERSE | A_BOLD | (c->colors ? COLOR_PAIR(CONSOLE_PAIR_FAIL) : 0);
	default: return A_NORMAL;
	}
}

static void draw_line(const console *c, int y, int x, const gang_console_line *l)
{
	move(y, x);
	for (size_t i = 0; i < l->n_segs; i++) {
		attrset(draw_attr(c, l->segs[i].tone));
		addnstr(l->text + l->segs[i].off, (int)l->segs[i].len);
	}
	attrset(A_NORMAL);
}

size_t console_selected(const console *c)
{
	for (size_t i = 0; i < c->view.n_slots; i++)
		if (strcmp(c->view.slots[i].label, c->sel_label) == 0)
			return i;
	return 0;
}

/* Slot rows between the headings and the legend; the last one summarises the rest when they overflow. */
static void draw_slots(console *c, int top_rows, int rows, int cols, double now)
{
	const gang_console_model *v = &c->view;
	size_t area = rows > top_rows + 1 ? (size_t)(rows - top_rows - 1) : 0;
	size_t sel = console_selected(c), shown = v->n_slots <= area ? v->n_slots : (area ? area - 1 : 0);
	gang_console_line line;

	if (sel < c->top)
		c->top = sel;
	if (shown && sel >= c->top + shown)
		c->top = sel - shown + 1;
	if (c->top + shown > v->n_slots)
		c->top = v->n_slots > shown ? v->n_slots - shown : 0;
	for (size_t i = 0; i < shown; i++) {
		size_t k = c->top + i;

		gang_console_slot_line(&line, &v->slots[k], k + 1, k == sel, now, cols);
		draw_line(c, top_rows + (int)i, 0, &line);
	}
	if (v->n_slots > shown && area) {
		gang_console_more_line(&line, v, c->top + shown, cols);
		draw_line(c, top_rows + (int)shown, 0, &line);
	}
}

/* The 'r' overlay: a boxed pane over the slot lines, as many summary rows as fit. */
static void draw_overlay(const console *c, int rows, int cols, double now)
{
	gang_console_line line;
	int w = cols - 4 < DRAW_OVERLAY_MAX_COLS ? cols - 4 : DRAW_OVERLAY_MAX_COLS;
	int h = 0, y0, x0;

	while (h < rows - 2 && gang_console_summary_line(&line, &c->view, (size_t)h, now, w - 4))
		h++;
	h += 2;
	if (w < 12 || h > rows)
		h = rows, w = cols;
	y0 = (rows - h) / 2;
	x0 = (cols - w) / 2;
	for (int y = y0; y < y0 + h; y++)
		mvhline(y, x0, ' ', w);
	if (w >= 2 && h >= 2) {
		mvhline(y0, x0, ACS_HLINE, w);
		mvhline(y0 + h - 1, x0, ACS_HLINE, w);
		mvvline(y0, x0, ACS_VLINE, h);
		mvvline(y0, x0 + w - 1, ACS_VLINE, h);
		mvaddch(y0, x0, ACS_ULCORNER);
		mvaddch(y0, x0 + w - 1, ACS_URCORNER);
		mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
		mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
	}
	for (int r = 0; r < h - 2; r++)
		if (gang_console_summary_line(&line, &c->view, (size_t)r, now, w - 4))
			draw_line(c, y0 + 1 + r, x0 + 2, &line);
}

void console_draw(console *c, double now)
{
	int rows = LINES, cols = COLS;
	int top = DRAW_TOP_ROWS + (*c->view.run_note ? 1 : 0);
	gang_console_line line;

	c->cols = cols;
	erase();
	for (int r = 0; r < 2 && r < rows; r++) {
		gang_console_header(&line, &c->view, r, now, cols);
		draw_line(c, r, 0, &line);
	}
	if (rows > top) {
		if (top > DRAW_TOP_ROWS) {
			gang_console_note_line(&line, &c->view, cols);
			draw_line(c, 2, 0, &line);
		}
		gang_console_heading(&line, cols);
		draw_line(c, top - 1, 0, &line);
		gang_console_legend(&line, &c->view, cols);
		draw_line(c, rows - 1, 0, &line);
	}
	draw_slots(c, top, rows, cols, now);
	if (c->overlay)
		draw_overlay(c, rows, cols, now);
	wnoutrefresh(stdscr);
	doupdate();
}
