/*
 * geom.c — erase-unit arithmetic over a list of regions (flash/geom.h).
 * Every lookup walks the regions, so pages (PM0075, RM0091 §3) and
 * sectors of unequal size (RM0090 §3.3) take the same path.
 */
#include "flash/geom.h"

static uint64_t geom_region_end(const gang_flash_region *r)
{
	return (uint64_t)r->base + (uint64_t)r->unit * r->count;
}

bool gang_geom_valid(const gang_flash_geom *g)
{
	if (g == NULL || g->regions == NULL || g->n_regions == 0)
		return false;
	for (unsigned i = 0; i < g->n_regions; i++) {
		const gang_flash_region *r = &g->regions[i];

		if (r->unit == 0 || r->count == 0 || geom_region_end(r) > (uint64_t)UINT32_MAX + 1U)
			return false;
		if (i > 0 && r->base != geom_region_end(&g->regions[i - 1]))
			return false;
	}
	return true;
}

uint32_t gang_geom_base(const gang_flash_geom *g)
{
	return g->regions[0].base;
}

uint64_t gang_geom_end(const gang_flash_geom *g)
{
	return geom_region_end(&g->regions[g->n_regions - 1]);
}

unsigned gang_geom_unit_count(const gang_flash_geom *g)
{
	unsigned n = 0;

	for (unsigned i = 0; i < g->n_regions; i++)
		n += g->regions[i].count;
	return n;
}

uint32_t gang_geom_uniform_unit(const gang_flash_geom *g)
{
	for (unsigned i = 1; i < g->n_regions; i++)
		if (g->regions[i].unit != g->regions[0].unit)
			return 0;
	return g->regions[0].unit;
}

bool gang_geom_is_flash(const gang_flash_geom *g, uint32_t addr, uint64_t len)
{
	return addr >= gang_geom_base(g) && (uint64_t)addr + len <= gang_geom_end(g);
}

static void geom_fill(gang_flash_unit *out, const gang_flash_region *r, unsigned k, unsigned index)
{
	out->addr = r->base + k * r->unit;
	out->size = r->unit;
	out->index = index;
	out->no = (uint16_t)(r->first_no + k);
	out->bank = r->bank;
}

bool gang_geom_unit_at(gang_flash_unit *out, const gang_flash_geom *g, uint32_t addr)
{
	unsigned index = 0;

	for (unsigned i = 0; i < g->n_regions; i++) {
		const gang_flash_region *r = &g->regions[i];

		if (addr >= r->base && (uint64_t)addr < geom_region_end(r)) {
			unsigned k = (addr - r->base) / r->unit;

			geom_fill(out, r, k, index + k);
			return true;
		}
		index += r->count;
	}
	return false;
}

bool gang_geom_unit(gang_flash_unit *out, const gang_flash_geom *g, unsigned index)
{
	unsigned first = 0;

	for (unsigned i = 0; i < g->n_regions; i++) {
		const gang_flash_region *r = &g->regions[i];

		if (index < first + r->count) {
			geom_fill(out, r, index - first, index);
			return true;
		}
		first += r->count;
	}
	return false;
}

bool gang_geom_span(unsigned *first, unsigned *last, const gang_flash_geom *g, uint32_t addr,
		    uint64_t len)
{
	gang_flash_unit a, b;

	if (len == 0 || !gang_geom_is_flash(g, addr, len) || !gang_geom_unit_at(&a, g, addr) ||
	    !gang_geom_unit_at(&b, g, (uint32_t)(addr + len - 1U)))
		return false;
	*first = a.index;
	*last = b.index;
	return true;
}
