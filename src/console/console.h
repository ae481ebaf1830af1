/*
 * console.h — the operator console of `gang run`: a full-screen live view
 * (curses) of every slot, driven by the run's event stream. It is one more
 * gang_sink next to the plain and JSON sinks (sched/events.h).
 */
#ifndef GANG_CONSOLE_CONSOLE_H
#define GANG_CONSOLE_CONSOLE_H

#include <stdio.h>

#include "core/err.h"
#include "sched/events.h"

/*
 * Open the console on a terminal: draw to tty_out, read keys from tty_in
 * (both must be terminals, e.g. stdout/stdin or /dev/tty opened twice), so
 * the engineer log on stderr is untouched. Sets LC_CTYPE from the
 * environment so sentences with an em dash render.
 *
 * Thread-safety: emit() may be called by any number of threads at once;
 * all curses calls happen on the console's own UI thread, which redraws at
 * most every 100 ms (and each second for the clocks). poll_key() may be
 * called from one other thread. gang_sink_free() (from the thread that
 * created the sink) stops the UI thread and restores the terminal; call
 * it on every exit path, including after SIGINT.
 *
 * Returns NULL and fills d on failure: GANG_EUSAGE when tty_out or tty_in
 * is not a terminal, TERM is unset or its type is unknown (the sentence
 * names it); GANG_ENOMEM; GANG_ERR when the UI thread cannot start.
 * Only one console may exist per process (curses has one terminal state).
 */
gang_sink *gang_sink_console_new(FILE *tty_out, FILE *tty_in, gang_diag *d);

#endif
