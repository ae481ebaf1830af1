/*
 * board_internal.h — the board model split by concern, shared by
 * board.c (public API, bus routing), board_core.c (Unicorn core, hooks,
 * register transfer), board_run.c (time, run control, halt/reset),
 * board_scs.c (ARMv7-M debug and system registers), the flash controller
 * models behind flash_model.h (board_fpec.c, board_fpec_f4.c,
 * board_fpec_l4.c + board_fpec_l4_ob.c, board_fpec_h7.c + board_fpec_h7_ob.c,
 * board_pecr_l0.c + board_pecr_l0_ob.c, board_fpec_tz.c + board_fpec_tz_ob.c),
 * board_ap.c (the H7's AP2 and AP3), board_periph.c (CRC, RCC, AFIO, IWDG,
 * DBGMCU, PWR), board_clock.c (RCC clock tree: PLL, SYSCLK/HCLK, flash wait
 * states) and board_state.c (mmap'd persistence). Not the bench's API.
 *
 * References: RM0008 (F1 memory map, AFIO, CRC, DBG, electronic
 * signature), PM0075 (flash controller, option bytes), DS5792 Table 29
 * (timings), ARMv7-M Architecture Reference Manual (debug registers); what
 * st-flash 1.7.0 and OpenOCD 0.12 do on a F103, as traced.
 */
#ifndef GANGSIM_BOARD_INTERNAL_H
#define GANGSIM_BOARD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

#include "board.h"
#include "flash_model.h"

/* Memory map (RM0008 §3.3). */
#define BOARD_FLASH_BASE      0x08000000U
#define BOARD_SRAM_BASE       0x20000000U
#define BOARD_SRAM_S_BASE     0x30000000U   /* secure alias of SRAM (L5/U5, RM0456 §2.3) */
#define BOARD_HI_BASE         0x40030000U   /* L5/U5: AHB2/AHB3 up to the secure aliases (core windows) */
#define BOARD_HI_END          0x48000000U
#define BOARD_SEC_BASE        0x50000000U   /* L5/U5 secure peripheral aliases */
#define BOARD_SEC_END         0x60000000U
#define BOARD_PERIPH_BASE     0x40000000U
#define BOARD_PERIPH_END      0x40030000U   /* APB1, APB2, AHB up to the CRC unit / F4 AHB1 */
#define BOARD_AHB2_BASE       0x48000000U   /* F0/F3 GPIO on AHB2 (RM0091 §2.2.2, RM0316 §3.2.2) */
#define BOARD_AHB2_END        0x48000400U
#define BOARD_PPB_BASE        0xE0000000U
#define BOARD_PPB_SIZE        0x00100000U
#define BOARD_INFO_END        0x20000000U   /* end of the system memory block */

#define BOARD_NS_PER_S        1000000000ULL
#define BOARD_MAX_FIX         8U            /* stores of one instruction (an STM of a whole H7 flash word) */
#define BOARD_DBGMCU_FZ_N     9U            /* H7 DBGMCU 0x34..0x54 */
#define BOARD_SPIN_REGS       15            /* r0-r12, sp, lr */

/* Why the core stopped in the middle of a run. */
typedef enum board_stop {
	BOARD_STOP_NONE = 0,
	BOARD_STOP_FAULT,      /* bus fault: vector catch or lockup */
	BOARD_STOP_STALL,      /* bus stalled by the FPEC: deferred access pending */
	BOARD_STOP_RESET,      /* AIRCR.SYSRESETREQ written by the core */
	BOARD_STOP_BKPT,       /* BKPT with C_DEBUGEN: debug halt */
	BOARD_STOP_SLEEP,      /* WFI/WFE: nothing here ever wakes it */
} board_stop;

/* FPEC operation in progress (BSY=1 from start to end). */
typedef enum board_op {
	BOARD_OP_NONE = 0,
	BOARD_OP_PROG,
	BOARD_OP_PAGE_ERASE,
	BOARD_OP_MASS_ERASE,
	BOARD_OP_OB_ERASE,     /* with regression mass erase when RDP level 1 is in force */
	BOARD_OP_OB_PROG,
	BOARD_OP_SECTOR_ERASE, /* F2/F4/F7 */
	BOARD_OP_OTP_PROG,
	BOARD_OP_FAST_ROW,     /* double-word controller: FSTPG row of 32 double words */
} board_op;

typedef struct board_fix {
	uint32_t off;          /* flash.bin offset */
	unsigned len;
	uint8_t bytes[4];      /* what the cell must hold after the store */
} board_fix;

