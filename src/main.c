/* main.c — gang entry point; everything else lives behind src/cli. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return gang_cli_main(argc, argv);
}
