/*
 * report_util.c — escaping for the report renderers, by the one set of
 * escapers in core/text.c: JSON string literals (RFC 8259 §7, UTF-8 per
 * §8.1), CSV fields (RFC 4180 §2, formulas neutralised) and HTML text.
 */
#include "report/report.h"

#include "core/text.h"

void gang_report_json_string(FILE *fp, const char *s)
{
	gang_text_fput_json(fp, s);
}

void gang_report_csv_field(FILE *fp, const char *s)
{
	gang_text_fput_csv(fp, s);
}

void gang_report_html_text(FILE *fp, const char *s)
{
	gang_text_fput_html(fp, s);
}
