/*
 * fixture.c — the shared fixture file DIR/tray-<key> (fixture.h): locked
 * read-modify-write, atomic replacement, and a one-stat change check that
 * a probe makes at every USB transfer.
 */
#include "fixture.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

void sim_fixture_path(char *out, size_t outlen, const char *state_dir, const sim_bench_probe *cfg)
{
	snprintf(out, outlen, "%s/tray-%s", state_dir, cfg->key);
}

int sim_fixture_lock(const char *path)
{
	char lpath[4200];
	int fd;

	snprintf(lpath, sizeof(lpath), "%s.lock", path);
	fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void sim_fixture_unlock(int fd)
{
	if (fd >= 0)
		close(fd);   /* closing the only descriptor drops the flock */
}

void sim_fixture_read(sim_fixture *out, const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long idx = 0, seq = 0;
	int pending = 0, pulled = 0;

	memset(out, 0, sizeof(*out));
	if (!f)
		return;
	/* Two fields: a state directory from before ctl existed (nothing pulled, seq 0). */
	if (fscanf(f, "%lu %d %d %lu", &idx, &pending, &pulled, &seq) >= 2) {
		out->idx = idx;
		out->pending = pending != 0;
		out->pulled = pulled != 0;
		out->seq = seq;
	}
	fclose(f);
}

int sim_fixture_write(const char *path, const sim_fixture *f)
{
	char tmp[4200];
	FILE *o;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	o = fopen(tmp, "w");
	if (!o)
		return -1;
	fprintf(o, "%zu %d %d %lu\n", f->idx, f->pending ? 1 : 0, f->pulled ? 1 : 0, f->seq);
	if (fclose(o) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

bool sim_fixture_changed(struct stat *seen, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		memset(&st, 0, sizeof(st));
	/* Every write renames a new file into place: a new inode, a new mtime. */
	if (st.st_ino == seen->st_ino && st.st_size == seen->st_size &&
	    st.st_mtim.tv_sec == seen->st_mtim.tv_sec && st.st_mtim.tv_nsec == seen->st_mtim.tv_nsec)
		return false;
	*seen = st;
	return true;
}

bool sim_fixture_has_board(const sim_fixture *f, const sim_bench_probe *cfg)
{
	return !f->pulled && f->idx < cfg->n_boards && !cfg->boards[f->idx].absent;
}

size_t sim_fixture_next_board(const sim_fixture *f, const sim_bench_probe *cfg)
{
	size_t i = f->idx + 1;

	while (i < cfg->n_boards && cfg->boards[i].absent)
		i++;
	return i;
}