typedef struct board_core {
	uc_engine *uc;
	uc_hook h_code, h_wflash, h_walias, h_intr;
	bool flash_mapped;     /* mapped as memory: not blocked by RDP1, enough wait states */
	bool flash_garbled;    /* mapped as MMIO: too few wait states (board_clock.c) */
	uint32_t flash_swap;   /* mapped with the banks swapped: the offset of bank 2 (H7); 0 */
	bool in_emu;           /* inside uc_emu_start: time is the core's */
	bool halted, lockup, sleeping;
	int64_t epoch_ns;      /* core time when cycles was 0 */
	uint64_t cycles;       /* instructions since epoch (1 instruction = 1 cycle) */
	uint64_t hz;           /* HCLK since epoch (board_clock.c); the HSI after reset */
	uint64_t limit;        /* cycles allowed in this run (never past the advance target) */
	int64_t stall_until;   /* bus held by the FPEC until then; 0 none */
	board_stop stop;
	board_fix fix[BOARD_MAX_FIX];
	unsigned n_fix;
	bool defer_on;         /* access held by the stall, performed when BSY drops */
	uint32_t defer_addr, defer_val;
	unsigned defer_size;
	uint64_t flash_cycles; /* instructions fetched from flash since the last reset */
	uint64_t kill_cycles;  /* 1 ms of core time: the seed firmware's SWD cut */
	uint64_t last_pc;
	bool retired;          /* DHCSR.S_RETIRE_ST */
	bool xpsr_t;           /* EPSR.T as the debugger last wrote it */
	/* BSY spin-loop fast-forward (exact: the skipped iterations are identical) */
	bool spin_valid;
	uint64_t spin_pc, spin_cycles, spin_gen;
	uint32_t spin_regs[BOARD_SPIN_REGS];
	uint64_t side_gen;     /* bumped by every side effect a loop could depend on */
	/* code cache invalidation after writes that bypass the core */
	uint32_t fdirty_lo, fdirty_hi, sdirty_lo, sdirty_hi;
	/* debug and system registers (ARMv7-M ARM C1.6): DHCSR/DEMCR/DFSR survive system reset */
	uint32_t dhcsr_ctrl, demcr, dfsr, dcrdr, cfsr, hfsr, aircr, vtor;
	uint32_t fp_ctrl, dbgmcu_cr, scr;
	uint32_t dbgmcu_fz[BOARD_DBGMCU_FZ_N];   /* H7 APB3FZ1..APB4FZ1; [0] also L5/U5 APB1FZR1 (power-on reset only) */
	bool reset_st;         /* DHCSR.S_RESET_ST, sticky until read */
} board_core;

typedef struct board_fpec {
	uint32_t acr, cr, sr, ar, obr, wrpr;
	unsigned key_stage, optkey_stage;
	bool key_dead;         /* wrong KEYR sequence: locked until reset */
	bool optkey_dead;
	uint8_t rdp_level;     /* 0, 1, 2: latched from the option bytes at reset */
	board_op op;
	int64_t op_start, op_end;
	uint32_t op_addr;      /* flash offset, or OB offset */
	uint16_t op_old, op_new;
	bool op_regress;       /* OB erase that mass-erases main flash first */
} board_fpec;

/* F2/F4/F7 sector controller (board_fpec_f4.c). */
typedef struct board_fpec4 {
	uint32_t acr, cr, sr;
	uint32_t optcr, optcr1;   /* the registers: what was last written or programmed */
	uint32_t wrp0, wrp1;      /* nWRP in force (loaded at reset; bit clear = protected) */
	unsigned key_stage, optkey_stage;
	bool key_dead;            /* wrong KEYR sequence: CR locked until reset */
	bool optkey_dead;
	uint8_t rdp_level;        /* in force: latched from the option bytes at reset */
	board_op op;
	int64_t op_start, op_end;
	uint32_t op_addr, op_len; /* flash offset (or OTP offset) and bytes */
	uint8_t op_old[4], op_new[4];
	bool op_regress;          /* option programming with the RDP 1 -> 0 mass erase */
} board_fpec4;

/* H7 flash controller, one per bank (board_fpec_h7.c) */
#define BOARD_H7_WORD         32U   /* the 256-bit flash word */

