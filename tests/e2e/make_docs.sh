#!/bin/bash
# tests/e2e/make_docs.sh - `make docs` builds the developer documentation
# (Doxygen, docs/Doxyfile) into doc/html of the build directory: the index
# page names the project, each module header has its page, and a function
# declared in a header (iface_set_enabled, merge/iface.h) is documented
# there with its comment.  Exit 77 when doxygen is not installed.
set -u
BUILD=${NTOPNG_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
if ! command -v doxygen >/dev/null; then
	echo "skipped: doxygen is not installed (tools/install-deps.sh)"
	exit 77
fi
fail=0
check() { # what, command...
	local what=$1
	shift
	if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; fail=1; fi
}
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
make -C "$BUILD" docs >"$log" 2>&1
rc=$?
check "make docs exits 0 ($rc)" test "$rc" -eq 0 || tail -20 "$log"
html=$BUILD/doc/html
check "doc/html/index.html exists" test -s "$html/index.html"
check "the index names the project" grep -q "ntopng-in-C" "$html/index.html"
for h in iface_8h merge_2source_8h kv_8h rest_8h; do
	check "a page for $h" test -s "$html/$h.html"
done
check "iface_set_enabled is documented with its comment" \
	grep -q "Disables (on = 0) or enables" "$html/iface_8h.html"
check "docs/threads.md is a page" grep -rqs "Threads and ownership" "$html"
exit $fail
