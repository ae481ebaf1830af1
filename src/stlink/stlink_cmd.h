/*
 * stlink_cmd.h — ST-Link USB protocol constants, the only place they live.
 * Shared by gang's driver (src/stlink) and the virtual bench's probe model
 * (tools/sim), so both speak the same bytes: the ST-Link USB protocol as
 * OpenOCD 0.12 (src/jtag/drivers/stlink_usb.c) and stlink 1.7.0
 * (commands.h) implement it, as traced on the bench. Firmware thresholds
 * are named with the version that introduced the feature.
 */
#ifndef GANG_STLINK_STLINK_CMD_H
#define GANG_STLINK_STLINK_CMD_H

/* USB identity. */
#define STLINK_VID              0x0483U
#define STLINK_PID_V1           0x3744U
#define STLINK_PID_V2           0x3748U
#define STLINK_PID_V2_1         0x374BU
#define STLINK_PID_V2_1_NOMSD   0x3752U
#define STLINK_PID_V3_BL        0x374DU
#define STLINK_PID_V3E          0x374EU
#define STLINK_PID_V3S          0x374FU
#define STLINK_PID_V3_2VCP      0x3753U
#define STLINK_PID_V3_NOMSD     0x3754U
#define STLINK_EP_OUT_V2        0x02U   /* V2: commands OUT on EP2 */
#define STLINK_EP_OUT_V21       0x01U   /* V2-1 and V3: commands OUT on EP1 */
#define STLINK_EP_IN            0x81U
#define STLINK_EP_TRACE_V2      0x83U
#define STLINK_EP_TRACE_V21     0x82U
#define STLINK_CMD_LEN          16U
#define STLINK_SERIAL_LEN       24U

/* Top-level commands. */
#define STLINK_GET_VERSION         0xF1U
#define STLINK_DEBUG_COMMAND       0xF2U
#define STLINK_DFU_COMMAND         0xF3U
#define STLINK_SWIM_COMMAND        0xF4U
#define STLINK_GET_CURRENT_MODE    0xF5U
#define STLINK_GET_TARGET_VOLTAGE  0xF7U
#define STLINK_APIV3_GET_VERSION_EX 0xFBU
#define STLINK_DFU_EXIT            0x07U

/* Modes returned by GET_CURRENT_MODE. */
#define STLINK_MODE_DFU         0x00U
#define STLINK_MODE_MASS        0x01U
#define STLINK_MODE_DEBUG       0x02U
#define STLINK_MODE_SWIM        0x03U
#define STLINK_MODE_BOOTLOADER  0x04U

/* DEBUG (0xF2) subcommands. */
#define STLINK_DEBUG_ENTER_JTAG_RESET   0x00U
#define STLINK_DEBUG_GETSTATUS          0x01U
#define STLINK_DEBUG_FORCEDEBUG         0x02U
#define STLINK_DEBUG_APIV1_RESETSYS     0x03U
#define STLINK_DEBUG_READMEM_32BIT      0x07U
#define STLINK_DEBUG_WRITEMEM_32BIT     0x08U
#define STLINK_DEBUG_RUNCORE            0x09U
#define STLINK_DEBUG_STEPCORE           0x0AU
#define STLINK_DEBUG_READMEM_8BIT       0x0CU
#define STLINK_DEBUG_WRITEMEM_8BIT      0x0DU
#define STLINK_DEBUG_APIV1_ENTER        0x20U
#define STLINK_DEBUG_EXIT               0x21U
#define STLINK_DEBUG_READCOREID         0x22U
#define STLINK_DEBUG_APIV2_ENTER        0x30U
#define STLINK_DEBUG_APIV2_READ_IDCODES 0x31U
#define STLINK_DEBUG_APIV2_RESETSYS     0x32U
#define STLINK_DEBUG_APIV2_READREG      0x33U
#define STLINK_DEBUG_APIV2_WRITEREG     0x34U
#define STLINK_DEBUG_APIV2_WRITEDEBUGREG 0x35U
#define STLINK_DEBUG_APIV2_READDEBUGREG 0x36U
#define STLINK_DEBUG_APIV2_READALLREGS  0x3AU
#define STLINK_DEBUG_APIV2_GETLASTRWSTATUS 0x3BU
#define STLINK_DEBUG_APIV2_DRIVE_NRST   0x3CU
#define STLINK_DEBUG_APIV2_GETLASTRWSTATUS2 0x3EU
#define STLINK_DEBUG_APIV2_START_TRACE_RX 0x40U
#define STLINK_DEBUG_APIV2_STOP_TRACE_RX 0x41U
#define STLINK_DEBUG_APIV2_GET_TRACE_NB 0x42U
#define STLINK_DEBUG_APIV2_SWD_SET_FREQ 0x43U
#define STLINK_DEBUG_APIV2_JTAG_SET_FREQ 0x44U
#define STLINK_DEBUG_APIV2_READ_DAP_REG 0x45U
#define STLINK_DEBUG_APIV2_WRITE_DAP_REG 0x46U
#define STLINK_DEBUG_APIV2_READMEM_16BIT 0x47U
#define STLINK_DEBUG_APIV2_WRITEMEM_16BIT 0x48U
#define STLINK_DEBUG_APIV2_INIT_AP      0x4BU
/* Byte of a memory command that names its access port (J28+, V3; OpenOCD 0.12 stlink_usb.c) */
#define STLINK_MEM_AP_BYTE              8U
#define STLINK_AP_MAX                   255U
#define STLINK_DEBUG_APIV2_CLOSE_AP_DBG 0x4CU
#define STLINK_DEBUG_WRITEMEM_32BIT_NO_ADDR_INC 0x50U
#define STLINK_DEBUG_APIV2_RW_MISC_OUT  0x51U
#define STLINK_DEBUG_APIV2_RW_MISC_IN   0x52U
#define STLINK_DEBUG_READMEM_32BIT_NO_ADDR_INC 0x54U
#define STLINK_DEBUG_APIV3_SET_COM_FREQ 0x61U
#define STLINK_DEBUG_APIV3_GET_COM_FREQ 0x62U

