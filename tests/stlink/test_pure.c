/*
 * test_pure.c — ST-Link driver helpers that need no probe: version
 * decoding (V2 "JxSy", V2-1 "JxMy", V3 GET_VERSION_EX), feature gating,
 * API v1 refusal, status-byte mapping, WAIT back-off, transfer planning
 * (alignment, 6144-byte and 4 KiB limits), SWD clock choice, voltage.
 * References: the ST-Link protocol as OpenOCD 0.12 and stlink 1.7.0 use it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "stlink/stlink_internal.h"

static gang_diag diag;

TestSuite(stlink_pure, .timeout = 10);

Test(stlink_pure, v2_version_decodes_jtag_and_swim)
{
	/* traced reply of a V2J37S7 on 0483:3748 */
	static const uint8_t v6[6] = { 0x29, 0x47, 0x83, 0x04, 0x48, 0x37 };
	gang_stlink_version v;

	cr_assert_not(gang_stlink_version_needs_ex(v6));
	gang_stlink_version_decode(&v, v6, NULL);
	cr_expect_eq(v.stlink, 2);
	cr_expect_eq(v.jtag, 37);
	cr_expect_eq(v.swim, 7);
	cr_expect_eq(v.msd, 0);
	cr_expect_eq(v.vid, STLINK_VID);
	cr_expect_eq(v.pid, STLINK_PID_V2);
	cr_expect_str_eq(v.text, "V2J37S7");
}

Test(stlink_pure, v21_version_reports_msd_not_swim)
{
	/* V=2 J=37 low=26 on 0483:374B */
	uint16_t raw = (uint16_t)((2U << 12) | (37U << 6) | 26U);
	uint8_t v6[6] = { (uint8_t)(raw >> 8), (uint8_t)raw, 0x83, 0x04, 0x4B, 0x37 };
	gang_stlink_version v;

	gang_stlink_version_decode(&v, v6, NULL);
	cr_expect_eq(v.msd, 26);
	cr_expect_eq(v.swim, 0);
	cr_expect_str_eq(v.text, "V2J37M26");
	v6[4] = 0x52; /* 0x3752: V2-1 without mass storage */
	gang_stlink_version_decode(&v, v6, NULL);
	cr_expect_str_eq(v.text, "V2J37M26");
}

Test(stlink_pure, v3_version_comes_from_get_version_ex)
{
	static const uint8_t v6[6] = { 0x30, 0x00, 0x83, 0x04, 0x4F, 0x37 };
	static const uint8_t ex[12] = { 3, 1, 7, 3, 5, 0, 0, 0, 0x83, 0x04, 0x4F, 0x37 };
	gang_stlink_version v;

	cr_assert(gang_stlink_version_needs_ex(v6));
	gang_stlink_version_decode(&v, v6, ex);
	cr_expect_eq(v.stlink, 3);
	cr_expect_eq(v.jtag, 7);
	cr_expect_eq(v.swim, 1);
	cr_expect_eq(v.msd, 3);
	cr_expect_eq(v.bridge, 5);
	cr_expect_eq(v.pid, STLINK_PID_V3S);
	cr_expect_str_eq(v.text, "V3J7M3B5S1");
}

Test(stlink_pure, v3_with_nonzero_jtag_in_get_version_needs_no_ex)
{
	uint16_t raw = (uint16_t)((3U << 12) | (2U << 6));
	uint8_t v6[6] = { (uint8_t)(raw >> 8), (uint8_t)raw, 0x83, 0x04, 0x4F, 0x37 };

	cr_expect_not(gang_stlink_version_needs_ex(v6));
}

static gang_stlink_version ver(unsigned stlink, unsigned jtag)
{
	gang_stlink_version v;

	memset(&v, 0, sizeof(v));
	v.stlink = stlink;
	v.jtag = jtag;
	snprintf(v.text, sizeof(v.text), "V%uJ%uS0", stlink, jtag);
	return v;
}

