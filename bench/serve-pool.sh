#!/usr/bin/env bash
# GET status throughput of reckon serve over PostgreSQL, without the
# connection pool (--pool 0: every request logs in) and with it (default
# --pool 4). Not part of make test; timings never are. Needs wrk and curl;
# runs a throwaway server under pg_virtualenv and the release build.
#
#   bench/serve-pool.sh [CONNECTIONS] [SECONDS]   (defaults: 16 10)
#
# Keep CONNECTIONS at or under 32: more calls at once than that answer 503
# (busy) at once, and wrk then counts those.
set -u
cd "$(dirname "$0")/.."
conns=${1:-16}
secs=${2:-10}
RECKON=${RECKON:-$PWD/reckon}
for tool in wrk curl; do
	command -v $tool >/dev/null || { echo "serve-pool: needs $tool" >&2; exit 2; }
done
[ -x "$RECKON" ] || { echo "serve-pool: build it first: make" >&2; exit 2; }
if [ -z "${PGHOST:-}${PGPORT:-}" ]; then
	exec timeout 300 pg_virtualenv -t -o fsync=off "$0" "$@"
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/m"
printf 'CREATE TABLE a (id int);\n' >"$T/m/001_a.sql"
createdb rk_pool_bench
for pool in 0 4; do
	"$RECKON" --db postgres:///rk_pool_bench --dir "$T/m" serve \
		--listen 127.0.0.1:0 --pool $pool --max-per-client 0 2>"$T/log" &
	pid=$!
	URL=
	for _ in $(seq 100); do
		URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$T/log" | head -1)
		[ -n "$URL" ] && break
		sleep 0.05
	done
	[ -n "$URL" ] || { echo "serve did not start: $(cat "$T/log")" >&2; exit 1; }
	echo "== --pool $pool: wrk -t4 -c$conns -d${secs}s GET status"
	wrk -t4 -c"$conns" -d"${secs}s" "$URL/api/migrations/idempotent/status" |
		grep -E 'Requests/sec|Latency|Non-2xx|requests in'
	kill -TERM $pid
	wait $pid
done
