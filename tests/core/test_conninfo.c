/*
 * test_conninfo.c — core/conninfo: which database names are PostgreSQL
 * connection strings (URI or libpq keyword/value pairs) and which are
 * files, and a keyword/value string shown without its password.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/conninfo.h"

Test(conninfo, uris_and_keyword_value_strings_are_servers_paths_are_files)
{
	static const char *const servers[] = {
		"postgresql://gang@db.line2/gang", "postgres:///gang?host=/run/postgresql",
		"host=db.line2 dbname=gang", "  dbname = gang", "service=line2", "sslmode=verify-full host=x",
	};
	static const char *const files[] = {
		"gang.sqlite", "/var/lib/gang/gang.sqlite", "./host=x", "hostname=x", "db/gang.sqlite", "",
		"HOST=x", "postgresql:/x", "host", "x host=y",
	};

	for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++)
		cr_expect(gang_conninfo_is_server(servers[i]), "'%s' is a server", servers[i]);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		cr_expect_not(gang_conninfo_is_server(files[i]), "'%s' is a file", files[i]);
	cr_expect_not(gang_conninfo_is_server(NULL));
	cr_expect(gang_conninfo_is_kv("host=x"));
	cr_expect_not(gang_conninfo_is_kv("postgresql://x"));
}

Test(conninfo, a_password_value_quoted_or_not_is_hidden_and_the_rest_kept)
{
	static const char *const in[] = {
		"host=db password=s3cret dbname=gang",
		"host=db password = 's3 cr\\'et' dbname=gang",
		"password=s3cret",
		"host=db dbname=gang",
		"host=db sslpassword=keypw",
	};
	static const char *const want[] = {
		"host=db password=… dbname=gang",
		"host=db password = … dbname=gang",
		"password=…",
		"host=db dbname=gang",
		"host=db sslpassword=keypw",
	};
	char out[128];

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		gang_conninfo_shown(out, sizeof(out), in[i]);
		cr_expect_str_eq(out, want[i], "from '%s'", in[i]);
	}
	gang_conninfo_shown(out, 12, "host=db password=s3cret");
	cr_expect_null(strstr(out, "s3"), "truncated, still hidden: %s", out);
}