Test(stlink_pure, features_follow_the_v2_firmware_thresholds)
{
	gang_stlink_features f;
	gang_stlink_version v = ver(2, 12);

	gang_stlink_features_of(&f, &v);
	cr_expect_not(f.voltage);
	cr_expect_not(f.rwstatus2);
	v = ver(2, 13);
	gang_stlink_features_of(&f, &v);
	cr_expect(f.voltage);
	cr_expect_not(f.rwstatus2);
	v = ver(2, 21);
	gang_stlink_features_of(&f, &v);
	cr_expect(f.rwstatus2);
	cr_expect_not(f.swd_freq);
	v = ver(2, 25);
	gang_stlink_features_of(&f, &v);
	cr_expect(f.swd_freq);
	cr_expect_not(f.mem16);
	v = ver(2, 27);
	gang_stlink_features_of(&f, &v);
	cr_expect(f.mem16);
	cr_expect_not(f.init_ap);
	v = ver(2, 28);
	gang_stlink_features_of(&f, &v);
	cr_expect(f.init_ap);
	cr_expect_not(f.com_freq);
	cr_expect_eq(f.max_rw8, STLINK_MAX_RW8_V2);
}

Test(stlink_pure, v3_has_every_feature_and_512_byte_rw8_from_j6)
{
	gang_stlink_features f;
	gang_stlink_version v = ver(3, 5);

	gang_stlink_features_of(&f, &v);
	cr_expect(f.voltage && f.rwstatus2 && f.mem16 && f.init_ap && f.com_freq);
	cr_expect_not(f.swd_freq);
	cr_expect_eq(f.max_rw8, STLINK_MAX_RW8_V2);
	v = ver(3, 6);
	gang_stlink_features_of(&f, &v);
	cr_expect_eq(f.max_rw8, STLINK_MAX_RW8_V3);
}

Test(stlink_pure, api_v1_firmware_is_refused_naming_the_minimum)
{
	gang_stlink_version v = ver(2, 10);

	cr_expect_eq(gang_stlink_check_api(&v, &diag), GANG_EPROBE_FIRMWARE);
	cr_expect_neq(strstr(diag.msg, "V2J11"), NULL, "%s", diag.msg);
	cr_expect_neq(strstr(diag.msg, "V2J10S0"), NULL, "%s", diag.msg);
	v = ver(1, 20);
	cr_expect_eq(gang_stlink_check_api(&v, &diag), GANG_EPROBE_FIRMWARE);
	v = ver(2, 11);
	cr_expect_eq(gang_stlink_check_api(&v, &diag), GANG_OK);
	v = ver(3, 1);
	cr_expect_eq(gang_stlink_check_api(&v, &diag), GANG_OK);
}

Test(stlink_pure, ok_and_write_verify_status_are_success)
{
	cr_expect_eq(gang_stlink_status_map(STLINK_DEBUG_ERR_OK, GANG_STLINK_CTX_ACCESS, "x", 0,
					    &diag), GANG_OK);
	cr_expect_eq(gang_stlink_status_map(STLINK_JTAG_WRITE_VERIF_ERROR, GANG_STLINK_CTX_ACCESS,
					    "x", 0, &diag), GANG_OK);
}

Test(stlink_pure, wait_status_asks_for_a_retry)
{
	cr_expect_eq(gang_stlink_status_map(STLINK_SWD_AP_WAIT, GANG_STLINK_CTX_ACCESS, "x", 0,
					    &diag), GANG_STLINK_RETRY);
	cr_expect_eq(gang_stlink_status_map(STLINK_SWD_DP_WAIT, GANG_STLINK_CTX_CONNECT, "x", 0,
					    &diag), GANG_STLINK_RETRY);
}

Test(stlink_pure, idcode_error_on_connect_and_dp_error_mean_no_swd)
{
	cr_expect_eq(gang_stlink_status_map(STLINK_JTAG_GET_IDCODE_ERROR, GANG_STLINK_CTX_CONNECT,
					    "APIV2_ENTER", 0, &diag), GANG_ETARGET_NOSWD);
	cr_expect_neq(strstr(diag.msg, "0x09"), NULL, "%s", diag.msg);
	cr_expect_eq(gang_stlink_status_map(STLINK_SWD_DP_ERROR, GANG_STLINK_CTX_ACCESS,
					    "READDEBUGREG", 0xE000ED00U, &diag), GANG_ETARGET_NOSWD);
	/* 0x09 is only meaningful on ENTER / READ_IDCODES */
	cr_expect_eq(gang_stlink_status_map(STLINK_JTAG_GET_IDCODE_ERROR, GANG_STLINK_CTX_ACCESS,
					    "READREG", 0, &diag), GANG_EPROBE_PROTOCOL);
}

