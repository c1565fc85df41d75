#!/usr/bin/env bash
# make bench: reckon's speed figures side by side with a baseline measured
# in the same run. make builds ./reckon first; this script builds only its
# own helpers (bench/*.c into build/bench/), generates the workloads there
# (deterministically: bench/gen.c), then re-runs itself inside a throwaway
# PostgreSQL cluster (pg_virtualenv -t, fsync on, TCP on localhost) and
# prints, per workload, reckon's median, the baseline's median, their ratio
# and the target. Commands alternate run by run (bench/timeit.c).
#
# Environment: BENCH_RUNS (timed runs per command, default 7),
# BENCH_APPLY_RUNS (for the apply workloads, default 5), BENCH_ONLY (a
# space-separated subset of: status apply noop parse detect).
# Never part of make test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=build/bench
# What is measured: a copy of ./reckon taken before the run, so that a
# rebuild of the tree meanwhile cannot change (or briefly remove) it.
R=$ROOT/$B/reckon
RUNS=${BENCH_RUNS:-7}
APPLY_RUNS=${BENCH_APPLY_RUNS:-5}
ONLY=${BENCH_ONLY:-status apply noop parse detect}
N_STATUS=10000
N_APPLY=1000
N_TABLES=5000
SCHEMA_MB=64

CFLAGS_BENCH="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude
 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
 -Wformat=2 -Wvla -Wwrite-strings -Wimplicit-fallthrough -O2 -g"

