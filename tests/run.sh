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
# 5. with TSAN=1 does 1-3 again in build-tsan/ (or $TSAN_BUILD_DIR)
#    configured with --enable-tsan: every unit test and the e2e tests
#    named in $TSAN_E2E (default: the hierarchy, web, signal and ZMQ
#    tests; "all" for every one), with tests/tsan.supp as
#    ThreadSanitizer's suppressions;
# 6. with FUZZ=1 builds the libFuzzer targets (make fuzz, clang) in the
#    first build and runs each for $FUZZ_SECONDS (default 60) from a copy
#    of its corpus tests/corpus/<name>/, $FUZZ_JOBS (default $JOBS) at a
#    time; a target that ends without a finding passes (one test each),
#    a crash, leak, timeout or sanitizer report fails it and leaves the
#    input in <build>/test-logs/<target>-crash-* (or leak-, timeout-);
# 7. prints as its last line "N passed, N failed[, N skipped]" and exits 0
#    only when nothing failed.
#
# The e2e tests get: NTOPNG_BIN (the binary under test), NTOPNG_GEN_PCAP
# (the traffic generator), NTOPNG_SHARED (absolute path of ../shared next
# to the repo, when it exists), NTOPNG_SRC (the repo) and NTOPNG_BUILD.
#
# To run a part only: E2E_ONLY="a.py b.sh" runs just those e2e tests (by
# file name), UNIT_ONLY="test_prefs" just those unit binaries; E2E_ONLY=none
# or UNIT_ONLY=none skips that layer (in every build); BASE=0 skips the
# plain build's tests (e.g. TSAN=1 BASE=0 runs only the TSan stage);
# FUZZ_ONLY="fuzz_rest" runs just those fuzz targets.
# Each stage prints its wall time ("== stage <name>: N s").
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

run_start=$(date +%s)
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

# fuzz_one <build dir> <target>: runs one libFuzzer target for
# $FUZZ_SECONDS from a scratch copy of its corpus (the seeds in the tree
# are only read); its log and any finding stay in <build>/test-logs/.
fuzz_one() {
	local dir=$1 t=$2 corpus log rc work start
	case $t in
	fuzz_zmq_msg) corpus=zmq ;;
	*) corpus=${t#fuzz_} ;;
	esac
	log=$dir/test-logs/$t.log
	work=$(mktemp -d "${TMPDIR:-/tmp}/ntopng-fuzz-XXXXXX")
	mkdir -p "$work/corpus" "$work/tmp"
	start=$(date +%s)
	# -close_fd_mask=3: the code's own log lines go nowhere, libFuzzer's
	# and the sanitizers' reports still reach the log
	(cd "$work" && TMPDIR=$work/tmp timeout -k 10 $((FUZZ_SECONDS + 120)) \
		"$dir/fuzz/$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$dir/test-logs/$t-" \
		"$work/corpus" "$SRC/tests/corpus/$corpus") >"$log" 2>&1
	rc=$?
	rm -rf "$work"
	echo "$rc $(($(date +%s) - start))" >"$log.rc"
}

# fuzz <build dir>: builds and runs every fuzz target (see the head).
fuzz() {
	local dir=$1 t targets=() running=0 rc secs
	dir=$(cd "$dir" && pwd) || return
	echo "== make fuzz in $dir"
	if ! make -C "$dir" -k -j"$JOBS" fuzz >>"$dir/test-logs/build.log" 2>&1; then
		echo "fuzz build failed (log: $dir/test-logs/build.log):"
		grep -E 'error|Error' "$dir/test-logs/build.log" | tail -n 20
	fi
	for t in $(make -s -C "$dir" print-fuzz-targets 2>/dev/null); do
		t=$(basename "$t")
		if [ -n "${FUZZ_ONLY:-}" ]; then
			case " $FUZZ_ONLY " in *" $t "*) ;; *) continue ;; esac
		fi
		targets+=("$t")
	done
	for t in "${targets[@]}"; do
		rm -f "$dir/test-logs/$t.log.rc"
		[ -x "$dir/fuzz/$t" ] || continue
		fuzz_one "$dir" "$t" &
		running=$((running + 1))
		if [ $running -ge "$FUZZ_JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
	for t in "${targets[@]}"; do
		if [ ! -x "$dir/fuzz/$t" ]; then
			echo "FAIL fuzz/$t (not built)"
			note_fail "fuzz/$t (not built)" 1
			continue
		fi
		read -r rc secs <"$dir/test-logs/$t.log.rc"
		rm -f "$dir/test-logs/$t.log.rc"
		if [ "$rc" = 0 ]; then
			passed=$((passed + 1))
			echo "ok   fuzz/$t ($secs s, $(sed -n 's/^stat::number_of_executed_units: *//p' \
				"$dir/test-logs/$t.log") runs)"
		else
			echo "FAIL fuzz/$t (rc $rc, $secs s, log $dir/test-logs/$t.log)"
			grep -E -A 12 '^==[0-9]+==|ERROR: libFuzzer|runtime error|Test unit written' \
				"$dir/test-logs/$t.log" | head -n 40 | sed 's/^/  | /'
			note_fail "fuzz/$t" 1
		fi
	done
}

