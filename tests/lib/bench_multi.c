/* bench_multi.c — see bench_multi.h. */
#include "bench_multi.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flash/ob.h"
#include "target/part.h"

static const bench_board *bench_multi_row(const bench_multi *m, size_t i)
{
	return (const bench_board *)(const void *)((const char *)m->boards + i * m->stride);
}

static void bench_multi_write(const bench_multi *m, const char *path)
{
	FILE *fp = fopen(path, "w");

	cr_assert_not_null(fp, "%s", path);
	fputs("probes = (\n", fp);
	for (size_t i = 0; i < m->n; i++)
		fprintf(fp, "  { serial = \"%s\"; model = \"%s\"; target = \"%s\"; }%s\n", bench_multi_row(m, i)->probe,
			bench_multi_row(m, i)->model, bench_multi_row(m, i)->part, i + 1 < m->n ? "," : "");
	fputs(");\n", fp);
	fclose(fp);
}

void bench_multi_open(bench_multi *m, bench_session *s, const bench_board *boards, size_t n, size_t stride,
		      const char *tag)
{
	char path[128];

	memset(m, 0, sizeof(*m));
	m->s = s;
	m->boards = boards;
	m->n = n;
	m->stride = stride;
	snprintf(m->dir, sizeof(m->dir), "/tmp/gang-%sbench-XXXXXX", tag);
	cr_assert_not_null(mkdtemp(m->dir));
	snprintf(path, sizeof(path), "%s/bench.cfg", m->dir);
	bench_multi_write(m, path);
	setenv("GANGSIM_BENCH", path, 1);
	snprintf(s->state, sizeof(s->state), "/tmp/gang-%sflash-XXXXXX", tag);
	cr_assert_not_null(mkdtemp(s->state));
	setenv("GANGSIM_STATE", s->state, 1);
	cr_assert_eq(gang_usb_new(&s->usb, &s->d), GANG_OK, "%s", s->d.msg);
}

void bench_multi_close(bench_multi *m)
{
	char path[128];

	if (m->s)
		bench_session_close(m->s);
	if (m->dir[0]) {
		snprintf(path, sizeof(path), "%s/bench.cfg", m->dir);
		remove(path);
		rmdir(m->dir);
	}
	memset(m, 0, sizeof(*m));
}

const bench_board *bench_multi_board(const bench_multi *m, const char *part)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(bench_multi_row(m, i)->part, part) == 0)
			return bench_multi_row(m, i);
	cr_assert_fail("no bench board for %s", part);
	return NULL;
}

void bench_multi_up(bench_multi *m, const char *part)
{
	bench_session *s = m->s;

	gang_target_detach(s->t, GANG_DETACH_HALT);
	gang_stlink_close(s->sl);
	s->t = NULL;
	s->sl = NULL;
	cr_assert_eq(gang_stlink_open(&s->sl, s->usb, bench_multi_board(m, part)->probe, &s->d), GANG_OK, "%s",
		     s->d.msg);
	cr_assert_eq(bench_session_attach(s, GANG_CONNECT_AUTO, part), GANG_OK, "%s: %s", part,
		     gang_stlink_diag(s->sl)->msg);
}

const char *bench_multi_msg(const bench_multi *m)
{
	return gang_stlink_diag(m->s->sl)->msg;
}

uint8_t *bench_multi_flash(size_t *len_out, const bench_multi *m)
{
	size_t cap = gang_target_part(m->s->t)->flash_kib * 1024U;
	uint8_t *buf = malloc(cap);
	char path[256];
	FILE *fp;

	cr_assert_not_null(buf);
	snprintf(path, sizeof(path), "%s/%s/flash.bin", m->s->state, gang_target_info_get(m->s->t)->uid);
	fp = fopen(path, "rb");
	cr_assert_not_null(fp, "bench state %s missing", path);
	*len_out = fread(buf, 1, cap, fp);
	fclose(fp);
	return buf;
}

