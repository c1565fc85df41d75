# Helpers for the integration tests (sourced by run.sh). Each test_*
# function runs once per backend, pg and sqlite (or the backends listed in
# a variable BACKENDS_<name>), in a fresh temp dir with a fresh database:
#   $T        the test's temp dir (removed afterwards)
#   $DB       the database URL for reckon
#   $BACKEND  pg or sqlite
#   $M        a migrations dir under $T (empty)
# Assertions count into PASS/FAIL; a failing assertion prints why.

RECKON=${RECKON:-$RECKON_ROOT/build/san/reckon}
# A sanitizer report exits 99 (ASan) or 98 (UBSan), never 1, so a crash can
# never pass for an expected failure; expect_rc and rk name it as a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}
unset DATABASE_URL RECKON_DATABASE_URL
PASS=0
FAIL=0
FAILED_TESTS=()
NDB=0

fail() {
	FAIL=$((FAIL + 1))
	FAILED_TESTS+=("$CUR")
	echo "  FAIL [$CUR] $*" >&2
}
pass() { PASS=$((PASS + 1)); }

# check DESCRIPTION [!] COMMAND...: passes when the command succeeds
# (or, after "!", fails)
check() {
	local what=$1 want=0
	shift
	if [ "$1" = "!" ]; then want=1; shift; fi
	"$@" >/dev/null 2>&1
	if [ "$(( $? != 0 ))" = "$want" ]; then pass; else fail "$what"; fi
}

# rk ARGS...: run reckon on $DB and $M; sets OUT, ERR, RC
rk() {
	"$RECKON" --db "$DB" --dir "$M" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	if grep -q 'Sanitizer\|runtime error:' "$T/err"; then
		fail "sanitizer report from: reckon $*"
		cat "$T/err" >&2
	fi
}
# rk_raw ARGS...: like rk without the implicit --db and --dir
rk_raw() {
	"$RECKON" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	if grep -q 'Sanitizer\|runtime error:' "$T/err"; then
		fail "sanitizer report from: reckon $*"
		cat "$T/err" >&2
	fi
}

expect_rc() {
	if [ "$RC" = 98 ] || [ "$RC" = 99 ]; then
		fail "reckon crashed (sanitizer exit $RC), expected exit $1; stderr: $ERR"
	elif [ "$RC" = "$1" ]; then pass; else
		fail "expected exit $1, got $RC; stderr: $ERR"
	fi
}
expect_err() {
	if grep -qF -- "$1" <<<"$ERR"; then pass; else
		fail "stderr lacks '$1'; stderr: $ERR"
	fi
}
expect_no_err() {
	if grep -qF -- "$1" <<<"$ERR$OUT"; then
		fail "output contains '$1': $ERR $OUT"
	else pass; fi
}
expect_out() {
	if grep -qF -- "$1" <<<"$OUT"; then pass; else
		fail "stdout lacks '$1'; stdout: $OUT"
	fi
}
# jqe EXPR: the jq expression must be true of $OUT
jqe() {
	if jq -e "$1" >/dev/null 2>&1 <<<"$OUT"; then pass; else
		fail "jq '$1' is not true of: $(head -c 1500 <<<"$OUT")"
	fi
}
# one_line: stderr is exactly one "reckon: ..." line plus optional
# indented detail/hint lines
expect_one_error() {
	local n
	n=$(grep -c '^reckon: ' <<<"$ERR")
	if [ "$n" = 1 ]; then pass; else fail "expected one error line: $ERR"; fi
}

# sql QUERY: run a query on the test database, print the result
sql() {
	if [ "$BACKEND" = pg ]; then
		psql -X -q -At -d "$PGDB" -c "$1" 2>&1
	elif [ -e "$SQLITE_FILE" ]; then
		# (the sqlite3 shell would create a missing file)
		sqlite3 "$SQLITE_FILE" "$1" 2>&1
	fi
}
table_exists() {
	if [ "$BACKEND" = pg ]; then
		[ "$(sql "select count(*) from pg_catalog.pg_tables where tablename = '$1'")" = 1 ]
	else
		[ "$(sql "select count(*) from sqlite_schema where type='table' and name = '$1'")" = 1 ]
	fi
}
# dump: everything in the database, to compare before/after
dump() {
	if [ "$BACKEND" = pg ]; then
		pg_dump -d "$PGDB" --no-owner 2>&1 | grep -v '^--\|^\\\(un\)\?restrict '
	else
		# a missing file and an empty one are the same (empty) database
		if [ -s "$SQLITE_FILE" ]; then sha256sum <"$SQLITE_FILE"; else echo empty; fi
	fi
}
save_dump() { dump >"$T/before.dump"; }
expect_unchanged() {
	dump >"$T/after.dump"
	if cmp -s "$T/before.dump" "$T/after.dump"; then pass; else
		fail "database changed: $(diff "$T/before.dump" "$T/after.dump" | head -20)"
	fi
}

# mig NAME CONTENT: write a migration file
mig() { printf '%s\n' "$2" >"$M/$1"; }

new_db() {
	NDB=$((NDB + 1))
	if [ "$BACKEND" = pg ]; then
		PGDB="rk_t$NDB"
		dropdb --if-exists "$PGDB" >/dev/null 2>&1
		createdb "$PGDB"
		DB="dbname=$PGDB"
	else
		SQLITE_FILE="$T/test$NDB.db"
		DB="sqlite:$SQLITE_FILE"
	fi
}

# reset_db: empty the test database again (cheaper than new_db's
# createdb, which waits for a checkpoint)
reset_db() {
	if [ "$BACKEND" = pg ]; then
		psql -X -q -d "$PGDB" -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1
	else
		rm -f "$SQLITE_FILE" "$SQLITE_FILE"-* "$SQLITE_FILE".reckon-*
	fi
}

run_test() {
	local fn=$1 backends var
	var="BACKENDS_${fn#test_}"
	backends=${!var:-"pg sqlite"}
	for BACKEND in $backends; do
		CUR="$fn/$BACKEND"
		T=$(mktemp -d)
		M="$T/migrations"
		mkdir -p "$M"
		# the hash cache of this test alone, gone with $T
		export XDG_CACHE_HOME="$T/xdg-cache"
		new_db
		local before=$FAIL t0=$SECONDS
		"$fn"
		[ "$FAIL" = "$before" ] && echo "  ok   $CUR ($((SECONDS - t0)) s)"
		[ "$BACKEND" = pg ] && dropdb --if-exists "$PGDB" >/dev/null 2>&1
		rm -rf "$T"
	done
}

summary() {
	echo
	if [ "$FAIL" -gt 0 ]; then
		printf 'failed: %s\n' "${FAILED_TESTS[@]}" | sort -u
	fi
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
}
