/*
 * config.h — a station's defaults: which database, station name, operator,
 * engineer log directory and slot file gang uses when the command line does
 * not say. Resolved in this order, each later source overriding the earlier:
 *
 *   1. built-in defaults, after the XDG Base Directory Specification
 *      (https://specifications.freedesktop.org/basedir-spec/):
 *        db       $XDG_DATA_HOME/gang/gang.sqlite   (~/.local/share/gang/)
 *        log_dir  $XDG_STATE_HOME/gang              (~/.local/state/gang/)
 *        station  the host name (gethostname(2))
 *   2. the system-wide file /etc/gang/gang.conf ($GANG_SYSTEM_CONFIG if set)
 *   3. the user's file $XDG_CONFIG_HOME/gang/gang.conf (~/.config/gang/)
 *   4. the command line (the caller: gang_config_db and the cmd_*.c files)
 *
 * Files are libconfig, like profiles: `db = "/srv/gang/line2.sqlite";`. A
 * relative path in a file is taken from that file's directory. A missing
 * file is no error; a malformed one, an unknown key or a wrong type is,
 * naming file, line and key (GANG_ECONFIG).
 */
#ifndef GANG_CORE_CONFIG_H
#define GANG_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define GANG_CONFIG_PATH_MAX 4096
#define GANG_CONFIG_NAME_MAX 64
#define GANG_CONFIG_SYSTEM_FILE "/etc/gang/gang.conf"
/* File name of the engineer log inside log_dir. */
#define GANG_CONFIG_LOG_NAME "gang.log"

typedef struct gang_config {
	char db[GANG_CONFIG_PATH_MAX];          /* database file; "" if no default can be made */
	char log_dir[GANG_CONFIG_PATH_MAX];     /* engineer log directory; "" likewise */
	char slots[GANG_CONFIG_PATH_MAX];       /* slot file; "" for none */
	char station[GANG_CONFIG_NAME_MAX];     /* station name; "" if the host has none */
	char operator_name[GANG_CONFIG_NAME_MAX]; /* "" for none */
	bool db_is_default;      /* db is the XDG default: gang creates its directory */
	bool log_dir_is_default; /* log_dir is the XDG default: likewise */
	bool log_dir_is_set;     /* a configuration file named log_dir */
} gang_config;

/* Built-in defaults, then the system-wide and the user's file (see above). */
int gang_config_load(gang_config *out, gang_diag *d);
/* Merge one file into cfg; a file that does not exist leaves cfg as it is. */
int gang_config_read_file(gang_config *cfg, const char *path, gang_diag *d);
/*
 * The database to open: flag (the --db value) if not NULL, else cfg->db.
 * With create, the directory of the XDG default is made (0700, as the XDG
 * specification asks) when missing; a configured path's directory is the
 * administrator's to make. *out borrows flag or cfg.
 */
int gang_config_db(const char **out, const gang_config *cfg, const char *flag, bool create, gang_diag *d);
/* "<log_dir>/gang.log" into out (cap bytes); with create, the XDG default directory is made (0700). */
int gang_config_log_path(char *out, size_t cap, const gang_config *cfg, bool create, gang_diag *d);
/*
 * The engineer log file a command writes to when the command line names
 * none: gang_config_load, then gang_config_log_path with its directory made.
 */
int gang_config_default_log_path(char *out, size_t cap, gang_diag *d);

#endif
