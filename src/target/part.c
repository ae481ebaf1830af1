/*
 * part.c — the family and part tables (const, from target/parts.def, the
 * table the virtual bench compiles too) and lookups.
 *
 * Facts: RM0008 §3.3 and "Device electronic signature", RM0091/RM0316
 * for F0/F3 (identification, DBGMCU, FPEC, CRC and RCC addresses), RM0008
 * DBGMCU_IDCODE and the datasheets (DEV_ID, flash/SRAM sizes, page size),
 * PM0075 and RM0091 §3 (WRP pages per WRPR bit; RDP "unprotected" 0xA5 on
 * F1, 0xAA on F0/F3; 0xCC level 2 on F0/F3; OBR layouts; OBL_LAUNCH on
 * F0/F3 only), DS5792 and the STM32F030 datasheet (t_prog 52.5 us F1,
 * 53.5 us F0), RM0008 DBGMCU_CR (0x307 on F1; F0 CR 0x6 + APB1_FZ 0x1800;
 * F3 CR 0x7 + APB1_FZ at 0xE0042008); IWDG_KR at 0x40003000 (stlink 1.7.0
 * reloads it before its loader runs); system memory: F1 0x1FFFF000 2 KiB
 * (RM0008 Tables 4-8), F030x8 0x1FFFEC00 3 KiB (RM0360), F303xC 0x1FFFD800
 * 8 KiB (RM0316), F2/F4 0x1FFF0000 30 KiB (RM0033 §2.3, RM0090 §3.3
 * Table 5), F7 0x1FF00000 (RM0385 §3.3.1).
 */
#include "target/part.h"
#include "target/parts.def"
#include "target/target_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PART_F1_DBG_SLEEP_STOP_STANDBY 0x7U
#define PART_F1_DBG_WDG_STOP           0x300U   /* IWDG_STOP b8, WWDG_STOP b9 */
#define PART_F0_DBG_STOP_STANDBY       0x6U
#define PART_APB1_FZ_WDG               0x1800U  /* WWDG b11, IWDG b12 */

/*
 * The FPEC of each family: registers at 0x40022000, option bytes at
 * 0x1FFFF800, t_prog per half-word (DS5792 52.5 us on F1, 53.5 us on F0
 * per the STM32F030 datasheet); F0/F3 add RDP level 2 and OBL_LAUNCH.
 */
#define PART_FPEC(t_prog, flags, obl) \
	{ GANG_CTRL_FPEC_F1, 0x40022000U, 0x1FFFF800U, (t_prog), 0U, 0U, \
	  (flags) | ((obl) ? GANG_CTRL_OBL_LAUNCH : 0U), 16U, 0U }
#define PART_CTRL_F1(obl) PART_FPEC(52500U, 0U, obl)
#define PART_CTRL_F0(obl) PART_FPEC(53500U, GANG_CTRL_OBR_LEVEL2, obl)
#define PART_CTRL_F3(obl) PART_FPEC(52500U, GANG_CTRL_OBR_LEVEL2, obl)
/*
 * The F2/F4/F7 sector controller at 0x40023C00: option bytes at 0x1FFFC000
 * (F2/F4) or 0x1FFF0000 (F7), OTP 512 B at 0x1FFF7800 (F2/F4) or 1 KiB at
 * 0x1FF0F000 (F7), each followed by 16 lock bytes (RM0090 §3.8, RM0410
 * §3.3.1); the option-byte images are 16 bytes (F2/F4) and 32 (F7); t_prog per word at x32 16 us typical (DS8626 "Flash
 * memory programming", also taken for F2 and F7 whose datasheets were not
 * at hand).
 */
#define PART_SECT(ob, ob_n, otp, otp_n, flags) \
	{ GANG_CTRL_FPEC_F4, 0x40023C00U, (ob), 16000U, (otp), (otp_n), (flags), (ob_n), 16U }
#define PART_CTRL_F2(obl) PART_SECT(0x1FFFC000U, 16U, 0x1FFF7800U, 512U, 0U)
#define PART_CTRL_F4(obl) PART_SECT(0x1FFFC000U, 16U, 0x1FFF7800U, 512U, GANG_CTRL_F4_BANKS)
#define PART_CTRL_F7(obl) PART_SECT(0x1FFF0000U, 32U, 0x1FF0F000U, 1024U, GANG_CTRL_F7_OPTCR)

