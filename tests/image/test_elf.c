/*
 * test_elf.c — ELF32 loader: load segments at p_paddr (LMA), .bss not
 * written, and every header/segment error on mutated copies of the
 * committed fixture tests/fixtures/images/prog.elf (demo firmware).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image_test_util.h"

TestSuite(image_elf, .timeout = 20);

#define PH0 52U  /* prog.elf: e_phoff, first program header (text), asserted below */
#define PH1 84U  /* second program header (.data, VMA 0x20000000, LMA after .text) */

static uint8_t *elf;
static size_t elf_len;

static void elf_setup(void)
{
	elf = itu_read(&elf_len, itu_fixture("prog.elf"));
}

static void elf_teardown(void)
{
	free(elf);
}

TestSuite(image_elf_bad, .init = elf_setup, .fini = elf_teardown, .timeout = 20);

static uint32_t rd32(size_t off)
{
	return (uint32_t)elf[off] | (uint32_t)elf[off + 1] << 8 | (uint32_t)elf[off + 2] << 16 |
	       (uint32_t)elf[off + 3] << 24;
}

static void wr32(size_t off, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		elf[off + i] = (uint8_t)(v >> (8 * i));
}

/* Load the (mutated) copy and expect "path: offset N: what". */
static void expect_bad(size_t len, unsigned long long off, const char *what)
{
	const char *path = itu_write("bad.elf", elf, len);
	char want[GANG_DIAG_LEN];

	snprintf(want, sizeof(want), "%s: offset %llu: %s", path, off, what);
	cr_expect_str_eq(itu_load_fail(path, GANG_IMAGE_AUTO, 0, GANG_EIMAGE), want);
}

Test(image_elf_bad, fixture_has_the_layout_these_tests_assume)
{
	cr_assert_eq(rd32(28), PH0);
	cr_assert_eq(elf[44], 2);     /* e_phnum */
	cr_assert_eq(rd32(PH1 + 8), 0x20000000U);  /* .data VMA */
	cr_assert_neq(rd32(PH1 + 12), rd32(PH1 + 8)); /* LMA differs */
}

Test(image_elf, load_segments_land_at_their_physical_addresses)
{
	gang_image *img = itu_load_ok(itu_fixture("prog.elf"), GANG_IMAGE_AUTO, 0);

	/* .text at 0x08000000 and .data's image right after it merge into one segment */
	cr_assert_eq(img->n_seg, 1);
	cr_expect_eq(img->seg[0].addr, 0x08000000U);
	cr_expect_eq(img->seg[0].len, 0x108U);
	/* the demo's .data starts with its magic "GANG": the initial values are in flash */
	cr_expect_eq(memcmp(img->seg[0].data + 0xF8, "GANG", 4), 0);
	cr_expect_eq(img->entry, 0x08000045U);
	gang_image_free(img);
}

Test(image_elf_bad, bss_beyond_filesz_is_not_written)
{
	gang_image *img;

	/* the .data segment's memsz (0x14) exceeds its filesz (0x10) by .bss */
	cr_assert_gt(rd32(PH1 + 20), rd32(PH1 + 16));
	img = itu_load_ok(itu_fixture("prog.elf"), GANG_IMAGE_AUTO, 0);
	cr_expect_eq(gang_image_size(img), rd32(PH0 + 16) + rd32(PH1 + 16));
	gang_image_free(img);
}

Test(image_elf_bad, bad_magic_is_refused_at_offset_0)
{
	elf[1] = 'X';
	expect_bad(elf_len, 0, "bad magic: not an ELF file");
}

Test(image_elf_bad, elf64_is_refused_as_not_32_bit)
{
	elf[4] = 2;
	expect_bad(elf_len, 4, "not a 32-bit ELF file (class 2)");
}

Test(image_elf_bad, big_endian_is_refused)
{
	elf[5] = 2;
	expect_bad(elf_len, 5, "not a little-endian ELF file (data encoding 2)");
}

Test(image_elf_bad, non_arm_machine_is_refused)
{
	elf[18] = 62; /* EM_X86_64 */
	expect_bad(elf_len, 18, "not an ARM ELF file (e_machine 62, ARM is 40)");
}

Test(image_elf_bad, truncated_header_is_refused)
{
	expect_bad(40, 40, "truncated ELF header: 52 bytes needed, file has 40");
}

Test(image_elf_bad, program_header_table_out_of_file_is_refused)
{
	wr32(28, 0xFFFFFF00U);
	expect_bad(elf_len, 28, "program header table out of file: 2 entries at 0xFFFFFF00");
}

Test(image_elf_bad, short_program_header_entries_are_refused)
{
	elf[42] = 16;
	elf[43] = 0;
	expect_bad(elf_len, 42, "program header size 16 below 32");
}

Test(image_elf_bad, segment_out_of_file_is_refused)
{
	char what[160];

	wr32(PH1 + 4, (uint32_t)elf_len - 8U);
	snprintf(what, sizeof(what), "segment out of file: bytes 0x%08X+0x10 but file has 0x%zX",
		 (unsigned)elf_len - 8U, elf_len);
	expect_bad(elf_len, PH1, what);
}

Test(image_elf_bad, file_without_loadable_segment_is_refused)
{
	wr32(PH0, 0);
	wr32(PH1, 4); /* PT_NOTE */
	expect_bad(elf_len, PH0, "no loadable segment (PT_LOAD with file data)");
}

Test(image_elf_bad, load_segment_with_no_file_bytes_is_skipped)
{
	gang_image *img;

	wr32(PH1 + 16, 0); /* .data filesz 0: behaves like a pure .bss segment */
	img = itu_load_ok(itu_write("nobss.elf", elf, elf_len), GANG_IMAGE_AUTO, 0);
	cr_expect_eq(gang_image_size(img), rd32(PH0 + 16));
	gang_image_free(img);
}

Test(image_elf_bad, overlapping_segments_are_refused_naming_both_ranges)
{
	wr32(PH1 + 12, 0x08000000U);
	expect_bad(elf_len, PH1,
		   "overlapping data at 0x08000000: 0x08000000..0x0800000F overlaps 0x08000000..0x080000F7 loaded earlier");
}

Test(image_elf_bad, segment_past_4_gib_is_refused)
{
	wr32(PH1 + 12, 0xFFFFFFF8U);
	expect_bad(elf_len, PH1, "address overflow: 16 bytes at 0xFFFFFFF8 pass the end of the 4 GiB address space");
}

Test(image_elf_bad, filesz_above_memsz_is_refused)
{
	wr32(PH1 + 20, 8);
	expect_bad(elf_len, PH1, "segment p_filesz 0x10 exceeds p_memsz 0x8");
}

Test(image_elf_bad, empty_elf_file_is_refused)
{
	expect_bad(0, 0, "empty file");
}
