/*
 * config.c — the station's defaults (config.h): XDG base directories,
 * /etc/gang/gang.conf, then the user's gang.conf.
 * References: XDG Base Directory Specification 0.8
 * (https://specifications.freedesktop.org/basedir-spec/); libconfig manual
 * (https://hyperrealm.github.io/libconfig/libconfig_manual.html).
 */
#include "core/config.h"
#include "core/conninfo.h"

#include <errno.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum cfg_kind {
	CFG_PATH,  /* a file or directory; relative to the configuration file's directory */
	CFG_IDENT, /* letters, digits, '.', '_', '-' (as a profile's station) */
	CFG_TEXT,  /* any text */
} cfg_kind;

typedef struct cfg_key {
	const char *name;
	size_t off, cap;
	cfg_kind kind;
} cfg_key;

#define CFG_FIELD(f) offsetof(gang_config, f), sizeof(((gang_config *)0)->f)

static const cfg_key cfg_keys[] = {
	{ "db", CFG_FIELD(db), CFG_PATH },
	{ "station", CFG_FIELD(station), CFG_IDENT },
	{ "operator", CFG_FIELD(operator_name), CFG_TEXT },
	{ "log_dir", CFG_FIELD(log_dir), CFG_PATH },
	{ "slots", CFG_FIELD(slots), CFG_PATH },
};
#define CFG_NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))
#define CFG_KEY_LIST "db, station, operator, log_dir, slots"

/*
 * $var if it is an absolute path, else $HOME/fallback: the specification
 * says a relative value is invalid and must be ignored. False if neither.
 */
static bool cfg_base_dir(char *out, size_t cap, const char *var, const char *fallback)
{
	const char *v = getenv(var), *home = getenv("HOME");
	int n;

	if (v && v[0] == '/')
		n = snprintf(out, cap, "%s", v);
	else if (home && home[0] == '/')
		n = snprintf(out, cap, "%s/%s", home, fallback);
	else
		return false;
	return n > 0 && (size_t)n < cap;
}

static void cfg_defaults(gang_config *c)
{
	char base[GANG_CONFIG_PATH_MAX - 32];

	memset(c, 0, sizeof(*c));
	if (cfg_base_dir(base, sizeof(base), "XDG_DATA_HOME", ".local/share")) {
		snprintf(c->db, sizeof(c->db), "%s/gang/gang.sqlite", base);
		c->db_is_default = true;
	}
	if (cfg_base_dir(base, sizeof(base), "XDG_STATE_HOME", ".local/state")) {
		snprintf(c->log_dir, sizeof(c->log_dir), "%s/gang", base);
		c->log_dir_is_default = true;
	}
	if (gethostname(c->station, sizeof(c->station)) != 0)
		c->station[0] = '\0';
	c->station[sizeof(c->station) - 1] = '\0';
}

static bool cfg_is_ident(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Store one key's value in its field, checked; path names the file for messages. */
/* "scheme://..." (RFC 3986 §3.1: a letter, then letters, digits, '+', '-', '.'): a server, not a relative path. */
static bool cfg_is_uri(const char *v)
{
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

	return n > 0 && ((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')) && strncmp(v + n, "://", 3) == 0;
}

static int cfg_store(gang_config *c, const cfg_key *k, const char *v, const char *path, int line, gang_diag *d)
{
	char *field = (char *)c + k->off;
	const char *slash = strrchr(path, '/');
	int n;

	if (!v[0])
		return gang_diag_set(d, GANG_ECONFIG, "%s:%d: %s: must not be empty", path, line, k->name);
	if (k->kind == CFG_IDENT && !cfg_is_ident(v))
		return gang_diag_set(d, GANG_ECONFIG, "%s:%d: %s: '%s' may contain only letters, digits, '.', '_' and '-'",
				     path, line, k->name, v);
	if (k->kind == CFG_PATH && v[0] != '/' && slash && !cfg_is_uri(v) && !gang_conninfo_is_kv(v))
		n = snprintf(field, k->cap, "%.*s/%s", (int)(slash - path), path, v);
	else
		n = snprintf(field, k->cap, "%s", v);
	if (n < 0 || (size_t)n >= k->cap)
		return gang_diag_set(d, GANG_ECONFIG, "%s:%d: %s: longer than %zu bytes", path, line, k->name,
				     k->cap - 1);
	if (strcmp(k->name, "db") == 0)
		c->db_is_default = false;
	if (strcmp(k->name, "log_dir") == 0) {
		c->log_dir_is_default = false;
		c->log_dir_is_set = true;
	}
	return GANG_OK;
}

static int cfg_apply(gang_config *c, config_setting_t *s, const char *path, gang_diag *d)
{
	const char *name = config_setting_name(s);
	int line = (int)config_setting_source_line(s);

	for (size_t i = 0; i < CFG_NKEYS; i++) {
		if (strcmp(name, cfg_keys[i].name) != 0)
			continue;
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return gang_diag_set(d, GANG_ECONFIG, "%s:%d: %s: expected a string in double quotes", path,
					     line, name);
		return cfg_store(c, &cfg_keys[i], config_setting_get_string(s), path, line, d);
	}
	return gang_diag_set(d, GANG_ECONFIG, "%s:%d: %s: unknown key (expected one of: " CFG_KEY_LIST ")", path,
			     line, name);
}

int gang_config_read_file(gang_config *cfg, const char *path, gang_diag *d)
{
	config_t lc;
	config_setting_t *root;
	struct stat st;
	FILE *f;
	int err = GANG_OK;

	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT || errno == ENOTDIR)
			return GANG_OK;
		return gang_diag_set(d, GANG_ECONFIG, "%s: cannot read: %s", path, strerror(errno));
	}
	/* libconfig's scanner exits the process on a read error (a directory opens fine for reading) */
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return gang_diag_set(d, GANG_ECONFIG, "%s: cannot read: not a regular file", path);
	}
	config_init(&lc);
	if (config_read(&lc, f) != CONFIG_TRUE) {
		err = gang_diag_set(d, GANG_ECONFIG, "%s:%d: %s", path, config_error_line(&lc), config_error_text(&lc));
		goto out;
	}
	root = config_root_setting(&lc);
	for (int i = 0; i < config_setting_length(root) && err == GANG_OK; i++)
		err = cfg_apply(cfg, config_setting_get_elem(root, (unsigned)i), path, d);
out:
	config_destroy(&lc);
	fclose(f);
	return err;
}

