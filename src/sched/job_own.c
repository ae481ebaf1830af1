/*
 * job_own.c — the steps a profile adds to the attempt (profiles/README.md
 * "steps"): a command of the line's own, run with the board's context in
 * its environment (core/exec.h), and a memory check that lets the firmware
 * run and polls a word it leaves; plus the checksum written into the
 * per-board image and the check that skips erase and program on a board
 * that already holds the image. A failed step fails with GANG_ESTEP and
 * the operator's sentence names the step; its output is the step's detail.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash/flash.h"
#include "sched/job_internal.h"

#define OWN_ENV_N 9
#define OWN_ENV_LEN 320
#define OWN_POLL_US 10000U       /* memory check: one read every 10 ms */
#define OWN_CRC32_POLY 0xEDB88320U /* IEEE 802.3, reflected */

typedef struct own_env {
	char buf[OWN_ENV_N][OWN_ENV_LEN];
	const char *v[OWN_ENV_N + 1];
} own_env;

/* The board's context for the command: GANG_UID, GANG_SERIAL, ... */
static void own_env_fill(own_env *e, const job *j)
{
	char key[GANG_DB_KEY_TEXT_MAX];
	const struct {
		const char *name, *value;
	} kv[OWN_ENV_N] = {
		{ "GANG_UID", j->uid }, { "GANG_SERIAL", j->serial_text }, { "GANG_SLOT", j->s->label },
		{ "GANG_PROBE", j->s->id.serial }, { "GANG_BATCH", j->cfg->batch ? j->cfg->batch : "" },
		{ "GANG_STATION", j->cfg->station ? j->cfg->station : "" },
		{ "GANG_ATTEMPT", gang_attempt_key_text(key, sizeof(key), &j->key) },
		{ "GANG_IMAGE_SHA256", job_image(j)->sha256 }, { "GANG_PROFILE", j->p->name },
	};

	for (size_t i = 0; i < OWN_ENV_N; i++) {
		snprintf(e->buf[i], OWN_ENV_LEN, "%s=%s", kv[i].name, kv[i].value);
		e->v[i] = e->buf[i];
	}
	e->v[OWN_ENV_N] = NULL;
}

/* The profile's directory: commands run there, as image.file resolves against it. */
static void own_dir(char *out, size_t cap, const char *profile_path)
{
	const char *slash = strrchr(profile_path, '/');

	if (!slash)
		snprintf(out, cap, ".");
	else
		snprintf(out, cap, "%.*s", slash == profile_path ? 1 : (int)(slash - profile_path), profile_path);
}

/* The operator's "what happened" for a command that did not exit 0. */
static void own_exec_what(char *out, size_t cap, const char *name, const gang_exec_result *r, uint32_t timeout_ms)
{
	if (r->end == GANG_EXEC_TIMEOUT)
		snprintf(out, cap, "step '%s' timed out after %" PRIu32 " s", name, timeout_ms / 1000U);
	else if (r->end == GANG_EXEC_SIGNALED)
		snprintf(out, cap, "step '%s' was killed by signal %d (%s)", name, r->status, strsignal(r->status));
	else if (r->status == 127)
		snprintf(out, cap, "step '%s': command not found (exit 127)", name);
	else if (r->status == 126)
		snprintf(out, cap, "step '%s': command cannot be executed (exit 126)", name);
	else
		snprintf(out, cap, "step '%s' failed (exit %d)", name, r->status);
}

/* Judge the command: exit 0 passes; its output goes to the step's detail either way. */
static int own_exec_judge(job *j, const gang_exec_result *r)
{
	const gang_plan_step *st = j->step;
	char head[200];

	if (r->end == GANG_EXEC_STOPPED)
		return gang_diag_set(j->d, GANG_ECANCELLED, "stopped by the operator during %s (its processes "
				     "were ended)", st->name);
	if (r->end == GANG_EXEC_EXITED && r->status == 0)
		snprintf(head, sizeof(head), "exit 0 in %.1f s", r->seconds);
	else
		own_exec_what(head, sizeof(head), st->name, r, st->timeout_ms);
	snprintf(j->detail, sizeof(j->detail), "%s; output%s: %s", head, r->truncated ? " (last 4096 bytes)" : "",
		 r->out_len ? r->out : "(none)");
	if (r->end == GANG_EXEC_EXITED && r->status == 0)
		return GANG_OK;
	snprintf(j->what, sizeof(j->what), "%s", head);
	j->detail_on_fail = true;
	return gang_diag_set(j->d, GANG_ESTEP, "%s; output: %.300s", head,
			     r->out_len > 300 ? r->out + r->out_len - 300 : r->out);
}

