/*
 * profile.h — a production profile: what every slot does to every board.
 * Loaded from a libconfig file (keys documented in profiles/README.md),
 * validated strictly (unknown keys, wrong types and out-of-range values are
 * errors naming "file:line: key: what"), then immutable: slot threads share
 * one const gang_profile without locking.
 */
#ifndef GANG_PROFILE_PROFILE_H
#define GANG_PROFILE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "image/image.h"
#include "serial/serial_format.h"
#include "flash/flash.h"
#include "target/part.h"
#include "target/target.h"

/*
 * Connect, erase and verify modes are the driver's own enums (target/target.h,
 * flash/flash.h), so a profile hands them over unchanged.
 */



typedef enum gang_after_mode {
	GANG_AFTER_RUN = 0,   /* reset and let the firmware run */
	GANG_AFTER_RESET,     /* system reset, then detach */
	GANG_AFTER_HALT,      /* leave the core halted */
} gang_after_mode;

#define GANG_PROFILE_NAME_MAX 64U
#define GANG_PROFILE_TEXT_MAX 256U
#define GANG_PROFILE_RETRIES_MAX 10
#define GANG_PROFILE_SWD_KHZ_MIN 5U
#define GANG_PROFILE_SWD_KHZ_MAX 24000U
/* The exact sentence option_bytes.confirm_permanent_lock must hold for rdp = 2. */
#define GANG_PROFILE_LOCK_SENTENCE "I understand this locks the chip forever"

/* Option bytes; a field set to -1 is left as the chip has it. */
/* One option-byte field the profile sets, by the name the family's reference manual uses. */
typedef struct gang_profile_ob_field {
	char name[24];         /* "nRST_STOP", as the family's driver spells it */
	char key[40];          /* the profile key, for messages: "user.nrst_stop", "data0" */
	int64_t value;         /* 0/1 for a bit, else within the field's width */
	int line;
} gang_profile_ob_field;

#define GANG_PROFILE_OB_FIELDS_MAX 16

typedef struct gang_profile_ob {
	bool present;          /* an option_bytes group was given */
	int rdp;               /* -1, 0, 1, 2, GANG_OB_RDP_LEVEL05 (flash/ob.h: rdp = 0.5 on L5/U5) */
	bool allow_unprotect;  /* an RDP 1 -> 0 regression (mass erase) is allowed */
	bool confirm_lock;     /* rdp = 2 confirmed with GANG_PROFILE_LOCK_SENTENCE */
	gang_profile_ob_field fields[GANG_PROFILE_OB_FIELDS_MAX]; /* user bits and data, in file order */
	size_t n_fields;
	bool wrp_set;          /* wrp_pages given ("none" or a list) */
	size_t n_wrp;          /* pages to write-protect (0 with wrp_set: unprotect all) */
	uint32_t *wrp_pages;   /* sorted, unique page numbers */
} gang_profile_ob;

typedef struct gang_profile_serial {
	bool present;          /* a serial group was given */
	char pool[GANG_PROFILE_NAME_MAX];
	uint32_t address;
	gang_serial_fmt fmt;
	uint64_t start, end;   /* inclusive pool range */
	bool overlay;          /* may overwrite image data */
	uint32_t lease;        /* serials a station leases ahead (central database only); 0: none */
} gang_profile_serial;

/*
 * data = ( { pool; address; format = "mac" | "list"; ... }, ... ): values
 * beyond the serial, each from its own pool (serial/data_pool.h), each
 * written at its own address into the per-board image.
 */
typedef enum gang_profile_data_kind {
	GANG_PDATA_MAC = 0,    /* 6 bytes from a 48-bit range */
	GANG_PDATA_LIST,       /* length bytes: an imported value, padded */
} gang_profile_data_kind;

#define GANG_PROFILE_DATA_MAX 8U

typedef struct gang_profile_data {
	char pool[GANG_PROFILE_NAME_MAX];
	gang_profile_data_kind kind;
	uint32_t address;
	uint32_t length;       /* bytes written: 6 for a MAC, list: length */
	bool msb_first;        /* mac: byte_order = "msb-first" (else "lsb-first") */
	uint64_t first, last;  /* mac: the inclusive 48-bit range */
	uint8_t pad;           /* list: fills a shorter value up to length */
	bool secret;           /* list: values never shown or stored in clear outside their table */
	bool overlay;          /* may overwrite image data */
	int line, address_line;
} gang_profile_data;

/*
 * scan = { required; pattern; }: before the board is programmed, the text of
 * its printed label (a USB barcode scanner types it) is asked for, checked
 * against pattern (POSIX extended regex) and bound to its UID.
 */
