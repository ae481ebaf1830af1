/*
 * board.h — the virtual STM32 board (F0/F1/F3 with the FPEC, F2/F4/F7 with
 * the sector controller, L0/L1 with the PECR controller and data EEPROM,
 * H7 with its two-bank controller and its extra access ports, L5/U5 with
 * the TrustZone controller; tools/sim/flash_model.h, board_ap.c) as
 * the virtual ST-Link sees it: a debug port and a memory bus reached over
 * SWD, an NRST pin, a supply, and a Cortex-M core that really executes
 * Thumb code (Unicorn). The probe model (probe.c) owns the virtual clock and
 * drives the board forward in time before each access.
 *
 * Facts modelled: RM0008 §30/§31 (ids), PM0075 (FPEC, option bytes, RDP,
 * WRP), DS5792 Table 29 (timings), RM0008 §9.4.2 (SWJ_CFG), §31 (NRST and
 * the debug domain), §4 (CRC unit); ARMv7-M debug registers (ARM DDI
 * 0403E). Where silicon is stricter than a tool needs, the board follows
 * silicon.
 *
 * Threading: a board is owned by the thread that owns its probe.
 */
#ifndef GANGSIM_BOARD_H
#define GANGSIM_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which flash-controller model a family has (tools/sim/flash_model.h). */
typedef enum sim_flash_ctl {
	SIM_FLASH_FPEC = 0,      /* F0/F1/F3 page controller at 0x40022000 (PM0075) */
	SIM_FLASH_F2,            /* F2 sector controller at 0x40023C00 (RM0033 §2) */
	SIM_FLASH_F4,            /* F4 sector controller at 0x40023C00 (RM0090 §3) */
	SIM_FLASH_F7,            /* F7 sector controller at 0x40023C00 (RM0385, RM0410 §3) */
	/* the double-word controller at 0x40022000 (0x58004000 on WB/WL), one per family */
	SIM_FLASH_G0,            /* RM0444 §3 */
	SIM_FLASH_C0,            /* RM0490 §3 */
	SIM_FLASH_G4,            /* RM0440 §5 */
	SIM_FLASH_L4,            /* RM0351 §3, RM0394 §3 */
	SIM_FLASH_L4P,           /* RM0432 §3 */
	SIM_FLASH_WB,            /* RM0434 §3 */
	SIM_FLASH_WL,            /* RM0461 §3 */
	SIM_FLASH_L0,            /* L0 PECR controller at 0x40022000 (RM0377 §3) */
	SIM_FLASH_L1,            /* L1 PECR controller at 0x40023C00 (RM0038 §3) */
	SIM_FLASH_H7,            /* H7 two-bank controller at 0x52002000 (RM0433 §4) */
	SIM_FLASH_L5,            /* L5 TrustZone controller at 0x40022000 / 0x50022000 (RM0438 §6) */
	SIM_FLASH_U5,            /* U5 TrustZone controller at 0x40022000 / 0x50022000 (RM0456 §7) */
} sim_flash_ctl;

/* One run of equal erase units of main flash (parts.def GANG_GEOM_<kind>). */
typedef struct sim_region {
	uint32_t base;           /* bus address of the first unit */
	uint32_t unit;           /* bytes per page or sector */
	uint32_t count;
	uint32_t first_no;       /* number of the first unit (bank-2 sectors from 12) */
	uint32_t bank;           /* 0, or 1 for bank 2 */
} sim_region;

/*
 * The family's peripherals the bench models besides the flash controller:
 * RCC (clock gates of the CRC unit and GPIOA), GPIOA_MODER (0 base: no
 * MODER, the F1 AFIO_MAPR.SWJ_CFG instead) and the core clock after reset
 * (the HSI; the PLL and wait states behind RCC_CR/CFGR/PLLCFGR and
 * FLASH_ACR are board_clock.c's).
 */
