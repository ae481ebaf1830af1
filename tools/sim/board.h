/*
 * board.h — the virtual STM32 board (F1 family; F0/F3 share the FPEC) as
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

/* Part description (immutable table in parts.c). */
typedef struct sim_part {
	const char *name;        /* "STM32F103RC" */
	uint16_t dev_id;         /* DBGMCU_IDCODE[11:0] */
	uint16_t rev_id;         /* DBGMCU_IDCODE[31:16] */
	uint32_t flash_kib;
	uint32_t sram_kib;
	uint32_t page_size;      /* bytes */
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
	uint64_t core_hz;        /* 8 000 000: HSI after reset */
} sim_timing;

typedef struct sim_board_cfg {
	const sim_part *part;
	uint8_t uid[12];          /* 96-bit UID as it reads at uid_addr (little-endian words) */
	const char *state_dir;    /* board files in state_dir/<UID>/ */
	const char *firmware;     /* .bin programmed at 0x08000000 when the state is new; may be NULL */
	int rdp;                  /* 0 or 1: initial RDP level when the state is new */
	uint32_t wrp;             /* initial WRPR value when new (bit=0 protected); 0xFFFFFFFF none */
	bool swd_disabled;        /* the initial firmware disables SWD once it runs */
	bool nrst_wired;          /* the fixture routes NRST to the probe */
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

/* NRST pin driven by the probe (ignored when the fixture has not wired it). */
void sim_board_set_nrst(sim_board *b, bool low);
/* True while the core executes instructions (not halted, not in reset, powered). */
bool sim_board_core_running(const sim_board *b);

const uint8_t *sim_board_uid(const sim_board *b);
/* Virtual nanoseconds the board has spent in the fixture while the probe talked to it. */
int64_t sim_board_busy_ns(const sim_board *b);

#endif
