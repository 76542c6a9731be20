#!/bin/bash
# tests/e2e/checksrc.sh - fails when a source file of the tree calls a
# banned function (strcpy, strcat, sprintf, vsprintf, gets, atoi, strtok,
# alloca; docs/STYLE.md).  The check itself is tools/checksrc.sh; it also
# proves here that it still catches a call, so a broken checker cannot
# pass silently.
set -u
SRC=${NTOPNG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

printf '%s\n' 'static int f(const char *s) { char b[8];' \
	'  /* strcpy( in a comment is fine */ (void)"atoi(";' \
	'  strcpy(b, s); return atoi(b); }' >"$tmp/bad.c"
out=$("$SRC/tools/checksrc.sh" "$tmp/bad.c")
if [ $? -ne 1 ] || [ "$(printf '%s\n' "$out" | grep -c ': banned ')" -ne 2 ]; then
	echo "checksrc.sh does not catch exactly the 2 calls of $tmp/bad.c:"
	printf '%s\n' "$out"
	exit 1
fi

"$SRC/tools/checksrc.sh" || exit 1
echo "checksrc: no banned function in the tree"
