#!/usr/bin/env bash
# make-fixtures.sh — generate the image-loader round-trip fixtures in
# tests/fixtures/images/ from the demo firmware, ONCE, with the real tools
# (arm-none-eabi-objcopy, srec_cat). The outputs are committed so the tests
# need no toolchain. Every fixture holds the same program bytes:
#   prog.elf                 demo-f103.elf without debug sections (2 PT_LOADs, .data at LMA != VMA)
#   prog.bin                 objcopy -O binary (load at 0x08000000)
#   prog.hex                 objcopy -O ihex   (04 extended linear + 05 start linear)
#   prog.srec                objcopy -O srec   (S3 data, S7 start)
#   prog.s19 / .s28 / .s37   srec_cat S1/S2/S3 at 0x00000000 / 0x00800000 / 0x08000000
#                            (.s19 ends in S9, .s28 in S8, .s37 in a count S5 only)
#   prog-8.hex               srec_cat, 8-byte records
#   prog-straddle.hex        srec_cat, at 0x0800FF80: crosses a 64 KiB boundary (two 04 records)
#   prog-seg.hex             srec_cat i16hex (02 extended segment records) at 0x0000FF80
#   prog-lower-crlf.hex      prog.hex in lower case with CRLF line ends
#   prog-reversed.hex        prog-8.hex with its data records in descending address order
#   prog-gap.hex/.srec       bytes 0..0x7F at 0x08000000, the rest at 0x08001080: two segments
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fx=$root/tests/fixtures/images
OBJCOPY=${ARM_OBJCOPY:-arm-none-eabi-objcopy}
command -v srec_cat >/dev/null || { echo "make-fixtures.sh: srec_cat not found (apt-get install srecord)" >&2; exit 2; }
"$here/build.sh" >/dev/null
mkdir -p "$fx"
elf=$here/build/demo-f103.elf

"$OBJCOPY" --strip-debug "$elf" "$fx/prog.elf"
"$OBJCOPY" -O binary "$fx/prog.elf" "$fx/prog.bin"
"$OBJCOPY" -O ihex "$fx/prog.elf" "$fx/prog.hex"
"$OBJCOPY" -O srec "$fx/prog.elf" "$fx/prog.srec"

bin=$fx/prog.bin
size=$(stat -c %s "$bin")
srec_cat "$bin" -binary -execution-start-address=0x0045 -o "$fx/prog.s19" -motorola -address-length=2
srec_cat "$bin" -binary -offset 0x00800000 -execution-start-address=0x00800045 \
	-o "$fx/prog.s28" -motorola -address-length=3
srec_cat "$bin" -binary -offset 0x08000000 -o "$fx/prog.s37" -motorola -address-length=4
srec_cat "$bin" -binary -offset 0x08000000 -o "$fx/prog-8.hex" -intel -obs=8
srec_cat "$bin" -binary -offset 0x0800FF80 -o "$fx/prog-straddle.hex" -intel
srec_cat "$bin" -binary -offset 0x0000FF80 -o "$fx/prog-seg.hex" -intel -address-length=3
tr 'A-F' 'a-f' <"$fx/prog.hex" | sed 's/$/\r/' >"$fx/prog-lower-crlf.hex"
{
	head -n 1 "$fx/prog-8.hex"                         # the 04 record
	grep '^:......00' "$fx/prog-8.hex" | tac           # data records, highest address first
	grep -v '^:......00' "$fx/prog-8.hex" | tail -n +2 # start address and EOF
} >"$fx/prog-reversed.hex"
gap=(-offset 0x08000000 -crop 0x08000000 0x08000080 "$bin" -binary -offset 0x08001000
	-crop 0x08001080 $((0x08001000 + size)))
srec_cat "$bin" -binary "${gap[@]}" -o "$fx/prog-gap.hex" -intel
srec_cat "$bin" -binary "${gap[@]}" -o "$fx/prog-gap.srec" -motorola -address-length=4
chmod 644 "$fx"/*
ls -l "$fx"