/*
 * The double-word controller of G0/G4/L4/L4+/WB/WL/C0 at 0x40022000
 * (0x58004000 on WB/WL): option bytes at 0x1FFF7800 (0x1FFF8000 on WB,
 * 0x1FF00000 on L4+ bank 1; RM0351 §3.4, RM0434 §3.4, RM0432 §3.4), each
 * 64-bit with its complement; OTP 1 KiB at 0x1FFF7000 in double words, no
 * lock bytes (RM0351 §3.3.1, RM0444 §3.3.1). Flags: BKER at b13 and the
 * DUAL_BANK/nSWAP_BANK options on G0 (RM0444 §3.7.5, §3.7.8), DBANK on G4
 * and L4+ (RM0440, RM0432 FLASH_OPTR), CFGBSY on G0/C0/WB/WL (CMSIS
 * headers; the wait-before-write rule is from RM0444 and unverified on
 * the others), WB's CPU2 secure area (RM0434 §3.3.7: SFR.SFSA, CPU1 mass
 * erase refused). t_prog per double word 82 us
 * typical (L4 training slides; taken for G4/L4+/WB/WL, unverified there)
 * and 85 us on G0 (STM32G030 datasheet, taken for C0, unverified).
 */
#define PART_DW(base, ob, ob_n, t_prog, flags) \
	{ GANG_CTRL_FPEC_L4, (base), (ob), (t_prog), 0x1FFF7000U, 1024U, (flags), (ob_n), 0U }
#define PART_CTRL_G0(obl)  PART_DW(0x40022000U, 0x1FFF7800U, 48U, 85000U, \
				    GANG_CTRL_L4_BKER13 | GANG_CTRL_L4_CFGBSY | GANG_CTRL_L4_DUAL_BANK)
#define PART_CTRL_C0(obl)  PART_DW(0x40022000U, 0x1FFF7800U, 48U, 85000U, GANG_CTRL_L4_CFGBSY)
#define PART_CTRL_G4(obl)  PART_DW(0x40022000U, 0x1FFF7800U, 48U, 82000U, GANG_CTRL_L4_DBANK)
#define PART_CTRL_L4(obl)  PART_DW(0x40022000U, 0x1FFF7800U, 48U, 82000U, 0U)
#define PART_CTRL_L4P(obl) PART_DW(0x40022000U, 0x1FF00000U, 48U, 82000U, GANG_CTRL_L4_DBANK)
#define PART_CTRL_WB(obl)  PART_DW(0x58004000U, 0x1FFF8000U, 128U, 82000U, \
				    GANG_CTRL_L4_CFGBSY | GANG_CTRL_L4_CPU2)
#define PART_CTRL_WL(obl)  PART_DW(0x58004000U, 0x1FFF7800U, 128U, 82000U, GANG_CTRL_L4_CFGBSY)

/*
 * L0/L1 PECR controller at 0x40022000 (L0) or 0x40023C00 (L1): option
 * words (16-bit value, complement in the high half) at 0x1FF80000; word,
 * half-page and page-erase times 3.2 ms on L0 (Zephyr's STM32L0 driver
 * quoting the datasheet) and 3.28 ms on L1 (unverified).
 */
#define PART_CTRL_L0(obl) { GANG_CTRL_PECR_L0, 0x40022000U, 0x1FF80000U, 3200000U, 0U, 0U, 0U, 32U, 0U }
#define PART_CTRL_L1(obl) { GANG_CTRL_PECR_L0, 0x40023C00U, 0x1FF80000U, 3280000U, 0U, 0U, 0U, 128U, 0U }
/*
 * H7 controller at 0x52002000 (bank 2 registers at +0x100); option bytes
 * only as registers (FLASH_OPTSR_CUR/PRG, no memory-mapped block); a
 * 256-bit flash word at x64 (gang's parallelism, flash/fpec_h7.c) about
 * 100 us, 130 us at x32 (unverified: RM0433 gives no typical figure;
 * DS12110 "Flash memory programming" to check).
 */
#define PART_CTRL_H7(obl) { GANG_CTRL_FPEC_H7, 0x52002000U, 0U, 100000U, 0U, 0U, 0U, 0U, 0U }

/*
 * L5/U5 TrustZone controller: non-secure registers at 0x40022000 (the
 * secure set at 0x50022000); option bytes only as registers (OPTR at 0x40,
 * no memory-mapped block gang reads); OTP 512 B at 0x0BFA0000 (RM0438
 * §6.3.1, RM0456 §7.3.1). Program times unverified: the L4 double word
 * (82 us) is taken for L5 and for a U5 quad word until DS12736/DS13086 are
 * checked.
 */
#define PART_CTRL_L5(obl) { GANG_CTRL_FPEC_TZ, 0x40022000U, 0U, 82000U, 0x0BFA0000U, 512U, 0U, 0U, 0U }
#define PART_CTRL_U5(obl) { GANG_CTRL_FPEC_TZ, 0x40022000U, 0U, 82000U, 0x0BFA0000U, 512U, 0U, 0U, 0U }

