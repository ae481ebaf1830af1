/*
 * file.c — open(2) with O_NONBLOCK so that a FIFO without a writer (or,
 * for the log, without a reader) cannot block us (POSIX open(): "O_NONBLOCK
 * ... an open() for reading-only shall return without delay"), then fstat(2)
 * the descriptor we actually got, so the check and the use are the same
 * file. O_NONBLOCK is cleared again before stdio takes over.
 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The log holds serials and chip UIDs: owner and group only. */
#define FILE_LOG_MODE 0640

const char *gang_file_kind(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO (named pipe)";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symbolic link";
	default: return "not a regular file";
	}
}

/* fd must be a regular file; then blocking again and wrapped in a FILE. */
static int file_wrap(FILE **out, int fd, const char *path, const char *mode, gang_diag *d)
{
	struct stat st;
	int flags;

	if (fstat(fd, &st) != 0) {
		gang_diag_set(d, GANG_EFILE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		gang_diag_set(d, GANG_EFILE, "%s: is %s, not a regular file", path, gang_file_kind(st.st_mode));
		goto fail;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 || !(*out = fdopen(fd, mode))) {
		gang_diag_set(d, GANG_EFILE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return GANG_OK;
fail:
	close(fd);
	return GANG_EFILE;
}

int gang_file_open_read(FILE **out, const char *path, gang_diag *d)
{
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return gang_diag_set(d, GANG_EFILE, "%s: %s", path, strerror(errno));
	return file_wrap(out, fd, path, "rb", d);
}

int gang_file_open_log(FILE **out, const char *path, gang_diag *d)
{
	int fd;

	*out = NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
		  FILE_LOG_MODE);
	if (fd < 0 && errno == ELOOP)
		return gang_diag_set(d, GANG_EFILE, "%s: is a symbolic link; the log is never written through one "
				     "(give the real path)", path);
	if (fd < 0 && errno == ENXIO)
		return gang_diag_set(d, GANG_EFILE, "%s: is a FIFO (named pipe), not a regular file", path);
	if (fd < 0)
		return gang_diag_set(d, GANG_EFILE, "%s: cannot open the log file: %s", path, strerror(errno));
	return file_wrap(out, fd, path, "a", d);
}
