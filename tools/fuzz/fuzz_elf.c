/*
 * fuzz_elf.c — libFuzzer target for the ELF32 loader: every input is
 * written to a scratch file "input.elf" and loaded through the public
 * gang_image_load, exactly as a profile's image.file is; the result must
 * pass the image invariants (fuzz_common.c): sorted, disjoint, merged
 * segments inside 4 GiB that sum to gang_image_size, the file's SHA-256,
 * or an error whose message names the file.
 * References: src/image/image_elf.c (ELF header, program headers, PT_LOAD
 * at p_paddr); docs/fuzzing.md.
 */
#include "fuzz_image.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_path("input.elf");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_loader(data, size, "input.elf", GANG_IMAGE_ELF, 0);
	return 0;
}