typedef struct sim_family_io {
	uint32_t rcc_base;
	uint32_t rcc_cfgr_off;   /* RCC_CFGR (SW/SWS: the clock tree, board_clock.c) */
	uint32_t rcc_crc_off;    /* register holding the CRC clock enable */
	uint32_t rcc_crc_bit;
	uint32_t rcc_crc_reset;  /* that register's reset value */
	uint32_t rcc_csr_off;    /* reset flags register (PINRSTF, PORRSTF) */
	uint32_t gpioa_base;     /* 0: none (F1) */
	uint32_t gpioa_en_off;   /* RCC register with the GPIOA clock enable */
	uint32_t gpioa_en_bit;
	uint32_t gpioa_moder_reset;
	bool has_afio;           /* F1 AFIO_MAPR.SWJ_CFG at 0x40010004 */
	uint32_t core_hz;        /* HSI after reset */
	uint32_t crc_base;       /* CRC unit; 0: 0x40023000 */
	uint32_t dbgmcu_apb;     /* DBGMCU on the debug APB (AP2; H7 0xE00E1000); 0: none. With
				  * one, the DBGMCU at idcode_addr is on the system bus (AP0),
				  * which NRST holds in reset, and needs D1DBGCKEN/D3DBGCKEN */
	uint32_t pwr_pdds_addr;  /* register with the Standby (PDDS) bit; 0: PWR_CR 0x40007000 */
	uint32_t pwr_pdds_bit;   /* 0: b1 (PWR_CR.PDDS) */
	uint32_t iwdg_base;      /* an IWDG modelled as registers (H7 IWDG1 0x58004800); 0: IWDG_KR
				  * writes at 0x40003000 accepted with no effect */
	/* RCC register and bit that clock the DBGMCU_CR/FZ registers (0 bit: always on; L0) */
	uint32_t dbgmcu_en_off;
	uint32_t dbgmcu_en_bit;
} sim_family_io;

/* Part description (immutable table in parts.c). */
typedef struct sim_part {
	const char *name;        /* "STM32F103RC" */
	uint16_t dev_id;         /* DBGMCU_IDCODE[11:0] */
	uint16_t rev_id;         /* DBGMCU_IDCODE[31:16] */
	uint32_t flash_kib;
	uint32_t sram_kib;
	uint32_t page_size;      /* bytes; 0 for sector layouts (see regions) */
	uint32_t wrp_pages_per_bit;
	uint32_t dpidr;          /* SW-DP IDR */
	uint32_t cpuid;          /* 0xE000ED00 */
	uint32_t idcode_addr;    /* DBGMCU_IDCODE address */
	uint32_t flash_size_addr;/* u16 KiB register */
	uint32_t uid_addr;       /* 96-bit unique ID */
	uint32_t sysmem_base;    /* system memory (bootloader) */
	uint32_t sysmem_size;
	uint8_t rdp_unprotected; /* 0xA5 on F1, 0xAA on F0/F3 */
	bool has_obl_launch;     /* FLASH_CR.OBL_LAUNCH exists (F0/F3) */
	sim_flash_ctl flash_ctl;
	const sim_region *regions;   /* main-flash layout, in address order */
	unsigned n_regions;
	const sim_family_io *io;
} sim_part;

/* Returns the part named (case-insensitive) or NULL. */
const sim_part *sim_part_find(const char *name);

/* Stuck bit fault: bits in mask read as the given level after programming. */
typedef struct sim_stuck_bit {
	uint32_t addr;           /* byte address in flash */
	uint8_t mask;            /* bits that are stuck */
	uint8_t value;           /* their stuck level (bits outside mask ignored) */
} sim_stuck_bit;

#define SIM_MAX_STUCK 8

/* Modelled timings in nanoseconds (bench keys; datasheet defaults). */
typedef struct sim_timing {
	uint64_t t_prog_ns;      /* 52 500: half-word program (DS5792 Table 29 typ) */
	uint64_t t_page_erase_ns;/* 30 000 000 */
	uint64_t t_mass_erase_ns;/* 30 000 000 */
	uint64_t t_ob_erase_ns;  /* 30 000 000 */
	uint64_t core_hz;        /* HSI: 8 MHz F0/F1/F3, 16 MHz F2/F4/F7; the core's clock after
				  * reset, and the PLL's input (board_clock.c) */
} sim_timing;

#define SIM_VDD_MV_DEFAULT 3300U