typedef struct gang_profile_scan {
	bool present;
	bool required;         /* false: an empty scan skips the label */
	char pattern[GANG_PROFILE_TEXT_MAX]; /* "" matches anything */
} gang_profile_scan;
/* The largest serial.lease (db.h gang_db_lease_take takes at most this many). */
#define GANG_PROFILE_LEASE_MAX 1000000

/* Source lines of keys that later checks (validate) report against. */
typedef struct gang_profile_lines {
	int image_file, image_address, serial_address, wrp_pages;
	int ob_group, ob_user;     /* option_bytes and option_bytes.user */
	int checksum_address, checksum_over;
	int eeprom_file, eeprom_address;
} gang_profile_lines;

/*
 * The kinds of step an attempt is made of: the built-in ones in their
 * fixed order, the marker where the pass is committed, and the profile's
 * own (a command, a memory check). A plan is a sequence of these.
 */
typedef enum gang_step_kind {
	GANG_KIND_CONNECT = 0,
	GANG_KIND_SCAN,        /* the board's label (profile scan = { ... }) */
	GANG_KIND_SERIAL,
	GANG_KIND_DATA,        /* the data items (profile data = ( ... )) */
	GANG_KIND_CHECKSUM,
	GANG_KIND_UNPROTECT,
	GANG_KIND_PROGRAM,
	GANG_KIND_VERIFY,
	GANG_KIND_OPTION_BYTES,
	GANG_KIND_PASS,        /* the pass is committed here; the board is released */
	GANG_KIND_EXEC,        /* a command of the line's own (steps[].run) */
	GANG_KIND_MEMCHECK,    /* a word of the board's memory (steps[].check) */
} gang_step_kind;

/* What a step needs of the target while it runs. */
typedef enum gang_target_need {
	GANG_NEED_NONE = 0,    /* nothing (the database, the host) */
	GANG_NEED_HALTED,      /* attached, core halted under the probe */
	GANG_NEED_RUNNING,     /* the firmware runs from reset; re-attached after, same UID */
	GANG_NEED_RELEASED,    /* as running, and the probe's USB is closed for the step (the
				  command may use the ST-Link); reopened after */
} gang_target_need;

#define GANG_STEP_NAME_MAX 32U
#define GANG_PROFILE_STEPS_MAX 16U
#define GANG_PLAN_MAX (GANG_KIND_PASS + 1U + GANG_PROFILE_STEPS_MAX)
#define GANG_STEP_TIMEOUT_MAX_S 3600

/* One of the profile's own steps (steps = ( ... )). */
typedef struct gang_profile_step {
	char name[GANG_STEP_NAME_MAX];
	char after[GANG_STEP_NAME_MAX]; /* a built-in step, "pass", or an earlier own step */
	gang_step_kind kind;       /* GANG_KIND_EXEC or GANG_KIND_MEMCHECK */
	gang_target_need need;
	uint32_t timeout_ms;
	char *run;                 /* EXEC: the shell command line */
	uint32_t check_address;    /* MEMCHECK: the word polled ... */
	uint32_t check_equals;     /* ... until it holds this value */
	int line;                  /* the step's line in the profile */
} gang_profile_step;

/* checksum = { address; over = [start, end); kind }: written into each board's image. */
typedef enum gang_checksum_kind {
	GANG_CHECKSUM_CRC32 = 0,   /* IEEE 802.3 CRC-32 (zlib's crc32()), reflected */
	GANG_CHECKSUM_CRC32_STM32, /* what the STM32 CRC unit computes (CRC-32/MPEG-2 on LE words) */
} gang_checksum_kind;

typedef struct gang_profile_checksum {
	bool present;
	gang_checksum_kind kind;
	uint32_t address;          /* where the 32-bit result goes, little-endian */
	uint32_t start, end;       /* the range [start, end) it covers */
} gang_profile_checksum;

/* One step of an attempt's plan. */
typedef struct gang_plan_step {
	gang_step_kind kind;
	const char *name;          /* borrowed from the kind table or the profile */
	gang_target_need need;
	uint32_t timeout_ms;       /* 0: none of its own (the driver's time-outs apply) */
	bool after_pass;           /* recorded; cannot turn a pass into a fail */
	const gang_profile_step *own; /* the profile's step, NULL for a built-in */
} gang_plan_step;

/* The attempt as a plan: built once per profile at load, then const. */
typedef struct gang_plan {
	size_t n;
	gang_plan_step step[GANG_PLAN_MAX];
} gang_plan;

