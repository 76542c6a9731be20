#!/bin/bash
# distcheck.sh - make distcheck passes (docs/packaging.md): the tarball
# builds in a read-only source tree, its unit tests pass (make check),
# make install then make uninstall leave no file behind, and the tarball
# made again is complete.  A file the build, the unit tests or the
# installed layout need but EXTRA_DIST lacks fails it.  The tarball that
# distcheck leaves in the build directory is removed.
set -u
build=${NTOPNG_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f "$build"/ntopng-c-*.tar.gz' EXIT

if [ ! -f "$build/Makefile" ]; then
	echo "FAIL no configured build in $build"
	exit 1
fi
start=$(date +%s)
if ! nice make -C "$build" distcheck >"$tmp/log" 2>&1; then
	tail -n 60 "$tmp/log"
	echo "FAIL make distcheck (log above)"
	exit 1
fi
grep -E '^# (TOTAL|PASS|FAIL|ERROR)' "$tmp/log"
if ! grep -q 'archives ready for distribution' "$tmp/log"; then
	echo "FAIL make distcheck did not end with the archives"
	exit 1
fi
if grep -qE '^# (FAIL|ERROR): *[1-9]' "$tmp/log"; then
	echo "FAIL unit tests failed under distcheck"
	exit 1
fi
echo "ok   make distcheck passed ($(($(date +%s) - start)) s)"