typedef struct board_h7bank {
	uint32_t cr, sr;
	unsigned key_stage;
	bool key_dead;            /* wrong KEYR sequence: CR locked until reset */
	board_op op;
	int64_t op_start, op_end;
	uint32_t op_addr, op_len; /* physical flash offset and bytes */
	uint32_t wb_off;          /* physical offset of the flash word in the write buffer */
	uint32_t wb_fill;         /* bytes of the write buffer written (bit i = byte i) */
	uint8_t wb[BOARD_H7_WORD];
	uint8_t op_old[BOARD_H7_WORD], op_new[BOARD_H7_WORD];
	uint32_t ecc_fa;          /* FLASH_ECC_FA: the failing flash word */
} board_h7bank;

typedef struct board_fpech7 {
	uint32_t acr;
	board_h7bank bank[2];
	uint32_t optcr;
	uint32_t optsr_cur, optsr_prg;     /* OPTSR_CUR as loaded, OPTSR_PRG as written */
	uint32_t wpsn_cur[2], wpsn_prg[2];
	uint32_t boot_cur, boot_prg;      /* BOOT7 on the dual-core parts */
	uint32_t boot4_cur, boot4_prg;    /* dual core only: the Cortex-M4's boot addresses */
	uint32_t prar_prg[2], scar_prg[2]; /* PCROP / secure areas: stored, not enforced */
	unsigned optkey_stage;
	bool optkey_dead;
	bool swapped;             /* OPTCR.SWAP_BANK in force since reset */
	uint8_t rdp_level;        /* in force (OPTSR_CUR.RDP) */
	board_op ob_op;           /* OPTSTART or MER in progress */
	int64_t ob_start, ob_end;
	bool ob_regress;          /* RDP 1 -> 0: both banks erased first */
} board_fpech7;


/*
 * L0/L1 PECR controller (board_pecr_l0.c, board_pecr_l0_ob.c): registers, the key stages, the
 * option bytes in force, the running operation and a half-page burst being
 * collected (FPRG+PROG: the words written so far).
 */
#define BOARD_PECR_HP_MAX     32U
#define BOARD_PECR_WRP_WORDS  8U   /* WRP half-words: L1 Cat.5/6 has 128 sectors */

typedef struct board_pecr {
	uint32_t acr, pecr, sr;
	uint32_t optr;            /* OPTR (L0) / OBR (L1) as loaded */
	uint32_t wrp[BOARD_PECR_WRP_WORDS / 2U];   /* WRPR1..4 as loaded: bit set = sector write-protected,
						     or with L0 WPRMOD = 1 bit clear = sector PCROP */
	bool pcrop_lifted;        /* an RDP regression programmed since the load: PCROP bits may clear */
	unsigned pekey_stage, prgkey_stage, optkey_stage;
	bool dead;                /* wrong key: PECR locked until reset */
	uint8_t rdp_level;
	board_op op;
	bool op_eeprom;           /* the running program targets data EEPROM */
	bool op_regress;          /* RDP 1 -> 0: flash and EEPROM erased first */
	int64_t op_start, op_end;
	uint32_t op_addr, op_len; /* bytes from the region's base */
	uint32_t op_ob_word, op_ob_val;   /* option word being programmed */
	bool hp_on;               /* half-page burst in progress */
	uint32_t hp_off;          /* flash offset of the half page */
	unsigned hp_n;            /* words written so far */
	uint32_t hp_buf[BOARD_PECR_HP_MAX];
} board_pecr;

/*
 * The double-word controller of G0/C0/G4/L4/L4+/WB/WL (board_fpec_l4.c):
 * registers, the option registers as written (opt) and as loaded in force
 * (live), the latched first word of a double word, the running operation
 * and the fast-programming row.
 */
#define BOARD_DW_OPT_N        26U   /* option registers 0x20..0x84, one slot per word */