/*
 * The clock gang's loader and CRC pass run at (gang_fast_clock), from the
 * HSI through the PLL, never a crystal a board may lack: F1 HSI/2 x 16 =
 * 64 MHz with 2 wait states and APB1 / 2 (RM0008 §7.3.2, §3.3.3: 2 WS
 * above 48 MHz; APB1 at most 36 MHz); F0 HSI/2 x 12 = 48 MHz with 1 wait
 * state (RM0091 §7.4.2, §3.5.1); F3 as F1 (RM0316 §9.4.2, §4.5.1); F2/F4/F7
 * HSI / 16 x 336 / 4 = 84 MHz (PLLQ 7: 48 MHz for USB), 2 wait states at
 * 2.7-3.6 V, APB1 / 2 (RM0033 §5.3.2 and §2.3.4, RM0090 §6.3.2 and §3.5.1
 * Table 10, RM0410 §5.3.2 and §3.3.2 Table 7), prefetch and caches on; below
 * 2.7 V those wait states are too few, so gang's code stays on the HSI.
 * RCC_CR keeps HSION and the factory HSITRIM (16); RCC_PLLCFGR keeps bits
 * 31:28 at their reset value 2 (reserved on F2/F40x, PLLR on F446/F76x,
 * where 0 and 1 are forbidden: RM0390 §6.3.2, RM0410 §5.3.2).
 */
#define PART_CLOCK_FPEC(mhz, pllmul, ppre1, ws) \
	.clock = { 8000000U, (mhz) * 1000000U, 0x40022000U, (ws) | 0x10U, 0U, 0U, \
		   0x40021004U, ((pllmul) - 2U) << 18 | (ppre1) << 8, 0x40021000U, 0x01000081U, 0x2U, 0U }
#define PART_CLOCK_SECT(acr) \
	.clock = { 16000000U, 84000000U, 0x40023C00U, (acr), 0x40023804U, \
		   16U | 336U << 6 | 1U << 16 | 7U << 24 | 2U << 28, 0x40023808U, 0x4U << 10, 0x40023800U, \
		   0x01000081U, 0x2U, 2700U }

/* What gang needs of a family beyond its identity in parts.def. */
#define PART_EXT_F1 \
	.dbgmcu_cr_addr = 0xE0042004U, \
	.dbgmcu_cr_bits = PART_F1_DBG_SLEEP_STOP_STANDBY | PART_F1_DBG_WDG_STOP, \
	.read_rdp = gang_fam_fpec_f1_read_rdp, \
	.rcc_ahbenr = 0x40021014U, .rcc_crcen = 1U << 6, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U, PART_CLOCK_FPEC(64U, 16U, 0x4U, 2U), \
	.sysmem_base = 0x1FFFF000U, .sysmem_bytes = 0x800U
#define PART_EXT_F0 \
	.dbgmcu_cr_addr = 0x40015804U, \
	.dbgmcu_cr_bits = PART_F0_DBG_STOP_STANDBY, \
	.dbgmcu_fz_addr = 0x40015808U, .dbgmcu_fz_bits = PART_APB1_FZ_WDG, \
	.read_rdp = gang_fam_fpec_f1_read_rdp, \
	.rcc_ahbenr = 0x40021014U, .rcc_crcen = 1U << 6, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U, PART_CLOCK_FPEC(48U, 12U, 0x0U, 1U), \
	.sysmem_base = 0x1FFFEC00U, .sysmem_bytes = 0xC00U
#define PART_EXT_F3 \
	.dbgmcu_cr_addr = 0xE0042004U, \
	.dbgmcu_cr_bits = PART_F1_DBG_SLEEP_STOP_STANDBY, \
	.dbgmcu_fz_addr = 0xE0042008U, .dbgmcu_fz_bits = PART_APB1_FZ_WDG, \
	.read_rdp = gang_fam_fpec_f1_read_rdp, \
	.rcc_ahbenr = 0x40021014U, .rcc_crcen = 1U << 6, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U, PART_CLOCK_FPEC(64U, 16U, 0x4U, 2U), \
	.sysmem_base = 0x1FFFD800U, .sysmem_bytes = 0x2000U

/*
 * F2/F4/F7: DBGMCU_CR sleep/stop/standby (0x7) and APB1_FZ watchdogs at
 * 0xE0042008 (RM0090 §38.16.4); CRC unit on AHB1, clock in RCC_AHB1ENR
 * bit 12 (RM0090 §6.3.10); IWDG_KR at 0x40003000.
 */
#define PART_EXT_SECT \
	.dbgmcu_cr_addr = 0xE0042004U, \
	.dbgmcu_cr_bits = PART_F1_DBG_SLEEP_STOP_STANDBY, \
	.dbgmcu_fz_addr = 0xE0042008U, .dbgmcu_fz_bits = PART_APB1_FZ_WDG, \
	.read_rdp = gang_fam_read_rdp_byte, .rdp_reg = 0x14U, .rdp_shift = 8U, /* OPTCR */ \
	.rcc_ahbenr = 0x40023830U, .rcc_crcen = 1U << 12, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U