typedef struct sim_board_cfg {
	const sim_part *part;
	uint8_t uid[12];          /* 96-bit UID as it reads at uid_addr (little-endian words) */
	const char *state_dir;    /* board files in state_dir/<UID>/ */
	const char *firmware;     /* .bin programmed at 0x08000000 when the state is new; may be NULL */
	int rdp;                  /* 0 or 1: initial RDP level when the state is new */
	uint32_t wrp;             /* initial WRPR (F2/F4/F7: nWRP, bit n = sector n; H7: WPSN, bits 0-7
				   * bank 1, 8-15 bank 2) when new; bit 0 protected */
	bool swd_disabled;        /* the initial firmware disables SWD once it runs */
	bool nrst_wired;          /* the fixture routes NRST to the probe */
	unsigned vdd_mv;          /* target supply (GET_TARGET_VOLTAGE); 0 = SIM_VDD_MV_DEFAULT */
	bool vpp;                 /* F2/F4: external VPP present, PSIZE x64 allowed */
	sim_timing timing;
	/* faults */
	int64_t power_loss_at_ns; /* board loses power at this probe time; -1 never */
	double swd_wait_rate;     /* probability an access answers WAIT */
	double swd_fault_rate;    /* probability an access answers FAULT */
	uint32_t rng_seed;
	bool kill_host_on_release; /* SIGKILL the host the first time the core is let go into flash */
	sim_stuck_bit stuck[SIM_MAX_STUCK];
	size_t n_stuck;
} sim_board_cfg;

/* SWD outcome of one debug-port/memory access. */
typedef enum sim_swd {
	SIM_SWD_OK = 0,
	SIM_SWD_WAIT,            /* ACK WAIT (retry later) */
	SIM_SWD_FAULT,           /* ACK FAULT: bus error on the AHB-AP access */
	SIM_SWD_NOACK,           /* no ACK at all: DP off (SWJ_CFG), no power, no board */
	SIM_SWD_DP_RESET,        /* the access reset the chip under the DP (OBL_LAUNCH): the
				  * probe reports a DP error for it; the link answers again after */
} sim_swd;

typedef struct sim_board sim_board;

/*
 * Create a board, mapping state_dir/<UID>/flash.bin and option_bytes.bin
 * (created on first use, from cfg->firmware / rdp / wrp). The board is
 * powered and its core has been running since t_insert_ns (probe time; may
 * be negative: "in the fixture for 100 ms before the first command").
 * On error returns -1 with a sentence in err.
 */
int sim_board_new(sim_board **out, const sim_board_cfg *cfg, int64_t t_insert_ns,
		  char *err, size_t errlen);
void sim_board_free(sim_board *b);

/* Run the core (if running) up to probe time t_ns; flash ops complete on time. */
void sim_board_advance(sim_board *b, int64_t t_ns);
/* The board's own time (>= last advance; an access that stalls moves it on). */
int64_t sim_board_now(const sim_board *b);

/* Target voltage in millivolts as the probe's ADC sees it (0 when unpowered). */
unsigned sim_board_voltage_mv(const sim_board *b);

/* Line reset + DPIDR read (what ENTER SWD does on the wire). */
sim_swd sim_board_dp_connect(sim_board *b, uint32_t *dpidr_out);
/* AHB-AP accesses; size 1, 2 or 4, addr aligned to size. */
sim_swd sim_board_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val_out);
sim_swd sim_board_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val);

/*
 * Accesses through access port ap (ADIv5 APSEL). AP0 is the system bus
 * (sim_board_read/write). The H7 also has AP2, the debug APB (DBGMCU at
 * 0xE00E1000, answering under NRST), and on dual-core parts AP3, the
 * Cortex-M4's AHB-AP. An AP the part lacks answers FAULT.
 */
sim_swd sim_board_read_ap(sim_board *b, unsigned ap, uint32_t addr, unsigned size, uint32_t *val_out);
sim_swd sim_board_write_ap(sim_board *b, unsigned ap, uint32_t addr, unsigned size, uint32_t val);
/* The AP's identification register (ADIv5 IDR at 0xFC); 0: no such AP. */
uint32_t sim_board_ap_idr(const sim_board *b, unsigned ap);
/*
 * Dual-core H7: the CM4 is halted; flash erase/program operations begun
 * while it ran since the board was inserted (the board's state directory
 * also gets the file cm4_ran_during_flash_op at the first).
 */
bool sim_board_cm4_halted(const sim_board *b);
unsigned sim_board_cm4_unheld_ops(const sim_board *b);

/* NRST pin driven by the probe (ignored when the fixture has not wired it). */
void sim_board_set_nrst(sim_board *b, bool low);
/* True while the core executes instructions (not halted, not in reset, powered). */
bool sim_board_core_running(const sim_board *b);

const uint8_t *sim_board_uid(const sim_board *b);
/* Virtual nanoseconds the board has spent in the fixture while the probe talked to it. */
int64_t sim_board_busy_ns(const sim_board *b);

#endif