/* Segment i of img and one erased byte either side of it, where no neighbour touches it. */
static void bench_multi_segment(const uint8_t *fl, size_t n, const gang_image *img, size_t i, const gang_part *p)
{
	const gang_segment *s = &img->seg[i];
	uint32_t off = s->addr - GANG_FLASH_BASE;

	cr_assert_leq(off + s->len, n);
	cr_assert_arr_eq(fl + off, s->data, s->len, "%s: segment at 0x%08X", p->name, (unsigned)s->addr);
	if (off > 0 && (i == 0 || img->seg[i - 1].addr + img->seg[i - 1].len < s->addr))
		cr_assert_eq(fl[off - 1], p->geom.erased, "byte before 0x%08X programmed", (unsigned)s->addr);
	if (off + s->len < n && (i + 1 == img->n_seg || img->seg[i + 1].addr > s->addr + s->len))
		cr_assert_eq(fl[off + s->len], p->geom.erased, "byte after 0x%08X..+%u programmed",
			     (unsigned)s->addr, (unsigned)s->len);
}

void bench_multi_program_check(const bench_multi *m, const gang_image *img, gang_erase_mode em)
{
	const gang_part *p = gang_target_part(m->s->t);
	gang_program_opts o = { em, false, NULL, NULL };
	size_t n = 0;
	uint8_t *fl;

	cr_assert_eq(gang_flash_program_image(m->s->t, img, &o), GANG_OK, "%s: %s", p->name, bench_multi_msg(m));
	cr_assert_eq(gang_flash_verify(m->s->t, img, GANG_VERIFY_CRC, NULL, NULL), GANG_OK, "%s",
		     bench_multi_msg(m));
	fl = bench_multi_flash(&n, m);
	for (size_t i = 0; i < img->n_seg; i++)
		bench_multi_segment(fl, n, img, i, p);
	free(fl);
}

gang_image *bench_image(uint32_t addr, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);
	gang_image *img = NULL;

	cr_assert_not_null(b);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245U + 12345U;
		b[i] = (uint8_t)((seed >> 16) % 255U);
	}
	cr_assert_eq(gang_image_from_buffer(&img, addr, b, len), GANG_OK);
	free(b);
	return img;
}

void bench_image_add(gang_image *img, uint32_t addr, size_t len, unsigned seed)
{
	gang_image *b = bench_image(addr, len, seed);

	cr_assert_eq(gang_image_patch(img, addr, b->seg[0].data, len, 0, NULL), GANG_OK);
	gang_image_free(b);
}

void bench_multi_ob_round_trip(bench_multi *m, const char *part, const char *name, int64_t value, bool at_rdp0)
{
	const gang_family *f;
	gang_ob_want w;
	gang_ob ob;
	gang_diag d = { 0 };
	bool changed = false;

	bench_multi_up(m, part);
	f = gang_target_part(m->s->t)->family;
	cr_assert_eq(gang_ob_read(&ob, m->s->t), GANG_OK, "%s", bench_multi_msg(m));
	if (at_rdp0)
		cr_assert_eq(ob.rdp_level, 0, "%s: a factory board is at RDP 0", part);
	cr_assert_neq(gang_ob_field_get(&ob, gang_ob_field_find(f, name)), value, "%s: %s already %lld", part, name,
		      (long long)value);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, name, value, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(&changed, m->s->t, &w, NULL), GANG_OK, "%s: %s", part, bench_multi_msg(m));
	cr_assert(changed);
	cr_assert_eq(gang_ob_read(&ob, m->s->t), GANG_OK, "%s", bench_multi_msg(m));
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, name)), value, "%s: %s after OBL_LAUNCH", part,
		     name);
	cr_assert_eq(gang_ob_write(&changed, m->s->t, &w, NULL), GANG_OK, "%s", bench_multi_msg(m));
	cr_assert(!changed, "%s: equal option bytes must not be rewritten", part);
}