# stage <name> <command...>: runs one stage and prints its wall time
stage() {
	local name=$1 start
	shift
	start=$(date +%s)
	"$@"
	echo "== stage $name: $(($(date +%s) - start)) s"
}

flags=()
[ "${WERROR:-0}" = 1 ] && flags+=(--enable-werror)
# shellcheck disable=SC2206
[ -n "${CONFIGURE_FLAGS:-}" ] && flags+=($CONFIGURE_FLAGS)

base_dir=${BUILD_DIR:-$SRC/build}
if [ "${BASE:-1}" = 1 ]; then
	stage base suite "$base_dir" "" "${flags[@]}"
fi

if [ "${FUZZ:-0}" = 1 ]; then
	FUZZ_SECONDS=${FUZZ_SECONDS:-60}
	FUZZ_JOBS=${FUZZ_JOBS:-$JOBS}
	mkdir -p "$base_dir"
	# the fuzz targets' rules live in the Makefile: configure if needed
	if [ "${BASE:-1}" != 1 ] && [ ! -f "$base_dir/Makefile" ]; then
		build "$(cd "$base_dir" && pwd)" "${flags[@]}" >/dev/null ||
			note_fail "build" 1
	fi
	stage fuzz fuzz "$base_dir"
fi

if [ "${TSAN:-0}" = 1 ]; then
	# by default the tests whose threads meet most: the hierarchy (edge
	# -> hub over ZMQ), the web server's threads against the owners, and
	# signals, --workers' helper and reader threads against their owner;
	# TSAN_E2E=all runs every e2e test (about 10 minutes with
	# the suite of issue 11: too long for .ci/run's 30-minute budget)
	TSAN_E2E=${TSAN_E2E:-"hierarchy_live.py topologies.py webui_auth.py webui_browser.py rest_auth.py signal_threads.py zmq_collector.py iface_state.py workers.py"}
	# the known races still open are listed (with who fixes them) in
	# tests/tsan.supp; exitcode: a report fails a unit test binary too
	if [ -z "${TSAN_OPTIONS:-}" ]; then
		export TSAN_OPTIONS="suppressions=$SRC/tests/tsan.supp second_deadlock_stack=1 exitcode=66 history_size=4"
	fi
	if [ -n "${E2E_ONLY:-}" ]; then
		tsan_e2e=$E2E_ONLY
	elif [ "$TSAN_E2E" = all ]; then
		tsan_e2e=
	else
		tsan_e2e=$TSAN_E2E
	fi
	# everything runs 5-15 times slower: give the nodes time to stop
	export NTOPNG_STOP_TIMEOUT=${NTOPNG_STOP_TIMEOUT:-60}
	E2E_ONLY=$tsan_e2e stage tsan suite "${TSAN_BUILD_DIR:-$SRC/build-tsan}" "tsan:" \
		--enable-tsan "${flags[@]}"
	unset TSAN_OPTIONS NTOPNG_STOP_TIMEOUT
fi

if [ "${SANITIZE:-0}" = 1 ]; then
	# halt on the first UBSan report too, so it fails the test
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	# leaks inside third-party libraries can be listed in tests/lsan.supp
	if [ -f "$SRC/tests/lsan.supp" ] && [ -z "${LSAN_OPTIONS:-}" ]; then
		export LSAN_OPTIONS=suppressions=$SRC/tests/lsan.supp
	fi
	stage asan suite "${ASAN_BUILD_DIR:-$SRC/build-asan}" "asan:" \
		--enable-sanitizers "${flags[@]}"
fi

echo "== total: $(($(date +%s) - run_start)) s"
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
