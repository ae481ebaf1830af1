/*
 * report_svg.h — inline SVG bar charts for the HTML report, drawn by C
 * (no JavaScript, no fonts or styles from outside the page): bars,
 * optionally stacked with a second series, optionally with a line on a
 * 0..100 % right axis (Pareto cumulative share). Private to src/report/.
 */
#ifndef GANG_REPORT_REPORT_SVG_H
#define GANG_REPORT_REPORT_SVG_H

#include <stddef.h>
#include <stdio.h>

typedef struct rs_chart {
	const char *id;          /* element id, e.g. "chart-cycle" */
	const char *title;
	const char *y_label;
	const char *const *labels; /* n category labels */
	const double *a;         /* first series (bottom), n values */
	const double *b;         /* stacked second series or NULL */
	const double *line;      /* 0..100 per category or NULL */
	const char *a_name, *b_name;
	size_t n;
	int y_percent;           /* left axis is 0..100 %; otherwise it counts, with whole-number ticks */
	int a_fail;              /* the first series counts failures: drawn in the failure colour */
} rs_chart;

void rs_chart_write(FILE *fp, const rs_chart *c);

#endif
