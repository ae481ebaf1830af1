/*
 * test_event_lines.c — the plain-line and JSON Lines sinks (sched/events.c)
 * with hostile text in every string field of every event kind: a plain
 * line stays one line with no control byte (a forged "S9 PASS" line or an
 * ESC[2J must not reach the terminal), and every JSON line parses with a
 * real JSON parser (python3) whatever bytes the fields hold.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/events.h"

#define EL_HOSTILE "x\r\n2026-12-06T21:00:00.000Z S9   PASS serial 1\x1b[2J\x07\x7f\xc2\x9b\xff\xe2\x80\xae"

static gang_event el_event(gang_event_kind kind)
{
	gang_event ev = {
		.kind = kind, .ts = 1764000000.0, .slot = EL_HOSTILE, .probe = EL_HOSTILE, .uid = EL_HOSTILE,
		.serial = EL_HOSTILE, .step = EL_HOSTILE, .done = 1, .total = 2, .attempt = 1,
		.result = kind == GANG_EV_RESULT ? GANG_RESULT_FAIL : GANG_RESULT_NONE, .error_class = EL_HOSTILE,
		.message = EL_HOSTILE, .detail = EL_HOSTILE, .profile = EL_HOSTILE, .batch = EL_HOSTILE,
	};
	return ev;
}

/* Every event kind (RESULT both as pass and as fail) through a sink, into a string. */
static char *el_emit_all(gang_sink *(*make)(FILE *), char **buf, size_t *len)
{
	FILE *fp = open_memstream(buf, len);
	gang_sink *s;

	cr_assert_not_null(fp);
	s = make(fp);
	cr_assert_not_null(s);
	for (int k = GANG_EV_RUN_START; k <= GANG_EV_RUN_END; k++) {
		gang_event ev = el_event((gang_event_kind)k);

		gang_sink_emit(s, &ev);
		if (k == GANG_EV_RESULT) {
			ev.result = GANG_RESULT_PASS;
			gang_sink_emit(s, &ev);
		}
	}
	gang_sink_free(s);
	fclose(fp);
	return *buf;
}

Test(event_lines, plain_lines_show_hostile_text_escaped_one_line_per_event)
{
	char *buf = NULL;
	size_t len = 0;
	int lines = 0;

	el_emit_all(gang_sink_plain_new, &buf, &len);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		lines += *p == '\n';
		cr_expect(*p == '\n' || (*p >= 0x20 && *p < 0x7f), "byte 0x%02x at %zu reached the terminal", *p,
			  (size_t)((const char *)p - buf));
	}
	/* every kind but PROGRESS (live displays only), RESULT twice */
	cr_expect_eq(lines, GANG_EV_RUN_END + 1, "one line per event, got %d:\n%s", lines, buf);
	cr_expect_not_null(strstr(buf, "x\\x0D\\x0A2026"), "%s", buf);
	cr_expect_not_null(strstr(buf, "\\x1B[2J\\x07\\x7F\\u009B\\xFF\\u202E"), "%s", buf);
	free(buf);
}

Test(event_lines, json_lines_parse_with_a_real_parser_whatever_the_bytes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *py;

	el_emit_all(gang_sink_json_new, &buf, &len);
	py = popen("python3 -c '"
		   "import json,sys\n"
		   "lines = [l for l in sys.stdin.buffer.read().decode(\"utf-8\").split(\"\\n\") if l]\n"
		   "assert len(lines) == 12, len(lines)\n"
		   "for l in lines:\n"
		   "    v = json.loads(l)\n"
		   "    assert any(isinstance(x, str) and x.startswith(\"x\\r\\n2026\") for x in v.values()), l\n"
		   "'",
		   "w");
	cr_assert_not_null(py);
	fputs(buf, py);
	cr_expect_eq(pclose(py), 0, "python3 could not parse the JSON lines:\n%s", buf);
	free(buf);
}
