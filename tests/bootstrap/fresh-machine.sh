#!/bin/sh
# fresh-machine.sh — build gang as on a machine where the Debian packages it
# needs are not installed yet (the first `make` after a git clone).
#
# Usage: tests/bootstrap/fresh-machine.sh WORKDIR JOBS [MAKEFILE]   (from the repository root)
#
# Shims put first on PATH make dpkg-query report every package missing and
# pkg-config know no module, until the shimmed apt-get has been asked to
# install something: it records its arguments in WORKDIR/apt-get.log and
# creates WORKDIR/installed, after which the shims exec the real tools (the
# packages are in fact present on the test machine). Then make builds `all`
# and one test binary with -jJOBS in WORKDIR/build, as `make demo` and
# `make test` do first. Exit status: make's.
set -eu
work=$1
jobs=$2
makefile=${3:-Makefile}
shim="$work/shim"
marker="$work/installed"
real_pkg=$(command -v pkg-config)
real_dpkg=$(command -v dpkg-query)
mkdir -p "$shim"

cat >"$shim/apt-get" <<EOF
#!/bin/sh
echo "\$*" >>'$work/apt-get.log'
case " \$* " in *" install "*) : >'$marker' ;; esac
exit 0
EOF
cat >"$shim/dpkg-query" <<EOF
#!/bin/sh
[ -e '$marker' ] && exec '$real_dpkg' "\$@"
exit 1
EOF
cat >"$shim/pkg-config" <<EOF
#!/bin/sh
[ -e '$marker' ] && exec '$real_pkg' "\$@"
exit 1
EOF
# install-deps uses sudo when not root; the shimmed apt-get must still be the one run.
cat >"$shim/sudo" <<'EOF'
#!/bin/sh
exec "$@"
EOF
chmod +x "$shim"/*

# A make started by `make test` must not join its jobserver or inherit its flags.
exec env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEFILES PATH="$shim:$PATH" \
	make --no-print-directory -f "$makefile" -j"$jobs" BUILD="$work/build" OPT=-O0 \
	all "$work/build/tests/bootstrap"
