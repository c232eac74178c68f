/* html_int.h — what the analysis module's HTML pages share (defined in report.c):
 * text escaping for HTML/SVG and the page style sheet. */
#ifndef AVMIT_ANALYSIS_HTML_INT_H
#define AVMIT_ANALYSIS_HTML_INT_H
#include <stdio.h>

/* Write s with <, >, & and " escaped. NULL writes nothing. */
void html_esc(FILE *f, const char *s);
/* The inline CSS of every page (no external resources). */
extern const char html_css[];
/* Okabe–Ito colours for series 0..3. */
extern const char *const html_colors[4];

#endif
