/*
 * report_svg.c — SVG bar charts for the HTML report (report_svg.h).
 * Geometry is fixed (720 x 300 user units, scaled by the viewBox) so the
 * page lays out the same everywhere; each bar carries a <title> so a
 * browser shows its exact value on hover without any script.
 * Reference: SVG 1.1 §9 (basic shapes), §5.4 (title).
 */
#include "report/report_svg.h"

#include <math.h>

#include "report/report.h"

#define RS_W 720.0
#define RS_H 300.0
#define RS_LEFT 64.0
#define RS_RIGHT 48.0
#define RS_TOP 34.0
#define RS_BOTTOM 72.0
#define RS_TICKS 5
#define RS_MAX_LABELS 24U
#define RS_COLOR_A "#2e7d32" /* passes */
#define RS_COLOR_B "#c62828" /* failures */
#define RS_COLOR_LINE "#1565c0"

/* Smallest 1/2/5 x 10^k at or above v, so axis ticks are round numbers. */
static double rs_nice(double v)
{
	double mag, f;

	if (v <= 0)
		return 1.0;
	mag = pow(10.0, floor(log10(v)));
	f = v / mag;
	return (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0) * mag;
}

/* The left axis: its top value and ticks (step apart, ticks of them above 0). */
typedef struct rs_scale {
	double top, step;
	int ticks;
} rs_scale;

/*
 * Percent axes run 0..100 % in 20 % steps. Other axes count attempts, so a
 * tick step is a whole number (no tick at half an attempt): a round
 * 1/2/5 x 10^k of at least 1, and as many ticks as reach the largest bar.
 */
static rs_scale rs_scale_of(const rs_chart *c)
{
	rs_scale sc = { 100.0, 100.0 / RS_TICKS, RS_TICKS };
	double top = 0;

	if (c->y_percent)
		return sc;
	for (size_t i = 0; i < c->n; i++) {
		double v = c->a[i] + (c->b ? c->b[i] : 0.0);

		top = v > top ? v : top;
	}
	sc.step = rs_nice(top / RS_TICKS);
	sc.step = sc.step < 1.0 ? 1.0 : sc.step;
	sc.ticks = (int)ceil(top / sc.step);
	sc.ticks = sc.ticks < 1 ? 1 : sc.ticks;
	sc.top = sc.step * sc.ticks;
	return sc;
}

static void rs_axes(FILE *fp, const rs_chart *c, const rs_scale *sc)
{
	double ph = RS_H - RS_TOP - RS_BOTTOM;

	fprintf(fp, "<text x=\"%.0f\" y=\"20\" class=\"t\">", RS_W / 2);
	gang_report_html_text(fp, c->title);
	fprintf(fp, "</text><text x=\"14\" y=\"%.0f\" class=\"yl\" transform=\"rotate(-90 14 %.0f)\">",
		RS_TOP + ph / 2, RS_TOP + ph / 2);
	gang_report_html_text(fp, c->y_label);
	fputs("</text>", fp);
	for (int i = 0; i <= sc->ticks; i++) {
		double y = RS_TOP + ph - ph * i / sc->ticks;

		fprintf(fp, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" class=\"g\"/>", RS_LEFT, y,
			RS_W - RS_RIGHT, y);
		fprintf(fp, "<text x=\"%.0f\" y=\"%.1f\" class=\"yt\">%.0f%s</text>", RS_LEFT - 4, y + 4,
			sc->step * i, c->y_percent ? "%" : "");
	}
	for (int i = 0; c->line && i <= RS_TICKS; i++)
		fprintf(fp, "<text x=\"%.0f\" y=\"%.1f\" class=\"rt\">%d%%</text>", RS_W - RS_RIGHT + 4,
			RS_TOP + ph - ph * i / RS_TICKS + 4, 100 * i / RS_TICKS);
}

