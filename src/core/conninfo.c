/*
 * conninfo.c — PostgreSQL connection strings as gang recognises and shows
 * them (conninfo.h). The keyword list and the quoting rules (single quotes,
 * backslash escapes) are libpq's, docs 34.1.1.1 "Keyword/Value Connection
 * Strings" and 34.1.2 "Parameter Key Words" (PostgreSQL 15).
 */
#include "core/conninfo.h"

#include <stdio.h>
#include <string.h>

static const char *const conninfo_keywords[] = {
	"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding",
	"connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
	"keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
	"replication", "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey",
	"sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
	"ssl_max_protocol_version", "krbsrvname", "gsslib", "service", "target_session_attrs",
};

#define CONNINFO_BLANKS " \t\n\r\f\v"

bool gang_conninfo_is_uri(const char *s)
{
	return s && (strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0);
}

bool gang_conninfo_is_kv(const char *s)
{
	size_t n;

	if (!s)
		return false;
	s += strspn(s, CONNINFO_BLANKS);
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
	if (n == 0 || s[n + strspn(s + n, CONNINFO_BLANKS)] != '=')
		return false;
	for (size_t i = 0; i < sizeof(conninfo_keywords) / sizeof(conninfo_keywords[0]); i++)
		if (strlen(conninfo_keywords[i]) == n && strncmp(s, conninfo_keywords[i], n) == 0)
			return true;
	return false;
}

bool gang_conninfo_is_server(const char *s)
{
	return gang_conninfo_is_uri(s) || gang_conninfo_is_kv(s);
}

/* Length of the value starting at v: a quoted one with its quotes, else up to a blank. */
static size_t conninfo_value_len(const char *v)
{
	size_t i = 0;

	if (v[0] != '\'')
		return strcspn(v, CONNINFO_BLANKS);
	for (i = 1; v[i] && v[i] != '\''; i++)
		if (v[i] == '\\' && v[i + 1])
			i++;
	return v[i] ? i + 1 : i;
}

/* Append n bytes of s to out (cap, *len so far), truncating. */
static void conninfo_put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (*len + 1 >= cap)
		return;
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

void gang_conninfo_shown(char *out, size_t cap, const char *s)
{
	size_t len = 0;

	if (!cap)
		return;
	out[0] = '\0';
	while (*s) {
		size_t blank = strspn(s, CONNINFO_BLANKS), key = strcspn(s + blank, "=" CONNINFO_BLANKS), eq, vlen;
		const char *k = s + blank;

		eq = strspn(k + key, CONNINFO_BLANKS);
		if (k[key + eq] != '=') {
			conninfo_put(out, cap, &len, s, strlen(s));
			return;
		}
		eq += 1 + strspn(k + key + eq + 1, CONNINFO_BLANKS);
		vlen = conninfo_value_len(k + key + eq);
		conninfo_put(out, cap, &len, s, blank + key + eq);
		if (key == 8 && strncmp(k, "password", 8) == 0)
			conninfo_put(out, cap, &len, "…", strlen("…"));
		else
			conninfo_put(out, cap, &len, k + key + eq, vlen);
		s = k + key + eq + vlen;
	}
}
