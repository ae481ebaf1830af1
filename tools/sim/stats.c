/*
 * stats.c — GANGSIM_STATS: at libusb_exit and at process exit, each process
 * writes its probes' figures (usb_commands, bytes_out, bytes_in,
 * virtual_us, boards with uid and virtual_us) to its own fragment
 * FILE.parts/<pid>.jsonl, then rebuilds FILE from all fragments under a
 * lock, summing per serial — so 16 parallel st-flash processes sharing one
 * --stats file give one total per probe. Files are written to a temporary
 * name and renamed, so readers never see half a file.
 * (The per-command trace lines are written by probe.c to GANGSIM_TRACE.)
 */
#include "libusb_shim.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATS_MAX_PROBES 1024
#define STATS_LINE_MAX   (1 << 20)

typedef struct stats_board {
	char uid[25];
	long long us;
} stats_board;

typedef struct stats_probe {
	char serial[25];
	unsigned long long cmds, out, in;
	long long us;
	stats_board *boards;
	size_t n_boards;
} stats_probe;

typedef struct stats_set {
	stats_probe p[STATS_MAX_PROBES];
	size_t n;
} stats_set;

static void stats_write_file(const char *path, const char *text)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return;
	fputs(text, f);
	if (fclose(f) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

static void stats_fragment(const shim_world *w, const char *dir)
{
	char path[4300], *all = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&all, &len);

	if (!m)
		return;
	for (size_t i = 0; i < w->n_probes; i++) {
		char *line = sim_probe_stats_json(w->probes[i]);

		if (line)
			fprintf(m, "%s\n", line);
		free(line);
	}
	fclose(m);
	snprintf(path, sizeof(path), "%s/%ld.jsonl", dir, (long)getpid());
	stats_write_file(path, all);
	free(all);
}

static stats_probe *stats_find(stats_set *s, const char *serial)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->p[i].serial, serial) == 0)
			return &s->p[i];
	if (s->n == STATS_MAX_PROBES)
		return NULL;
	memset(&s->p[s->n], 0, sizeof(s->p[0]));
	snprintf(s->p[s->n].serial, sizeof(s->p[0].serial), "%s", serial);
	return &s->p[s->n++];
}

static void stats_add_board(stats_probe *p, const char *uid, long long us)
{
	stats_board *b;

	for (size_t i = 0; i < p->n_boards; i++)
		if (strcmp(p->boards[i].uid, uid) == 0) {
			p->boards[i].us += us;
			return;
		}
	b = realloc(p->boards, (p->n_boards + 1) * sizeof(*b));
	if (!b)
		return;
	p->boards = b;
	snprintf(b[p->n_boards].uid, sizeof(b->uid), "%s", uid);
	b[p->n_boards++].us = us;
}

static void stats_parse_line(stats_set *s, const char *line)
{
	char serial[25], uid[25];
	unsigned long long c, o, i;
	long long us;
	const char *q = strstr(line, "\"boards\": [");
	stats_probe *p;

	if (sscanf(line, "{\"serial\": \"%24[0-9A-Fa-f]\", \"usb_commands\": %llu, \"bytes_out\": %llu, "
		   "\"bytes_in\": %llu, \"virtual_us\": %lld", serial, &c, &o, &i, &us) != 5)
		return;
	if (!(p = stats_find(s, serial)))
		return;
	p->cmds += c, p->out += o, p->in += i, p->us += us;
	while (q && (q = strstr(q, "{\"uid\": \"")) &&
	       sscanf(q, "{\"uid\": \"%24[0-9A-F]\", \"virtual_us\": %lld}", uid, &us) == 2) {
		stats_add_board(p, uid, us);
		q++;
	}
}

static void stats_read_fragments(stats_set *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *line = malloc(STATS_LINE_MAX);

	while (d && line && (e = readdir(d))) {
		char path[4600];
		FILE *f;

		if (!strstr(e->d_name, ".jsonl") || strstr(e->d_name, ".tmp"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(line, STATS_LINE_MAX, f))
			stats_parse_line(s, line);
		fclose(f);
	}
	free(line);
	if (d)
		closedir(d);
}

static char *stats_render(const stats_set *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	if (!m)
		return NULL;
	fprintf(m, "{\"probes\": [");
	for (size_t i = 0; i < s->n; i++) {
		const stats_probe *p = &s->p[i];

		fprintf(m, "%s\n  {\"serial\": \"%s\", \"usb_commands\": %llu, \"bytes_out\": %llu, "
			"\"bytes_in\": %llu, \"virtual_us\": %lld, \"boards\": [", i ? "," : "",
			p->serial, p->cmds, p->out, p->in, p->us);
		for (size_t k = 0; k < p->n_boards; k++)
			fprintf(m, "%s{\"uid\": \"%s\", \"virtual_us\": %lld}", k ? ", " : "",
				p->boards[k].uid, p->boards[k].us);
		fprintf(m, "]}");
	}
	fprintf(m, "\n]}\n");
	fclose(m);
	return out;
}

void sim_stats_write(const shim_world *w)
{
	char dir[4200], lock[4200], *text;
	stats_set *s;
	int fd;

	if (!w->stats_path[0])
		return;
	snprintf(dir, sizeof(dir), "%s.parts", w->stats_path);
	snprintf(lock, sizeof(lock), "%s.lock", w->stats_path);
	mkdir(dir, 0777);
	stats_fragment(w, dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd >= 0)
		flock(fd, LOCK_EX);
	s = calloc(1, sizeof(*s));
	if (s) {
		stats_read_fragments(s, dir);
		text = stats_render(s);
		if (text)
			stats_write_file(w->stats_path, text);
		free(text);
		for (size_t i = 0; i < s->n; i++)
			free(s->p[i].boards);
		free(s);
	}
	if (fd >= 0)
		close(fd);
}