static void rs_bar(FILE *fp, double x, double w, double y0, double h, const char *color, const char *label,
		   const char *name, double v)
{
	if (h <= 0)
		return;
	fprintf(fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>", x,
		y0 - h, w, h, color);
	gang_report_html_text(fp, label);
	fprintf(fp, ": %g", v);
	if (name) {
		fputc(' ', fp);
		gang_report_html_text(fp, name);
	}
	fputs("</title></rect>", fp);
}

static void rs_bars(FILE *fp, const rs_chart *c, double top)
{
	double pw = RS_W - RS_LEFT - RS_RIGHT, ph = RS_H - RS_TOP - RS_BOTTOM, base = RS_TOP + ph;
	double step = pw / (double)c->n, w = step * 0.8;
	size_t every = (c->n + RS_MAX_LABELS - 1) / RS_MAX_LABELS;

	for (size_t i = 0; i < c->n; i++) {
		double x = RS_LEFT + step * (double)i + step * 0.1;
		double ha = ph * c->a[i] / top, hb = c->b ? ph * c->b[i] / top : 0.0;

		rs_bar(fp, x, w, base, ha, c->a_fail ? RS_COLOR_B : RS_COLOR_A, c->labels[i], c->a_name, c->a[i]);
		if (c->b)
			rs_bar(fp, x, w, base - ha, hb, RS_COLOR_B, c->labels[i], c->b_name, c->b[i]);
		if (i % every)
			continue;
		fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" class=\"xt\" transform=\"rotate(-40 %.1f %.1f)\">",
			x + w / 2, base + 12, x + w / 2, base + 12);
		gang_report_html_text(fp, c->labels[i]);
		fputs("</text>", fp);
	}
}

static void rs_line(FILE *fp, const rs_chart *c)
{
	double pw = RS_W - RS_LEFT - RS_RIGHT, ph = RS_H - RS_TOP - RS_BOTTOM;
	double step = pw / (double)c->n;

	fprintf(fp, "<polyline class=\"cum\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", RS_COLOR_LINE);
	for (size_t i = 0; i < c->n; i++)
		fprintf(fp, "%s%.1f,%.1f", i ? " " : "", RS_LEFT + step * ((double)i + 0.5),
			RS_TOP + ph - ph * c->line[i] / 100.0);
	fputs("\"/>", fp);
	for (size_t i = 0; i < c->n; i++)
		fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>cumulative %.1f%%</title></circle>",
			RS_LEFT + step * ((double)i + 0.5), RS_TOP + ph - ph * c->line[i] / 100.0, RS_COLOR_LINE,
			c->line[i]);
}

/* Which colour is which, top right, for stacked charts. */
static void rs_legend(FILE *fp, const rs_chart *c)
{
	const char *const names[2] = { c->a_name, c->b_name }, *const colors[2] = { RS_COLOR_A, RS_COLOR_B };

	for (int i = 0; i < 2; i++) {
		double x = RS_W - RS_RIGHT - 150 + 75 * i;

		fprintf(fp, "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%.0f\" y=\"%.0f\" class=\"lg\">", x, RS_TOP - 12, colors[i], x + 14, RS_TOP - 3);
		gang_report_html_text(fp, names[i]);
		fputs("</text>", fp);
	}
}

void rs_chart_write(FILE *fp, const rs_chart *c)
{
	rs_scale sc = rs_scale_of(c);

	fprintf(fp, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
		"role=\"img\" aria-label=\"", c->id, RS_W, RS_H);
	gang_report_html_text(fp, c->title);
	fputs("\">", fp);
	rs_axes(fp, c, &sc);
	if (c->n == 0)
		fprintf(fp, "<text x=\"%.0f\" y=\"%.0f\" class=\"t\">no data</text>", RS_W / 2, RS_H / 2);
	else
		rs_bars(fp, c, sc.top);
	if (c->n && c->line)
		rs_line(fp, c);
	if (c->b)
		rs_legend(fp, c);
	fputs("</svg>\n", fp);
}
