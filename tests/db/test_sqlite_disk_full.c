/*
 * test_disk_full.c — a really full filesystem (a small tmpfs) and one that
 * turns read-only after an error (ext4 on a loop device), mounted in a
 * private mount namespace of this test's process (Criterion forks one per
 * test, so the mount vanishes with it). Needs CAP_SYS_ADMIN (root in the
 * build container); skipped with a reason otherwise.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>

#include "sqlite_fixture.h"

static fix_dir tmp;
static int mounted;

static void setup(void)
{
	fix_sqlite_dir(&tmp);
}

static void teardown(void)
{
	/* The mount point itself can only be removed once unmounted. */
	char img[96];

	if (mounted)
		umount2(tmp.dir, MNT_DETACH);
	snprintf(img, sizeof(img), "%s.img", tmp.dir);
	unlink(img);   /* the ext4 test's image, if any */
	fix_dir_remove(&tmp);
}

TestSuite(db_disk_full, .init = setup, .fini = teardown, .timeout = 30);

/* Mount a tmpfs of size_kib on tmp.dir, private to this process. */
static void mount_small_fs(unsigned size_kib)
{
	char opts[32];

	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		cr_skip_test("needs CAP_SYS_ADMIN for a private tmpfs (%s)", strerror(errno));
	snprintf(opts, sizeof(opts), "size=%uk", size_kib);
	cr_assert_eq(mount("tmpfs", tmp.dir, "tmpfs", 0, opts), 0, "mount: %s", strerror(errno));
	mounted = 1;
}

/* Write zeros into a filler file until the filesystem refuses. */
static void fill_fs(void)
{
	char path[256];
	static char block[4096];
	int fd;

	fix_path(path, sizeof(path), &tmp, "filler");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	while (write(fd, block, sizeof(block)) > 0)
		;
	cr_assert_eq(errno, ENOSPC);
	close(fd);
}

Test(db_disk_full, opening_on_a_full_disk_is_refused_before_anything_is_written)
{
	gang_db *db;
	gang_diag d = { 0 };

	mount_small_fs(4096);
	fill_fs();
	cr_expect_eq(gang_db_open(&db, tmp.db, GANG_DB_CREATE, &d), GANG_EDB);
	cr_expect_null(db);
	cr_expect_not_null(strstr(d.msg, "disk full: only 0 KiB free where database"), "got: %s", d.msg);
	cr_expect_eq(access(tmp.db, F_OK), -1, "no file was created");
}

Test(db_disk_full, the_disk_filling_up_while_recording_is_reported_and_nothing_is_lost)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo" };
	static char big[65536];
	gang_diag d = { 0 };
	gang_db *db;
	gang_attempt_key id;
	int err = GANG_OK;
	char ok[16];

	mount_small_fs(2048);
	db = fix_open(tmp.db, GANG_DB_CREATE);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	fill_fs();
	memset(big, 'x', sizeof(big) - 1U);
	for (int i = 0; i < 64 && err == GANG_OK; i++)
		err = gang_db_step(db, &id, "program", GANG_STEP_PASS, 1, big, &d);
	cr_expect_eq(err, GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "disk full"), "got: %s", d.msg);
	gang_db_close(db);
	/* A full disk refuses gang_db_open now; look with a plain connection. */
	{
		db_sqlite raw = { .base.ops = &db_sqlite_ops, .path = tmp.db };

		cr_assert_eq(sqlite3_open(tmp.db, &raw.conn), SQLITE_OK);
		fix_q_text(ok, sizeof(ok), &raw.base, "PRAGMA integrity_check");
		cr_expect_str_eq(ok, "ok");
		cr_expect_eq(fix_q_int(&raw.base, "SELECT count(*) FROM attempts"), 1);
		sqlite3_close(raw.conn);
	}
}

/*
 * An ext4 image on a loop device, mounted errors=remount-ro on tmp.dir in
 * this process's private namespace; skipped where loop devices or mkfs.ext4
 * are missing. The image lives beside the mount point.
 */
static void mount_ext4(void)
{
	char cmd[512];

	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		cr_skip_test("needs CAP_SYS_ADMIN for a private mount (%s)", strerror(errno));
	snprintf(cmd, sizeof(cmd),
		 "truncate -s 16M %s.img && mkfs.ext4 -q -F %s.img && mount -o loop,errors=remount-ro %s.img %s",
		 tmp.dir, tmp.dir, tmp.dir, tmp.dir);
	if (system(cmd) != 0)
		cr_skip_test("cannot mount an ext4 loop image here");
	mounted = 1;
}

/* What a failing disk does: an ext4 error, and the kernel turns the filesystem read-only. */
static void ext4_error(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "echo 1 > /sys/fs/ext4/$(basename $(findmnt -n -o SOURCE %s))/trigger_fs_error",
		 tmp.dir);
	if (system(cmd) != 0)
		cr_skip_test("cannot trigger an ext4 error here (/sys/fs/ext4 read-only?)");
}

Test(db_disk_full, a_filesystem_turning_read_only_while_recording_is_named_a_disk_failure)
{
	gang_attempt_info info = { .slot = "S1", .profile_name = "demo" };
	gang_diag d = { 0 };
	gang_db *db;
	gang_attempt_key id;

	mount_ext4();
	db = fix_open(tmp.db, GANG_DB_CREATE);
	cr_assert_eq(gang_db_attempt_begin(&id, db, &info, &d), GANG_OK, "%s", d.msg);
	ext4_error();
	cr_expect_eq(gang_db_step(db, &id, "program", GANG_STEP_PASS, 1, "after the error", &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "the disk failed while"), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, tmp.db), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, "then restart gang"), "got: %s", d.msg);
	gang_db_close(db);
}
