/*
 * test_slots.c — slot labels: stable across runs and enumeration order,
 * clones with duplicate serials told apart by USB path, --slots files
 * pinning labels, and every slot-file error with its line number.
 */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "test_fixture.h"

#define SER_A "066DFF485457725187092334"
#define SER_B "303030303030303030303031"
#define SER_CLONE "0000000000000000"

static fix_dir tmp;
static gang_db *db;

static void setup(void)
{
	fix_dir_make(&tmp);
	db = fix_open(tmp.db, GANG_DB_CREATE);
}

static void teardown(void)
{
	gang_db_close(db);
	fix_dir_remove(&tmp);
}

TestSuite(db_slots, .fini = teardown, .timeout = 30);

static const char *seen(gang_db *h, const char *serial, const char *path)
{
	static char label[GANG_DB_LABEL_MAX];
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_probe_seen(label, sizeof(label), h, serial, path, "V2-1", "V2J45M31", &d), GANG_OK,
		     "%s", d.msg);
	return label;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void expect_load_error(const char *text, int code, const char *want)
{
	char path[256], msg[512];
	gang_diag d = { 0 };

	fix_path(path, sizeof(path), &tmp, "slots.txt");
	write_file(path, text);
	cr_expect_eq(gang_db_slot_map_load(db, path, &d), code, "for:\n%s", text);
	snprintf(msg, sizeof(msg), "%s%s", path, want);
	cr_expect_str_eq(d.msg, msg);
}

FIX_STORE_TEST(db_slots, new_probes_get_s1_s2_and_keep_them_in_any_order_after_reopen, setup)
{
	cr_expect_str_eq(seen(db, SER_A, "1-1.2"), "S1");
	cr_expect_str_eq(seen(db, SER_B, "1-1.3"), "S2");
	gang_db_close(db);
	db = fix_open(tmp.db, 0);
	cr_expect_str_eq(seen(db, SER_B, "1-1.3"), "S2");
	cr_expect_str_eq(seen(db, SER_A, "1-1.2"), "S1");
	cr_expect_str_eq(seen(db, "FFFF", "2-1"), "S3");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM probes"), 3);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM probes WHERE firmware = 'V2J45M31' AND slot = 'S2'"),
		     1);
}

FIX_STORE_TEST(db_slots, clones_with_the_same_serial_are_told_apart_by_usb_path, setup)
{
	cr_expect_str_eq(seen(db, SER_CLONE, "1-1.2"), "S1");
	cr_expect_str_eq(seen(db, SER_CLONE, "1-1.3"), "S2");
	cr_expect_str_eq(seen(db, SER_CLONE, "1-1.2"), "S1");
}

