#!/usr/bin/env bash
# make test's runner: the unit tests (cmocka), the format and man-page
# checks, then the integration tests against a throwaway PostgreSQL that
# Debian's pg_virtualenv starts (and removes) and real SQLite files.
# Prints one closing line "N passed, N failed" for the integration suite.
set -u
cd "$(dirname "$0")/.."
fail=0

# the hash cache (base/hcache.c) of the unit tests: inside build/, not ~
export XDG_CACHE_HOME=$PWD/build/test-cache

echo "== unit tests (cmocka, ASan+UBSan)"
for t in build/san/tests/test_*; do
	[ -x "$t" ] || continue
	"$t" || { echo "FAILED: $t"; fail=1; }
done

echo "== fuzz targets (libFuzzer), a fixed number of runs from committed seeds"
make --no-print-directory fuzz-smoke || fail=1

echo "== layers (every include points down)"
./scripts/check-layers.sh || fail=1

echo "== formatting (clang-format) and man pages (mandoc -Tlint)"
src=$(ls base/*.c parsers/*.c db/*.c detectors/*.c core/*.c serve/*.c cli/*.c */*.h include/reckon/*/*.h tests/unit/*.c tests/integration/*.c 2>/dev/null)
if ! clang-format --dry-run --Werror $src >/dev/null 2>build/format.log; then
	echo "FAILED: clang-format: $(grep -c 'error:' build/format.log) lines differ; run 'make format'"
	head -5 build/format.log
	fail=1
fi
if ! mandoc -Tlint -Wwarning man/reckon.1 man/reckon.yaml.5; then
	echo "FAILED: mandoc -Tlint"
	fail=1
fi

echo "== integration tests (PostgreSQL via pg_virtualenv, SQLite files)"
if ! pg_virtualenv -t -o fsync=off bash tests/integration/run.sh; then
	fail=1
fi
exit $fail
