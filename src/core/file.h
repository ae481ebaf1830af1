/*
 * file.h — opening the files gang reads (profiles, images, slot maps) and
 * the log it appends to, refusing anything that is not a regular file
 * without blocking on it: a FIFO would hang the open or the read forever,
 * a device like /dev/zero never ends.
 */
#ifndef GANG_CORE_FILE_H
#define GANG_CORE_FILE_H

#include <stdio.h>

#include "core/err.h"

/*
 * Open path for reading into *out ("rb"; close-on-exec). GANG_EFILE with
 * d->msg "PATH: <strerror>" or "PATH: is a FIFO (named pipe), not a regular
 * file" (directory, character device, ...).
 */
int gang_file_open_read(FILE **out, const char *path, gang_diag *d);

/*
 * Open the log file path for appending into *out: created with mode 0640
 * (before the umask), never through a symbolic link, and only a regular
 * file. GANG_EFILE with d->msg naming the file and the reason.
 */
int gang_file_open_log(FILE **out, const char *path, gang_diag *d);

/* What st_mode is, for messages: "a directory", "a FIFO (named pipe)", ... */
const char *gang_file_kind(unsigned mode);

#endif
