#!/usr/bin/env bash
# Integration suite: runs inside pg_virtualenv (PGHOST, PGPORT, PGUSER,
# PGPASSWORD set for a throwaway cluster). The C conformance suite first,
# then every tests/integration/t_*.sh against each backend it names.
# With arguments, only the test functions whose names contain one of
# them (and no conformance suite): run.sh frameworks bad_usage
set -u
cd "$(dirname "$0")/../.."
export RECKON_ROOT=$PWD
status=0
for t in build/san/itests/*; do
	[ $# -gt 0 ] && break
	[ -x "$t" ] || continue
	echo "-- $t"
	"$t" || status=1
done
. tests/integration/lib.sh
for f in tests/integration/t_*.sh; do
	. "$f"
done
. tests/integration/serve.sh # reckon serve over HTTP, and in Chromium
for fn in $(declare -F | awk '{print $3}' | grep '^test_' | sort); do
	if [ $# -gt 0 ]; then
		keep=0
		for pat in "$@"; do [[ $fn == *"$pat"* ]] && keep=1; done
		[ $keep = 1 ] || continue
	fi
	run_test "$fn"
done
summary || status=1
exit $status
