/*
 * fuzz_auto.c — libFuzzer target for format detection: the input goes to a
 * scratch file with no extension, so gang_image_load sniffs the content
 * (ELF magic, ':' of Intel HEX, 'S' and a digit of an S-record, otherwise a
 * raw binary at 0x08000000) and runs whichever loader that picks. Besides
 * the image invariants, the result must equal loading with the format the
 * documented rule names, so sniffing and the loaders cannot disagree.
 * References: src/image/image_load.c (load_by_content), src/image/image.h.
 */
#include "fuzz_image.h"

/* Where a raw binary lands when sniffing finds no text or ELF format (STM32 flash). */
#define FUZZ_AUTO_BASE 0x08000000U

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_path("input");
	return 0;
}

/* The detection rule as image.h and image_load.c document it. */
static gang_image_format fuzz_auto_expected(const uint8_t *data, size_t size)
{
	if (size >= 4 && data[0] == 0x7FU && data[1] == 'E' && data[2] == 'L' && data[3] == 'F')
		return GANG_IMAGE_ELF;
	if (size >= 1 && data[0] == ':')
		return GANG_IMAGE_IHEX;
	if (size >= 2 && data[0] == 'S' && data[1] >= '0' && data[1] <= '9')
		return GANG_IMAGE_SREC;
	return GANG_IMAGE_BIN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_loader(data, size, "input", fuzz_auto_expected(data, size), FUZZ_AUTO_BASE);
	return 0;
}
