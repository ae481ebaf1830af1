/*
 * log_path.h — where the engineer log goes when the operator console owns
 * the terminal and no --log was given. One function, so the configuration
 * module can take its place without touching the callers.
 */
#ifndef GANG_CORE_LOG_PATH_H
#define GANG_CORE_LOG_PATH_H

#include <stddef.h>

#include "core/err.h"

/*
 * The default log file, $XDG_STATE_HOME/gang/gang.log, or
 * $HOME/.local/state/gang/gang.log when XDG_STATE_HOME is unset, empty or
 * relative (XDG Base Directory Specification 0.8: relative paths are
 * invalid and ignored). Creates the missing directories (mode 0700, as the
 * specification asks). Returns GANG_OK with the path in out, or
 * GANG_EFILE (neither variable usable, a directory that cannot be created,
 * a path longer than cap) with the sentence in d.
 */
int gang_log_default_path(char *out, size_t cap, gang_diag *d);

#endif
