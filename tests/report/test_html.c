/*
 * test_html.c — the HTML report is one self-contained page: no script, no
 * link, no external URL; the four charts exist with bars, the failure
 * Pareto is not in the pass colour and count axes have whole-number ticks;
 * the page names its database and gang version, says what was programmed
 * and lists the failed boards; text from the database is escaped. Then a
 * real browser (headless Chromium, skipped when not installed) loads it
 * without console errors, and a probe script appended to a COPY of the page
 * confirms the four <svg> charts exist in the rendered DOM with bars in
 * them and the failed-boards table is laid out.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "report_fixture.h"

#define TH_CHROMIUM "chromium"

static rf_dir tmp;
static char out_path[192], err_path[192], html[192];
static const char *const chart_ids[] = { "chart-cycle", "chart-slot-yield", "chart-throughput", "chart-pareto" };

static void setup(void)
{
	char *argv[] = { "report", "--db", tmp.db, "--format", "html", "--out", html, NULL };

	rf_seed(&tmp);
	snprintf(out_path, sizeof(out_path), "%s/stdout", tmp.dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmp.dir);
	snprintf(html, sizeof(html), "%s/report.html", tmp.dir);
	argv[2] = tmp.db;
	cr_assert_eq(rf_run_captured(gang_cmd_report, 7, argv, out_path, err_path), GANG_EXIT_OK);
}

static void teardown(void)
{
	rf_remove(&tmp);
}

TestSuite(report_html, .init = setup, .fini = teardown, .timeout = 120);

/* Text between <svg id="ID" and its </svg>, or NULL. */
static char *svg_of(const char *page, const char *id)
{
	char open[64];
	const char *a, *b;

	snprintf(open, sizeof(open), "<svg id=\"%s\"", id);
	if (!(a = strstr(page, open)) || !(b = strstr(a, "</svg>")))
		return NULL;
	return strndup(a, (size_t)(b - a));
}

Test(report_html, page_is_self_contained_without_script_or_external_resources)
{
	char *s = rf_slurp(html);

	cr_expect_eq(strncmp(s, "<!DOCTYPE html>", 15), 0);
	cr_expect_null(strstr(s, "<script"));
	cr_expect_null(strstr(s, "<link"));
	cr_expect_null(strstr(s, "@import"));
	cr_expect_null(strstr(s, "https:"));
	cr_expect_null(strstr(s, "url("));
	/* the only http: is the SVG namespace name, which is never fetched */
	for (const char *p = s; (p = strstr(p, "http:")); p++)
		cr_expect_eq(strncmp(p, "http://www.w3.org/2000/svg\"", 27), 0, "external URL: %.40s", p);
	free(s);
}

Test(report_html, four_charts_are_drawn_with_bars_and_the_pareto_line)
{
	char *s = rf_slurp(html), *svg;

	for (size_t i = 0; i < 4; i++) {
		svg = svg_of(s, chart_ids[i]);
		cr_assert_not_null(svg, "chart %s missing", chart_ids[i]);
		cr_expect_not_null(strstr(svg, "<rect"), "chart %s has no bars", chart_ids[i]);
		free(svg);
	}
	svg = svg_of(s, "chart-pareto");
	cr_expect_not_null(strstr(svg, "<polyline class=\"cum\""));
	cr_expect_not_null(strstr(svg, "cumulative 100.0%"));
	free(svg);
	svg = svg_of(s, "chart-slot-yield");
	cr_expect_not_null(strstr(svg, "<title>S2: 66.6667 % first-pass yield</title>"), "%s", svg);
	free(svg);
	free(s);
}

