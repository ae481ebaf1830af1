/*
 * geom.h — questions about a part's main flash answered from its
 * geometry (target/part.h gang_flash_geom): is a range flash, which erase
 * unit holds an address, which units does a range touch. Units are
 * numbered 0.. across all regions in address order ("index"); the
 * controller's own page or sector number and bank come with each unit.
 *
 * Pure functions over const data; no target, no allocation. Regions may
 * differ in unit size (sectors of 16/64/128 KiB, RM0090 §3.3), so nothing
 * here divides by a single page size.
 */
#ifndef GANG_FLASH_GEOM_H
#define GANG_FLASH_GEOM_H

#include <stdbool.h>
#include <stdint.h>

#include "target/part.h"

typedef struct gang_flash_unit {
	uint32_t addr;             /* first byte */
	uint32_t size;             /* bytes */
	unsigned index;            /* 0.. over all regions */
	uint16_t no;               /* the controller's page/sector number */
	uint8_t bank;
} gang_flash_unit;

/* True when the regions are non-empty, ascending and contiguous, with units and counts > 0. */
bool gang_geom_valid(const gang_flash_geom *g);
/* First flash byte, and one past the last. */
uint32_t gang_geom_base(const gang_flash_geom *g);
uint64_t gang_geom_end(const gang_flash_geom *g);
/* Number of erase units over all regions. */
unsigned gang_geom_unit_count(const gang_flash_geom *g);
/* The unit size when every region has the same one, else 0. */
uint32_t gang_geom_uniform_unit(const gang_flash_geom *g);
/* True when [addr, addr + len) lies entirely in flash (len 0: addr in flash or at its end). */
bool gang_geom_is_flash(const gang_flash_geom *g, uint32_t addr, uint64_t len);
/* The unit holding addr; false when addr is not flash. */
bool gang_geom_unit_at(gang_flash_unit *out, const gang_flash_geom *g, uint32_t addr);
/* Unit number index (0..count-1); false when there is none. */
bool gang_geom_unit(gang_flash_unit *out, const gang_flash_geom *g, unsigned index);
/*
 * The units [*first, *last] that [addr, addr + len) touches; false when
 * len is 0 or the range is not all flash.
 */
bool gang_geom_span(unsigned *first, unsigned *last, const gang_flash_geom *g, uint32_t addr,
		    uint64_t len);

#endif
