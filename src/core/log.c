/*
 * log.c — one formatted line per call: UTC timestamp, level, slot prefix,
 * message. The line is built in a local buffer and written with a single
 * fputs so concurrent slots never interleave inside a line; the prefix and
 * message are escaped (core/text.h), so one call is always one line.
 */
#include "core/log.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/text.h"

static const char *const log_level_names[] = { "error", "warn", "info", "debug" };

void gang_log_init(gang_log *lg, FILE *fp, gang_log_level level, const char *prefix)
{
	lg->fp = fp;
	lg->level = level;
	gang_text_term(lg->prefix, sizeof(lg->prefix), prefix);
}

void gang_log_write(const gang_log *lg, gang_log_level level, const char *fmt, ...)
{
	char line[2048], msg[1024];
	struct timespec ts;
	struct tm tm;
	size_t n;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ %-5s %s%s", ts.tv_nsec / 1000000L,
			      log_level_names[level], lg->prefix, lg->prefix[0] ? " " : "");
	if (n < sizeof(line)) {
		/* messages quote probe serials, UIDs and file names: escaped like every output */
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		gang_text_term(line + n, sizeof(line) - n, msg);
	}
	n = strlen(line);
	if (n + 1 < sizeof(line)) {
		line[n] = '\n';
		line[n + 1] = '\0';
	} else {
		line[sizeof(line) - 2] = '\n';
	}
	fputs(line, lg->fp);
	fflush(lg->fp);
}

int gang_log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, log_level_names[i]) == 0)
			return i;
	return -1;
}