typedef struct board_fpecdw {
	uint32_t acr, cr, sr, eccr;
	uint32_t opt[BOARD_DW_OPT_N];    /* OPTR, PCROP, WRP, ... as the registers read */
	uint32_t live[BOARD_DW_OPT_N];   /* loaded at power-on or OBL_LAUNCH: in force */
	bool loaded;                     /* option bytes loaded since power-on */
	bool empty;                      /* G0/C0 ACR.EMPTY as the last load found it */
	bool load_failed;                /* the last load found the option page cut: OPTVERR */
	unsigned key_stage, optkey_stage, pdkey_stage;
	bool key_dead;                   /* wrong KEYR/OPTKEYR sequence: locked until reset */
	uint8_t rdp_level;               /* in force */
	bool dual;                       /* the bank layout in force: two banks */
	uint32_t page;                   /* page size in force */
	bool half;                       /* the first word of a double word is latched */
	bool half_otp;                   /* ... in the OTP area (offsets from otp_base) */
	bool op_otp;                     /* the running PROG is in the OTP area */
	uint32_t half_off, half_val;
	bool mass_erased;                /* a mass erase since reset: fast programming allowed */
	board_op op;
	int64_t op_start, op_end;
	uint32_t op_addr, op_len;
	uint8_t op_old[8], op_new[8];
	bool op_regress;                 /* option programming with the RDP 1 -> 0 mass erase */
	/* FSTPG row: DWs received, when the last one is programmed */
	uint32_t row_off;
	unsigned row_n;
	int64_t row_last_end;
} board_fpecdw;

/*
 * L5/U5 TrustZone controller (board_fpec_tz.c, board_fpec_tz_ob.c): the
 * non-secure and secure register sets, the option registers as written
 * (opt) and as loaded at the last reset (opt_f), the quad/double word
 * being filled.
 */
#define BOARD_TZ_OPT_N        16U   /* OPTR..WRP2BR (0x40-0x6C), then the U5 OEM keys */
#define BOARD_TZ_BUF          128U  /* a U5 burst: 8 quad words */

typedef struct board_fpectz {
	uint32_t acr;
	uint32_t cr[2], sr[2];    /* [0] NSCR/NSSR, [1] SECCR/SECSR */
	uint32_t opt[BOARD_TZ_OPT_N];    /* option registers as written */
	uint32_t opt_f[BOARD_TZ_OPT_N];  /* in force since the last reset */
	uint32_t secbb[2][4];     /* SECBBxRy: block-based secure pages */
	unsigned key_stage[2], optkey_stage;
	bool key_dead[2], optkey_dead;
	uint8_t rdp_level;        /* 0, 1, 2, or BOARD_TZ_RDP05 */
	bool tzen;                /* in force */
	board_op op;
	int op_set;               /* the register set that started it (EOP goes there) */
	int64_t op_start, op_end;
	uint32_t op_addr, op_len;
	bool op_regress;          /* option programming with the regression mass erase */
	/* the unit being filled by word stores */
	uint32_t buf_off, buf_len, buf_fill;
	int buf_set;              /* register set of the fill, -1: none */
	bool buf_otp;
	uint8_t buf[BOARD_TZ_BUF];
	uint8_t op_old[BOARD_TZ_BUF];
} board_fpectz;

#define BOARD_TZ_RDP05        5U

#define BOARD_RCC_N           128U  /* RCC 0x000..0x1FC (H7 AHB4ENR at 0xE0; the double-word families to 0x9C) */

/*
 * RCC clock tree (board_clock.c): the registers as written, when the PLL
 * locks, and the SYSCLK source and frequencies in force.
 */
typedef struct board_clock {
	uint32_t cr;           /* RCC_CR as written; HSIRDY/HSERDY/PLLRDY computed on read */
	uint32_t cfgr;         /* RCC_CFGR as written; SWS computed on read */
	uint32_t pllcfgr;      /* RCC_PLLCFGR (F2/F4/F7) */
	int64_t pll_lock_at;   /* PLLRDY from this time on; INT64_MAX: off or never locks */
	int64_t sw_at;         /* when CFGR.SW was last written */
	unsigned sws;          /* SYSCLK source in force (the SW/SWS encoding) */
	uint64_t sysclk_hz, hclk_hz;   /* in force */
} board_clock;

typedef struct board_periph {
	uint32_t rcc[BOARD_RCC_N];
	uint32_t crc_dr, crc_idr;
	uint32_t afio_mapr;    /* without SWJ_CFG (write-only) */
	uint32_t gpioa_moder;  /* F0/F3/F2/F4/F7 GPIOA_MODER: PA13/PA14 in AF mode carry SWD */
	uint32_t pwr_cr;       /* PWR_CR: PDDS picks Standby over Stop (L5/U5 PWR_CR1: LPMS; L5 VOS) */
	uint32_t pwr_vosr;     /* U5 PWR_VOSR: VOS, BOOSTEN */
	/* the IWDG of sim_family_io.iwdg_base (board_periph.c): no countdown, no reset */
	uint32_t iwdg_pr, iwdg_rlr, iwdg_winr;
	bool iwdg_access;      /* KR 0x5555: PR, RLR and WINR writable */
	bool iwdg_on;          /* KR 0xCCCC: started (only a reset stops it) */
	uint32_t iwdg_reloads; /* KR 0xAAAA writes since reset */
} board_periph;

