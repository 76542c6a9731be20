#!/bin/bash
# tests/run.sh - the project's one test command.
#
# 1. configures and builds the tree out of tree in build/ (or $BUILD_DIR),
#    running autoreconf -fi first when ./configure is missing;
# 2. runs every cmocka unit test binary tests/unit/test_* and counts its
#    test cases from cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ]"
#    / "[  SKIPPED ]" summary lines;
# 3. runs every executable tests/e2e/*.sh and tests/e2e/*.py as one test
#    each (exit 0 = pass, 77 = skipped, anything else = fail) under a
#    timeout ($E2E_TIMEOUT, default 600 s), logging to
#    <build>/test-logs/<name>.log and printing the log's tail on failure;
# 4. with SANITIZE=1 does 1-3 again in build-asan/ (or $ASAN_BUILD_DIR)
#    configured with --enable-sanitizers;
# 5. prints as its last line "N passed, N failed[, N skipped]" and exits 0
#    only when nothing failed.
#
# The e2e tests get: NTOPNG_BIN (the binary under test), NTOPNG_GEN_PCAP
# (the traffic generator), NTOPNG_SHARED (absolute path of ../shared next
# to the repo, when it exists), NTOPNG_SRC (the repo) and NTOPNG_BUILD.
#
# To run a part only: E2E_ONLY="a.py b.sh" runs just those e2e tests (by
# file name), UNIT_ONLY="test_prefs" just those unit binaries; E2E_ONLY=none
# or UNIT_ONLY=none skips that layer.
#
# Other knobs: CONFIGURE_FLAGS (extra configure flags), WERROR=1 (adds
# --enable-werror), E2E_TIMEOUT, UNIT_TIMEOUT (default 300 s), JOBS;
# with SANITIZE=1 a tests/lsan.supp file, if present, is passed to LSan.

set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$(cd "$SRC/.." && pwd)/shared
# the unit tests find tests/corpus/ through it too
export NTOPNG_SRC=$SRC
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
E2E_TIMEOUT=${E2E_TIMEOUT:-600}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}

passed=0
failed=0
skipped=0
failures=()

note_fail() {
	failed=$((failed + $2))
	failures+=("$1")
}

# build <dir> <extra configure flags...>; returns non-zero when the build
# failed (what could be built with make -k is still there to test).
build() {
	local dir=$1 log rc=0
	shift
	mkdir -p "$dir/test-logs" || return 1
	log=$dir/test-logs/build.log
	: >"$log"
	if [ ! -x "$SRC/configure" ]; then
		echo "== autoreconf -fi in $SRC"
		(cd "$SRC" && autoreconf -fi) >>"$log" 2>&1 || {
			tail -n 30 "$log"
			return 1
		}
	fi
	if [ ! -f "$dir/Makefile" ]; then
		echo "== configure in $dir $*"
		(cd "$dir" && "$SRC/configure" -q "$@") >>"$log" 2>&1 || {
			tail -n 30 "$log"
			return 1
		}
	fi
	echo "== make -j$JOBS in $dir"
	# -k: one broken module must not hide the tests of the others
	make -C "$dir" -k -j"$JOBS" all >>"$log" 2>&1 || rc=1
	make -C "$dir" -k -j"$JOBS" check TESTS= >>"$log" 2>&1 || rc=1
	if [ $rc -ne 0 ]; then
		echo "build failed (log: $log):"
		grep -E 'error|Error' "$log" | head -n 30
	fi
	grep -E 'warning:' "$log" | sort -u | head -n 20 | sed 's/^/  /'
	return $rc
}

# run_unit <build dir> <label prefix>
run_unit() {
	local dir=$1 tag=$2 src bin name log rc p f s
	for src in "$SRC"/tests/unit/test_*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		if [ -n "${UNIT_ONLY:-}" ]; then
			case " $UNIT_ONLY " in *" $name "*) ;; *) continue ;; esac
		fi
		bin=$dir/tests/unit/$name
		log=$dir/test-logs/$name.log
		if [ ! -x "$bin" ]; then
			echo "FAIL ${tag}unit/$name (not built)"
			note_fail "${tag}unit/$name (not built)" 1
			continue
		fi
		CMOCKA_MESSAGE_OUTPUT=STDOUT timeout -k 10 "$UNIT_TIMEOUT" \
			"$bin" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		p=${p:-0}
		f=${f:-0}
		s=${s:-0}
		# a crash or a sanitizer abort may leave no summary line: the
		# binary still failed as a whole
		if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
		fi
		if [ $rc -eq 0 ] && [ "$p" -eq 0 ] && [ "$s" -eq 0 ]; then
			echo "  (no cmocka summary in $log)"
			f=1
		fi
		passed=$((passed + p))
		skipped=$((skipped + s))
		if [ "$f" -gt 0 ]; then
			echo "FAIL ${tag}unit/$name: $p passed, $f failed (rc $rc)"
			tail -n 40 "$log" | sed 's/^/  | /'
			note_fail "${tag}unit/$name" "$f"
		else
			echo "ok   ${tag}unit/$name: $p passed"
		fi
	done
}