#define PART_EXT_F2 PART_EXT_SECT, PART_CLOCK_SECT(0x702U), /* LATENCY 2, PRFTEN, ICEN, DCEN */ \
	.sysmem_base = 0x1FFF0000U, .sysmem_bytes = 0x7800U
#define PART_EXT_F4 PART_EXT_SECT, PART_CLOCK_SECT(0x702U), \
	.sysmem_base = 0x1FFF0000U, .sysmem_bytes = 0x7800U
#define PART_EXT_F7 PART_EXT_SECT, PART_CLOCK_SECT(0x302U), /* LATENCY 2, PRFTEN, ARTEN */ \
	.sysmem_base = 0x1FF00000U, .sysmem_bytes = 0xEDC0U

/*
 * G0/C0: DBG_CR stop/standby (0x6) and APB_FZ1 watchdogs at 0x40015808,
 * both clocked by RCC_APBENR1.DBGEN (b27 of 0x4002103C, RM0444 §40.9,
 * RM0490); CRC clock RCC_AHBENR (0x40021038) b12. L4/L4+/G4: DBGMCU_CR
 * 0x7 at 0xE0042004, APB1FZR1 0xE0042008; CRC clock RCC_AHB1ENR
 * (0x40021048) b12 (RM0351 §6.4.16). WB/WL: RCC at 0x58000000 (AHB1ENR
 * 0x58000048 b12), APB1FZR1 at 0xE004203C (RM0434 §38.12). IWDG_KR at
 * 0x40003000 on all. Reset clocks: HSI16 on G0/G4, HSI48 / 4 = 12 MHz on
 * C0, MSI 4 MHz on L4/L4+/WB/WL (RM0351 §6.2.3); G4 stays on its HSI16
 * (hz 0: its PLL above 150 MHz needs the boost mode), the others switch
 * up as below. System memory at
 * 0x1FFF0000: 28 KiB on G4/L4/L4+/WB, 8 KiB on G03x (taken for the G0
 * family: the smallest), 6 KiB on C0, 16 KiB on WL (unverified).
 */
#define PART_CLOCK_RESET(mhz) .clock = { (mhz) * 1000000U, 0U, 0U, 0U, 0U, 0U, 0U, 0U, 0U, 0U, 0U, 0U }
#define PART_EXT_DW_M4(fz, ahbenr, clk, sysmem) \
	.dbgmcu_cr_addr = 0xE0042004U, .dbgmcu_cr_bits = PART_F1_DBG_SLEEP_STOP_STANDBY, \
	.dbgmcu_fz_addr = (fz), .dbgmcu_fz_bits = PART_APB1_FZ_WDG, \
	.read_rdp = gang_fam_read_rdp_byte, .rdp_reg = 0x20U, /* OPTR */ \
	.rcc_ahbenr = (ahbenr), .rcc_crcen = 1U << 12, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U, clk, \
	.sysmem_base = 0x1FFF0000U, .sysmem_bytes = (sysmem)
/*
 * G0: HSI16 / 1 x 8 / 2 = 64 MHz from the PLL (RCC_PLLCFGR PLLSRC = HSI16,
 * PLLN 8, PLLREN b28, PLLR /2 = 1 in [31:29]; RCC_CR.PLLON b24; SW = 010:
 * RM0444 §5.4.1, §5.4.3, §5.4.4) with 2 wait states (RM0444 §3.3.4: 24 MHz
 * per wait state in range 1), FLASH_ACR keeping ICEN and DBG_SWEN (b18: the
 * debugger's own access; its reset value 0x00040600). C0 has no PLL: its
 * HSI48 divider (RCC_CR.HSIDIV [13:11]) from /4 to /1 gives 48 MHz with 1
 * wait state (RM0490 §6.4.1, §3.3.4; unverified beyond the bench).
 */
#define PART_CLOCK_G0 \
	.clock = { 16000000U, 64000000U, 0x40022000U, 0x00040602U, 0x4002100CU, 0x30000802U, 0x40021008U, 0U, \
		   0x40021000U, 0x01000100U, 0x2U, 0U }
#define PART_CLOCK_C0 \
	.clock = { 12000000U, 48000000U, 0x40022000U, 0x00040601U, 0U, 0U, 0x40021008U, 0U, 0x40021000U, \
		   0x00000100U, 0x0U, 0U }
