/*
 * test_html.c — the HTML report is one self-contained page: no script, no
 * link, no external URL; the four charts exist with bars; text from the
 * database is escaped. Then a real browser (headless Chromium, skipped
 * when not installed) loads it without console errors, and a probe script
 * appended to a COPY of the page confirms the four <svg> charts exist in
 * the rendered DOM with bars in them.
 */
#include <criterion/criterion.h>

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
	cr_expect_not_null(strstr(svg, "<title>S2: 66.6667 % yield</title>"), "%s", svg);
	free(svg);
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
	      "document.title='charts-ok:'+ok;</script>\n", fp);
	fclose(fp);
	free(s);
	snprintf(cmd, sizeof(cmd),
		 "timeout 90 " TH_CHROMIUM " --headless --disable-gpu --no-sandbox --user-data-dir=%s/profile "
		 "--dump-dom file://%s >%s/dom.html 2>/dev/null",
		 tmp.dir, probe, tmp.dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(probe, sizeof(probe), "%s/dom.html", tmp.dir);
	s = rf_slurp(probe);
	cr_expect_not_null(strstr(s, "<title>charts-ok:4</title>"), "rendered title: %.200s", strstr(s, "<title>"));
	free(s);
}