/*
 * The Cortex-M4 of a dual-core H745/H747/H755/H757 as its AHB-AP (AP3)
 * shows it (board_ap.c): the bench does not execute it, it tracks whether
 * it runs, and how many flash operations began while it ran.
 */
typedef struct board_cm4 {
	uint32_t dhcsr_c;      /* C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS as last written */
	uint32_t demcr;        /* VC_CORERESET and the other vector catches */
	bool halted;           /* in Debug state */
	bool gated;            /* BCM4 = 0: held until the CM7 starts it (RCC_GCR.BOOT_C2) */
	bool reset_st;         /* S_RESET_ST: a reset since DHCSR was last read */
	unsigned unheld_ops;   /* flash erase/program operations begun while it ran */
} board_cm4;

struct sim_board {
	sim_board_cfg cfg;     /* copy; strings below are owned */
	const sim_part *part;
	const board_flash_model *fm;   /* the family's flash controller */
	char *dir;             /* state_dir/<UID>/ */
	char *marker;          /* state_dir/<UID>/swd_disabled */
	uint8_t *flash;        /* mmap'd flash.bin, MAP_SHARED */
	uint8_t *ob;           /* mmap'd option_bytes.bin (fm->ob_file_len bytes) */
	uint8_t *otp;          /* mmap'd otp.bin (fm->otp_size bytes) or NULL */
	uint8_t *sram;
	uint32_t flash_size, sram_size;
	bool fw_kills_swd;     /* the seed firmware is still in flash */
	int64_t now;
	bool accessed;
	int64_t first_access, last_access;
	bool powered;
	bool nrst_low;
	bool swd_off;          /* SW-DP silent: SWJ_CFG=1xx or the seed firmware */
	bool dbg_attached;     /* a debugger connected since power-on (RDP1 rule) */
	uint32_t rng;
	board_core core;
	board_fpec fpec;       /* F0/F1/F3 model state */
	board_fpec4 f4;        /* F2/F4/F7 model state */
	board_pecr l0;         /* L0/L1 model state */
	board_fpectz tz;       /* L5/U5 model state */
	bool bus_secure;       /* the access being routed came through a secure alias */
	bool dp_error_once;    /* the debugger's write reset the chip (OBL_LAUNCH): no answer to it */
	board_fpecdw dw;       /* G0/C0/G4/L4/L4+/WB/WL model state */
	board_fpech7 h7;       /* H7 model state */
	board_periph periph;
	board_clock clock;
	board_cm4 cm4;         /* dual-core H7 only */
};

/* board.c */
int64_t board_time(const sim_board *b);
/* flash.bin offset of flash bus offset off (the model's bank swap) */
uint32_t board_flash_phys(const sim_board *b, uint32_t off);
board_bus board_bus_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val, bool core);
board_bus board_bus_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val, bool core);
void board_system_reset(sim_board *b, int64_t t);
void board_le_put(uint8_t *p, unsigned size, uint32_t val);
uint32_t board_le_get(const uint8_t *p, unsigned size);

/* board_core.c */
int board_core_new(sim_board *b, char *err, size_t errlen);
void board_core_free(sim_board *b);
void board_core_run_until(sim_board *b, int64_t t);
void board_core_reset(sim_board *b, int64_t t);
void board_core_halt(sim_board *b, uint32_t dfsr_bits);
void board_core_resume(sim_board *b, bool step);
void board_core_fault(sim_board *b);
bool board_core_running(const sim_board *b);
int64_t board_core_now(const sim_board *b);
void board_core_spin(sim_board *b, int64_t deadline);
uint64_t board_core_cycles_at(const sim_board *b, int64_t t, bool round_up);
void board_core_apply_fix(sim_board *b);
void board_core_map_flash(sim_board *b);
/* HCLK changed at the core's current time: cycles restart from an epoch there */
void board_core_reclock(sim_board *b, uint64_t hz);
/* Inside a run: end it no later than time t (a clock switch, a new flash view) */
void board_core_stop_by(sim_board *b, int64_t t);
void board_core_dirty_flash(sim_board *b, uint32_t off, uint32_t len);
void board_core_dirty_sram(sim_board *b, uint32_t off, uint32_t len);
uint32_t board_core_reg_read(sim_board *b, unsigned sel);
void board_core_reg_write(sim_board *b, unsigned sel, uint32_t val);

