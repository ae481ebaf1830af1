/*
 * test_text.c — core/text (names at the door, the escapers of every output)
 * and core/file (only regular files are read; the log is created 0640 and
 * never through a symbolic link). JSON is checked with a real parser
 * (python3's json module), not by eye.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/log.h"
#include "core/text.h"

/* Every kind of hostile byte: ESC sequences, BEL, CR, LF, DEL, C1 CSI, bidi override, bad UTF-8. */
static const char *const text_hostile[] = {
	"S9 PASS\r\n2026 S9   PASS serial 1",
	"\x1b[2J\x1b]0;owned\x07",
	"\x7f\xc2\x9b" "31m",
	"rtl \xe2\x80\xae" "cba",
	"bad \xff\xfe \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82",
	"quote \" backslash \\ tab \t",
	"=HYPERLINK(\"http://x\",\"y\")",
};
#define TEXT_N_HOSTILE (sizeof(text_hostile) / sizeof(text_hostile[0]))

/* Whatever fn wrote for s, as a NUL-terminated string (caller frees). */
static char *text_capture(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	fn(fp, s);
	fclose(fp);
	return buf;
}

static bool text_is_terminal_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p >= 0x80)
			return false;
	return true;
}

Test(text, names_accept_printable_utf8_up_to_the_limit)
{
	char why[128], name[GANG_TEXT_NAME_MAX + 2];

	cr_expect_eq(gang_text_check(why, sizeof(why), "Amélie Dupont", GANG_TEXT_NAME_MAX), 0);
	cr_expect_eq(gang_text_check(why, sizeof(why), "B-2026/11 #3 (night)", GANG_TEXT_NAME_MAX), 0);
	memset(name, 'a', GANG_TEXT_NAME_MAX);
	name[GANG_TEXT_NAME_MAX] = '\0';
	cr_expect_eq(gang_text_check(why, sizeof(why), name, GANG_TEXT_NAME_MAX), 0);
	strcat(name, "a");
	cr_expect_eq(gang_text_check(why, sizeof(why), name, GANG_TEXT_NAME_MAX), -1);
	cr_expect_str_eq(why, "is 65 bytes long (at most 64)");
}

Test(text, names_are_refused_naming_the_byte_and_what_it_is)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "", "is empty" },
		{ "ab\x1b[2J", "byte 3 is a control character (U+001B)" },
		{ "a\rS9 PASS", "byte 2 is a control character (U+000D)" },
		{ "bell\x07", "byte 5 is a control character (U+0007)" },
		{ "del\x7f", "byte 4 is a control character (U+007F)" },
		{ "c1\xc2\x9b", "byte 3 is a control character (U+009B)" },
		{ "x\xe2\x80\xae", "byte 2 is a control character (U+202E)" },
		{ "caf\xe9", "byte 4 (0xE9) is not UTF-8" },
		{ "\xc0\xaf", "byte 1 (0xC0) is not UTF-8" },         /* overlong '/' */
		{ "s\xed\xa0\x80", "byte 2 (0xED) is not UTF-8" },    /* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", "byte 1 (0xF4) is not UTF-8" }, /* above U+10FFFF */
	};
	char why[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(gang_text_check(why, sizeof(why), cases[i].in, GANG_TEXT_NAME_MAX), -1, "case %zu", i);
		cr_expect_str_eq(why, cases[i].why, "case %zu", i);
	}
}

Test(text, terminal_escaping_shows_controls_and_bad_bytes_as_visible_escapes)
{
	char buf[GANG_TEXT_TERM_LEN];

	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "S1\r\nS9 PASS"), "S1\\x0D\\x0AS9 PASS");
	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "\x1b[2J"), "\\x1B[2J");
	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "a\xc2\x9b" "b"), "a\\u009Bb");
	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "\xe2\x80\xae" "x"), "\\u202Ex");
	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "caf\xe9!"), "caf\\xE9!");
	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "Amélie"), "Amélie");
	/* a literal backslash is doubled so "\x1B" typed as text cannot pass for an escape */
	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "a\\x1B"), "a\\\\x1B");
	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), NULL), "");
	for (size_t i = 0; i < TEXT_N_HOSTILE; i++) {
		char *out = text_capture(gang_text_fput_term, text_hostile[i]);

		cr_expect(text_is_terminal_safe(gang_text_term(buf, sizeof(buf), text_hostile[i])), "%zu", i);
		cr_expect_str_eq(out, buf, "fput_term and term differ for case %zu", i);
		free(out);
	}
}

