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
 * (both must be terminals, e.g. stdout/stdin or /dev/tty opened twice).
 * Sets LC_CTYPE from the environment so sentences with an em dash render.
 *
 * While the console is up nothing else may write to the terminal: with
 * log_fp, file descriptor 2 is pointed at log_fp's file (dup2) until
 * gang_sink_free(), so the engineer log and anything a library or thread
 * writes to stderr land in the log, not over the screen; log_path (may be
 * NULL) is named in the footer. With log_fp NULL stderr is left alone.
 *
 * Thread-safety: emit() may be called by any number of threads at once;
 * all curses calls happen on the console's own UI thread, which redraws at
 * most every 100 ms (and each second for the clocks). poll_key() may be
 * called from one other thread. gang_sink_free() (from the thread that
 * created the sink) stops the UI thread, restores the terminal and stderr,
 * and prints the final slot table on tty_out (every slot's last line and
 * the slots whose boards were aborted); call it on every exit path,
 * including after SIGINT.
 *
 * Returns NULL and fills d on failure: GANG_EUSAGE when tty_out or tty_in
 * is not a terminal, TERM is unset or its type is unknown (the sentence
 * names it); GANG_EFILE when stderr cannot be pointed at the log;
 * GANG_ENOMEM; GANG_ERR when the UI thread cannot start. Nothing is left
 * changed on failure. Only one console may exist per process (curses has
 * one terminal state, and there is one stderr).
 */
gang_sink *gang_sink_console_new(FILE *tty_out, FILE *tty_in, FILE *log_fp, const char *log_path, gang_diag *d);

#endif
