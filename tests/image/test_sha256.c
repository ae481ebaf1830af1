/*
 * test_sha256.c — SHA-256 known answers (FIPS 180-4 examples / NIST CSHA
 * vectors), streaming equals one-shot, and an image's sha256 field is the
 * hash of its file's bytes.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "image_test_util.h"

TestSuite(core_sha256, .timeout = 20);

static void expect_hex(const void *data, size_t len, const char *want)
{
	char hex[GANG_SHA256_HEX_LEN + 1];

	gang_sha256_hex(hex, data, len);
	cr_expect_str_eq(hex, want);
}

Test(core_sha256, empty_string_matches_the_fips_example)
{
	expect_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(core_sha256, abc_matches_the_fips_example)
{
	expect_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(core_sha256, two_block_message_matches_the_fips_example)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	expect_hex(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(core_sha256, one_million_a_matches_the_fips_example)
{
	size_t n = 1000000;
	char *m = malloc(n);

	cr_assert_not_null(m);
	memset(m, 'a', n);
	expect_hex(m, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

Test(core_sha256, padding_boundaries_55_56_and_64_bytes_hash_like_known_answers)
{
	/* 55 bytes fit one block with padding, 56 need a second: the classic off-by-one spots */
	char m[64];

	memset(m, 'a', sizeof(m));
	expect_hex(m, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	expect_hex(m, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	expect_hex(m, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

Test(core_sha256, streaming_in_odd_chunks_equals_one_shot)
{
	uint8_t data[1000], one[GANG_SHA256_LEN], streamed[GANG_SHA256_LEN];
	static const size_t chunks[] = { 1, 63, 64, 65, 7, 200, 600 };
	gang_sha256_ctx s;
	size_t off = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37U + 11U);
	gang_sha256(one, data, sizeof(data));
	gang_sha256_init(&s);
	for (size_t i = 0; off < sizeof(data); i++) {
		size_t n = chunks[i % 7];

		if (n > sizeof(data) - off)
			n = sizeof(data) - off;
		gang_sha256_update(&s, data + off, n);
		off += n;
	}
	gang_sha256_final(streamed, &s);
	cr_expect_eq(memcmp(one, streamed, sizeof(one)), 0);
}

Test(core_sha256, to_hex_writes_lower_case_and_terminates)
{
	uint8_t digest[GANG_SHA256_LEN];
	char hex[GANG_SHA256_HEX_LEN + 2];

	for (unsigned i = 0; i < GANG_SHA256_LEN; i++)
		digest[i] = (uint8_t)(0xA0U + i);
	memset(hex, 'x', sizeof(hex));
	gang_sha256_to_hex(hex, digest);
	cr_expect_eq(strlen(hex), GANG_SHA256_HEX_LEN);
	cr_expect_eq(strncmp(hex, "a0a1a2a3", 8), 0);
	cr_expect_eq(strcmp(hex + 56, "bcbdbebf"), 0);
}

Test(core_sha256, image_sha256_is_the_hash_of_the_file_bytes)
{
	/* values from sha256sum(1) over the committed fixtures */
	gang_image *bin = itu_load_ok(itu_fixture("prog.bin"), GANG_IMAGE_AUTO, 0x08000000U);
	gang_image *hex = itu_load_ok(itu_fixture("prog.hex"), GANG_IMAGE_AUTO, 0);

	cr_expect_str_eq(bin->sha256, "0c0ae9169b6de54dd5d44d21f8f91f71a9b3044373b83e2f18604b81d2941450");
	cr_expect_str_eq(hex->sha256, "21b1e5c9f3b726e53eb6170810584df70ee28264dd994b555adecc28a230afc1");
	gang_image_free(bin);
	gang_image_free(hex);
}
