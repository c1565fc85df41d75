#!/usr/bin/env bash
# Load test for reckon serve (not part of make test; timings never are):
# for 30 s, 200 connections GET the status while 20 connections POST runs,
# on loopback, against the ASan+UBSan build over a throwaway PostgreSQL
# (pg_virtualenv) or a SQLite file. While it runs, a new migration file
# appears every second, so the runs have real work to race for. Prints
# requests, errors and p50/p99 latency per kind, then checks that every
# file was applied exactly once, that every answer was a 200, and that the
# server shut down cleanly with no sanitizer or leak report.
#
#   bench/serve-load.sh [pg|sqlite] [SECONDS]     (defaults: pg 30)
#
# Needs wrk (Debian package wrk) and curl. Bounded: wrk stops after
# SECONDS, the file feeder after SECONDS files, everything after 5 min.
set -u
cd "$(dirname "$0")/.."
backend=${1:-pg}
secs=${2:-30}
RECKON=${RECKON:-$PWD/build/san/reckon}
TOKEN=load-test-token-$$

case $backend in pg | sqlite) ;; *)
	echo "usage: bench/serve-load.sh [pg|sqlite] [SECONDS]" >&2
	exit 2
	;;
esac
for tool in wrk curl jq; do
	if ! command -v $tool >/dev/null; then
		echo "serve-load: needs $tool (apt-get install $tool)" >&2
		exit 2
	fi
done
[ -x "$RECKON" ] || { echo "serve-load: build it first: make build/san/reckon" >&2; exit 2; }
if [ "$backend" = pg ] && [ -z "${PGHOST:-}${PGPORT:-}" ]; then
	exec timeout 300 pg_virtualenv -t -o fsync=off "$0" "$@"
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
M=$T/migrations
mkdir -p "$M"
if [ "$backend" = pg ]; then
	createdb rk_load
	DB=dbname=rk_load
	q() { psql -X -q -At -d rk_load -c "$1"; }
else
	DB=sqlite:$T/load.db
	q() { sqlite3 "$T/load.db" "$1"; }
fi
for i in 1 2 3; do
	printf 'CREATE TABLE base_%d (id integer PRIMARY KEY, note text);\n' "$i" >"$M/00${i}_base_$i.sql"
done

export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
RECKON_TOKEN=$TOKEN "$RECKON" --db "$DB" --dir "$M" serve \
	--listen 127.0.0.1:0 2>"$T/serve.log" &
spid=$!
url=
for _ in $(seq 200); do
	url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$T/serve.log" | head -1)
	[ -n "$url" ] && break
	sleep 0.05
done
[ -n "$url" ] || { echo "serve-load: server did not start" >&2; cat "$T/serve.log" >&2; exit 1; }

cat >"$T/run.lua" <<EOF
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
EOF

# a new pending file every second while the load runs
(
	for i in $(seq 1 "$secs"); do
		sleep 1
		printf 'CREATE TABLE load_%03d (id integer);\n' "$i" >"$T/next"
		mv "$T/next" "$M/$((100 + i))_load_$i.sql" # whole, never half-written
	done
) &
feeder=$!

echo "serve-load: $backend, ${secs}s, 200 x GET status + 20 x POST run on $url"
wrk -t2 -c200 -d"${secs}s" --timeout 30s --latency \
	"$url/api/migrations/idempotent/status" >"$T/get.txt" 2>&1 &
g=$!
wrk -t1 -c20 -d"${secs}s" --timeout 30s --latency -s "$T/run.lua" \
	"$url/api/migrations/idempotent/run" >"$T/post.txt" 2>&1 &
p=$!
wait $g $p $feeder
# the last file may have come after the last run: one more to settle
final=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X POST \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d '{}' "$url/api/migrations/idempotent/run")

kill -TERM $spid
wait $spid
src=$?

# one line per kind from wrk's report
report() {
	awk -v what="$1" '
		/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
		/requests in/ { n = $1 } /^Requests\/sec/ { rps = $2 }
		/Non-2xx/ { bad = $NF } /Socket errors/ { sock = $0 }
		END { printf "  %-22s %7s requests %8s/s  p50 %-8s p99 %-8s non-2xx %s%s\n",
			what, n, rps, p50, p99, bad ? bad : 0, sock ? "  " sock : "" }' "$2"
}
report "GET status (200 conn)" "$T/get.txt"
report "POST run (20 conn)" "$T/post.txt"

status=0
[ "$final" = 200 ] || { echo "FAIL: the settling run answered $final"; status=1; }
files=$(ls "$M" | wc -l)
rows=$(q 'select count(*) from reckon_migrations')
distinct=$(q 'select count(distinct name) from reckon_migrations')
echo "  files $files, tracking rows $rows, distinct names $distinct"
[ "$rows" = "$files" ] && [ "$distinct" = "$files" ] || { echo "FAIL: applied count differs"; status=1; }
bad=$(grep -c '^reckon serve: [A-Z]* [^ ]* [^2][0-9][0-9] ' "$T/serve.log")
echo "  non-200 answers in the access log: $bad"
[ "$bad" = 0 ] || { grep '^reckon serve: [A-Z]* [^ ]* [^2][0-9][0-9] ' "$T/serve.log" | sort | uniq -c | sort -rn | head -5; status=1; }
if grep -q 'Non-2xx\|Socket errors' "$T/get.txt" "$T/post.txt"; then status=1; fi
if [ "$src" != 0 ] || grep -q 'Sanitizer\|runtime error:' "$T/serve.log"; then
	echo "FAIL: server exit $src or sanitizer report:"
	grep -A15 'Sanitizer\|runtime error:' "$T/serve.log" | head -40
	status=1
else
	echo "  server: clean shutdown, no sanitizer or leak report"
fi
[ "$backend" = pg ] && dropdb rk_load
exit $status
