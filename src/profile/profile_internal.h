/*
 * profile_internal.h — shared by the files of the profile module only: the
 * parse context and the typed, strict getters over libconfig settings.
 * Apart from core/config.c (gang.conf), this module is the only one that
 * includes <libconfig.h> (docs/architecture.md "Layers").
 */
#ifndef GANG_PROFILE_PROFILE_INTERNAL_H
#define GANG_PROFILE_PROFILE_INTERNAL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "profile/profile.h"

/* Parse state for one load; lives on the loader's stack. */
typedef struct prof_ctx {
	const char *path;  /* the profile file, for messages */
	const char *text;  /* its bytes, NUL-terminated */
	size_t len;
	gang_profile *p;   /* being filled */
	gang_diag *d;
} prof_ctx;

/* Optional/required flag for the getters. */
#define PROF_OPTIONAL false
#define PROF_REQUIRED true

/* Set d to "path:line: prefix.name: msg" and return code. */
int prof_err(const prof_ctx *c, int line, const char *prefix, const char *name, int code,
	     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Source line of s (1 if libconfig has none, e.g. the root). */
int prof_line(const config_setting_t *s);
/* GANG_EPROFILE at the first member of group not in the NULL-terminated allowed list. */
int prof_check_keys(const prof_ctx *c, const config_setting_t *group, const char *prefix,
		    const char *const *allowed);
/*
 * Typed getters: return 1 (found, *out set), 0 (absent and optional) or a
 * negative gang_err with d set (missing, wrong type, out of range).
 */
int prof_get_group(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		   const char *name, bool required, const config_setting_t **out);
int prof_get_string(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		    const char *name, bool required, const char **out);
int prof_get_int(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		 const char *name, bool required, int64_t min, int64_t max, int64_t *out);
int prof_get_bool(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		  const char *name, bool required, bool *out);
/* A string that must be one of names[0..n); *out is its index. */
int prof_get_enum(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		  const char *name, bool required, const char *const *names, size_t n, int *out);
/* Copy a string setting into a fixed buffer; too long or empty is an error. */
int prof_get_text(const prof_ctx *c, const config_setting_t *parent, const char *prefix,
		  const char *name, bool required, char *buf, size_t cap);

/* The serial and option_bytes groups (profile_groups.c). */
int prof_parse_serial(const prof_ctx *c, const config_setting_t *root);
int prof_parse_ob(const prof_ctx *c, const config_setting_t *root);
/* The steps list, the checksum and program groups (profile_steps.c). */
int prof_parse_own_steps(const prof_ctx *c, const config_setting_t *root);
int prof_parse_checksum(const prof_ctx *c, const config_setting_t *root);
int prof_parse_program(const prof_ctx *c, const config_setting_t *root);
/* The data list (profile_data.c); after serial and checksum, whose bytes it must not overlap. */
int prof_parse_data_items(const prof_ctx *c, const config_setting_t *root);
/* The scan group (profile_data.c). */
int prof_parse_scan(const prof_ctx *c, const config_setting_t *root);
/*
 * The memories a profile may write on its part: main flash [base, end)
 * and, on L0/L1, the data EEPROM [ee_lo, ee_hi) (ee_hi 0: none).
 */
typedef struct prof_mem {
	uint32_t base;
	uint64_t end;
	uint32_t ee_lo, ee_hi;
} prof_mem;
/* True when [lo, hi) lies inside flash or inside the data EEPROM (profile_check.c). */
bool prof_mem_holds(const prof_mem *m, uint64_t lo, uint64_t hi);
/* "flash 0x08000000-0x0800FFFF" (" and the data EEPROM 0x08080000-0x080807FF"), for messages. */
const char *prof_mem_text(char *out, size_t cap, const prof_mem *m);
/* Each data item inside flash or EEPROM and, unless its overlay, clear of image data (profile_data.c). */
int prof_check_data(const gang_profile *p, const prof_mem *m, const gang_image *img, gang_diag *d);
/* Build c->p->plan from the built-in steps and the profile's own (profile_plan_build.c). */
int prof_plan_build(const prof_ctx *c);

#endif