int job_exec(job *j)
{
	const gang_plan_step *st = j->step;
	gang_exec_result *r = malloc(sizeof(*r));
	own_env env;
	char dir[1024];
	gang_exec_opts o = { .cmd = st->own->run, .dir = dir, .env = env.v, .timeout_ms = st->timeout_ms,
			     .should_stop = job_should_stop, .user = j };
	int err;

	if (!r)
		return gang_diag_set(j->d, GANG_ENOMEM, "out of memory running step %s", st->name);
	own_env_fill(&env, j);
	own_dir(dir, sizeof(dir), j->p->path);
	err = gang_exec_run(r, &o, j->d);
	if (err < 0) {
		snprintf(j->what, sizeof(j->what), "step '%s' could not be started", st->name);
		err = gang_diag_set(j->d, GANG_ESTEP, "%s: %.400s", j->what, j->d->msg);
	} else {
		err = own_exec_judge(j, r);
	}
	free(r);
	return err;
}

int job_let_run(job *j)
{
	int err = gang_target_detach(j->t, GANG_DETACH_RESET);

	j->t = NULL;
	return err;
}

int job_reattach(job *j)
{
	gang_connect_opts o = { .mode = j->p->connect, .swd_khz = j->p->swd_khz, .part = j->p->target,
				.should_stop = job_target_should_stop, .stop_user = j };
	const char *uid;
	int err;

	if (j->t)
		return GANG_OK;
	if ((err = gang_target_attach(&j->t, j->sl, &o)) < 0)
		return err;
	uid = gang_target_info_get(j->t)->uid;
	if (strcmp(uid, j->uid) == 0)
		return GANG_OK;
	snprintf(j->what, sizeof(j->what), "after step '%s' another board is in the fixture", j->step->name);
	err = gang_diag_set(j->d, GANG_ESTEP, "after step %s the fixture holds UID %s, not %s", j->step->name, uid,
			    j->uid);
	/* not this attempt's board: leave it running as it came, touch nothing more */
	gang_target_detach(j->t, GANG_DETACH_RESET);
	j->t = NULL;
	return err;
}

int job_probe_release(job *j)
{
	int err = j->t ? job_let_run(j) : GANG_OK;

	gang_stlink_close(j->sl);
	j->sl = NULL;
	*j->slp = NULL;
	return err;
}

int job_probe_take(job *j, bool reattach)
{
	int err = gang_stlink_open(&j->sl, j->s->run->usb, j->s->selector, j->d);

	*j->slp = j->sl;
	/* a probe error either way, so the slot reopens it (or waits for it) before anything else */
	if (err < 0)
		return gang_diag_set(j->d, err == GANG_EPROBE_BUSY ? err : GANG_EPROBE_GONE, "reopening the ST-Link "
				     "after step %s: %.400s", j->step->name, j->d->msg);
	return reattach ? job_reattach(j) : GANG_OK;
}

/* Poll the word with the core running until it holds the value, the time-out or a stop. */
static int own_poll(uint32_t *seen, job *j, const gang_profile_step *s, double deadline)
{
	unsigned khz = 0;
	int err;

	if ((err = gang_stlink_set_swd_khz(&khz, j->sl, j->p->swd_khz)) < 0 ||
	    (err = gang_stlink_enter_swd(j->sl)) < 0)
		return err;
	for (;;) {
		if ((err = gang_stlink_read32(seen, j->sl, s->check_address)) < 0 || *seen == s->check_equals)
			break;
		if (gang_now_unix() >= deadline || job_should_stop(j))
			break;
		gang_target_sleep_us(OWN_POLL_US);
	}
	gang_stlink_exit_debug(j->sl);
	if (err == GANG_OK && *seen != s->check_equals && job_should_stop(j))
		err = gang_diag_set(j->d, GANG_ECANCELLED, "stopped by the operator during %s", j->step->name);
	return err;
}

