/*
 * log.h — leveled, line-atomic logging with a per-slot prefix.
 * The engineer's log (registers, status bytes) goes here; the operator's
 * line is an event (sched/events.h), never a log line. Level is checked
 * before formatting. A gang_log is owned by its slot thread; the FILE it
 * writes to may be shared (stdio locks each call, so lines never interleave).
 */
#ifndef GANG_CORE_LOG_H
#define GANG_CORE_LOG_H

#include <stdio.h>

typedef enum gang_log_level {
	GANG_LOG_ERROR = 0,
	GANG_LOG_WARN = 1,
	GANG_LOG_INFO = 2,
	GANG_LOG_DEBUG = 3,
} gang_log_level;

typedef struct gang_log {
	FILE *fp;               /* NULL: logging off */
	gang_log_level level;
	char prefix[64];        /* "[S1 066DFF48]" */
} gang_log;

void gang_log_init(gang_log *lg, FILE *fp, gang_log_level level, const char *prefix);
void gang_log_write(const gang_log *lg, gang_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Parse "error|warn|info|debug"; -1 if unknown. */
int gang_log_level_parse(const char *s);

#define gang_log_at(lg, lvl, ...) \
	do { \
		if ((lg) && (lg)->fp && (lg)->level >= (lvl)) \
			gang_log_write((lg), (lvl), __VA_ARGS__); \
	} while (0)
#define gang_log_err(lg, ...)  gang_log_at(lg, GANG_LOG_ERROR, __VA_ARGS__)
#define gang_log_warn(lg, ...) gang_log_at(lg, GANG_LOG_WARN, __VA_ARGS__)
#define gang_log_info(lg, ...) gang_log_at(lg, GANG_LOG_INFO, __VA_ARGS__)
#define gang_log_dbg(lg, ...)  gang_log_at(lg, GANG_LOG_DEBUG, __VA_ARGS__)

#endif
