/*
 * part.h — the immutable tables of STM32 families and parts gang knows
 * (rows in target/parts.def, shared with the bench): identification
 * addresses, debug-freeze bits, RDP bytes, flash geometry and the
 * family's flash controller (flash/flash_ops.h maps it to a driver, which
 * owns the option-byte layout; a new family is one driver file plus rows).
 *
 * Facts: RM0008 §3.3 and RM0091/RM0316 (addresses per family), RM0008
 * DBGMCU_IDCODE and the datasheets (DEV_ID, sizes), ARMv7-M ARM B3.2
 * (CPUID parts), PM0075 and RM0091 §3 (WRP granularity; RDP values, OBR
 * layouts, OBL_LAUNCH), RM0008 DBGMCU_CR (freeze bits), RM0008 §4 (CRC).
 */
#ifndef GANG_TARGET_PART_H
#define GANG_TARGET_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct gang_target;
struct gang_part;

#define GANG_IDCODE_ADDRS_MAX 3U
#define GANG_CPUID_PARTS_MAX  3U

/*
 * One run of equal erase units (pages or sectors) of main flash. A part's
 * flash is a list of these, ascending and contiguous: F0/F1/F3 have one
 * run of pages; F2/F4/F7 sectors of 16, 64 and 128 KiB are three runs
 * (RM0090 §3.3); a second bank is more runs with bank 1.
 */
typedef struct gang_flash_region {
	uint32_t base;                     /* address of the first unit */
	uint32_t unit;                     /* erase unit in bytes */
	uint16_t count;                    /* units of this size */
	uint16_t first_no;                 /* the controller's number of the first (page or sector) */
	uint8_t bank;
} gang_flash_region;

/* The flash of one part: its regions, program unit and erased value (flash/geom.h reads it). */
typedef struct gang_flash_geom {
	const gang_flash_region *regions;
	unsigned n_regions;
	uint8_t write_unit;                /* bytes programmed at once: 2, 4, 8, 16 or 32 */
	uint8_t erased;                    /* what an erased byte reads: 0xFF (0x00 on L0/L1) */
} gang_flash_geom;

/*
 * The flash-controller generation a family has. flash/flash_ops.h maps it
 * to the driver, so this table names no flash code (no target <-> flash
 * include cycle).
 */
typedef enum gang_flash_ctrl {
	GANG_CTRL_FPEC_F1 = 0,             /* F0/F1/F3 FPEC: PM0075, RM0091 §3 */
	GANG_CTRL_FPEC_F4,                 /* F2/F4/F7 sector controller: RM0090 §3, RM0385 §3 */
	GANG_CTRL_FPEC_L4,                 /* G0/G4/L4/L4+/WB/WL/C0 double-word controller: RM0351 §3, RM0444 §3 */
	GANG_CTRL_PECR_L0,                 /* L0/L1 PECR controller, erased 0x00: RM0377 §3, RM0038 §3 */
	GANG_CTRL_FPEC_H7,                 /* H7 two-bank 256-bit controller: RM0433 §4, RM0468 §4 */
	GANG_CTRL_FPEC_TZ,                 /* L5/U5 TrustZone controller (NS and secure sets): RM0438 §6, RM0456 §7 */
	GANG_CTRL_COUNT
} gang_flash_ctrl;

/* What a family's instance of its controller has (gang_flash_ctrl_cfg.flags; FPEC meanings). */
#define GANG_CTRL_OBR_LEVEL2 (1U << 0)  /* FLASH_OBR RDPRT[2:1] with a level 2 (F0/F3, RM0091 §3) */
#define GANG_CTRL_OBL_LAUNCH (1U << 1)  /* FLASH_CR.OBL_LAUNCH reloads the option bytes (F0/F3) */
/* (F2/F4/F7 sector-controller meanings) */
#define GANG_CTRL_F4_BANKS   (1U << 2)  /* OPTCR BFB2/DB1M and OPTCR1 bank-2 nWRP on dual-bank parts (F42x/F43x, RM0090 §3.9.10) */
#define GANG_CTRL_F7_OPTCR   (1U << 3)  /* F7 OPTCR layout: WWDG_SW/IWDG_SW, nDBANK, BOOT_ADDx in OPTCR1 (RM0410 §3.7) */
/* (G0/G4/L4/L4+/WB/WL/C0 double-word controller meanings) */
#define GANG_CTRL_L4_BKER13  (1U << 4)  /* CR.BKER is b13 (G0, RM0444 §3.7.5), not b11 (L4/L4+/G4) */
#define GANG_CTRL_L4_CFGBSY  (1U << 5)  /* SR.CFGBSY b18 must read 0 before CR and data writes (G0/C0/WB/WL) */
#define GANG_CTRL_L4_DBANK   (1U << 6)  /* OPTR.DBANK b22 selects the two-bank layout (G4, L4+) */
#define GANG_CTRL_L4_DUAL_BANK (1U << 7) /* OPTR.DUAL_BANK b21 and nSWAP_BANK b20 (G0B/G0C, RM0444 §3.7.8) */
#define GANG_CTRL_L4_CPU2    (1U << 8)  /* WB: pages from SFR.SFSA belong to CPU2; no mass erase from CPU1 (RM0434 §3.3.7) */