FIX_STORE_TEST(db_slots, a_slot_file_pins_labels_and_beats_automatic_ones, setup)
{
	char path[256];
	gang_diag d = { 0 };

	cr_expect_str_eq(seen(db, SER_A, "1-1.2"), "S1");
	fix_path(path, sizeof(path), &tmp, "slots.txt");
	write_file(path, "# fixture 7, left to right\n"
			 "A1  " SER_A "\n"
			 "\n"
			 "A2\t" SER_CLONE "\t1-1.3   # clone, by port\n"
			 "A3 " SER_CLONE " 1-1.4\n");
	cr_assert_eq(gang_db_slot_map_load(db, path, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(seen(db, SER_A, "1-1.2"), "A1", "file label replaces S1");
	cr_expect_str_eq(seen(db, SER_A, "3-2"), "A1", "a path-less line matches any port");
	cr_expect_str_eq(seen(db, SER_CLONE, "1-1.4"), "A3");
	cr_expect_str_eq(seen(db, SER_CLONE, "1-1.3"), "A2");
	cr_expect_str_eq(seen(db, SER_CLONE, "1-1.9"), "S1", "S1 is free again");
}

FIX_STORE_TEST(db_slots, slot_file_errors_name_file_and_line_and_change_nothing, setup)
{
	cr_expect_str_eq(seen(db, SER_A, "1-1.2"), "S1");
	expect_load_error("A1 " SER_A "\nA2\n", GANG_EUSAGE, ":2: expected LABEL SERIAL [USB_PATH], found 1 field");
	expect_load_error("A1 x 1-1 extra\n", GANG_EUSAGE, ":1: expected LABEL SERIAL [USB_PATH], found 4 fields");
	expect_load_error("A1 x\n# c\nA1 y\n", GANG_EUSAGE, ":3: label 'A1' already used on line 1");
	expect_load_error("A1 x 1-2\nA2 x 1-2\n", GANG_EUSAGE,
			  ":2: probe x at USB path 1-2 already mapped to 'A1' on line 1");
	expect_load_error("A1 x\nA2 x\n", GANG_EUSAGE, ":2: probe x already mapped to 'A1' on line 1");
	expect_load_error("slot/1 x\n", GANG_EUSAGE, ":1: label 'slot/1' must be 1-31 characters of A-Z a-z 0-9 _ . -");
	expect_load_error("# nothing\n\n", GANG_EUSAGE, ": no slot mappings (lines \"LABEL SERIAL [USB_PATH]\")");
	cr_expect_str_eq(seen(db, SER_A, "1-1.2"), "S1", "a bad file changes nothing");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM slot_map"), 1);
}

FIX_STORE_TEST(db_slots, overlong_lines_fields_and_unreadable_files_are_refused, setup)
{
	char path[256], text[1200];
	gang_diag d = { 0 };

	memset(text, 'x', sizeof(text));
	memcpy(text, "A1 ", 3);
	text[600] = '\n';
	text[601] = '\0';
	expect_load_error(text, GANG_EUSAGE, ":1: line longer than 510 characters");
	memset(text, 'y', 300);
	memcpy(text, "A1 ", 3);
	text[300] = '\n';
	text[301] = '\0';
	expect_load_error(text, GANG_EUSAGE, ":1: serial or USB path longer than 127 characters");
	fix_path(path, sizeof(path), &tmp, "missing.txt");
	cr_expect_eq(gang_db_slot_map_load(db, path, &d), GANG_EFILE);
	cr_expect_not_null(strstr(d.msg, "cannot read slot file"), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, "missing.txt"), "got: %s", d.msg);
}

/* A FIFO without a writer used to block `gang run --slots` forever. */
FIX_STORE_TEST(db_slots, a_fifo_or_directory_as_slot_file_is_refused_at_once, setup)
{
	char path[256];
	gang_diag d = { 0 };

	fix_path(path, sizeof(path), &tmp, "slots.fifo");
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_expect_eq(gang_db_slot_map_load(db, path, &d), GANG_EFILE);
	cr_expect_not_null(strstr(d.msg, "cannot read slot file "), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, "slots.fifo: is a FIFO (named pipe), not a regular file"), "got: %s", d.msg);
	cr_expect_eq(gang_db_slot_map_load(db, tmp.dir, &d), GANG_EFILE);
	cr_expect_not_null(strstr(d.msg, ": is a directory, not a regular file"), "got: %s", d.msg);
}

FIX_STORE_TEST(db_slots, probe_seen_refuses_missing_arguments, setup)
{
	char label[4];
	char big[GANG_DB_LABEL_MAX];
	gang_diag d = { 0 };

	cr_expect_eq(gang_db_probe_seen(label, sizeof(label), db, SER_A, "1-1", NULL, NULL, &d), GANG_ERR,
		     "buffer smaller than GANG_DB_LABEL_MAX");
	cr_expect_eq(gang_db_probe_seen(big, sizeof(big), db, SER_A, "", NULL, NULL, &d), GANG_ERR);
	cr_expect_eq(gang_db_probe_seen(big, sizeof(big), db, NULL, "1-1", NULL, NULL, &d), GANG_ERR);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM probes"), 0);
}
