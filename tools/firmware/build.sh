#!/usr/bin/env bash
# build.sh — build the demo firmware (demo-f103 and demo-f103-swdoff, and
# the F407 build demo-f407 and demo-f407-swdoff, the G0/C0 build demo-g0,
# the L4/L4+/G4 build demo-l4 and the L053 build demo-l053 for the L0/L1
# benches, with their -swdoff variants) with arm-none-eabi-gcc
# into tools/firmware/build/ and copy the committed deliverables:
# profiles/firmware/demo-f103.{hex,bin} and demo-f407.hex,
# tools/firmware/demo-f103.bin, demo-f103-swdoff.bin, demo-f407.bin and
# demo-f407-swdoff.bin; the U5 build profiles/firmware/demo-u5.hex and
# tools/firmware/demo-u5-swdoff.bin.
#   tools/firmware/build.sh           build and copy
#   tools/firmware/build.sh --check   build and fail if a committed file differs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/build
CC=${ARM_CC:-arm-none-eabi-gcc}
OBJCOPY=${ARM_OBJCOPY:-arm-none-eabi-objcopy}
CFLAGS=(-mcpu=cortex-m3 -mthumb -Os -nostdlib -ffreestanding -fno-tree-loop-distribute-patterns
	-std=c11 -Wall -Wextra -Werror -g -ffunction-sections -fdata-sections)
LDFLAGS=(-Wl,--gc-sections -Wl,--build-id=none -Wl,-Map=)
check=0
[ "${1:-}" = --check ] && check=1

command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install gcc-arm-none-eabi)" >&2; exit 2; }
mkdir -p "$out"

build() { # name, linker script, extra cflags...
	local name=$1 ld=$2; shift 2
	"$CC" "${CFLAGS[@]}" "$@" -I"$here" -T "$here/$ld" "${LDFLAGS[@]/%-Map=/-Map=$out/$name.map}" \
		"$here/startup.c" "$here/demo.c" -o "$out/$name.elf"
	"$OBJCOPY" -O binary "$out/$name.elf" "$out/$name.bin"
	"$OBJCOPY" -O ihex "$out/$name.elf" "$out/$name.hex"
	local size
	size=$(stat -c %s "$out/$name.bin")
	echo "$name: $size bytes at 0x08000000"
}

build demo-f103 demo-f103.ld -DDEMO_SWD_OFF=0
build demo-f103-swdoff demo-f103.ld -DDEMO_SWD_OFF=1
build demo-f103-swdoff-late demo-f103.ld -DDEMO_SWD_OFF=0 -DDEMO_SWD_OFF_AFTER=100
# the F407 build runs on every F2/F4/F7 bench part (Thumb-2 of the M3 subset; GPIO at RM0090's addresses)
build demo-f407 demo-f407.ld -DDEMO_F4=1 -DDEMO_SWD_OFF=0
build demo-f407-swdoff demo-f407.ld -DDEMO_F4=1 -DDEMO_SWD_OFF=1
# the L053 build for the L0/L1 benches: Cortex-M0+ (ARMv6-M), the serial in data EEPROM
build demo-l053 demo-l053.ld -mcpu=cortex-m0plus -DDEMO_L0=1 -DDEMO_SWD_OFF=0
build demo-l053-swdoff demo-l053.ld -mcpu=cortex-m0plus -DDEMO_L0=1 -DDEMO_SWD_OFF=1
# the G0 build is Thumb-1 for the Cortex-M0+ of G0/C0; the L4 build runs on L4/L4+/G4 (GPIO at RM0351's addresses)
build demo-g0 demo-g0.ld -mcpu=cortex-m0plus -DDEMO_G0=1 -DDEMO_SWD_OFF=0
build demo-g0-swdoff demo-g0.ld -mcpu=cortex-m0plus -DDEMO_G0=1 -DDEMO_SWD_OFF=1
build demo-l4 demo-l4.ld -mcpu=cortex-m4 -DDEMO_L4=1 -DDEMO_SWD_OFF=0
build demo-l4-swdoff demo-l4.ld -mcpu=cortex-m4 -DDEMO_L4=1 -DDEMO_SWD_OFF=1
# the U5 build runs on the U575/U585 bench parts (Thumb-2 of the M3 subset on the M33; GPIO at RM0456's addresses)
build demo-u5 demo-u5.ld -DDEMO_U5=1 -DDEMO_SWD_OFF=0
build demo-u5-swdoff demo-u5.ld -DDEMO_U5=1 -DDEMO_SWD_OFF=1

deliver() { # built file, committed path
	if [ $check = 1 ]; then
		cmp "$1" "$2" || { echo "build.sh: $2 differs from a fresh build" >&2; exit 1; }
	else
		cp "$1" "$2"
	fi
}
deliver "$out/demo-f103.hex" "$root/profiles/firmware/demo-f103.hex"
deliver "$out/demo-f103.bin" "$root/profiles/firmware/demo-f103.bin"
deliver "$out/demo-f103.bin" "$here/demo-f103.bin"
deliver "$out/demo-f103-swdoff.bin" "$here/demo-f103-swdoff.bin"
deliver "$out/demo-f103-swdoff-late.hex" "$root/tests/fixtures/firmware/demo-f103-swdoff-late.hex"
deliver "$out/demo-f407.hex" "$root/profiles/firmware/demo-f407.hex"
deliver "$out/demo-f407.bin" "$here/demo-f407.bin"
deliver "$out/demo-f407-swdoff.bin" "$here/demo-f407-swdoff.bin"
deliver "$out/demo-l053.hex" "$root/profiles/firmware/demo-l053.hex"
deliver "$out/demo-l053.bin" "$here/demo-l053.bin"
deliver "$out/demo-l053-swdoff.bin" "$here/demo-l053-swdoff.bin"
deliver "$out/demo-g0.hex" "$root/profiles/firmware/demo-g0.hex"
deliver "$out/demo-g0-swdoff.bin" "$here/demo-g0-swdoff.bin"
deliver "$out/demo-l4.hex" "$root/profiles/firmware/demo-l4.hex"
deliver "$out/demo-l4-swdoff.bin" "$here/demo-l4-swdoff.bin"
deliver "$out/demo-u5.hex" "$root/profiles/firmware/demo-u5.hex"
deliver "$out/demo-u5-swdoff.bin" "$here/demo-u5-swdoff.bin"
[ $check = 1 ] && echo "build.sh: committed firmware matches the sources"
exit 0
