#!/bin/sh
# install.sh — `make install` / `make uninstall` for gang (rules in
# tools/install.mk). Installs the binary, the man page, the udev rules, the
# example profiles with their firmware, the database schema, and the
# documentation with an example gang.conf under share/doc/gang; records
# every file it wrote in a manifest so that uninstall removes exactly those
# files (and the directories gang alone owns) — never bin/ or man1/ themselves.
# The man page names its installed files under /usr/local/share/: those
# paths are rewritten to PREFIX's as it is installed. gang.conf is never
# put into /etc (a station's configuration is the administrator's).
#
# Usage: tools/install.sh install   [--destdir D] [--prefix P] [--binary FILE] [--udevdir DIR]
#        tools/install.sh uninstall [--destdir D] [--prefix P]
#        tools/install.sh list      [--prefix P] [--udevdir DIR]   (what install would write)
#
# PREFIX defaults to /usr/local. The udev rules go to /etc/udev/rules.d
# (administrator's rules) unless PREFIX is /usr, where a distribution package
# puts them in /usr/lib/udev/rules.d; --udevdir overrides both. DESTDIR is
# prepended to every path written and is never recorded in the manifest, so
# a package built with DESTDIR=pkgroot carries the real target paths.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-}
[ $# -gt 0 ] && shift
destdir=''
prefix=/usr/local
binary="$root/build/gang"
udevdir=''

die() {
	printf 'install.sh: %s\n' "$*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--destdir) [ $# -ge 2 ] || die "--destdir needs a directory"; destdir=$2; shift 2 ;;
	--prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
	--binary) [ $# -ge 2 ] || die "--binary needs a file"; binary=$2; shift 2 ;;
	--udevdir) [ $# -ge 2 ] || die "--udevdir needs a directory"; udevdir=$2; shift 2 ;;
	*) die "unknown argument '$1' (see the comment at the top of tools/install.sh)" ;;
	esac
done

case $prefix in
/*) ;;
*) die "PREFIX must be an absolute path, not '$prefix'" ;;
esac
prefix=${prefix%/}
if [ -z "$udevdir" ]; then
	if [ "$prefix" = /usr ]; then udevdir=/usr/lib/udev/rules.d; else udevdir=/etc/udev/rules.d; fi
fi
share="$prefix/share/gang"
doc="$prefix/share/doc/gang"
manifest="$share/install-manifest"

# One line per file: MODE SOURCE TARGET (target without DESTDIR). The man
# page's source is marked "man:" (installed through install_man).
install_list() {
	echo "0755 $binary $prefix/bin/gang"
	echo "0644 man:$root/docs/gang.1 $prefix/share/man/man1/gang.1"
	echo "0644 $root/tools/udev/49-gang-stlink.rules $udevdir/49-gang-stlink.rules"
	echo "0644 $root/profiles/README.md $share/profiles/README.md"
	for f in "$root"/profiles/*.cfg; do
		echo "0644 $f $share/profiles/${f##*/}"
	done
	for f in "$root"/profiles/firmware/*; do
		[ -f "$f" ] && echo "0644 $f $share/profiles/firmware/${f##*/}"
	done
	echo "0644 $root/db/schema.sql $share/db/schema.sql"
	for f in "$root"/db/migrations/sqlite/*.sql; do
		echo "0644 $f $share/db/migrations/sqlite/${f##*/}"
	done
	doc_list
}

# share/doc/gang: README, the profile reference, docs/*.md, and examples
# (gang.conf; the example profiles with their firmware, runnable from there).
doc_list() {
	echo "0644 $root/README.md $doc/README.md"
	echo "0644 $root/profiles/README.md $doc/profiles/README.md"
	for f in "$root"/docs/*.md; do
		echo "0644 $f $doc/${f##*/}"
	done
	echo "0644 $root/tools/gang.conf.example $doc/examples/gang.conf"
	for f in "$root"/profiles/*.cfg; do
		echo "0644 $f $doc/examples/profiles/${f##*/}"
	done
	for f in "$root"/profiles/firmware/*; do
		[ -f "$f" ] && echo "0644 $f $doc/examples/profiles/firmware/${f##*/}"
	done
}

# The man page with its /usr/local/share/ paths made PREFIX's.
install_man() {
	sed "s#/usr/local/share/#$prefix/share/#g" "$1" >"$2.tmp" && chmod "$3" "$2.tmp" && mv "$2.tmp" "$2"
}

do_install() {
	list=$(install_list)
	# Check every source first: a half-done install is worse than none.
	echo "$list" | while read -r mode src dst; do
		[ -f "${src#man:}" ] || die "missing ${src#man:} (run 'make' first)"
	done
	case $prefix in
	*'#'* | *'&'* | *'\'*) die "PREFIX must not contain '#', '&' or '\\': '$prefix'" ;;
	esac
	tmp=$(mktemp)
	echo "$list" | while read -r mode src dst; do
		install -d -m 0755 "$destdir${dst%/*}"
		case $src in
		man:*) install_man "${src#man:}" "$destdir$dst" "$mode" ;;
		*) install -m "$mode" "$src" "$destdir$dst" ;;
		esac
		echo "$dst" >>"$tmp"
	done
	echo "$manifest" >>"$tmp"
	install -m 0644 "$tmp" "$destdir$manifest"
	rm -f "$tmp"
	echo "installed gang in $destdir$prefix (manifest $destdir$manifest)"
	if [ -z "$destdir" ]; then
		echo "udev: sudo udevadm control --reload-rules && sudo udevadm trigger; add operators to plugdev"
	fi
}

# Remove the manifest's files, then gang's own directories once empty.
do_uninstall() {
	[ -f "$destdir$manifest" ] || die "nothing to uninstall: $destdir$manifest does not exist"
	while read -r dst; do
		case $dst in
		/*) rm -f "$destdir$dst" ;;
		*) die "$destdir$manifest: refusing relative path '$dst'" ;;
		esac
	done <"$destdir$manifest"
	for d in "$share/profiles/firmware" "$share/profiles" "$share/db/migrations/sqlite" "$share/db/migrations" "$share/db" "$share" \
		"$doc/examples/profiles/firmware" "$doc/examples/profiles" "$doc/examples" "$doc/profiles" "$doc"; do
		if [ -d "$destdir$d" ]; then rmdir "$destdir$d" 2>/dev/null || true; fi
	done
	echo "uninstalled gang from $destdir$prefix"
}

case $action in
install) do_install ;;
uninstall) do_uninstall ;;
list) install_list | while read -r mode src dst; do echo "$mode $dst"; done ;;
*) die "say install, uninstall or list (see the comment at the top of tools/install.sh)" ;;
esac