Test(report_html, pareto_of_failures_is_not_drawn_in_the_pass_colour)
{
	char *s = rf_slurp(html), *pareto = svg_of(s, "chart-pareto"), *cycle = svg_of(s, "chart-cycle");
	const char *pass_fill = "fill=\"#2e7d32\"";

	cr_assert_not_null(pareto);
	cr_expect_null(strstr(pareto, pass_fill), "a failure bar in the pass colour: %s", pareto);
	cr_expect_not_null(strstr(pareto, "<rect"));
	cr_expect_not_null(strstr(cycle, pass_fill), "passing cycle times stay in the pass colour");
	free(pareto);
	free(cycle);
	free(s);
}

/* Every left-axis tick label of a chart that counts attempts is a whole number. */
static void expect_integer_ticks(const char *svg, const char *id)
{
	const char *p = svg;
	int ticks = 0;

	while ((p = strstr(p, "class=\"yt\">"))) {
		p += strlen("class=\"yt\">");
		ticks++;
		cr_expect(strspn(p, "0123456789") == strcspn(p, "<"), "%s: tick '%.12s' is not a whole number", id, p);
	}
	cr_expect_geq(ticks, 2, "%s has no axis", id);
}

Test(report_html, count_axes_have_whole_number_ticks)
{
	char *s = rf_slurp(html);
	static const char *const counted[] = { "chart-cycle", "chart-throughput", "chart-pareto" };

	for (size_t i = 0; i < 3; i++) {
		char *svg = svg_of(s, counted[i]);

		cr_assert_not_null(svg);
		expect_integer_ticks(svg, counted[i]);
		free(svg);
	}
	free(s);
}

Test(report_html, page_says_what_was_programmed_where_from_and_lists_the_failed_boards)
{
	char *s = rf_slurp(html), *real = realpath(tmp.db, NULL), want[512];
	const char *failed, *later;

	snprintf(want, sizeof(want), "<tr><th>database</th><td>%s</td></tr>", real);
	cr_expect_not_null(strstr(s, want), "%s", want);
	cr_expect_not_null(strstr(s, "<tr><th>by gang</th><td>" GANG_VERSION "</td></tr>"));
	cr_expect_not_null(strstr(s, "<tr><th>generated</th><td>20"));
	cr_expect_null(strstr(s, "(first) .. (last)"));
	cr_expect_not_null(strstr(s, "<tr><th>span</th><td>1 d 02 h 00 min 20 s (first attempt started"));
	cr_expect_not_null(strstr(s, "<tr><td>B1</td><td>demo-f103</td><td>ab12cd</td><td>ef34</td><td>line-2</td>"
				     "<td>amelie</td><td class=\"n\">7</td>"));
	failed = strstr(s, "<h2 id=\"failed-boards\">");
	later = strstr(s, "<h2 id=\"failed-later-passed\">");
	cr_assert(failed && later && failed < later);
	cr_expect_not_null(strstr(failed, "<tr><td>" RF_UID_D "</td><td>demo 1003</td><td>S1</td><td>P1</td>"
					  "<td>verify</td><td>verify</td><td>2026-11-24T09:10:05.000Z</td>"));
	cr_expect(strstr(failed, RF_UID_D) < later, "D is still failed");
	cr_expect_not_null(strstr(later, "<tr><td>" RF_UID_A "</td>"));
	cr_expect_not_null(strstr(s, "<th>first-pass yield</th><th>attempt pass rate</th>"));
	free(real);
	free(s);
}

Test(report_html, failed_board_text_from_the_database_is_escaped)
{
	static const rf_attempt odd = { RF_UID_C, "S<2>", "P2", "B1", GANG_ATTEMPT_FAIL, "flash",
					"erase <b>failed</b> & 'stopped'", "2026-11-24T09:50:00.000Z",
					"2026-11-24T09:50:04.000Z", NULL, { { "erase", GANG_STEP_FAIL, 3000, NULL } } };
	char *argv[] = { "report", "--db", tmp.db, "--format", "html", "--out", html, NULL };
	gang_diag d = { 0 };
	gang_db *db = NULL;
	char *s;

	cr_assert_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_OK, "%s", d.msg);
	rf_write_attempt(db, &odd);
	gang_db_close(db);
	cr_assert_eq(rf_run_captured(gang_cmd_report, 7, argv, out_path, err_path), GANG_EXIT_OK);
	s = rf_slurp(html);
	cr_expect_not_null(strstr(s, "<td>S&lt;2&gt;</td>"));
	cr_expect_not_null(strstr(s, "erase &lt;b&gt;failed&lt;/b&gt; &amp; &#39;stopped&#39;"));
	cr_expect_null(strstr(s, "<b>failed"));
	free(s);
}

