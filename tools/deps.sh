#!/bin/sh
# Installs the build and test packages that are missing (Debian, as root);
# elsewhere prints the names of what is missing.
missing=
need() { missing="$missing $1"; }
pkg-config --exists ncursesw 2>/dev/null || need libncurses-dev
[ -f /usr/include/unistr.h ] || need libunistring-dev
pkg-config --exists sqlite3 2>/dev/null || need libsqlite3-dev
command -v cc >/dev/null 2>&1 || need gcc
command -v pkg-config >/dev/null 2>&1 || need pkg-config
command -v tmux >/dev/null 2>&1 || need tmux
command -v sqlite3 >/dev/null 2>&1 || need sqlite3
command -v python3 >/dev/null 2>&1 || need python3
command -v mandoc >/dev/null 2>&1 || need mandoc
command -v valgrind >/dev/null 2>&1 || need valgrind
command -v strace >/dev/null 2>&1 || need strace
[ -f /usr/share/unicode/auxiliary/SentenceBreakTest.txt ] || need unicode-data
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	echo "installing:$missing"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	exit $?
fi
echo "missing packages:$missing" >&2
echo "install them (Debian: apt-get install$missing) and run make again" >&2
exit 1