# run_e2e <build dir> <label prefix>
run_e2e() {
	local dir=$1 tag=$2 t name log rc start end tmp
	export NTOPNG_BIN=$dir/ntopng
	export NTOPNG_GEN_PCAP=$dir/tools/ntopng-gen-pcap
	export NTOPNG_SRC=$SRC
	export NTOPNG_BUILD=$dir
	export NTOPNG_TEST_LOGS=$dir/test-logs   # the nodes' own logs too
	if [ -d "$SHARED" ]; then
		export NTOPNG_SHARED=$SHARED
	else
		echo "warning: shared dir $SHARED not found; NTOPNG_SHARED unset"
		unset NTOPNG_SHARED
	fi
	for t in "$SRC"/tests/e2e/*.sh "$SRC"/tests/e2e/*.py; do
		[ -f "$t" ] || continue
		name=$(basename "$t")
		if [ -n "${E2E_ONLY:-}" ]; then
			case " $E2E_ONLY " in *" $name "*) ;; *) continue ;; esac
		fi
		if [ ! -x "$t" ]; then
			echo "note: $name is not executable, not run"
			continue
		fi
		log=$dir/test-logs/$name.log
		start=$(date +%s)
		# each test's temporary files (data dirs, RRDs, captures) live in
		# a directory of its own, removed after it: nothing piles up in
		# /tmp over runs
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/ntopng-e2e-XXXXXX")
		case $t in
		*.py) TMPDIR=$tmp timeout -k 10 "$E2E_TIMEOUT" /usr/bin/python3 "$t" \
			</dev/null >"$log" 2>&1 ;;
		*) TMPDIR=$tmp timeout -k 10 "$E2E_TIMEOUT" "$t" </dev/null >"$log" 2>&1 ;;
		esac
		rc=$?
		rm -rf "$tmp"
		end=$(date +%s)
		case $rc in
		0)
			passed=$((passed + 1))
			echo "ok   ${tag}e2e/$name ($((end - start)) s)"
			;;
		77)
			skipped=$((skipped + 1))
			echo "skip ${tag}e2e/$name: $(tail -n 1 "$log")"
			;;
		*)
			[ $rc -eq 124 ] && echo "  (timed out after $E2E_TIMEOUT s)" >>"$log"
			echo "FAIL ${tag}e2e/$name (rc $rc, $((end - start)) s, log $log)"
			tail -n 40 "$log" | sed 's/^/  | /'
			note_fail "${tag}e2e/$name" 1
			;;
		esac
	done
}

# suite <build dir> <label prefix> <configure flags...>
suite() {
	local dir=$1 tag=$2
	shift 2
	mkdir -p "$dir" || { note_fail "${tag}build" 1; return; }
	dir=$(cd "$dir" && pwd)
	if ! build "$dir" "$@"; then
		note_fail "${tag}build" 1
	fi
	run_unit "$dir" "$tag"
	run_e2e "$dir" "$tag"
}

flags=()
[ "${WERROR:-0}" = 1 ] && flags+=(--enable-werror)
# shellcheck disable=SC2206
[ -n "${CONFIGURE_FLAGS:-}" ] && flags+=($CONFIGURE_FLAGS)

suite "${BUILD_DIR:-$SRC/build}" "" "${flags[@]}"

if [ "${SANITIZE:-0}" = 1 ]; then
	# halt on the first UBSan report too, so it fails the test
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	# leaks inside third-party libraries can be listed in tests/lsan.supp
	if [ -f "$SRC/tests/lsan.supp" ] && [ -z "${LSAN_OPTIONS:-}" ]; then
		export LSAN_OPTIONS=suppressions=$SRC/tests/lsan.supp
	fi
	suite "${ASAN_BUILD_DIR:-$SRC/build-asan}" "asan:" \
		--enable-sanitizers "${flags[@]}"
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