/* APIV2_ENTER mode byte. */
#define STLINK_DEBUG_ENTER_SWD_NO_RESET 0xA3U
#define STLINK_DEBUG_ENTER_JTAG_NO_RESET 0xA4U

/* DRIVE_NRST argument. */
#define STLINK_NRST_LOW   0x00U
#define STLINK_NRST_HIGH  0x01U
#define STLINK_NRST_PULSE 0x02U

/* Status byte (first reply byte). */
#define STLINK_DEBUG_ERR_OK            0x80U
#define STLINK_DEBUG_ERR_FAULT         0x81U
#define STLINK_JTAG_GET_IDCODE_ERROR   0x09U
#define STLINK_JTAG_WRITE_ERROR        0x0CU
#define STLINK_JTAG_WRITE_VERIF_ERROR  0x0DU
#define STLINK_SWD_AP_WAIT             0x10U
#define STLINK_SWD_AP_FAULT            0x11U
#define STLINK_SWD_AP_ERROR            0x12U
#define STLINK_SWD_AP_PARITY_ERROR     0x13U
#define STLINK_SWD_DP_WAIT             0x14U
#define STLINK_SWD_DP_FAULT            0x15U
#define STLINK_SWD_DP_ERROR            0x16U
#define STLINK_SWD_DP_PARITY_ERROR     0x17U
#define STLINK_SWD_AP_WDATA_ERROR      0x18U
#define STLINK_SWD_AP_STICKY_ERROR     0x19U
#define STLINK_SWD_AP_STICKYORUN_ERROR 0x1AU
#define STLINK_BAD_AP_ERROR            0x1DU

/* Transfer limits. */
#define STLINK_MAX_RW32            6144U  /* bytes per READ/WRITEMEM_32BIT (OpenOCD STLINK_DATA_SIZE) */
#define STLINK_MAX_RW8_V2          64U
#define STLINK_MAX_RW8_V3          512U
#define STLINK_TAR_BLOCK_M3        4096U  /* auto-increment wraps at 4 KiB (ADIv5 TAR, M3/M4) */

/* Firmware thresholds: the JTAG version (J) that added a feature. */
#define STLINK_V2_MIN_J_API2        11U   /* API v2 */
#define STLINK_V2_MIN_J_VOLTAGE     13U   /* GET_TARGET_VOLTAGE, trace */
#define STLINK_V2_MIN_J_RWSTATUS2   15U   /* GETLASTRWSTATUS2 (12-byte) */
#define STLINK_V2_MIN_J_SWD_FREQ    22U   /* SWD_SET_FREQ */
#define STLINK_V2_MIN_J_DAP_REG     24U   /* JTAG_SET_FREQ, READ/WRITE_DAP_REG */
#define STLINK_V2_MIN_J_MEM16       26U   /* READ/WRITEMEM_16BIT */
#define STLINK_V2_MIN_J_INIT_AP     28U   /* INIT_AP required before AP access */
#define STLINK_V2_MIN_J_CSW         32U   /* CSW in mem commands, RW_MISC */
#define STLINK_V3_MIN_J_RW8_512     6U    /* V3: 8-bit R/W up to 512 bytes */

/* SWD_SET_FREQ divisor table for V2: kHz, divisor. */
#define STLINK_V2_SWD_FREQ_TABLE \
	{ 4000, 0 }, { 1800, 1 }, { 1200, 2 }, { 950, 3 }, { 480, 7 }, { 240, 15 }, \
	{ 125, 31 }, { 100, 40 }, { 50, 79 }, { 25, 158 }, { 15, 265 }, { 5, 798 }

#endif
