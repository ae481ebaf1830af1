/*
 * fuzz_ihex.c — libFuzzer target for the Intel HEX loader: every input is
 * written to a scratch file "input.hex" and loaded through the public
 * gang_image_load, exactly as a profile's image.file is; the result must
 * pass the image invariants (fuzz_common.c): sorted, disjoint, merged
 * segments inside 4 GiB that sum to gang_image_size, the file's SHA-256,
 * or an error whose message names the file.
 * References: src/image/image_ihex.c (record types 00-05, checksums, segment and linear address records); docs/fuzzing.md.
 */
#include "fuzz_image.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_path("input.hex");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_loader(data, size, "input.hex", GANG_IMAGE_IHEX, 0);
	return 0;
}