#define PART_EXT_DW_M0P(clk, sysmem) \
	.dbgmcu_cr_addr = 0x40015804U, .dbgmcu_cr_bits = PART_F0_DBG_STOP_STANDBY, \
	.dbgmcu_fz_addr = 0x40015808U, .dbgmcu_fz_bits = PART_APB1_FZ_WDG, \
	.dbgmcu_clk_addr = 0x4002103CU, .dbgmcu_clk_bit = 1U << 27, \
	.read_rdp = gang_fam_read_rdp_byte, .rdp_reg = 0x20U, /* OPTR */ \
	.rcc_ahbenr = 0x40021038U, .rcc_crcen = 1U << 12, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U, clk, \
	.sysmem_base = 0x1FFF0000U, .sysmem_bytes = (sysmem)
#define PART_EXT_G0  PART_EXT_DW_M0P(PART_CLOCK_G0, 0x2000U)
#define PART_EXT_C0  PART_EXT_DW_M0P(PART_CLOCK_C0, 0x1800U)
#define PART_EXT_G4  PART_EXT_DW_M4(0xE0042008U, 0x40021048U, PART_CLOCK_RESET(16U), 0x7000U)
/*
 * WB/WL leave reset on MSI 4 MHz, too slow for fast programming
 * (HCLK >= 8 MHz, RM0351 §3.3.7): gang's code switches SYSCLK to HSI16
 * (RCC_CR.HSION b8, keeping MSION and MSIRANGE 6 = 0x61; RCC_CFGR.SW = 01;
 * RM0351 §6.4.1/§6.4.3, RM0434 §7.4.1/§7.4.3, RM0461 §6.4), no PLL and
 * zero flash wait states, which hold to 16 MHz in range 1 (RM0351 §3.3.3
 * Table 9: 0 WS up to 16 MHz; RM0434: to 18 MHz): FLASH_ACR keeps its reset
 * value (no write), and so does RCC_CFGR until SW (no PLL to set up).
 */
#define PART_CLOCK_HSI16(rcc) \
	.clock = { 4000000U, 16000000U, 0U, 0U, 0U, 0U, (rcc) + 0x08U, 0U, (rcc), 0x161U, 0x1U, 0U }
/*
 * L4 and L4+: HSI16 / 1 x 10 / 2 = 80 MHz from the PLL (RCC_PLLCFGR
 * 0x4002100C: PLLSRC = HSI16, PLLM /1, PLLN 10, PLLREN b24, PLLR /2;
 * RCC_CR.PLLON b24 with HSION and the MSI kept; SW = 11: RM0351 §6.4.4,
 * RM0432 §6.4.4), the most range 1 allows without boost, with 4 wait
 * states (RM0351 §3.3.3 Table 11: 16 MHz per wait state), ICEN and DCEN.
 * WB/WL stay on the HSI16 (their PLLs are not used by gang).
 */
#define PART_CLOCK_L4 \
	.clock = { 4000000U, 80000000U, 0x40022000U, 0x604U, 0x4002100CU, 0x01000A02U, 0x40021008U, 0U, \
		   0x40021000U, 0x01000161U, 0x3U, 0U }
#define PART_EXT_L4  PART_EXT_DW_M4(0xE0042008U, 0x40021048U, PART_CLOCK_L4, 0x7000U)
#define PART_EXT_L4P PART_EXT_DW_M4(0xE0042008U, 0x40021048U, PART_CLOCK_L4, 0x7000U)
#define PART_EXT_WB  PART_EXT_DW_M4(0xE004203CU, 0x58000048U, \
				     PART_CLOCK_HSI16(0x58000000U), 0x7000U)
#define PART_EXT_WL  PART_EXT_DW_M4(0xE004203CU, 0x58000048U, \
				     PART_CLOCK_HSI16(0x58000000U), 0x4000U)

/*
 * L0 loader clock: HSI16 (RCC_CR.HSI16ON b0, MSION b8 kept: MSI still
 * feeds SYSCLK until the switch) selected by RCC_CFGR.SW = 01, with
 * FLASH_ACR.LATENCY = 1 first: the reset voltage range 2 allows 0 wait
 * states only up to 8 MHz (RM0377 §7.3.1-2, §3.3.3 Table 13 (numbers
 * unverified here); no PLL). L1 the same at its addresses (RCC_CR
 * 0x40023800 HSION b0, RCC_CFGR 0x40023808 SW = 01 HSI, FLASH_ACR
 * 0x40023C00 ACC64 | LATENCY): LATENCY takes only once ACC64 is set by an
 * earlier write (RM0038 §3.9.1), which the L0/L1 driver does first.
 */
#define PART_CLOCK_L0 \
	.clock = { 2097000U, 16000000U, 0x40022000U, 0x1U, 0U, 0U, 0x4002100CU, 0U, 0x40021000U, 0x101U, 0x1U, 0U }
#define PART_CLOCK_L1 \
	.clock = { 2097000U, 16000000U, 0x40023C00U, 0x5U, 0U, 0U, 0x40023808U, 0U, 0x40023800U, 0x101U, 0x1U, 0U }
