# shellcheck shell=bash
# lib.sh — shared helpers of the benchmark scripts in tools/bench (sourced,
# not run): paths, building the small bench helpers when the Makefile has not,
# reading the virtual bench's --stats JSON (tools/sim/benches/README.md,
# "Virtual time"), medians and ratios.
#
# Environment: GANG (default build/gang) selects the gang binary under test;
# CC the compiler for the helpers.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench_build="$bench_root/build"
GANG=${GANG:-$bench_build/gang}
bench_sim="$bench_build/libgangsim.so"
bench_util="$bench_build/bench/bench-util"
bench_hostcpu="$bench_build/bench/libhostcpu.so"

bench_die() { echo "${0##*/}: $*" >&2; exit 1; }

# Build a helper from tools/bench when it is missing or older than its source
# (make bench builds them first; this keeps the scripts usable on their own).
bench_helper() { # OUT SRC KIND(exe|so)
	local out=$1 src=$2 flags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -O2)
	[ -f "$out" ] && [ "$out" -nt "$src" ] && return 0
	mkdir -p "$(dirname "$out")"
	if [ "$3" = so ]; then
		"${CC:-cc}" "${flags[@]}" -shared -fPIC -o "$out" "$src" -ldl
	else
		"${CC:-cc}" "${flags[@]}" -o "$out" "$src"
	fi || bench_die "cannot build $out from $src"
}

bench_prepare() {
	[ -x "$GANG" ] || bench_die "$GANG is missing: run 'make' first (or set GANG=...)"
	[ -f "$bench_sim" ] || bench_die "$bench_sim is missing: run 'make' first"
	bench_helper "$bench_util" "$bench_root/tools/bench/bench-util.c" exe
	bench_helper "$bench_hostcpu" "$bench_root/tools/bench/hostcpu.c" so
}

# Copy gang and the bench library into DIR and use the copies: other builds
# in the tree (make, parallel work) must not swap them out mid-benchmark.
bench_snapshot() { # DIR
	mkdir -p "$1"
	if ! cp "$GANG" "$1/gang" || ! cp "$bench_sim" "$1/libgangsim.so"; then
		bench_die "cannot copy gang and the bench into $1"
	fi
	GANG="$1/gang" bench_sim="$1/libgangsim.so"
}

# Run a command on the virtual bench as tools/gangsim does (same variables),
# with the snapshot's library: BENCH STATE STATS CMD...
bench_sim_run() {
	local bench=$1 state=$2 stats=$3
	shift 3
	rm -rf "$state" "$stats" "$stats.parts"
	mkdir -p "$state"
	env GANGSIM_BENCH="$bench" GANGSIM_STATE="$state" GANGSIM_STATS="$stats" LD_PRELOAD="$bench_sim" "$@"
}

# Validate a bench file with the library's check mode (errors name file, line, key).
bench_check() { # BENCH
	GANGSIM_CHECK=1 GANGSIM_BENCH="$1" LD_PRELOAD="$bench_sim" /bin/true || bench_die "bench file $1 is invalid"
}

# Modelled seconds of probe SERIAL (or the slowest probe without SERIAL) in a
# stats JSON written by tools/gangsim --stats.
bench_virtual_s() { # FILE [SERIAL]
	awk -v want="${2:-}" '
		{
			while (match($0, /"serial": "[0-9A-Fa-f]+", "usb_commands": [0-9]+, "bytes_out": [0-9]+, "bytes_in": [0-9]+, "virtual_us": [0-9]+/)) {
				rec = substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH)
				split(rec, f, /"/); ser = f[4]
				us = rec; sub(/.*"virtual_us": /, "", us)
				if (want == "" || want == ser) { if (us + 0 > best) best = us + 0; found = 1 }
			}
		}
		END { if (!found) exit 1; printf "%.6f\n", best / 1e6 }' "$1"
}

# USB command count of the slowest (or the named) probe in a stats JSON.
bench_usb_commands() { # FILE
	grep -o '"usb_commands": [0-9]*' "$1" | grep -o '[0-9]*$' | sort -n | tail -1
}

bench_median() { # VALUES...
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_ratio() { # A B -> A/B with 3 decimals, "-" when either is missing
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f\n", a / b }'
}

bench_fmt() { # NUMBER [DECIMALS]
	awk -v a="$1" -v d="${2:-3}" 'BEGIN { if (a == "" || a == "-") print "-"; else printf "%.*f\n", d, a }'
}

# "met"/"missed" for VALUE <= LIMIT (or >= with a third argument "ge").
bench_target() { # VALUE LIMIT [ge]
	awk -v v="$1" -v l="$2" -v ge="${3:-}" 'BEGIN {
		if (v == "-" || v == "") { print "not measured"; exit }
		ok = ge == "ge" ? v + 0 >= l + 0 : v + 0 <= l + 0
		print ok ? "met" : "**missed**" }'
}

bench_machine() {
	local model
	model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
	echo "$(nproc) CPU(s), ${model:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
}