Test(stlink_pure, ap_faults_name_the_address)
{
	static const uint8_t faults[] = { STLINK_DEBUG_ERR_FAULT, STLINK_SWD_AP_FAULT,
					  STLINK_SWD_AP_ERROR, STLINK_SWD_AP_PARITY_ERROR,
					  STLINK_SWD_DP_FAULT, STLINK_SWD_DP_PARITY_ERROR,
					  STLINK_SWD_AP_WDATA_ERROR, STLINK_SWD_AP_STICKY_ERROR,
					  STLINK_SWD_AP_STICKYORUN_ERROR, STLINK_BAD_AP_ERROR,
					  STLINK_JTAG_WRITE_ERROR };

	for (size_t i = 0; i < sizeof(faults); i++) {
		gang_diag_clear(&diag);
		cr_expect_eq(gang_stlink_status_map(faults[i], GANG_STLINK_CTX_ACCESS, "WRITEMEM_32BIT",
						    0x20000FFCU, &diag), GANG_ETARGET_FAULT,
			     "status 0x%02X", faults[i]);
		cr_expect_neq(strstr(diag.msg, "0x20000FFC"), NULL, "%s", diag.msg);
	}
}

Test(stlink_pure, unknown_status_is_a_protocol_error_with_the_byte)
{
	cr_expect_eq(gang_stlink_status_map(0x42U, GANG_STLINK_CTX_ACCESS, "READREG", 0, &diag),
		     GANG_EPROBE_PROTOCOL);
	cr_expect_neq(strstr(diag.msg, "0x42"), NULL, "%s", diag.msg);
	cr_expect_eq(gang_stlink_status_map(0x00U, GANG_STLINK_CTX_CONNECT, "ENTER", 0, &diag),
		     GANG_EPROBE_PROTOCOL);
}

Test(stlink_pure, wait_backoff_doubles_from_the_first_delay)
{
	unsigned total = 0;

	cr_expect_eq(gang_stlink_backoff_us(100, 0), 100);
	cr_expect_eq(gang_stlink_backoff_us(100, 1), 200);
	cr_expect_eq(gang_stlink_backoff_us(100, 7), 12800);
	for (unsigned i = 0; i + 1 < GANG_STLINK_WAIT_TRIES; i++)
		total += gang_stlink_backoff_us(GANG_STLINK_WAIT_FIRST_US, i);
	/* the whole budget stays well under one USB timeout */
	cr_expect_lt(total, GANG_STLINK_TIMEOUT_MS * 1000U);
	cr_expect_eq(gang_stlink_backoff_us(1, 40), 1U << 16);
}

/* Walk a whole transfer through the planner and check every piece. */
static void plan_walk(uint32_t addr, size_t len, size_t max_rw8, size_t *n8, size_t *n32)
{
	*n8 = *n32 = 0;
	while (len > 0) {
		gang_stlink_access kind;
		size_t n = gang_stlink_plan(&kind, addr, len, max_rw8);

		cr_assert_gt(n, 0);
		cr_assert_leq(n, len);
		if (kind == GANG_STLINK_ACCESS_32) {
			cr_expect_eq(addr % 4, 0, "32-bit piece at 0x%08X", addr);
			cr_expect_eq(n % 4, 0);
			cr_expect_leq(n, STLINK_MAX_RW32);
			cr_expect_eq(addr / STLINK_TAR_BLOCK_M3, (uint32_t)(addr + n - 1) / STLINK_TAR_BLOCK_M3,
				     "piece 0x%08X+%zu crosses a 4 KiB block", addr, n);
			(*n32)++;
		} else {
			cr_expect_leq(n, max_rw8);
			(*n8)++;
		}
		addr += (uint32_t)n;
		len -= n;
	}
}