say() { printf '%s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# Debian packages the bench itself needs, installed only when absent.
ensure_tools() {
	local missing=""
	command -v pg_virtualenv >/dev/null || missing="$missing postgresql postgresql-contrib"
	command -v sqlite3 >/dev/null || missing="$missing sqlite3"
	[ -x /usr/bin/time ] || missing="$missing time"
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing:$missing (run: sudo apt-get install$missing)"
	say "bench: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build_helpers() {
	local parsers=() f pc ssl
	pc=$(pkg-config --cflags --libs sqlite3 libpcre2-8)
	ssl=$(pkg-config --cflags --libs libcrypto)
	for f in parsers/*.c; do
		case $f in parsers/ddl*.c) [ -f include/reckon/parsers/ddl.h ] || continue ;; esac
		parsers+=("$f")
	done
	# $CFLAGS_BENCH and the pkg-config output are lists of words.
	# shellcheck disable=SC2086
	{
		cc $CFLAGS_BENCH -o $B/gen bench/gen.c
		cc $CFLAGS_BENCH -o $B/timeit bench/timeit.c
		cc $CFLAGS_BENCH -o $B/floor bench/floor.c $ssl
		rm -f $B/parse_bench $B/ddl.status
		if [ ! -f include/reckon/parsers/ddl.h ]; then
			echo "ddl: not built yet (no include/reckon/parsers/ddl.h)" >$B/ddl.status
		elif ! cc $CFLAGS_BENCH -DHAVE_DDL -Ibench -o $B/parse_bench \
			bench/parse_bench.c "${parsers[@]}" base/util.c base/err.c \
			base/buf.c $pc 2>$B/ddl.cc.log; then
			echo "ddl: include/reckon/parsers/ddl.h exists but bench/ddl_call.inc does not compile against it (see $B/ddl.cc.log)" >$B/ddl.status
		fi
		[ -x $B/parse_bench ] ||
			cc $CFLAGS_BENCH -o $B/parse_bench bench/parse_bench.c \
				"${parsers[@]}" base/util.c base/err.c base/buf.c $pc
	}
}

generate() {
	rm -rf $B/m10k $B/m1k $B/m1
	$B/gen migs $B/m10k $N_STATUS
	$B/gen migs $B/m1k $N_APPLY
	mkdir -p $B/m1
	cp $B/m1k/000001_create_t000001.sql $B/m1/
	cat $B/m1k/*.sql >$B/all1k.sql
	{ echo 'BEGIN;'; cat $B/all1k.sql; echo 'COMMIT;'; } >$B/all1k_tx.sql
	$B/gen tables $B/tables5k.sql $N_TABLES
	$B/gen schema $B/schema.sql $SCHEMA_MB
}

if [ -z "${RECKON_BENCH_INSIDE:-}" ]; then
	[ -x ./reckon ] || die "no ./reckon: run 'make bench', which builds it"
	ensure_tools
	mkdir -p $B
	cp ./reckon "$R"
	build_helpers
	generate
	exec pg_virtualenv -t -o fsync=on env RECKON_BENCH_INSIDE=1 \
		"$ROOT/bench/run.sh"
fi

# ---- inside the throwaway cluster: PGHOST, PGPORT, PGUSER, PGPASSWORD set
RES=$B/results.txt
: >"$RES"
export PGDATABASE=postgres
# dropdb --if-exists: no NOTICE when the database is not there
export PGOPTIONS="-c client_min_messages=warning"
# The psql binary itself: Debian's /usr/bin/psql is pg_wrapper, a Perl
# script that costs ~40 ms per start before psql even runs.
PSQL=$(pg_config --bindir 2>/dev/null)/psql
[ -x "$PSQL" ] || PSQL=$(find /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
[ -x "$PSQL" ] || PSQL=psql

# ratio A B: A/B to 2 places; le/ge A B: A <= B, A >= B as numbers.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# row WORKLOAD RECKON BASELINE RATIO TARGET MET
row() { printf '%s|%s|%s|%s|%s|%s\n' "$@" >>"$RES"; }

# field LABEL N < timeit output: the Nth figure of LABEL's line
field() { awk -v l="$1" -v n="$2" '$1 == l { print $(n + 1) }'; }

# timed NAME RUNS -- LABEL PREP CMD ...: run timeit, echo its lines
timed() {
	local name=$1 runs=$2 out
	shift 3
	out=$($B/timeit -n "$runs" -w 1 -- "$@") || die "$name: timing failed"
	printf '%s\n' "$out" | awk -v w="$name" \
		'$1 == "pair" { pair = sprintf("  %-16s reckon/baseline run by run: median %.2f (min %.2f, max %.2f)", w, $2, $3, $4); next }
		{ printf "  %-16s %-8s wall median %8.2f ms (min %8.2f, max %8.2f)  cpu %8.2f ms  rss %5.1f MB (max %.1f)  n=%d\n", w, $1, $2, $3, $4, $8, $5 / 1024, $6 / 1024, $7 }
		END { if (pair != "") print pair }'
	printf '%s\n' "$out" >"$B/last.timeit"
}

# wall_row WORKLOAD TARGET_MS: reckon vs baseline from last.timeit; the
# target is reckon's median wall time
wall_row() {
	local r f met=no
	r=$(field reckon 1 <$B/last.timeit)
	f=$(field baseline 1 <$B/last.timeit)
	le "$r" "$2" && met=yes
	row "$1" "$r ms (cpu $(field reckon 7 <$B/last.timeit))" \
		"$f ms (cpu $(field baseline 7 <$B/last.timeit))" \
		"$(ratio "$r" "$f")" "<= $2 ms" "$met"
}

# ratio_row WORKLOAD MAX_RATIO: the target is the ratio of the medians
ratio_row() {
	local r f x met=no
	r=$(field reckon 1 <$B/last.timeit)
	f=$(field baseline 1 <$B/last.timeit)
	x=$(ratio "$r" "$f")
	le "$x" "$2" && met=yes
	row "$1" "$r ms (cpu $(field reckon 7 <$B/last.timeit))" \
		"$f ms (cpu $(field baseline 7 <$B/last.timeit))" \
		"$x" "ratio <= $2" "$met"
}

# rss_row WORKLOAD MAX_MB: the max over the runs, not the median
rss_row() {
	local r f met=no
	r=$(awk '$1 == "reckon" { printf "%.1f", $6 / 1024 }' <$B/last.timeit)
	f=$(awk '$1 == "baseline" { printf "%.1f", $6 / 1024 }' <$B/last.timeit)
	le "$r" "$2" && met=yes
	row "$1" "$r MB" "$f MB" "$(ratio "$r" "$f")" "<= $2 MB" "$met"
}

pg_db() { dropdb --if-exists "$1" && createdb "$1"; }

machine() {
	local cpu cores threads mem
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	threads=$(grep -c '^processor' /proc/cpuinfo)
	cores=$(nproc)
	mem=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
	say "machine: $cpu, $cores cores usable ($threads logical CPUs), $mem RAM, Linux $(uname -r)"
	say "software: $(psql -XAtc 'SHOW server_version') PostgreSQL (fsync=$(psql -XAtc 'SHOW fsync'), synchronous_commit=$(psql -XAtc 'SHOW synchronous_commit'), TCP ${PGHOST}:${PGPORT}), SQLite $(sqlite3 -version | cut -d' ' -f1), $($R --version 2>&1 | head -1), tree $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty')"
	$B/timeit -n 21 -w 3 -- spawn "" "exec true" reckon "" "exec $R --version" \
		psql "" "exec $PSQL --version" sqlite3 "" "exec sqlite3 -version" >$B/last.timeit
	say "timer: bench/timeit: wall from fork to wait4; cpu = user+sys from wait4; peak RSS = wait4 ru_maxrss (what GNU time %M prints)"
	say "start-up (median wall / cpu, included in every figure): sh -c 'exec true' $(field spawn 1 <$B/last.timeit) / $(field spawn 7 <$B/last.timeit) ms; reckon --version $(field reckon 1 <$B/last.timeit) / $(field reckon 7 <$B/last.timeit) ms ($(ldd "$R" | grep -c '=>') shared libraries); $PSQL --version $(field psql 1 <$B/last.timeit) / $(field psql 7 <$B/last.timeit) ms; sqlite3 -version $(field sqlite3 1 <$B/last.timeit) / $(field sqlite3 7 <$B/last.timeit) ms"
	say "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at start; other work on the machine widens the min..max spread"
	say "runs: $RUNS timed (+1 warm-up) per command, $APPLY_RUNS for apply; alternating A B / B A; figures are medians; ratio = reckon time / baseline time"
}

bench_status() {
	local q="SELECT name, sha256, applied_at FROM reckon_migrations"
	say ""
	say "== 1. status: $N_STATUS files (~1 KB CREATE TABLE + CREATE INDEX), $N_STATUS applied rows"
	say "   baseline: read the rows ($q) with the DB's own CLI, then sha256sum every file: the I/O and hashing any status must do"
	rm -f $B/status.db $B/status.db.reckon-backup-*
	$R --db sqlite:$B/status.db --dir $B/m10k mark-applied --all >/dev/null
	$R --db sqlite:$B/status.db --dir $B/m10k status | tail -1 | sed 's/^/   check sqlite: /'
	timed "status sqlite" "$RUNS" -- \
		reckon "" "exec $R --db sqlite:$B/status.db --dir $B/m10k status" \
		baseline "" "sqlite3 $B/status.db '$q' && exec sha256sum $B/m10k/*.sql" \
		floor "" "exec $B/floor $B/m10k"
	say "   (floor: bench/floor.c, readdir + open/read/close + SHA-256 of every file, in one C process: the files' share of any status)"
	wall_row "status 10k, SQLite" 50
	rss_row "status 10k, SQLite, peak RSS" 32
	say "   cross-check /usr/bin/time -f %M: $( { /usr/bin/time -f '%M KB' "$R" --db sqlite:$B/status.db --dir $B/m10k status >/dev/null; } 2>&1 | tail -1)"

	pg_db bench_status
	$R --db dbname=bench_status --dir $B/m10k mark-applied --all >/dev/null
	$R --db dbname=bench_status --dir $B/m10k status | tail -1 | sed 's/^/   check postgres: /'
	timed "status postgres" "$RUNS" -- \
		reckon "" "exec $R --db dbname=bench_status --dir $B/m10k status" \
		baseline "" "$PSQL -X -A -t -d bench_status -c '$q' && exec sha256sum $B/m10k/*.sql"
	wall_row "status 10k, PostgreSQL" 100
	rss_row "status 10k, PostgreSQL, peak RSS" 32
}

bench_apply() {
	say ""
	say "== 2. apply $N_APPLY migrations in one batch, fresh database per run"
	say "   baseline: sqlite3 DB < (BEGIN; the files concatenated; COMMIT;) and psql -X -q -1 -v ON_ERROR_STOP=1 -f (the files concatenated)"
	timed "apply sqlite" "$APPLY_RUNS" -- \
		reckon "rm -f $B/apply_r.db $B/apply_r.db.reckon-backup-*" "exec $R --db sqlite:$B/apply_r.db --dir $B/m1k run" \
		baseline "rm -f $B/apply_b.db" "exec sqlite3 $B/apply_b.db < $B/all1k_tx.sql"
	say "   check: tables reckon=$(sqlite3 $B/apply_r.db "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name LIKE 't%'") sqlite3=$(sqlite3 $B/apply_b.db "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name LIKE 't%'")"
	ratio_row "apply 1k, SQLite" 1.15

	timed "apply postgres" "$APPLY_RUNS" -- \
		reckon "dropdb --if-exists bench_apply_r && createdb bench_apply_r" "exec $R --db dbname=bench_apply_r --dir $B/m1k run" \
		baseline "dropdb --if-exists bench_apply_b && createdb bench_apply_b" "exec $PSQL -X -q -1 -v ON_ERROR_STOP=1 -d bench_apply_b -f $B/all1k.sql"
	say "   check: tables reckon=$(psql -XAt -d bench_apply_r -c "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]'") psql=$(psql -XAt -d bench_apply_b -c "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]'")"
	ratio_row "apply 1k, PostgreSQL" 1.15
}

bench_noop() {
	local q="SELECT name, sha256, applied_at FROM reckon_migrations"
	say ""
	say "== 3. no-op run: $N_APPLY files, all applied"
	say "   baseline: read the rows with the DB's CLI + sha256sum the files (as in 1)"
	rm -f $B/noop.db $B/noop.db.reckon-backup-*
	$R --db sqlite:$B/noop.db --dir $B/m1k run >/dev/null
	timed "noop sqlite" "$RUNS" -- \
		reckon "" "exec $R --db sqlite:$B/noop.db --dir $B/m1k run" \
		baseline "" "sqlite3 $B/noop.db '$q' && exec sha256sum $B/m1k/*.sql" \
		floor "" "exec $B/floor $B/m1k"
	wall_row "no-op run 1k, SQLite" 20

	pg_db bench_noop
	$R --db dbname=bench_noop --dir $B/m1k run >/dev/null
	timed "noop postgres" "$RUNS" -- \
		reckon "" "exec $R --db dbname=bench_noop --dir $B/m1k run" \
		baseline "" "$PSQL -X -A -t -d bench_noop -c '$q' && exec sha256sum $B/m1k/*.sql"
	wall_row "no-op run 1k, PostgreSQL" 20
}

bench_parse() {
	local out lex split cmpl ddl met
	say ""
	say "== 4. parser throughput on $(du -m $B/schema.sql | cut -f1) MB of generated PostgreSQL schema (in memory, one buffer, 5 passes)"
	say "   baseline: sqlite3_complete() over the same bytes (SQLite's own tokenizer state machine)"
	say "   MB/s of the thread's CPU time (median; = wall on an idle machine), wall-clock median beside it"
	out=$(timeout 900 $B/parse_bench $B/schema.sql) || die "parse_bench failed or took over 15 minutes"
	printf '%s\n' "$out" | awk '$1 != "bytes" { printf "  %-18s median %8.1f MB/s  best %8.1f MB/s  (wall %8.1f MB/s)  count %s\n", $1, $2, $3, $5, $4 }'
	lex=$(printf '%s\n' "$out" | field lex 1)
	split=$(printf '%s\n' "$out" | field split 1)
	cmpl=$(printf '%s\n' "$out" | field sqlite3_complete 1)
	met=no; ge "$lex" 300 && met=yes
	row "lexer (sql_token)" "$lex MB/s" "$cmpl MB/s" "$(ratio "$cmpl" "$lex")" ">= 300 MB/s" "$met"
	row "splitter (sql_split)" "$split MB/s" "$cmpl MB/s" "$(ratio "$cmpl" "$split")" "(no target)" "-"
	if [ -s $B/ddl.status ]; then
		say "   $(cat $B/ddl.status)"
		row "DDL extraction" "not built" "-" "-" ">= 100 MB/s" "n/a"
	else
		ddl=$(printf '%s\n' "$out" | field ddl 1)
		met=no; ge "$ddl" 100 && met=yes
		row "DDL extraction (ddl_extract)" "$ddl MB/s" "$cmpl MB/s" "$(ratio "$cmpl" "$ddl")" ">= 100 MB/s" "$met"
	fi
}

bench_detect() {
	local qs="SELECT name FROM sqlite_schema WHERE type = 'table'"
	local qp="SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
	say ""
	say "== 5. detect: $N_TABLES unrelated tables (5 columns each) + reckon_migrations"
	say "   baseline: one catalog query listing every user table (schema, name) with the DB's CLI"
	rm -f $B/detect.db $B/detect.db.reckon-backup-*
	sqlite3 $B/detect.db <$B/tables5k.sql
	$R --db sqlite:$B/detect.db --dir $B/m1 mark-applied --all >/dev/null
	say "   check sqlite: $($R --db sqlite:$B/detect.db detect | grep -c reckon_migrations) line(s) naming reckon_migrations"
	timed "detect sqlite" "$RUNS" -- \
		reckon "" "exec $R --db sqlite:$B/detect.db detect" \
		baseline "" "exec sqlite3 $B/detect.db \"$qs\""
	wall_row "detect 5k tables, SQLite" 30

	pg_db bench_detect
	psql -X -q -v ON_ERROR_STOP=1 -d bench_detect -f $B/tables5k.sql
	$R --db dbname=bench_detect --dir $B/m1 mark-applied --all >/dev/null
	say "   check postgres: $($R --db dbname=bench_detect detect | grep -c reckon_migrations) line(s) naming reckon_migrations"
	timed "detect postgres" "$RUNS" -- \
		reckon "" "exec $R --db dbname=bench_detect detect" \
		baseline "" "exec $PSQL -X -A -t -d bench_detect -c \"$qp\""
	wall_row "detect 5k tables, PostgreSQL" 30
}

summary() {
	say ""
	say "== summary (ratio = reckon time / baseline time; lower is better)"
	{
		echo "workload|reckon|baseline|ratio|target|met?"
		echo "--------|------|--------|-----|------|----"
		cat "$RES"
	} | awk -F'|' '
		{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
		END { for (r = 1; r <= n; r++) {
			line = ""
			for (i = 1; i <= 6; i++) {
				v = c[r, i]
				if (r == 2) { v = ""; while (length(v) < w[i]) v = v "-" }
				line = line sprintf(i == 1 ? "%-*s" : " | %-*s", w[i], v)
			}
			print line } }'
	say "met: $(grep -c '|yes$' "$RES") of $(grep -c '|yes$\||no$' "$RES") targets (times: wall median, cpu = user+sys median beside it; throughput: CPU-time median)"
	say "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at the end"
}

T0=$(date +%s)
machine
want status && bench_status
want apply && bench_apply
want noop && bench_noop
want parse && bench_parse
want detect && bench_detect
summary
say "bench took $(($(date +%s) - T0)) s inside the cluster"
