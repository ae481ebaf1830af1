/*
 * connect_mode.c — names of the connect strategies (target.h), apart from
 * target.c so that the profile parser (and its fuzz target) can validate a
 * mode without linking the ST-Link and USB layers.
 */
#include "target/target.h"

#include <stddef.h>
#include <strings.h>

static const char *const tgt_mode_names[] = { "auto", "normal", "under-reset", "hot-plug" };

const char *gang_connect_mode_name(gang_connect_mode m)
{
	if ((unsigned)m >= sizeof(tgt_mode_names) / sizeof(tgt_mode_names[0]))
		return "?";
	return tgt_mode_names[m];
}

int gang_connect_mode_parse(const char *s)
{
	for (unsigned i = 0; s != NULL && i < sizeof(tgt_mode_names) / sizeof(tgt_mode_names[0]); i++)
		if (strcasecmp(s, tgt_mode_names[i]) == 0)
			return (int)i;
	return -1;
}
