/*
 * bytes.h — 32-bit little-endian values in byte buffers: the order of the
 * Cortex-M's memory as the debug link and option-byte images carry it
 * (ARMv7-M ARM A3.3; the STM32s run little-endian only).
 */
#ifndef GANG_CORE_BYTES_H
#define GANG_CORE_BYTES_H

#include <stdint.h>

static inline uint32_t gang_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void gang_le32_put(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
