#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# run-all.sh: the whole test suite, from nothing to a verdict: install the
# Debian packages, build awsx three ways and run ctest on each:
#   build/        developer build (-Werror, -O3 as the demo builds): unit + integration tests
#   build-asan/   AddressSanitizer + UndefinedBehaviorSanitizer: the same tests
#   build-fuzz/   clang libFuzzer targets, each run briefly over its corpus
# It ends with one line "total: N passed, N failed" over all three runs and
# exits non-zero when anything failed.  README.md calls it; so does .ci/run.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. tests/setup-deps.sh
awsx_install_packages || { echo "run-all: cannot install packages" >&2; exit 1; }
mkdir -p build
awsx_find_python "$ROOT/build/venv" || exit 1
echo "run-all: python for the local endpoint: $AWSX_PYTHON"

JOBS=${JOBS:-2}
passed=0
failed=0
status=0

run_ctest() { # name builddir [ctest args]
	local name=$1 dir=$2
	shift 2
	local log="$dir/ctest.log"
	(cd "$dir" && ctest --output-on-failure -j"$JOBS" "$@") 2>&1 | tee "$log"
	local line
	line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
	if [ -z "$line" ]; then
		echo "run-all: $name: ctest gave no summary" >&2
		failed=$((failed + 1))
		status=1
		return
	fi
	local f t
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
	t=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
	passed=$((passed + t - f))
	failed=$((failed + f))
	[ "$f" = 0 ] || status=1
}

build() { # dir cmake-args...
	local dir=$1
	shift
	cmake -S . -B "$dir" -DAWSX_PYTHON="$AWSX_PYTHON" "$@" >/dev/null &&
		cmake --build "$dir" -j"$JOBS" 2>&1 | grep -Ev '^\[ *[0-9]+%|^-- |Consolidate compiler' 
	return "${PIPESTATUS[0]}"
}

echo "== developer build"
if build build -DAWSX_DEVELOPER=ON -DCMAKE_BUILD_TYPE=Release; then
	run_ctest developer build
else
	echo "run-all: developer build failed" >&2
	failed=$((failed + 1)); status=1
fi

echo "== sanitizer build (ASan + UBSan)"
if build build-asan -DAWSX_DEVELOPER=ON -DAWSX_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_ctest sanitizers build-asan
else
	echo "run-all: sanitizer build failed" >&2
	failed=$((failed + 1)); status=1
fi

echo "== fuzz targets (libFuzzer, brief)"
if build build-fuzz -DCMAKE_C_COMPILER=clang -DAWSX_FUZZ=ON -DAWSX_TESTS=OFF; then
	run_ctest fuzz build-fuzz -L fuzz
else
	echo "run-all: fuzz build failed" >&2
	failed=$((failed + 1)); status=1
fi

echo "total: $passed passed, $failed failed"
exit $status