typedef struct gang_profile {
	char *path;            /* as given to gang_profile_load */
	char sha256[65];       /* hex SHA-256 of the file's bytes */
	char name[GANG_PROFILE_NAME_MAX];
	char target[GANG_PROFILE_NAME_MAX];   /* "STM32F103RC" */
	char station[GANG_PROFILE_NAME_MAX];  /* "" if not given */
	char description[GANG_PROFILE_TEXT_MAX];
	char *image_path;      /* resolved against the profile's directory */
	gang_image_format image_format;
	bool image_has_address;
	uint32_t image_address; /* raw binaries only */
	char *eeprom_path;     /* eeprom.file (raw binary), resolved like image.file; NULL: no eeprom group */
	uint32_t eeprom_address; /* where it goes in the part's data EEPROM (L0/L1) */
	gang_connect_mode connect;
	uint32_t swd_khz;
	gang_erase_mode erase;
	gang_verify_mode verify;
	gang_after_mode after;
	int retries;
	gang_profile_serial serial;
	gang_profile_data data[GANG_PROFILE_DATA_MAX]; /* n_data of them, in file order */
	size_t n_data;
	gang_profile_scan scan;
	gang_profile_ob ob;
	gang_profile_checksum checksum;
	bool skip_if_same;     /* program.skip_if_same: a board already holding the image is not erased */
	uint32_t program_timeout_ms; /* program.timeout_s: the program step's deadline (erase included); 0 none */
	gang_profile_step *steps; /* the profile's own steps, n_steps of them */
	size_t n_steps;
	gang_plan plan;        /* every step of an attempt, in order (built at load) */
	gang_profile_lines line;
} gang_profile;

/*
 * Load and check path into *out (NULL on failure). Errors:
 * GANG_EFILE (cannot read; d->msg "path: strerror"), GANG_EPROFILE
 * (d->msg "path:line: key: what", syntax errors keep libconfig's line),
 * GANG_ELOCKED_FOREVER (rdp = 2 without the confirmation sentence),
 * GANG_ENOMEM. The image file is not opened here (gang_profile_load_image).
 */
int gang_profile_load(gang_profile **out, const char *path, gang_diag *d);
void gang_profile_free(gang_profile *p);

/*
 * Load the profile's image, with the eeprom file (if any) merged in at
 * eeprom.address; failures are prefixed "path:line: image.file: " or
 * "path:line: eeprom.file: ".
 */
int gang_profile_load_image(gang_image **out, const gang_profile *p, gang_diag *d);

/*
 * Check the profile against the part's flash geometry g (flash/geom.h:
 * pages or sectors) and against img (may be NULL): image
 * inside flash (GANG_EIMAGE), serial inside flash and not overlapping image
 * data unless serial.overlay (GANG_EPROFILE), write-protected pages exist
 * (GANG_EPROFILE). d->msg names "path:line: key: what".
 */
int gang_profile_validate(const gang_profile *p, const gang_flash_geom *g, const gang_image *img,
			  gang_diag *d);
/*
 * The same against a part: its flash and, on L0/L1, its data EEPROM,
 * where image, eeprom, serial, data and checksum bytes may go too
 * (GANG_EPROFILE "path:line: eeprom: the STM32F103RC has no data EEPROM",
 * or naming the EEPROM's range for bytes outside both).
 */
int gang_profile_validate_part(const gang_profile *p, const gang_part *part, const gang_image *img, gang_diag *d);

/*
 * Everything `gang check` and `gang run` check before a board or the
 * database is touched, in one place so the two can never disagree: load
 * path, load its image, find its part, validate the profile against both.
 * On success *p_out, *img_out (free both) and *part_out (static); on
 * failure all NULL and the first error's code, d naming file:line: key.
 */
int gang_profile_prepare(gang_profile **p_out, gang_image **img_out, const gang_part **part_out,
			 const char *path, gang_diag *d);

/*
 * Print the plan `gang check` shows: steps in order, pages to erase, bytes
 * to program, the serial's encoding of the pool's first value, and
 * pool_status (a line from the database, or NULL). img may be NULL.
 * Returns GANG_OK, or GANG_ERR for a geometry that is not valid.
 */
int gang_profile_plan(FILE *out, const gang_profile *p, const gang_image *img, const gang_flash_geom *g,
		      const char *pool_status);

/* A step kind's name ("program", "exec", "memcheck"); never NULL. */
const char *gang_step_kind_name(gang_step_kind k);
/* A target need's name as written in profiles ("halted", "running", ...); never NULL. */
const char *gang_target_need_name(gang_target_need n);
/* A checksum kind's name as written in profiles ("crc32", "crc32-stm32"). */
const char *gang_checksum_kind_name(gang_checksum_kind k);

/* Names as written in profiles ("under-reset", "mass", "crc", "run"); never NULL. */
const char *gang_profile_connect_name(gang_connect_mode m);
const char *gang_profile_erase_name(gang_erase_mode m);
const char *gang_profile_verify_name(gang_verify_mode m);
const char *gang_profile_after_name(gang_after_mode m);

#endif