/* A family's flash controller: which driver, and the parameters only that driver reads. */
typedef struct gang_flash_ctrl_cfg {
	gang_flash_ctrl id;                /* the driver (flash/flash_ops.h) */
	uint32_t base;                     /* controller registers */
	uint32_t ob_base;                  /* option-byte block */
	uint32_t t_prog_ns;                /* typical time to program one program unit */
	uint32_t otp_base;                 /* one-time-programmable area; 0: none */
	uint32_t otp_bytes;
	uint32_t flags;                    /* GANG_CTRL_* */
	uint32_t ob_bytes;                 /* the option-byte block in memory (gang read) */
	uint32_t otp_lock_bytes;           /* a lock byte per OTP block, right after the OTP area */
} gang_flash_ctrl_cfg;

/*
 * How gang's own code on the chip runs faster than the reset clock: the
 * PLL from the internal oscillator (no board's crystal is assumed), with
 * the flash wait states for that speed set first. Writes only, in this
 * order; the clock switch waits for PLL lock in hardware (RM0008 §7.2,
 * RM0090 §6.2: "the switch occurs when the target clock is ready").
 */
typedef struct gang_fast_clock {
	uint32_t reset_hz;                 /* SYSCLK after reset (HSI) */
	uint32_t hz;                       /* SYSCLK from the PLL; 0: stay on the reset clock */
	uint32_t acr_addr, acr;            /* FLASH_ACR: wait states (and prefetch) for hz */
	uint32_t pllcfgr_addr, pllcfgr;    /* RCC_PLLCFGR (F2/F4/F7); 0: the PLL is set in CFGR */
	uint32_t cfgr_addr, cfgr;          /* RCC_CFGR: PLL source/multiplier, bus prescalers, SW = HSI */
	uint32_t cr_addr, cr;              /* RCC_CR with HSION and PLLON */
	uint32_t sw_pll;                   /* CFGR.SW selecting the PLL */
	uint32_t min_mv;                   /* the wait states in acr hold from this supply up; 0: any */
} gang_fast_clock;