int gang_config_load(gang_config *out, gang_diag *d)
{
	const char *sys = getenv("GANG_SYSTEM_CONFIG");
	char user[GANG_CONFIG_PATH_MAX];
	int err;

	cfg_defaults(out);
	if (!sys)
		sys = GANG_CONFIG_SYSTEM_FILE;
	if (sys[0] && (err = gang_config_read_file(out, sys, d)) < 0)
		return err;
	if (cfg_base_dir(user, sizeof(user) - 16, "XDG_CONFIG_HOME", ".config")) {
		strcat(user, "/gang/gang.conf");
		return gang_config_read_file(out, user, d);
	}
	return GANG_OK;
}

/* mkdir -p dir, each missing level 0700 (XDG spec, "Referencing this specification"). */
static int cfg_make_dir(const char *dir, gang_diag *d)
{
	char buf[GANG_CONFIG_PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return gang_diag_set(d, GANG_EFILE, "cannot create directory %s: %s", buf, strerror(errno));
		*p = c;
		if (c == '\0')
			return GANG_OK;
	}
}

int gang_config_db(const char **out, const gang_config *cfg, const char *flag, bool create, gang_diag *d)
{
	char dir[GANG_CONFIG_PATH_MAX];
	int err;

	*out = flag;
	if (flag)
		return GANG_OK;
	if (!cfg->db[0])
		return gang_diag_set(d, GANG_ECONFIG, "no default database: neither XDG_DATA_HOME nor HOME is set "
						      "(name one with --db or db = \"...\" in gang.conf)");
	if (create && cfg->db_is_default) {
		snprintf(dir, sizeof(dir), "%s", cfg->db);
		*strrchr(dir, '/') = '\0';
		if ((err = cfg_make_dir(dir, d)) < 0)
			return err;
	}
	*out = cfg->db;
	return GANG_OK;
}

int gang_config_log_path(char *out, size_t cap, const gang_config *cfg, bool create, gang_diag *d)
{
	int n, err;

	if (!cfg->log_dir[0])
		return gang_diag_set(d, GANG_ECONFIG, "no default log directory: neither XDG_STATE_HOME nor HOME is "
						      "set (name a file with --log or log_dir = \"...\" in gang.conf)");
	if (create && cfg->log_dir_is_default && (err = cfg_make_dir(cfg->log_dir, d)) < 0)
		return err;
	n = snprintf(out, cap, "%s/" GANG_CONFIG_LOG_NAME, cfg->log_dir);
	if (n < 0 || (size_t)n >= cap)
		return gang_diag_set(d, GANG_EFILE, "log path %s/" GANG_CONFIG_LOG_NAME " is too long", cfg->log_dir);
	return GANG_OK;
}

int gang_config_default_log_path(char *out, size_t cap, gang_diag *d)
{
	gang_config *cfg = malloc(sizeof(*cfg));
	int err;

	if (!cfg)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory loading the configuration");
	err = gang_config_load(cfg, d);
	if (err == GANG_OK)
		err = gang_config_log_path(out, cap, cfg, true, d);
	free(cfg);
	return err;
}
