#!/usr/bin/env bash
# build.sh — build the demo firmware (demo-f103 and demo-f103-swdoff) with
# arm-none-eabi-gcc into tools/firmware/build/ and copy the committed
# deliverables: profiles/firmware/demo-f103.{hex,bin},
# tools/firmware/demo-f103.bin and tools/firmware/demo-f103-swdoff.bin.
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
LDFLAGS=(-T "$here/demo-f103.ld" -Wl,--gc-sections -Wl,--build-id=none -Wl,-Map=)
check=0
[ "${1:-}" = --check ] && check=1

command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install gcc-arm-none-eabi)" >&2; exit 2; }
mkdir -p "$out"

build() { # name, extra cflags...
	local name=$1; shift
	"$CC" "${CFLAGS[@]}" "$@" -I"$here" "${LDFLAGS[@]/%-Map=/-Map=$out/$name.map}" \
		"$here/startup.c" "$here/demo.c" -o "$out/$name.elf"
	"$OBJCOPY" -O binary "$out/$name.elf" "$out/$name.bin"
	"$OBJCOPY" -O ihex "$out/$name.elf" "$out/$name.hex"
	local size
	size=$(stat -c %s "$out/$name.bin")
	echo "$name: $size bytes at 0x08000000"
}

build demo-f103 -DDEMO_SWD_OFF=0
build demo-f103-swdoff -DDEMO_SWD_OFF=1
build demo-f103-swdoff-late -DDEMO_SWD_OFF=0 -DDEMO_SWD_OFF_AFTER=100

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
[ $check = 1 ] && echo "build.sh: committed firmware matches the sources"
exit 0