Test(text, terminal_escaping_truncates_whole_units_only)
{
	char buf[6];

	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "ab\x1b" "cd"), "ab");
	cr_expect_str_eq(gang_text_term(buf, sizeof(buf), "abcdefgh"), "abcde");
}

/* 0 when python3's json module accepts text and finds want as the value. */
static int text_json_parses_to(const char *text, const char *want_hex)
{
	char cmd[512];
	FILE *py;

	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; v=json.loads(sys.stdin.buffer.read().decode(\"utf-8\")); "
		 "sys.exit(0 if v.encode(\"utf-8\").hex() == \"%s\" else 3)'",
		 want_hex);
	py = popen(cmd, "w");
	cr_assert_not_null(py);
	fputs(text, py);
	return pclose(py);
}

static void text_hex(char *out, const char *s)
{
	for (; *s; s++, out += 2)
		sprintf(out, "%02x", (unsigned char)*s);
	*out = '\0';
}

Test(text, json_strings_parse_with_a_real_parser_and_keep_valid_text)
{
	char hex[512];

	for (size_t i = 0; i < TEXT_N_HOSTILE; i++) {
		char *out = text_capture(gang_text_fput_json, text_hostile[i]);

		if (i == 4) { /* the bad-UTF-8 case: see json_replaces_bytes_that_are_not_utf8_with_u_fffd */
			free(out);
			continue;
		}
		/* controls (C0, DEL, C1, bidi) escaped: the literal is plain printable ASCII here */
		cr_expect(text_is_terminal_safe(out), "case %zu: %s", i, out);
		text_hex(hex, text_hostile[i]);
		cr_expect_eq(text_json_parses_to(out, hex), 0, "case %zu: %s", i, out);
		free(out);
	}
}

Test(text, json_replaces_bytes_that_are_not_utf8_with_u_fffd)
{
	char *out = text_capture(gang_text_fput_json, "a\xff" "b\xe2\x82");
	char hex[64];

	cr_expect_str_eq(out, "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD\"");
	text_hex(hex, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD");
	cr_expect_eq(text_json_parses_to(out, hex), 0, "%s", out);
	free(out);
	out = text_capture(gang_text_fput_json, NULL);
	cr_expect_str_eq(out, "null");
	free(out);
}

Test(text, csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "+1", "\"'+1\"" },
		{ "-2+3", "\"'-2+3\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\tx", "\"'\tx\"" },
		{ "\rx", "\"'\rx\"" },
		{ "a,b", "\"a,b\"" },
		{ "plain", "plain" },
		{ "1-2", "1-2" },
		{ "esc\x1b[2J", "esc\xEF\xBF\xBD[2J" },
		{ "bad\xff", "bad\xEF\xBF\xBD" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = text_capture(gang_text_fput_csv, cases[i].in);

		cr_expect_str_eq(out, cases[i].out, "case %zu", i);
		free(out);
	}
}

Test(text, html_escapes_markup_and_replaces_controls)
{
	char *out = text_capture(gang_text_fput_html, "<b a='1'>&\"\x1b\xff</b>");

	cr_expect_str_eq(out, "&lt;b a=&#39;1&#39;&gt;&amp;&quot;\xEF\xBF\xBD\xEF\xBF\xBD&lt;/b&gt;");
	free(out);
}

/* ---- core/file ------------------------------------------------------------ */

static char file_dir[64];

static void file_setup(void)
{
	snprintf(file_dir, sizeof(file_dir), "/tmp/gang-file-XXXXXX");
	cr_assert_not_null(mkdtemp(file_dir));
}

static void file_teardown(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", file_dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(file, .init = file_setup, .fini = file_teardown, .timeout = 10);

Test(file, a_fifo_is_refused_at_once_for_reading_and_for_the_log)
{
	char path[128], want[GANG_DIAG_LEN];
	gang_diag d = { 0 };
	FILE *fp = (FILE *)1;

	snprintf(path, sizeof(path), "%s/fifo", file_dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	snprintf(want, sizeof(want), "%s: is a FIFO (named pipe), not a regular file", path);
	cr_expect_eq(gang_file_open_read(&fp, path, &d), GANG_EFILE);
	cr_expect_null(fp);
	cr_expect_str_eq(d.msg, want);
	cr_expect_eq(gang_file_open_log(&fp, path, &d), GANG_EFILE);
	cr_expect_str_eq(d.msg, want);
}

Test(file, a_directory_and_a_device_are_named_for_what_they_are)
{
	gang_diag d = { 0 };
	FILE *fp;

	cr_expect_eq(gang_file_open_read(&fp, "/dev/zero", &d), GANG_EFILE);
	cr_expect_str_eq(d.msg, "/dev/zero: is a character device, not a regular file");
	cr_expect_eq(gang_file_open_read(&fp, file_dir, &d), GANG_EFILE);
	cr_expect(strstr(d.msg, ": is a directory, not a regular file") != NULL, "%s", d.msg);
	cr_expect_eq(gang_file_open_log(&fp, "/dev/null", &d), GANG_EFILE);
	cr_expect_str_eq(d.msg, "/dev/null: is a character device, not a regular file");
}

Test(file, the_log_is_created_0640_even_under_umask_0_and_appended_to)
{
	char path[128];
	struct stat st;
	gang_diag d = { 0 };
	mode_t old = umask(0);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/gang.log", file_dir);
	cr_assert_eq(gang_file_open_log(&fp, path, &d), GANG_OK, "%s", d.msg);
	umask(old);
	fputs("one\n", fp);
	fclose(fp);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0640, "mode %o", (unsigned)(st.st_mode & 07777));
	cr_assert_eq(gang_file_open_log(&fp, path, &d), GANG_OK, "%s", d.msg);
	fputs("two\n", fp);
	fclose(fp);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_size, 8, "the second open must append");
}

Test(file, the_log_is_never_written_through_a_symbolic_link)
{
	char target[128], link[128], want[GANG_DIAG_LEN];
	gang_diag d = { 0 };
	FILE *fp = (FILE *)1;

	snprintf(target, sizeof(target), "%s/elsewhere", file_dir);
	snprintf(link, sizeof(link), "%s/gang.log", file_dir);
	cr_assert_eq(symlink(target, link), 0);
	cr_expect_eq(gang_file_open_log(&fp, link, &d), GANG_EFILE);
	cr_expect_null(fp);
	snprintf(want, sizeof(want), "%s: is a symbolic link; the log is never written through one (give the real path)",
		 link);
	cr_expect_str_eq(d.msg, want);
	cr_expect_eq(access(target, F_OK), -1, "nothing may be created at the link's target");
}

/* ---- core/log --------------------------------------------------------------- */

Test(text, a_log_call_is_one_line_whatever_the_probe_serial_or_message_holds)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	gang_log lg;
	int lines = 0;

	cr_assert_not_null(fp);
	gang_log_init(&lg, fp, GANG_LOG_DEBUG, "[S1 \x1b]0;x\x07]");
	gang_log_write(&lg, GANG_LOG_ERROR, "probe %s: %s", "clone\r\n2026 error [S9] forged", "\xff\x1b[2J");
	fclose(fp);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		lines += *p == '\n';
		cr_expect(*p == '\n' || (*p >= 0x20 && *p < 0x7f), "raw byte 0x%02x in the log", *p);
	}
	cr_expect_eq(lines, 1, "%s", buf);
	cr_expect_not_null(strstr(buf, "[S1 \\x1B]0;x\\x07] probe clone\\x0D\\x0A2026 error [S9] forged: \\xFF\\x1B[2J\n"),
			   "%s", buf);
	free(buf);
}
