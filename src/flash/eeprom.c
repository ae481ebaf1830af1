/*
 * eeprom.c — data EEPROM as a memory gang writes like flash: the L0/L1
 * parts have it at 0x08080000 (RM0377 §3.3.1, RM0038 §3.3.1), written a
 * word at a time with no erase step (the controller erases a word it
 * rewrites, RM0377 §3.3.4), read like any memory. The family driver
 * (gang_flash_ops.eeprom_range/eeprom_write) knows the size per part and
 * the sequence; here: range checks with operator sentences, and the read-back.
 */
#include "flash/flash.h"

#include <inttypes.h>
#include <stdlib.h>

#include "flash/flash_ops.h"

bool gang_flash_eeprom_range(uint32_t *lo, uint32_t *hi, const gang_part *part)
{
	const gang_flash_ops *ops = gang_flash_ops_of(part->family);

	return ops != NULL && ops->eeprom_range != NULL && ops->eeprom_write != NULL && ops->eeprom_range(lo, hi, part);
}

/* What the EEPROM holds now against segment s: GANG_EVERIFY naming the first byte that differs. */
static int eeprom_readback(gang_target *t, const gang_segment *s, uint8_t *buf)
{
	int err = gang_stlink_read_mem(buf, gang_target_stlink(t), s->addr, s->len);

	for (uint32_t k = 0; k < s->len && err == GANG_OK; k++)
		if (buf[k] != s->data[k])
			return gang_diag_set_at(gang_target_diag(t), GANG_EVERIFY, s->addr + k, "data EEPROM verify "
					     "failed at 0x%08" PRIX32 ": wrote 0x%02X read 0x%02X", s->addr + k,
					     s->data[k], buf[k]);
	return err;
}

int gang_flash_eeprom_program(gang_target *t, const gang_image *img)
{
	const gang_part *part = gang_target_part(t);
	uint32_t lo, hi;
	uint8_t *buf;
	int err;

	if (!gang_flash_eeprom_range(&lo, &hi, part))
		return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "the %s has no data EEPROM gang can write",
				     part->name);
	if ((err = gang_image_check_range(img, lo, hi, "the data EEPROM", gang_target_diag(t))) < 0)
		return err;
	if (gang_target_info_get(t)->rdp_level >= 1)
		return gang_diag_set(gang_target_diag(t), GANG_EREAD_PROTECTED, "the chip is read-protected "
				     "(RDP level %d): data EEPROM cannot be written or read back until RDP is "
				     "lowered, which erases it", gang_target_info_get(t)->rdp_level);
	if ((buf = malloc(hi - lo)) == NULL)
		return gang_diag_set(gang_target_diag(t), GANG_ENOMEM, "out of memory writing data EEPROM");
	for (size_t i = 0; i < img->n_seg && err == GANG_OK; i++)
		err = gang_flash_ops_of(part->family)->eeprom_write(t, img->seg[i].addr, img->seg[i].data,
								    img->seg[i].len);
	for (size_t i = 0; i < img->n_seg && err == GANG_OK; i++)
		err = eeprom_readback(t, &img->seg[i], buf);
	free(buf);
	return err;
}
