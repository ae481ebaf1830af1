/*
 * job_data.c — the data step of an attempt: each data item of the profile
 * (profile.h gang_profile_data) takes the board's value from its pool
 * (serial/data_pool.h: the same UID always gets the same value) and is
 * patched into the per-board image at its address, before the checksum
 * and programming; the pass burns each value in its own transaction
 * (gang_db_attempt_finish). A secret list
 * value reaches only the image: the step's detail, the log and the events
 * name it by pool, index and SHA-256.
 */
#include "sched/job_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db/db_lease.h"
#include "serial/data_pool.h"

/* The bytes of a list value (hex) padded to the item's length; GANG_EPROFILE when longer. */
static int job_data_list_bytes(uint8_t *out, const gang_profile_data *it, const gang_data_taken *v, gang_diag *d)
{
	size_t n = strlen(v->hex) / 2;

	if (n > it->length)
		return gang_diag_set(d, GANG_EPROFILE, "pool '%s' index %" PRIu64 " holds %zu bytes; the profile writes "
				     "%" PRIu32 " (length)", it->pool, v->index, n, it->length);
	memset(out, it->pad, it->length);
	for (size_t i = 0; i < n; i++) {
		unsigned byte = 0;

		sscanf(v->hex + 2 * i, "%2x", &byte);
		out[i] = (uint8_t)byte;
	}
	return GANG_OK;
}

/* "mac 00:80:E1:00:00:05", "keys #3 sha256 1f2e..." (secret) or "labels #3 0x4142": for the step's detail. */
static void job_data_note(char *out, size_t cap, const gang_profile_data *it, const gang_data_taken *v,
			  uint64_t mac)
{
	char text[20];

	if (it->kind == GANG_PDATA_MAC) {
		gang_mac_text(text, sizeof(text), mac);
		snprintf(out, cap, "%s %s at 0x%08" PRIX32, it->pool, text, it->address);
	} else if (it->secret) {
		snprintf(out, cap, "%s #%" PRIu64 " sha256 %s at 0x%08" PRIX32, it->pool, v->index, v->sha256,
			 it->address);
	} else {
		snprintf(out, cap, "%s #%" PRIu64 " 0x%.64s%s at 0x%08" PRIX32, it->pool, v->index, v->hex,
			 strlen(v->hex) > 64 ? "..." : "", it->address);
	}
}

int job_data_offline(job *j, int err, const char *what)
{
	char why[GANG_DIAG_LEN];

	if (err >= 0 || j->p->serial.lease == 0 || !gang_db_unreachable(j->db))
		return err;
	snprintf(why, sizeof(why), "%s", j->d->msg);
	return gang_diag_set(j->d, GANG_EOFFLINE_DATA, "%s needs the central database, which is out of reach (the "
			     "serial lease keeps only serials going): %.300s", what, why);
}

static int job_data_item(job *j, const gang_profile_data *it)
{
	uint8_t bytes[GANG_DATA_VALUE_MAX];
	char note[200];
	gang_data_taken v;
	uint64_t mac = 0;
	size_t o;
	int err;

	if ((err = gang_data_reserve(&v, j->db, it->pool, j->uid, &j->key, j->d)) < 0) {
		char what[160];

		snprintf(what, sizeof(what), "data pool '%s'", it->pool);
		return job_data_offline(j, err, what);
	}
	if (it->kind == GANG_PDATA_MAC) {
		mac = it->first + v.index;
		gang_mac_bytes(bytes, mac, it->msb_first);
	} else if ((err = job_data_list_bytes(bytes, it, &v, j->d)) < 0) {
		memset(&v, 0, sizeof(v));
		return err;
	}
	err = gang_image_patch(j->img, it->address, bytes, it->length, it->overlay, j->d);
	memset(bytes, 0, sizeof(bytes));
	job_data_note(note, sizeof(note), it, &v, mac);
	memset(&v, 0, sizeof(v));
	if (err < 0)
		return err;
	o = strlen(j->detail);
	snprintf(j->detail + o, sizeof(j->detail) - o, "%s%s", o ? "; " : "", note);
	return GANG_OK;
}

int job_data(job *j)
{
	int err;

	if (j->p->n_data == 0)
		return JOB_SKIPPED;
	if (!j->img && (err = gang_image_clone(&j->img, j->cfg->image)) < 0)
		return gang_diag_set(j->d, err, "cannot copy the image for the data items");
	for (size_t i = 0; i < j->p->n_data; i++)
		if ((err = job_data_item(j, &j->p->data[i])) < 0)
			return err;
	return GANG_OK;
}

void job_data_redact(job *j)
{
	const gang_diag *d = j->d;

	for (size_t i = 0; d->has_addr && i < j->p->n_data; i++) {
		const gang_profile_data *it = &j->p->data[i];

		if (it->secret && d->addr >= it->address && (uint64_t)d->addr < (uint64_t)it->address + it->length) {
			gang_diag_set_at(j->d, d->code, d->addr, "failed at 0x%08" PRIX32 ", inside the secret value of "
					 "pool '%s' (its bytes are not shown)", d->addr, it->pool);
			return;
		}
	}
}