Test(stlink_pure, plan_uses_8bit_only_for_unaligned_head_and_short_tail)
{
	size_t n8, n32;

	plan_walk(0x20000001U, 10, STLINK_MAX_RW8_V2, &n8, &n32);
	cr_expect_eq(n8, 2);  /* 3-byte head, 3-byte tail */
	cr_expect_eq(n32, 1);
	plan_walk(0x20000000U, 16, STLINK_MAX_RW8_V2, &n8, &n32);
	cr_expect_eq(n8, 0);
	cr_expect_eq(n32, 1);
	plan_walk(0x20000002U, 1, STLINK_MAX_RW8_V2, &n8, &n32);
	cr_expect_eq(n8, 1);
	cr_expect_eq(n32, 0);
}

Test(stlink_pure, plan_splits_at_4k_blocks_and_the_6144_byte_limit)
{
	gang_stlink_access kind;
	size_t n8, n32;

	cr_expect_eq(gang_stlink_plan(&kind, 0x20000FF0U, 64, 64), 16);
	cr_expect_eq(kind, GANG_STLINK_ACCESS_32);
	cr_expect_eq(gang_stlink_plan(&kind, 0x20001000U, 20000, 64), STLINK_TAR_BLOCK_M3);
	plan_walk(0x20000FFDU, 3 + 3 * 4096 + 2, STLINK_MAX_RW8_V2, &n8, &n32);
	cr_expect_eq(n8, 2);
	cr_expect_eq(n32, 3);
	plan_walk(0x08000000U, 65536, STLINK_MAX_RW8_V2, &n8, &n32);
	cr_expect_eq(n32, 16);
}

Test(stlink_pure, plan_caps_8bit_pieces_at_the_probe_limit)
{
	gang_stlink_access kind;

	cr_expect_eq(gang_stlink_plan(&kind, 0x20000001U, 100, 2), 2);
	cr_expect_eq(kind, GANG_STLINK_ACCESS_8);
}

Test(stlink_pure, v2_swd_clock_is_the_fastest_at_or_below_the_request)
{
	unsigned actual = 0;

	cr_expect_eq(gang_stlink_v2_swd_divisor(&actual, 4000), 0);
	cr_expect_eq(actual, 4000);
	cr_expect_eq(gang_stlink_v2_swd_divisor(&actual, 1000), 3);
	cr_expect_eq(actual, 950);
	cr_expect_eq(gang_stlink_v2_swd_divisor(&actual, 1800), 1);
	cr_expect_eq(actual, 1800);
	cr_expect_eq(gang_stlink_v2_swd_divisor(&actual, 100000), 0);
	cr_expect_eq(gang_stlink_v2_swd_divisor(&actual, 1), 798);
	cr_expect_eq(actual, 5);
}

Test(stlink_pure, v3_clock_pick_is_the_fastest_listed_at_or_below)
{
	static const uint32_t list[] = { 24000, 8000, 3300, 1000, 200, 50, 5 };

	cr_expect_eq(gang_stlink_pick_khz(list, 7, 1800), 1000);
	cr_expect_eq(gang_stlink_pick_khz(list, 7, 24000), 24000);
	cr_expect_eq(gang_stlink_pick_khz(list, 7, 1), 5);
	cr_expect_eq(gang_stlink_pick_khz(list, 0, 1000), 0);
}

Test(stlink_pure, voltage_is_2400_times_r1_over_r0_and_r0_zero_is_refused)
{
	unsigned mv = 1;

	cr_expect_eq(gang_stlink_voltage_mv(&mv, 1500, 2062, &diag), GANG_OK);
	cr_expect_eq(mv, 3299);
	cr_expect_eq(gang_stlink_voltage_mv(&mv, 0, 2062, &diag), GANG_EPROBE_PROTOCOL);
	cr_expect_eq(mv, 0);
	cr_expect_neq(strstr(diag.msg, "reference"), NULL, "%s", diag.msg);
}

Test(stlink_pure, little_endian_helpers_round_trip)
{
	uint8_t b[4];

	gang_stlink_put_le32(b, 0x1BA01477U);
	cr_expect_eq(b[0], 0x77);
	cr_expect_eq(b[3], 0x1B);
	cr_expect_eq(gang_stlink_get_le32(b), 0x1BA01477U);
	gang_stlink_put_le16(b, 0x0798U);
	cr_expect_eq(b[0], 0x98);
	cr_expect_eq(b[1], 0x07);
}