typedef struct gang_family {
	const char *name;                  /* "F1", "F0", "F3" */
	gang_flash_ctrl_cfg flash;         /* flash controller, hence driver (flash/flash_ops.h) */
	uint32_t idcode_addrs[GANG_IDCODE_ADDRS_MAX]; /* DBGMCU_IDCODE, tried in order; 0 ends */
	uint16_t cpuid_parts[GANG_CPUID_PARTS_MAX];   /* CPUID PARTNO of its cores; 0 ends */
	uint32_t flash_size_addr;          /* u16, KiB */
	uint32_t uid_addr;                 /* 96-bit unique ID */
	uint32_t uid_hi_off;               /* offset of its U_ID[95:64] word; 0: 8, the three words in a row
					      (L0/L1: 0x14, RM0377 §28.2, RM0038 §31.2) */
	uint32_t dbgmcu_cr_addr;
	uint32_t dbgmcu_cr_bits;           /* sleep/stop/standby (+ F1 watchdog stop bits) */
	uint32_t dbgmcu_fz_addr;           /* APB1 freeze register; 0 if the CR has the bits */
	uint32_t dbgmcu_fz_bits;
	uint32_t dbgmcu_clk_addr;          /* RCC register clocking the DBGMCU block (G0/C0); 0: always on */
	uint32_t dbgmcu_clk_bit;
	uint8_t rdp_level0;                /* RDP byte meaning "unprotected" */
	uint8_t rdp_level2;                /* RDP byte meaning "locked forever"; 0: no level 2 */
	/* the family's RDP read (target/fam_fpec_f1.c, fam_rdp.c): level 0, 1 or 2 into *level_out */
	int (*read_rdp)(int *level_out, struct gang_target *t);
	/* optional (target/fam_h7.c): of the rows sharing *part_io's DEV_ID and size, the board's */
	int (*pick_part)(const struct gang_part **part_io, struct gang_target *t);
	/* optional (target/fam_h7.c): halt the part's other cores after identification and every reset, let them go */
	int (*hold_cores)(struct gang_target *t);
	int (*release_cores)(struct gang_target *t);
	uint32_t rdp_reg;                  /* fam_rdp.c: controller register holding the RDP byte */
	uint32_t rdp_shift;                /* and its position in that register */
	uint32_t rcc_ahbenr;               /* CRC clock enable register */
	uint32_t rcc_crcen;                /* its bit */
	uint32_t crc_base;                 /* CRC unit */
	uint32_t sysmem_base;              /* system memory (ST's bootloader), for gang read */
	uint32_t sysmem_bytes;
	gang_fast_clock clock;             /* the reset clock, and the PLL setting for gang's loaders */
	uint32_t iwdg_kr;                  /* independent watchdog key register */
} gang_family;

typedef struct gang_part {
	const char *name;                  /* "STM32F103RC"; 'x' matches any character */
	const gang_family *family;
	uint16_t dev_id;                   /* DBGMCU_IDCODE[11:0] */
	uint32_t flash_kib;
	uint32_t sram_kib;
	uint32_t wrp_pages_per_bit;        /* erase units per WRP bit */
	gang_flash_geom geom;              /* main flash: regions, program unit, erased value */
} gang_part;

/* IWDG_KR value that reloads the independent watchdog (RM0008 and RM0091, IWDG_KR). */
#define GANG_IWDG_KEY_RELOAD 0xAAAAU

/* Flash and SRAM bases shared by every family here. */
#define GANG_FLASH_BASE 0x08000000U
#define GANG_SRAM_BASE  0x20000000U

/* The part named (case-insensitive; a lowercase 'x' in the table matches any character), or NULL. */
const gang_part *gang_part_find(const char *name);
/* The part that has this DEV_ID and flash size (first row), or NULL. */
const gang_part *gang_part_identify(uint16_t dev_id, uint32_t flash_kib);
/* The family of any part with this DEV_ID, or NULL. */
const gang_family *gang_part_family_of(uint16_t dev_id);
/* True for the dual-core H745/H747/H755/H757 (a Cortex-M4 beside the M7; RM0399), by part name. */
bool gang_part_h7_dual_core(const gang_part *p);
/* The page size when every erase unit of p has the same size (F0/F1/F3), else 0 (sectors). */
uint32_t gang_part_page_size(const gang_part *p);
/* Number of families and family i, in table order (identification tries them). */
unsigned gang_family_count(void);
const gang_family *gang_family_at(unsigned i);
/* Number of rows and row i (for listing parts in help texts). */
unsigned gang_part_count(void);
const gang_part *gang_part_at(unsigned i);

/*
 * A hint for an unknown part name, for error messages: " (did you mean
 * STM32F103C8 or STM32F103CB?)" naming every part at the smallest edit
 * distance (Levenshtein, case-insensitive, a table 'x' matching any
 * character) when it is at most 3, else " (not supported: 'gang parts'
 * lists the supported parts)". Always NUL-terminated in out[cap].
 */
void gang_part_suggest_text(char *out, size_t cap, const char *name);

/*
 * The 96-bit UID as 24 uppercase hex digits: the 12 bytes in address order
 * (each 32-bit word little-endian as read). out must hold 25 bytes.
 */
void gang_part_uid_string(char *out, const uint8_t uid[12]);

/*
 * GANG_OK when a board reporting dev_id and flash_kib is the part wanted;
 * otherwise GANG_EWRONG_PART with "board has STM32F103C8 (0x410, 64 KiB),
 * profile wants STM32F103RC" in d.
 */
int gang_part_check(const gang_part *want, uint16_t dev_id, uint32_t flash_kib, gang_diag *d);

#endif