/*
 * L0: DBG_CR 0x40015804 (sleep/stop/standby 0x7) and APB1_FZ 0x40015808,
 * clocked by RCC_APB2ENR.DBGMCUEN (b22 of 0x40021034, RM0377 §27.9; the
 * stock OpenOCD L0 script sets it too); CRC clock RCC_AHBENR 0x40021030
 * b12. L1: DBGMCU_CR 0xE0042004, APB1_FZ 0xE0042008, CRC clock
 * RCC_AHBENR 0x4002381C b12 (RM0038 §6.3.8). Both reset on MSI 2.097 MHz
 * (RM0377 §7.2.3, RM0038 §6.2.3). System memory 0x1FF00000, 4 KiB (L0,
 * RM0377 §2.2.2) and 8 KiB (L1 Cat.5, unverified).
 */
#define PART_EXT_L0 \
	.uid_hi_off = 0x14U, /* U_ID[95:64] at UID + 0x14 (RM0377 §28.2) */ \
	.dbgmcu_cr_addr = 0x40015804U, .dbgmcu_cr_bits = PART_F1_DBG_SLEEP_STOP_STANDBY, \
	.dbgmcu_fz_addr = 0x40015808U, .dbgmcu_fz_bits = PART_APB1_FZ_WDG, \
	.dbgmcu_clk_addr = 0x40021034U, .dbgmcu_clk_bit = 1U << 22, \
	.read_rdp = gang_fam_read_rdp_byte, .rdp_reg = 0x1CU, /* OPTR, OBR */ \
	.rcc_ahbenr = 0x40021030U, .rcc_crcen = 1U << 12, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U, PART_CLOCK_L0, \
	.sysmem_base = 0x1FF00000U, .sysmem_bytes = 0x1000U
#define PART_EXT_L1 \
	.uid_hi_off = 0x14U, /* U_ID[95:64] at UID + 0x14 (RM0038 §31.2) */ \
	.dbgmcu_cr_addr = 0xE0042004U, .dbgmcu_cr_bits = PART_F1_DBG_SLEEP_STOP_STANDBY, \
	.dbgmcu_fz_addr = 0xE0042008U, .dbgmcu_fz_bits = PART_APB1_FZ_WDG, \
	.read_rdp = gang_fam_read_rdp_byte, .rdp_reg = 0x1CU, /* OPTR, OBR */ \
	.rcc_ahbenr = 0x4002381CU, .rcc_crcen = 1U << 12, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U, PART_CLOCK_L1, \
	.sysmem_base = 0x1FF00000U, .sysmem_bytes = 0x2000U
/*
 * H7: DBGMCU_CR at 0x5C001004 with D1DBGCKEN | D3DBGCKEN (b21, b22: the
 * freeze registers answer only then) and D1 sleep/stop/standby (0x7);
 * APB4FZ1 at 0x5C001054 b18 freezes IWDG1 (WWDG1 is in APB3FZ1, not
 * frozen here); CRC unit at 0x58024C00 clocked by RCC_AHB4ENR 0x580244E0
 * b19; IWDG1_KR 0x58004800 (RM0433 §61.5, §8.7.43). Reset clock HSI
 * 64 MHz. System memory 0x1FF00000, 128 KiB (RM0433 §2.3.2).
 */
#define PART_EXT_H7 \
	.dbgmcu_cr_addr = 0x5C001004U, .dbgmcu_cr_bits = 0x00600007U, \
	.dbgmcu_fz_addr = 0x5C001054U, .dbgmcu_fz_bits = 1U << 18, \
	.read_rdp = gang_fam_read_rdp_byte, .rdp_reg = 0x1CU, .rdp_shift = 8U, /* OPTSR_CUR */ \
	.pick_part = gang_fam_h7_pick_part, \
	.hold_cores = gang_fam_h7_hold_cores, .release_cores = gang_fam_h7_release_cores, \
	.rcc_ahbenr = 0x580244E0U, .rcc_crcen = 1U << 19, .crc_base = 0x58024C00U, \
	.iwdg_kr = 0x58004800U, PART_CLOCK_RESET(64U), \
	.sysmem_base = 0x1FF00000U, .sysmem_bytes = 0x20000U

