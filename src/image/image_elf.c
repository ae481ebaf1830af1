/*
 * image_elf.c — ELF32 little-endian ARM executables (System V gABI, "ELF for
 * the Arm Architecture" IHI 0044): every PT_LOAD program header with
 * p_filesz > 0 is placed at p_paddr, the load address, so .data's initial
 * values land in flash where the startup code copies them from. Bytes between
 * p_filesz and p_memsz (.bss) are zeroed by the startup code, not written.
 */
#include "image/image_internal.h"

#include <inttypes.h>

#define ELF_EHDR_SIZE 52U       /* sizeof(Elf32_Ehdr) */
#define ELF_PHDR_SIZE 32U       /* sizeof(Elf32_Phdr) */
#define ELF_EI_CLASS 4U
#define ELF_EI_DATA 5U
#define ELF_CLASS32 1U
#define ELF_DATA2LSB 1U
#define ELF_E_MACHINE 18U       /* offsets into Elf32_Ehdr */
#define ELF_E_ENTRY 24U
#define ELF_E_PHOFF 28U
#define ELF_E_PHENTSIZE 42U
#define ELF_E_PHNUM 44U
#define ELF_EM_ARM 40U
#define ELF_PT_LOAD 1U

typedef struct elf_phdr {
	uint32_t type, offset, paddr, filesz, memsz;
} elf_phdr;

static uint32_t elf_le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static int elf_check_header(const image_src *src, gang_diag *d)
{
	const uint8_t *e = src->buf;

	if (src->len < 4 || e[0] != 0x7fU || e[1] != 'E' || e[2] != 'L' || e[3] != 'F')
		return gang_image_err_off(d, src, 0, "bad magic: not an ELF file");
	if (src->len < ELF_EHDR_SIZE)
		return gang_image_err_off(d, src, src->len, "truncated ELF header: %u bytes needed, file has %zu",
					  ELF_EHDR_SIZE, src->len);
	if (e[ELF_EI_CLASS] != ELF_CLASS32)
		return gang_image_err_off(d, src, ELF_EI_CLASS, "not a 32-bit ELF file (class %u)", e[ELF_EI_CLASS]);
	if (e[ELF_EI_DATA] != ELF_DATA2LSB)
		return gang_image_err_off(d, src, ELF_EI_DATA, "not a little-endian ELF file (data encoding %u)",
					  e[ELF_EI_DATA]);
	if (elf_le(e + ELF_E_MACHINE, 2) != ELF_EM_ARM)
		return gang_image_err_off(d, src, ELF_E_MACHINE, "not an ARM ELF file (e_machine %" PRIu32 ", ARM is 40)",
					  elf_le(e + ELF_E_MACHINE, 2));
	return GANG_OK;
}

static void elf_read_phdr(elf_phdr *ph, const uint8_t *p)
{
	ph->type = elf_le(p, 4);
	ph->offset = elf_le(p + 4, 4);
	ph->paddr = elf_le(p + 12, 4);
	ph->filesz = elf_le(p + 16, 4);
	ph->memsz = elf_le(p + 20, 4);
}

/* Place one PT_LOAD; at is the file offset of its program header (for messages). */
static int elf_load_one(image_build *b, const elf_phdr *ph, uint64_t at, const image_src *src, gang_diag *d)
{
	image_clash clash;
	int err;

	if ((uint64_t)ph->offset + ph->filesz > src->len)
		return gang_image_err_off(d, src, at,
					  "segment out of file: bytes 0x%08" PRIX32 "+0x%" PRIX32 " but file has 0x%zX",
					  ph->offset, ph->filesz, src->len);
	if (ph->filesz > ph->memsz)
		return gang_image_err_off(d, src, at, "segment p_filesz 0x%" PRIX32 " exceeds p_memsz 0x%" PRIX32,
					  ph->filesz, ph->memsz);
	if ((uint64_t)ph->paddr + ph->filesz > GANG_IMAGE_ADDR_END)
		return gang_image_err_off(d, src, at,
					  "address overflow: %" PRIu32 " bytes at 0x%08" PRIX32
					  " pass the end of the 4 GiB address space",
					  ph->filesz, ph->paddr);
	err = gang_image_build_add(b, ph->paddr, src->buf + ph->offset, ph->filesz, &clash);
	if (err < 0)
		return gang_image_err_add(d, src, 0, at, err, ph->paddr, ph->filesz, &clash);
	return GANG_OK;
}

int gang_image_parse_elf(image_build *b, const image_src *src, gang_diag *d)
{
	uint32_t phoff, phentsize, phnum;
	size_t loaded = 0;
	int err;

	if ((err = elf_check_header(src, d)) < 0)
		return err;
	phoff = elf_le(src->buf + ELF_E_PHOFF, 4);
	phentsize = elf_le(src->buf + ELF_E_PHENTSIZE, 2);
	phnum = elf_le(src->buf + ELF_E_PHNUM, 2);
	if (phnum > 0 && phentsize < ELF_PHDR_SIZE)
		return gang_image_err_off(d, src, ELF_E_PHENTSIZE, "program header size %" PRIu32 " below %u",
					  phentsize, ELF_PHDR_SIZE);
	if ((uint64_t)phoff + (uint64_t)phnum * phentsize > src->len)
		return gang_image_err_off(d, src, ELF_E_PHOFF,
					  "program header table out of file: %" PRIu32 " entries at 0x%" PRIX32, phnum,
					  phoff);
	for (uint32_t i = 0; i < phnum; i++) {
		uint64_t at = (uint64_t)phoff + (uint64_t)i * phentsize;
		elf_phdr ph;

		elf_read_phdr(&ph, src->buf + at);
		if (ph.type != ELF_PT_LOAD || ph.filesz == 0)
			continue;
		if ((err = elf_load_one(b, &ph, at, src, d)) < 0)
			return err;
		loaded++;
	}
	if (loaded == 0)
		return gang_image_err_off(d, src, phoff, "no loadable segment (PT_LOAD with file data)");
	b->entry = elf_le(src->buf + ELF_E_ENTRY, 4);
	return GANG_OK;
}
