/*
 * flash_model.h — the interface between the virtual board (board.c and
 * friends) and a family's flash controller model. A part's family names
 * its controller (sim_part.flash_ctl); board_flash_model_for() returns the
 * model, and the board reaches the controller only through these ops:
 *
 *   board_fpec.c     F0/F1/F3 page controller ("FPEC", 0x40022000, PM0075)
 *   board_fpec_f4.c  F2/F4/F7 sector controller (0x40023C00, RM0033 §2,
 *                    RM0090 §3, RM0385 §3, RM0410 §3)
 *   board_pecr_l0.c  L0/L1 PECR controller (0x40022000 / 0x40023C00,
 *                    RM0377 §3, RM0038 §3); board_pecr_l0_ob.c its option
 *                    words and data EEPROM (the "OTP" window below,
 *                    erased 0x00)
 *   board_fpec_l4.c  G0/C0/G4/L4/L4+/WB/WL double-word controller
 *                    (0x40022000, 0x58004000 on WB/WL; RM0444 §3, RM0490 §3,
 *                    RM0440 §5, RM0351 §3, RM0432 §3, RM0434 §3, RM0461 §3),
 *                    option registers in board_fpec_l4_ob.c
 *   board_fpec_h7.c  H7 two-bank controller (0x52002000, RM0433 §4, RM0468
 *                    §4), option registers in board_fpec_h7_ob.c
 *   board_fpec_tz.c  L5/U5 TrustZone controller (0x40022000, secure alias
 *                    0x50022000; RM0438 §6, RM0456 §7), option bytes and
 *                    RDP/TrustZone rules in board_fpec_tz_ob.c
 *
 * A model owns its register state (in struct sim_board), the option bytes
 * in force, how they persist in state_dir/<UID>/option_bytes.bin
 * (ob_file_len bytes, first image from ob_new) and the OTP area
 * (otp.bin, otp_file_len bytes, erased 0xFF; 0 when the family has none).
 */
#ifndef GANGSIM_FLASH_MODEL_H
#define GANGSIM_FLASH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"

/* Result of one bus access, from the core or from the AHB-AP. */
typedef enum board_bus {
	BOARD_BUS_OK = 0,
	BOARD_BUS_FAULT,       /* bus error: AP FAULT for the debugger, BusFault for the core */
	BOARD_BUS_STALL,       /* the controller holds the bus until the running operation ends */
} board_bus;

typedef struct board_flash_model {
	const char *name;
	uint32_t reg_base;        /* register block (1 KiB window) */
	uint32_t ob_base;         /* option bytes as the memory map shows them */
	uint32_t ob_size;
	uint32_t otp_base;        /* OTP data and lock bytes; otp_size 0: none */
	uint32_t otp_size;
	size_t ob_file_len;       /* bytes of option_bytes.bin */
	bool erased_zero;         /* flash and otp.bin erase to 0x00 (L0/L1), not 0xFF */
	uint64_t t_prog_ns;       /* default time to program one unit (datasheet typical) */
	/* a new board's option bytes from cfg->rdp and cfg->wrp */
	void (*ob_new)(const sim_board *b, uint8_t *img);
	/* system reset: registers to reset values, option bytes loaded */
	void (*reset)(sim_board *b);
	/* complete the running operation if its deadline is at or before t */
	void (*update)(sim_board *b, int64_t t);
	bool (*busy)(const sim_board *b);
	int64_t (*busy_until)(const sim_board *b);
	board_bus (*reg_read)(sim_board *b, uint32_t off, uint32_t *val, bool core);
	board_bus (*reg_write)(sim_board *b, uint32_t off, uint32_t val, bool core);
	/* a store into main flash (off from 0x08000000; any size, any alignment) */
	board_bus (*flash_write)(sim_board *b, uint32_t off, unsigned size, uint32_t val);
	/*
	 * a read of main flash (off from 0x08000000); NULL: the board reads
	 * the cells itself (stall while busy, RDP block, wait states)
	 */
	board_bus (*flash_read)(sim_board *b, uint32_t off, unsigned size, uint32_t *val, bool core);
	/* where bus offset off lives in flash.bin (a bank swap); NULL: the same offset */
	uint32_t (*phys)(const sim_board *b, uint32_t off);
	/* accesses in [ob_base, +ob_size) and [otp_base, +otp_size) */
	board_bus (*opt_read)(sim_board *b, uint32_t addr, unsigned size, uint32_t *val);
	board_bus (*opt_write)(sim_board *b, uint32_t addr, unsigned size, uint32_t val);
	/* RDP level 1 with a debugger attached: main flash is off limits */
	bool (*blocked)(const sim_board *b);
	/* RDP level 2: the debug port never answers */
	bool (*dp_dead)(const sim_board *b);
	/* FLASH_ACR.LATENCY in force: the wait states of a flash read */
	unsigned (*latency)(const sim_board *b);
	/* the supply drops at t: an operation in progress is left half done */
	void (*power_loss)(sim_board *b, int64_t t);
	/* optional: a debugger read of main flash (it breaks an L0/L1 half-page burst) */
	void (*note_read)(sim_board *b);
	/* optional: a read of main flash that passed the RDP check (ECC); NULL: plain */
	board_bus (*flash_check)(sim_board *b, uint32_t off, unsigned size, bool core);
	/*
	 * TrustZone families only (0 / NULL elsewhere): the secure alias of
	 * main flash (board.c then also routes the secure aliases of SRAM and
	 * of the peripherals, the register block among them, with
	 * sim_board.bus_secure set), whether a secure access by the core or
	 * the debugger may go ahead, and whether a read of main flash at off
	 * is allowed (false: read as zero, the illegal-access rule).
	 */
	uint32_t sec_flash_base;
	bool (*sec_ok)(const sim_board *b, bool core);
	bool (*flash_readable)(const sim_board *b, uint32_t off, bool secure);
} board_flash_model;

extern const board_flash_model board_fpec_model;      /* board_fpec.c */
extern const board_flash_model board_fpec_f24_model;  /* board_fpec_f4.c: F2/F4 */
extern const board_flash_model board_fpec_f7_model;   /* board_fpec_f4.c: F7 */
extern const board_flash_model board_pecr_l0_model;   /* board_pecr_l0.c: L0 */
extern const board_flash_model board_pecr_l1_model;   /* board_pecr_l0.c: L1 */
/* board_fpec_l4.c: one instance per family (register base, option block, t_prog) */
extern const board_flash_model board_fpec_dw_g0_model;
extern const board_flash_model board_fpec_dw_c0_model;
extern const board_flash_model board_fpec_dw_g4_model;
extern const board_flash_model board_fpec_dw_l4_model;
extern const board_flash_model board_fpec_dw_l4p_model;
extern const board_flash_model board_fpec_dw_wb_model;
extern const board_flash_model board_fpec_dw_wl_model;
extern const board_flash_model board_fpec_h7_model;   /* board_fpec_h7.c */
extern const board_flash_model board_fpec_l5_model;   /* board_fpec_tz.c: L5 */
extern const board_flash_model board_fpec_u5_model;   /* board_fpec_tz.c: U5 */

/* The model of a part's family. */
const board_flash_model *board_flash_model_for(const sim_part *p);

#endif