/*
 * L5/U5: DBGMCU_CR at 0xE0044004 (DBG_STOP | DBG_STANDBY 0x6) and APB1FZR1
 * at 0xE0044008 (the stock OpenOCD x5x script sets the same bits); RDP in
 * OPTR (0x40) byte 0; CRC clock RCC_AHB1ENR 0x40021048 b12 (L5) and
 * 0x46020C88 b12 (U5: RCC at 0x46020C00, RM0456 §11.8); IWDG_KR 0x40003000;
 * reset on MSI 4 MHz; system memory (RSS/bootloader) at 0x0BF90000, 32 KiB
 * (RM0438 §2.3.3, RM0456 §2.3.2; unverified size). gang's loader runs on
 * HSI16 (RCC_CR.HSION b8, SW = 01 in RCC_CFGR at 0x40021008 on L5 and
 * RCC_CFGR1 at 0x46020C1C on U5) with FLASH_ACR.LATENCY = 1, which the
 * voltage range after reset needs at 16 MHz (L5 range 2: 0 WS to 8 MHz,
 * RM0438 §6.3.3; U5 range 4: 0 WS to 12 MHz, RM0456 §7.3.3; unverified);
 * RCC_CR keeps its MSI reset bits (L5 0x63, U5 0x35). No PLL: the reset
 * voltage range caps SYSCLK near 26 MHz on L5 and 25 MHz on U5.
 */
#define PART_CLOCK_TZ(rcc, cfgr_off, cr_reset) \
	.clock = { 4000000U, 16000000U, 0x40022000U, 1U, 0U, 0U, (rcc) + (cfgr_off), 0U, (rcc), \
		   (cr_reset) | 1U << 8, 0x1U, 0U }
#define PART_EXT_TZ(ahbenr) \
	.dbgmcu_cr_addr = 0xE0044004U, .dbgmcu_cr_bits = PART_F0_DBG_STOP_STANDBY, \
	.dbgmcu_fz_addr = 0xE0044008U, .dbgmcu_fz_bits = PART_APB1_FZ_WDG, \
	.read_rdp = gang_fam_tz_read_rdp, .rdp_reg = 0x40U, /* OPTR; level 0.5 with TZEN */ \
	.rcc_ahbenr = (ahbenr), .rcc_crcen = 1U << 12, .crc_base = 0x40023000U, \
	.iwdg_kr = 0x40003000U, \
	.sysmem_base = 0x0BF90000U, .sysmem_bytes = 0x8000U
#define PART_EXT_L5 PART_EXT_TZ(0x40021048U), PART_CLOCK_TZ(0x40021000U, 0x08U, 0x63U)
#define PART_EXT_U5 PART_EXT_TZ(0x46020C88U), PART_CLOCK_TZ(0x46020C00U, 0x1CU, 0x35U)

#define PART_LIST(...) { __VA_ARGS__ }
#define PART_FAMILY(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) \
	static const gang_family part_fam_##id = { \
		.name = nm, .idcode_addrs = PART_LIST idc, .cpuid_parts = PART_LIST cpu, \
		.flash_size_addr = fsz, .uid_addr = uid, .rdp_level0 = rdp0, .rdp_level2 = rdp2, \
		.flash = PART_CTRL_##id(obl), PART_EXT_##id };
GANG_FAMILIES(PART_FAMILY)

#define PART_FAMILY_PTR(id, ...) &part_fam_##id,
static const gang_family *const part_families[] = { GANG_FAMILIES(PART_FAMILY_PTR) };
#define PART_N_FAMILIES (sizeof(part_families) / sizeof(part_families[0]))

/* Each part's main-flash regions, from its layout in parts.def (GANG_GEOM_<kind>). */
#define PART_REGION(base, unit, count, no, bank) { (base), (unit), (count), (no), (bank) },
#define PART_REGIONS(id, fam, nm, dev, kib, sram, kind, arg, wrp) \
	static const gang_flash_region part_rg_##id[] = { GANG_GEOM_##kind(PART_REGION, (kib), (arg)) };
GANG_PARTS(PART_REGIONS)

/* the family's program unit and erased value, for a part's geometry */
#define PART_FAM_UNIT(id, nm, idc, cpu, fsz, uid, rdp0, rdp2, obl, unit, erased) (unit), (erased)
#define PART_ROW(id, fam, nm, dev, kib, sram, kind, arg, wrp) \
	{ nm, &part_fam_##fam, dev, kib, sram, wrp, \
	  { part_rg_##id, sizeof(part_rg_##id) / sizeof(part_rg_##id[0]), GANG_FAMILY_##fam(PART_FAM_UNIT) } },
static const gang_part part_table[] = { GANG_PARTS(PART_ROW) };

#define PART_N (sizeof(part_table) / sizeof(part_table[0]))

static bool part_name_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (strlen(name) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (pattern[i] == 'x')
			continue;
		if (toupper((unsigned char)pattern[i]) != toupper((unsigned char)name[i]))
			return false;
	}
	return true;
}

const gang_part *gang_part_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < PART_N; i++)
		if (part_name_match(part_table[i].name, name))
			return &part_table[i];
	return NULL;
}

const gang_part *gang_part_identify(uint16_t dev_id, uint32_t flash_kib)
{
	for (size_t i = 0; i < PART_N; i++)
		if (part_table[i].dev_id == dev_id && part_table[i].flash_kib == flash_kib)
			return &part_table[i];
	return NULL;
}