/* board_scs.c: 0xE0000000-0xE00FFFFF as seen by debugger and core */
void board_scs_por(sim_board *b);
board_bus board_scs_read(sim_board *b, uint32_t addr, uint32_t *val, bool core);
board_bus board_scs_write(sim_board *b, uint32_t addr, uint32_t val, bool core);

/* board_fpec.c: stuck-bit faults, shared by the flash models */
uint8_t board_flash_stuck(const sim_board *b, uint32_t off, uint8_t v);
void board_flash_erase(sim_board *b, uint32_t off, uint32_t len);

/* board_ap.c: the part has a second core on its own AP (H745/H747/H755/H757) */
bool board_dual_core(const sim_board *b);
/* Power-on clears its debug registers; a system reset restarts it (held by VC_CORERESET) */
void board_cm4_por(sim_board *b);
void board_cm4_reset(sim_board *b);
/* The state file a board gets the first time a flash operation begins while its CM4 runs */
#define BOARD_CM4_UNHELD_MARK "cm4_ran_during_flash_op"
/* A flash erase or program operation begins: counted when the CM4 runs meanwhile */
void board_cm4_flash_op(sim_board *b);

/* board_periph.c */
void board_periph_reset(sim_board *b);
board_bus board_periph_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val);
board_bus board_periph_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val);
board_bus board_gpioa_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val);
board_bus board_gpioa_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val);
bool board_in_gpioa(const sim_board *b, uint32_t addr);
/* GPIOA or RCC outside 0x40000000-0x4002FFFF (L5/U5 AHB2 GPIOA, U5 RCC at 0x46020C00) */
bool board_periph_claims(const sim_board *b, uint32_t addr);
/* WFI/WFE with SCR.SLEEPDEEP: Stop or Standby kills the debug port unless DBGMCU_CR keeps it */
void board_periph_deep_sleep(sim_board *b);
uint32_t board_periph_crc_word(uint32_t crc, uint32_t word);
uint32_t board_dbgmcu_idcode(const sim_board *b);
/* H7 DBGMCU registers at off (from idcode_addr; the same block at io->dbgmcu_apb) */
uint32_t board_dbgmcu_h7_read(const sim_board *b, uint32_t off);
void board_dbgmcu_h7_write(sim_board *b, uint32_t off, uint32_t val);
/* addr is a peripheral the family places outside 0x40000000-0x4002FFFF */
bool board_periph_owns(const sim_board *b, uint32_t addr);

/* board_clock.c */
void board_clock_reset(sim_board *b);
/* RCC_CR, RCC_CFGR and RCC_PLLCFGR (off from the RCC base): true when handled */
bool board_clock_read(sim_board *b, uint32_t off, uint32_t *val);
bool board_clock_write(sim_board *b, uint32_t off, uint32_t val);
/* When the pending SYSCLK switch takes effect; INT64_MAX: none pending */
int64_t board_clock_switch_at(const sim_board *b);
/* Commit a switch due at or before t; the core's clock follows (rebase at its current time) */
void board_clock_sync(sim_board *b, int64_t t);
/* FLASH_ACR.LATENCY or HCLK changed: the flash view of a running core may change */
void board_clock_flash_changed(sim_board *b);
/* False when HCLK (SYSCLK on F0/F1/F3) is above what FLASH_ACR.LATENCY allows */
bool board_clock_flash_ok(const sim_board *b);
/* What a flash read returns when board_clock_flash_ok is false */
uint32_t board_clock_garble(uint32_t v, unsigned size);

/* board_clock_dw.c: the same for G0/C0/G4/L4/L4+/WB/WL (board_clock.c dispatches) */
bool board_clock_is_dw(const sim_board *b);
void board_clock_dw_reset(sim_board *b);
int64_t board_clock_dw_switch_at(const sim_board *b);
void board_clock_dw_sync(sim_board *b, int64_t t);
bool board_clock_dw_read(sim_board *b, uint32_t off, uint32_t *val);
bool board_clock_dw_write(sim_board *b, uint32_t off, uint32_t val);
bool board_clock_dw_flash_ok(const sim_board *b);

/* board_state.c */
int board_state_open(sim_board *b, char *err, size_t errlen);
void board_state_close(sim_board *b);
void board_state_firmware_gone(sim_board *b);
/* True once per board state: creates the marker file name in the board's directory. */
bool board_state_first_time(sim_board *b, const char *name);

#endif