Test(report_html, database_text_is_escaped)
{
	char *argv[] = { "report", "--db", tmp.db, "--batch", "<b>&'x'", "--format", "html", "--out", html, NULL };
	char *s;

	cr_assert_eq(rf_run_captured(gang_cmd_report, 9, argv, out_path, err_path), GANG_EXIT_OK);
	s = rf_slurp(html);
	cr_expect_not_null(strstr(s, "&lt;b&gt;&amp;&#39;x&#39;"));
	cr_expect_null(strstr(s, "<b>&"));
	free(s);
}

static int have_chromium(void)
{
	return system("command -v " TH_CHROMIUM " >/dev/null 2>&1") == 0;
}

Test(report_html, chromium_renders_the_page_without_console_errors)
{
	char cmd[1024], log[192], *s;

	if (!have_chromium())
		cr_skip_test("chromium is not installed");
	snprintf(log, sizeof(log), "%s/chromium.log", tmp.dir);
	snprintf(cmd, sizeof(cmd),
		 "timeout 90 " TH_CHROMIUM " --headless --disable-gpu --no-sandbox --enable-logging=stderr --v=0 "
		 "--user-data-dir=%s/profile --dump-dom file://%s >%s/dom.html 2>%s",
		 tmp.dir, html, tmp.dir, log);
	cr_assert_eq(system(cmd), 0, "chromium failed: see %s", log);
	s = rf_slurp(log);
	cr_expect_null(strstr(s, "Uncaught"), "%s", s);
	cr_expect_null(strstr(s, "CONSOLE"), "%s", s);
	free(s);
}

Test(report_html, chromium_finds_the_four_charts_in_the_rendered_dom)
{
	char cmd[1024], probe[192], *s;
	FILE *fp;

	if (!have_chromium())
		cr_skip_test("chromium is not installed");
	/* the probe goes into a copy: the product page itself never contains a script */
	snprintf(probe, sizeof(probe), "%s/probe.html", tmp.dir);
	s = rf_slurp(html);
	fp = fopen(probe, "w");
	cr_assert_not_null(fp);
	fputs(s, fp);
	fputs("<script>var ids=['chart-cycle','chart-slot-yield','chart-throughput','chart-pareto'];"
	      "var ok=ids.filter(function(i){var e=document.getElementById(i);"
	      "return e&&e.namespaceURI==='http://www.w3.org/2000/svg'&&e.querySelectorAll('rect').length>0"
	      "&&e.getBoundingClientRect().width>100;}).length;"
	      "var f=document.getElementById('failed-boards');"
	      "document.title='charts-ok:'+ok+(f&&f.getBoundingClientRect().height>0?' failed-list-ok':'');"
	      "</script>\n", fp);
	fclose(fp);
	free(s);
	snprintf(cmd, sizeof(cmd),
		 "timeout 90 " TH_CHROMIUM " --headless --disable-gpu --no-sandbox --user-data-dir=%s/profile "
		 "--dump-dom file://%s >%s/dom.html 2>/dev/null",
		 tmp.dir, probe, tmp.dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(probe, sizeof(probe), "%s/dom.html", tmp.dir);
	s = rf_slurp(probe);
	cr_expect_not_null(strstr(s, "<title>charts-ok:4 failed-list-ok</title>"), "rendered title: %.200s",
			   strstr(s, "<title>"));
	free(s);
}