const gang_family *gang_part_family_of(uint16_t dev_id)
{
	for (size_t i = 0; i < PART_N; i++)
		if (part_table[i].dev_id == dev_id)
			return part_table[i].family;
	return NULL;
}

/*
 * H745/H747/H755/H757 share DEV_ID 0x450 with the single-core H742/743/
 * 750/753 (RM0399 §62.2 and RM0433 §61.2): the datasheets number them so.
 */
bool gang_part_h7_dual_core(const gang_part *p)
{
	static const char *const dual[] = { "STM32H745", "STM32H747", "STM32H755", "STM32H757" };

	for (size_t i = 0; i < sizeof(dual) / sizeof(dual[0]); i++)
		if (strncmp(p->name, dual[i], strlen(dual[i])) == 0)
			return true;
	return false;
}

uint32_t gang_part_page_size(const gang_part *p)
{
	for (unsigned i = 1; i < p->geom.n_regions; i++)
		if (p->geom.regions[i].unit != p->geom.regions[0].unit)
			return 0;
	return p->geom.regions[0].unit;
}

unsigned gang_family_count(void)
{
	return (unsigned)PART_N_FAMILIES;
}

const gang_family *gang_family_at(unsigned i)
{
	return i < PART_N_FAMILIES ? part_families[i] : NULL;
}

unsigned gang_part_count(void)
{
	return (unsigned)PART_N;
}

const gang_part *gang_part_at(unsigned i)
{
	return i < PART_N ? &part_table[i] : NULL;
}

#define PART_SUGGEST_MAX_DIST 3U
#define PART_NAME_MAX         32U

/* Levenshtein distance between a table name (its 'x' matches anything) and name. */
static unsigned part_distance(const char *pattern, const char *name)
{
	unsigned row[PART_NAME_MAX + 1];
	size_t np = strlen(pattern), nn = strlen(name);

	if (np > PART_NAME_MAX || nn > PART_NAME_MAX)
		return ~0U;
	for (size_t j = 0; j <= nn; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= np; i++) {
		unsigned diag = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= nn; j++) {
			bool same = pattern[i - 1] == 'x' ||
				    toupper((unsigned char)pattern[i - 1]) == toupper((unsigned char)name[j - 1]);
			unsigned best = diag + (same ? 0U : 1U);

			if (row[j] + 1U < best)
				best = row[j] + 1U;
			if (row[j - 1] + 1U < best)
				best = row[j - 1] + 1U;
			diag = row[j];
			row[j] = best;
		}
	}
	return row[nn];
}

void gang_part_suggest_text(char *out, size_t cap, const char *name)
{
	unsigned best = ~0U, dist[PART_N];
	size_t len = 0, shown = 0, n = 0;

	for (size_t i = 0; i < PART_N; i++) {
		dist[i] = part_distance(part_table[i].name, name ? name : "");
		if (dist[i] < best)
			best = dist[i];
	}
	for (size_t i = 0; i < PART_N; i++)
		n += dist[i] == best;
	if (best > PART_SUGGEST_MAX_DIST) {
		snprintf(out, cap, " (not supported: 'gang parts' lists the supported parts)");
		return;
	}
	len = (size_t)snprintf(out, cap, " (did you mean");
	for (size_t i = 0; i < PART_N && len < cap; i++) {
		if (dist[i] != best)
			continue;
		shown++;
		len += (size_t)snprintf(out + len, cap - len, "%s%s",
					shown == 1 ? " " : shown == n ? " or " : ", ", part_table[i].name);
	}
	if (len < cap)
		snprintf(out + len, cap - len, "?)");
}

void gang_part_uid_string(char *out, const uint8_t uid[12])
{
	static const char hex[] = "0123456789ABCDEF";

	for (unsigned i = 0; i < 12; i++) {
		out[2 * i] = hex[uid[i] >> 4];
		out[2 * i + 1] = hex[uid[i] & 0xFU];
	}
	out[24] = '\0';
}

int gang_part_check(const gang_part *want, uint16_t dev_id, uint32_t flash_kib, gang_diag *d)
{
	const gang_part *have;
	char name[32];

	if (want == NULL || (want->dev_id == dev_id && want->flash_kib == flash_kib))
		return GANG_OK;
	have = gang_part_identify(dev_id, flash_kib);
	if (have != NULL)
		snprintf(name, sizeof(name), "%s", have->name);
	else
		snprintf(name, sizeof(name), "an unknown STM32");
	return gang_diag_set(d, GANG_EWRONG_PART, "board has %s (0x%03X, %" PRIu32 " KiB), profile wants %s",
			     name, (unsigned)dev_id, flash_kib, want->name);
}
