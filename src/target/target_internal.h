/*
 * target_internal.h — the gang_target handle and the ARMv6-M/ARMv7-M
 * debug register constants shared by target.c, target_id.c and
 * target_run.c. Not part of the module's API.
 *
 * Facts: ARMv7-M ARM (DDI 0403E) C1.6 (DHCSR, DEMCR, DFSR bits and
 * keys), B3.2 (AIRCR; CPUID part numbers); ARMv6-M ARM (the PPB holds
 * only the SCS, so a Cortex-M0/M0+ has its DBGMCU on the APB).
 */
#ifndef GANG_TARGET_TARGET_INTERNAL_H
#define GANG_TARGET_TARGET_INTERNAL_H

#include "target/target.h"

#define TGT_CPUID           0xE000ED00U
#define TGT_AIRCR           0xE000ED0CU
#define TGT_DFSR            0xE000ED30U
#define TGT_DHCSR           0xE000EDF0U
#define TGT_DEMCR           0xE000EDFCU

#define TGT_DHCSR_KEY       0xA05F0000U
#define TGT_DHCSR_DEBUGEN   (1U << 0)
#define TGT_DHCSR_HALT      (1U << 1)
#define TGT_DHCSR_MASKINTS  (1U << 3)
#define TGT_DHCSR_S_HALT    (1U << 17)
#define TGT_DHCSR_S_LOCKUP  (1U << 19)
#define TGT_DHCSR_S_RESET   (1U << 25)
/* TRCENA | VC_HARDERR | VC_BUSERR | VC_CORERESET: reset-halt and fault catch */
#define TGT_DEMCR_RESET_HALT 0x01000501U
/* TRCENA | VC_HARDERR | VC_BUSERR: a loader fault halts instead of locking up */
#define TGT_DEMCR_CATCH     0x01000500U
#define TGT_AIRCR_SYSRESET  0x05FA0004U
#define TGT_DFSR_ALL        0x1FU
#define TGT_DFSR_BKPT       (1U << 1)

#define TGT_CPUID_PART(c)   (((c) >> 4) & 0xFFFU)
#define TGT_CPUID_M0        0xC20U
#define TGT_CPUID_M0P       0xC60U
#define TGT_CPUID_M4        0xC24U
#define TGT_DEV_F2          0x411U   /* F2xx; also early F40x/F41x, see target_id.c */
#define TGT_DEV_F40X        0x413U
#define TGT_PPB_BASE        0xE0000000U   /* ARMv6-M has only the SCS there: no DBGMCU */

#define TGT_MIN_MV          1500U         /* below this there is no powered board */
#define TGT_DEFAULT_KHZ     4000U
#define TGT_HALT_TIMEOUT_MS 500U

struct gang_target {
	gang_stlink *sl;                /* borrowed */
	gang_diag *d;                   /* the probe's diag */
	const gang_part *want;          /* expected part, or NULL */
	const gang_family *fam;
	bool ran_code;                  /* a loader/stub ran: the firmware's context is gone */
	bool maskints;                  /* DHCSR.C_MASKINTS is set (it survives halts: one write runs) */
	bool reset_clean;               /* gang reset the chip in this session: no firmware ran since */
	bool demcr_catch;               /* DEMCR holds TGT_DEMCR_CATCH (fault catch, no reset catch) */
	uint32_t sram_note;             /* what the flash layer left in SRAM; 0 after any reset */
	bool flash_at_reset;            /* gang reset the chip and since then neither the core ran nor the
					   flash layer unlocked: the controller holds its reset values */
	struct { uint32_t addr, len, crc; } crc_memo[GANG_TARGET_CRC_MEMOS];
	unsigned n_crc_memo;            /* entries of crc_memo in use; 0 after any reset */
	bool cm4_ap_open;               /* INIT_AP 3 sent (dual-core H7) */
	bool cores_held;                /* the second core is halted and caught on reset (gang_family.hold_cores) */
	gang_target_info info;
	bool (*should_stop)(void *user); /* the connect options' stop; NULL: never */
	void *stop_user;
};

/* target_run.c: the family's other cores (gang_family.hold_cores) halted while gang works, let go with the first */
int gang_target_hold_cores(gang_target *t);
int gang_target_release_cores(gang_target *t);

/* target_id.c */
int gang_target_identify(gang_target *t);
int gang_target_freeze_watchdogs(gang_target *t);

/* fam_fpec_f1.c: the F0/F1/F3 family driver's RDP read (FLASH_OBR). */
int gang_fam_fpec_f1_read_rdp(int *level_out, gang_target *t);
/* fam_rdp.c: the RDP byte of one controller register (gang_family.rdp_reg/rdp_shift). */
int gang_fam_read_rdp_byte(int *level_out, gang_target *t);
/* L5/U5: as gang_fam_read_rdp_byte, with level 0.5 (0x55 and TZEN = 1) counted as 0 (target/fam_rdp.c). */
int gang_fam_tz_read_rdp(int *level_out, gang_target *t);
/* fam_h7.c: the H743 or the dual-core H745 row, from the boot bits only the dual-core parts have. */
int gang_fam_h7_pick_part(const gang_part **part_io, gang_target *t);
/* fam_h7.c: the dual-core parts' Cortex-M4 halted through AP3 and caught on reset; let go before the CM7. */
int gang_fam_h7_hold_cores(gang_target *t);
int gang_fam_h7_release_cores(gang_target *t);

#endif