int job_memcheck(job *j)
{
	const gang_profile_step *s = j->step->own;
	uint32_t seen = 0;
	double t0 = gang_now_unix();
	int err, rerr;

	/* the word as the firmware leaves it, not as an earlier run left it */
	if ((err = gang_stlink_write32(j->sl, s->check_address, ~s->check_equals)) < 0 || (err = job_let_run(j)) < 0)
		return err;
	err = own_poll(&seen, j, s, t0 + j->step->timeout_ms / 1000.0);
	rerr = job_reattach(j);
	if (err < 0 || rerr < 0)
		return err < 0 ? err : rerr;
	snprintf(j->detail, sizeof(j->detail), "0x%08" PRIX32 " reads 0x%08" PRIX32 " after %.2f s%s", s->check_address,
		 seen, gang_now_unix() - t0, seen == s->check_equals ? "" : ", not the value wanted");
	if (seen == s->check_equals)
		return GANG_OK;
	snprintf(j->what, sizeof(j->what), "step '%s': the word at 0x%08" PRIX32 " reads 0x%08" PRIX32 ", not 0x%08"
		 PRIX32 " (after %" PRIu32 " s)", j->step->name, s->check_address, seen, s->check_equals,
		 j->step->timeout_ms / 1000U);
	return gang_diag_set(j->d, GANG_ESTEP, "%s", j->what);
}

/*
 * IEEE 802.3 CRC-32 as zlib's crc32() and Python's binascii.crc32 compute
 * it, a byte at a time through a table made on the stack (no static state).
 */
static uint32_t own_crc32_ieee(const uint8_t *buf, size_t len)
{
	uint32_t table[256], crc = 0xFFFFFFFFU;

	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (unsigned b = 0; b < 8; b++)
			c = (c & 1U) ? (c >> 1) ^ OWN_CRC32_POLY : c >> 1;
		table[n] = c;
	}
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ buf[i]) & 0xFFU] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFU;
}

/* [start, end) of img as programmed: its data, the erased value elsewhere. */
static void own_image_bytes(uint8_t *buf, const gang_image *img, uint32_t start, uint32_t end, uint8_t erased)
{
	memset(buf, erased, end - start);
	for (size_t i = 0; i < img->n_seg; i++) {
		const gang_segment *sg = &img->seg[i];
		uint64_t a = sg->addr > start ? sg->addr : start;
		uint64_t b = (uint64_t)sg->addr + sg->len < end ? (uint64_t)sg->addr + sg->len : end;

		if (a < b)
			memcpy(buf + (a - start), sg->data + (a - sg->addr), (size_t)(b - a));
	}
}

int job_checksum(job *j)
{
	const gang_profile_checksum *k = &j->p->checksum;
	uint8_t le[4], *buf;
	uint32_t crc;
	int err;

	if (!j->img && (err = gang_image_clone(&j->img, j->cfg->image)) < 0)
		return gang_diag_set(j->d, err, "cannot copy the image for the checksum");
	if (!(buf = malloc(k->end - k->start)))
		return gang_diag_set(j->d, GANG_ENOMEM, "out of memory computing the checksum");
	own_image_bytes(buf, j->img, k->start, k->end, gang_target_part(j->t)->geom.erased);
	crc = k->kind == GANG_CHECKSUM_CRC32 ? own_crc32_ieee(buf, k->end - k->start) :
					       gang_crc32_stm32(buf, k->end - k->start);
	free(buf);
	for (unsigned i = 0; i < 4; i++)
		le[i] = (uint8_t)(crc >> (8 * i));
	if ((err = gang_image_patch(j->img, k->address, le, sizeof(le), 1, j->d)) < 0)
		return err;
	snprintf(j->detail, sizeof(j->detail), "%s 0x%08" PRIX32 " of [0x%08" PRIX32 ", 0x%08" PRIX32 ") at 0x%08" PRIX32,
		 gang_checksum_kind_name(k->kind), crc, k->start, k->end, k->address);
	return GANG_OK;
}

int job_same(job *j)
{
	bool same = false;
	int err;

	if (!j->p->skip_if_same || j->unprotected || gang_target_info_get(j->t)->rdp_level != 0)
		return GANG_OK;
	if ((err = gang_flash_same(&same, j->t, job_image(j))) < 0 || !same)
		return err;
	snprintf(j->detail, sizeof(j->detail), "already as wanted: flash holds the %zu bytes of the image "
		 "(CRC unit over each range); erase and program skipped", gang_image_size(job_image(j)));
	return JOB_SKIPPED;
}
