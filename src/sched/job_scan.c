/*
 * job_scan.c — the scan step of an attempt (profile scan = { ... }): the
 * text of the board's printed label is asked for (the run's scan source:
 * stdin in plain and JSON mode), checked against the profile's pattern
 * (POSIX extended regex; a scan that does not match is refused naming the
 * pattern and asked for again) and bound to the board's UID before
 * anything is written to the board. A label bound to another board fails
 * the attempt naming that board (GANG_ESCAN_TAKEN).
 */
#include "sched/job_internal.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "serial/data_pool.h"

#define JOB_SCAN_MAX 256U

/* The next scan that matches; GANG_ECANCELLED when the source has no more. */
static int job_scan_read(char *out, size_t cap, job *j, const regex_t *re)
{
	char note[JOB_SCAN_MAX + GANG_PROFILE_TEXT_MAX + 64];

	job_note(j, "scan the board's label", NULL);
	for (;;) {
		if (j->cfg->scan(j->cfg->scan_user, out, cap, j->s->label, job_should_stop, j) < 0) {
			if (!job_should_stop(j)) /* the input ended: no other board gets a scan either */
				sched_drain(j->s->run);
			return gang_diag_set(j->d, GANG_ECANCELLED, "no scan for the board: the scan input ended");
		}
		if ((!*out && !j->p->scan.required) || (*out && regexec(re, out, 0, NULL, 0) == 0))
			return GANG_OK;
		snprintf(note, sizeof(note), "scan '%s' refused: it does not match the pattern \"%s\" — scan again", out,
			 j->p->scan.pattern);
		job_note(j, note, NULL);
		gang_log_info(&j->s->log, "%s", note);
	}
}

int job_scan(job *j)
{
	char text[JOB_SCAN_MAX];
	regex_t re;
	int err;

	if (!j->p->scan.present)
		return JOB_SKIPPED;
	if (!j->cfg->scan)
		return gang_diag_set(j->d, GANG_ERR, "the profile asks for a scan but this run has no scan input");
	if (regcomp(&re, j->p->scan.pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return gang_diag_set(j->d, GANG_EPROFILE, "scan.pattern does not compile");
	err = job_scan_read(text, sizeof(text), j, &re);
	regfree(&re);
	if (err < 0)
		return err;
	if (!*text) {
		snprintf(j->detail, sizeof(j->detail), "no label scanned (scan.required = false)");
		return JOB_SKIPPED;
	}
	if ((err = gang_scan_bind(j->db, text, j->uid, &j->key, j->d)) < 0)
		return job_data_offline(j, err, "binding the scanned label");
	snprintf(j->detail, sizeof(j->detail), "label %s", text);
	return GANG_OK;
}
