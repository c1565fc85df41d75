# The command line a dbmate or Flyway user expects: labelled databases,
# waiting for the server, and the options around a run.

# rk_tty INPUT ARGS...: rk on a terminal, INPUT typed into it; OUT gets
# everything the terminal showed (stdout and stderr alike)
rk_tty() {
	local input=$1
	shift
	python3 "$RECKON_ROOT/tests/integration/ptyrun.py" "$input" \
		"$RECKON" --db "$DB" --dir "$M" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# A labelled database: every write names the label and, on a terminal,
# wants the label typed back; without a terminal it wants --yes.
test_cli2_label() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	save_dump
	rk --label production run
	expect_rc 2
	expect_err "run writes to 'production'; pass --yes to confirm"
	expect_unchanged
	rk_tty $'y\n' --label production run
	expect_rc 2
	expect_out "Apply the pending migrations on 'production'? Type 'production' to confirm:"
	expect_out "run: not confirmed; nothing changed"
	expect_unchanged
	rk_tty $'production\n' --label production run --steps 1
	expect_rc 0
	expect_out "Applied 1 migration(s)"
	check "001 ran" table_exists a
	check "002 did not" ! table_exists b
	# a dry run writes nothing and asks nothing
	rk --label production run --dry-run
	expect_rc 0
	# the label from reckon.yaml, and --yes for scripts
	printf 'label: staging\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" mark-applied 002_b.sql
	expect_rc 2
	expect_err "mark-applied writes to 'staging'; pass --yes to confirm"
	rk --config "$T/reckon.yaml" mark-applied --yes 002_b.sql
	expect_rc 0
	rk_tty $'y\n' --config "$T/reckon.yaml" unmark 002_b.sql
	expect_rc 2
	expect_out "Delete the tracking record of '002_b.sql' on 'staging'? Type 'staging' to confirm:"
	rk_tty $'staging\n' --config "$T/reckon.yaml" unmark 002_b.sql
	expect_rc 0
	expect_out "record deleted"
	rk --config "$T/reckon.yaml" repair --all
	expect_rc 2
	expect_err "repair writes to 'staging'"
	rk --config "$T/reckon.yaml" down
	expect_rc 2
	expect_err "down writes to 'staging'"
	# without a label, run asks nothing and unmark keeps its y/N
	rk_tty $'y\n' mark-applied 002_b.sql
	expect_rc 0
	rk_tty $'y\n' unmark 002_b.sql
	expect_rc 0
	expect_out "Delete the tracking record of '002_b.sql'? [y/N]"
}

# a TCP port nothing listens on (now)
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# now in ms
now_ms() { date +%s%3N; }

# reckon wait on a server that starts 2 s late: it keeps trying and
# succeeds once the server is up; --wait-for-db does the same before a
# command; a server that never comes up is exit 1 when the time is up.
BACKENDS_cli2_wait=pg
test_cli2_wait() {
	local port url t0 lpid
	mig 001_a.sql "CREATE TABLE a (id integer);"
	port=$(free_port)
	url="host=127.0.0.1 port=$port dbname=$PGDB"
	# nothing listens: give up after the timeout, with libpq's reason
	t0=$(now_ms)
	rk_raw --db "$url" wait --timeout 1.5
	expect_rc 1
	expect_one_error
	expect_err "gave up waiting after 1.5s"
	expect_err "Connection refused"
	check "waited about 1.5 s" test $(($(now_ms) - t0)) -ge 1400
	rk_raw --db "$url" --wait-for-db=0.5s status
	expect_rc 1
	expect_err "gave up waiting after 500ms"
	# a server that starts 2 s late
	python3 "$RECKON_ROOT/tests/integration/late_listener.py" 2 "$port" &
	lpid=$!
	t0=$(now_ms)
	rk_raw --db "$url" --json wait --timeout 30
	expect_rc 0
	jqe '.accepting == true and .server == true and .attempts > 1 and .waited_ms >= 1500'
	check "waited for the late server" test $(($(now_ms) - t0)) -ge 1500
	rk_raw --db "$url" wait
	expect_rc 0
	expect_out "The database accepts connections (waited "
	expect_out " s, 1 try)."
	kill "$lpid"
	wait "$lpid" 2>/dev/null
	# --wait-for-db before a run, the server again 2 s late
	port=$(free_port)
	url="host=127.0.0.1 port=$port dbname=$PGDB"
	python3 "$RECKON_ROOT/tests/integration/late_listener.py" 2 "$port" &
	lpid=$!
	rk_raw --db "$url" --dir "$M" --wait-for-db run
	expect_rc 0
	expect_out "Applied 1 migration(s)"
	check "001 ran" table_exists a
	kill "$lpid"
	wait "$lpid" 2>/dev/null
	# bad durations are usage errors, before anything waits
	rk_raw --db "$url" wait --timeout soon
	expect_rc 2
	expect_err "wait: --timeout: invalid duration 'soon'"
	rk_raw --db "$url" --wait-for-db=8d status
	expect_rc 2
	expect_err "--wait-for-db: invalid duration '8d'"
	# SQLite has no server: nothing to wait for
	rk_raw --db "sqlite:$T/x.db" wait
	expect_rc 0
	expect_out "there is no server to wait for"
	check "wait creates no SQLite file" test ! -e "$T/x.db"
}

# --quiet prints only errors; --verbose says where the settings came
# from (never a password); not both.
test_cli2_quiet_verbose() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk --quiet run
	expect_rc 0
	check "quiet: nothing on stdout" test -z "$OUT"
	check "quiet: nothing on stderr" test -z "$ERR"
	check "quiet still ran it" table_exists a
	rk -q --json status
	expect_rc 0
	jqe '.migrations[0].state == "applied"'
	mig 002_bad.sql "CREATE TABLE a (id integer);"
	rk -q run
	expect_rc 1
	check "quiet: no report on stdout" test -z "$OUT"
	expect_err "reckon: "
	rk --verbose status
	expect_rc 0
	expect_err "reckon: database: "
	expect_err "(from --db)"
	expect_err "reckon: migrations directory: $M"
	expect_out "001_a.sql"
	DATABASE_URL="postgres://someone:hunter2@127.0.0.1:1/x" \
		rk_raw -v --dir "$M" --connect-timeout 2 status
	expect_rc 1
	expect_err "reckon: database: postgres://someone:***@127.0.0.1:1/x (from DATABASE_URL)"
	expect_no_err "hunter2"
	rk -q -v status
	expect_rc 2
	expect_err "give --quiet or --verbose, not both"
}

# --statement-timeout: PostgreSQL's statement_timeout for the session, so
# a statement that runs too long is cancelled and the run rolls back.
BACKENDS_cli2_statement_timeout=pg
test_cli2_statement_timeout() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_slow.sql "SELECT pg_sleep(3);"
	rk --statement-timeout 300ms run
	expect_rc 1
	expect_err "canceling statement due to statement timeout"
	check "the run rolled back" ! table_exists a
	printf 'statement_timeout: 10s\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" run --steps 1
	expect_rc 0
	rk --statement-timeout 2h status
	expect_rc 0
	rk --statement-timeout 10x status
	expect_rc 2
	expect_err "--statement-timeout: invalid duration '10x'"
}

# rk_in DIR ARGS...: rk_raw run from DIR (where reckon.yaml and .env are)
rk_in() {
	local dir=$1
	shift
	(cd "$dir" && "$RECKON" "$@" >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	if grep -q 'Sanitizer\|runtime error:' "$T/err"; then
		fail "sanitizer report from: reckon $*"
		cat "$T/err" >&2
	fi
}

# environments: in reckon.yaml, chosen by --env or RECKON_ENV, each with
# the top level's keys; .env supplies DATABASE_URL and RECKON_* without
# overriding the real environment.
BACKENDS_cli2_environments=sqlite
test_cli2_environments() {
	local p=$T/proj
	mkdir -p "$p/db/main" "$p/db/other"
	printf 'CREATE TABLE a (id integer);\n' >"$p/db/main/001_a.sql"
	printf 'CREATE TABLE o (id integer);\n' >"$p/db/other/001_o.sql"
	cat >"$p/reckon.yaml" <<'YAML'
dir: db/main
lock_timeout: 2s
environments:
  staging:
    database: sqlite:staging.db
  production:
    database: sqlite:prod.db
    label: production
  other:
    database: sqlite:other.db
    dir: db/other
YAML
	rk_in "$p" --env staging run
	expect_rc 0
	expect_out "001_a.sql"
	check "staging's database" test -s "$p/staging.db"
	check "not production's" test ! -e "$p/prod.db"
	RECKON_ENV=other rk_in "$p" --json status
	expect_rc 0
	jqe '.migrations[0].name == "001_o.sql" and .migrations[0].state == "pending"'
	# --env wins over RECKON_ENV
	RECKON_ENV=other rk_in "$p" --env staging --json status
	jqe '.migrations[0].name == "001_a.sql" and .migrations[0].state == "applied"'
	# production's label guards its writes
	rk_in "$p" --env production run
	expect_rc 2
	expect_err "run writes to 'production'; pass --yes to confirm"
	check "production untouched" test ! -s "$p/prod.db"
	rk_in "$p" --env production run --yes
	expect_rc 0
	# a name the file lacks, and keys an environment may not have
	rk_in "$p" --env prod status
	expect_rc 2
	expect_one_error
	expect_err "reckon.yaml has no environment 'prod' (it has: staging, production, other)"
	printf 'environments:\n  x:\n    databse: sqlite:x.db\n' >"$p/bad.yaml"
	rk_in "$p" --config bad.yaml status
	expect_rc 2
	expect_err "bad.yaml:3: environment 'x': unknown key 'databse'"
	printf 'environments:\n  x:\n    lock_timeout: soon\n' >"$p/bad.yaml"
	rk_in "$p" --config bad.yaml --env x status
	expect_rc 2
	expect_err "bad.yaml:3: environment 'x': key 'lock_timeout': invalid duration 'soon'"
	printf 'environments: [x]\n' >"$p/bad.yaml"
	rk_in "$p" --config bad.yaml status
	expect_rc 2
	expect_err "bad.yaml:1: key 'environments': expected a mapping"
	rk_in "$T" --env staging status
	expect_rc 2
	expect_err "environment 'staging' asked for, but there is no reckon.yaml"
	# .env: DATABASE_URL and RECKON_ENV from it, quoted, with export
	cat >"$p/.env" <<'DOTENV'
# local settings
export DATABASE_URL="sqlite:dotenv.db" # a comment
RECKON_ENV='other'
UNRELATED=value
DOTENV
	rk_in "$p" -v --json status
	expect_rc 0
	expect_err "(from DATABASE_URL in .env)"
	expect_err "reckon: environment: other"
	jqe '.migrations[0].name == "001_o.sql"'
	check "UNRELATED stays out" ! grep -q UNRELATED <<<"$ERR"
	# the real environment wins over .env
	DATABASE_URL="sqlite:$p/real.db" rk_in "$p" -v status
	expect_rc 0
	expect_err "reckon: database: sqlite:$p/real.db (from DATABASE_URL)"
	# --db wins over both
	rk_in "$p" -v --db "sqlite:$p/flag.db" status
	expect_err "(from --db)"
	printf 'DATABASE_URL\n' >"$p/.env"
	rk_in "$p" status
	expect_rc 2
	expect_err ".env:1: expected NAME=value"
	printf 'DATABASE_URL="sqlite:x.db\n' >"$p/.env"
	rk_in "$p" status
	expect_rc 2
	expect_err ".env:1: a quoted value is never closed"
}

# mark-applied --to TARGET records every pending file up to the target
# (Flyway's baseline, golang-migrate's force), in the grammar run --to
# takes; a target that names nothing changes nothing.
test_cli2_mark_to() {
	for i in 1 2 3 4; do
		mig "00${i}_t$i.sql" "CREATE TABLE t$i (id integer);"
	done
	save_dump
	rk mark-applied --to 9
	expect_rc 2
	expect_one_error
	expect_err "no migration '9'"
	rk mark-applied --to -1
	expect_rc 2
	expect_err "mark-applied --to -1: -N names applied migrations"
	rk mark-applied --to base
	expect_rc 2
	rk mark-applied --to 2 001_t1.sql
	expect_rc 2
	expect_err "mark-applied: give --to, or names or --all, not both"
	expect_unchanged
	rk --json mark-applied --to 2
	expect_rc 0
	rk --json status
	jqe '[.migrations[] | .state] == ["applied", "applied", "pending", "pending"]'
	check "marking ran nothing" ! table_exists t1
	rk mark-applied --to 003_t3.sql
	expect_rc 0
	expect_out "003_t3.sql"
	expect_out "Marked 1 migration(s)"
	rk mark-applied --to +5
	expect_rc 0
	expect_out "004_t4.sql"
	rk mark-applied --to head
	expect_rc 0
	rk --json status
	jqe '[.migrations[] | .state] == ["applied", "applied", "applied", "applied"]'
}

# down names the down script it runs, in progress and in a failure.
test_cli2_down_names_script() {
	mig 001_a.up.sql "CREATE TABLE a (id integer);"
	mig 001_a.down.sql "DROP TABLE a;"
	mig 002_b.sql "-- migrate:up
CREATE TABLE b (id integer);
-- migrate:down
DROP TABLE b;"
	rk --framework reckon run
	expect_rc 0
	rk down
	expect_rc 0
	expect_out "reverted 002_b.sql (down section)"
	mig 001_a.down.sql "DROP TABLE nope;"
	rk down
	expect_rc 1
	expect_err "001_a.up.sql (down script 001_a.down.sql):1:"
	expect_err "nothing reverted"
	mig 001_a.down.sql "DROP TABLE a;"
	rk down
	expect_rc 0
	expect_out "reverted 001_a.up.sql (down script 001_a.down.sql)"
}

# A Diesel tree read without --framework diesel on a database with no
# tracking table: status lists its files as ignored, with the reason,
# instead of "No migrations found".
test_cli2_unplaced_subdir() {
	mkdir -p "$M/2025-08-01-000014_x"
	printf 'CREATE TABLE x (id integer);\n' >"$M/2025-08-01-000014_x/up.sql"
	printf 'DROP TABLE x;\n' >"$M/2025-08-01-000014_x/down.sql"
	rk --framework reckon status
	expect_rc 0
	expect_no_err "No migrations found"
	expect_out "ignored   2025-08-01-000014_x/up.sql"
	expect_out "in a subdirectory, which this framework does not read"
	expect_out "--framework diesel"
	rk --framework reckon --json status
	jqe '[.migrations[] | select(.state == "ignored") | .name] == ["2025-08-01-000014_x/down.sql", "2025-08-01-000014_x/up.sql"]'
	rk --framework diesel --json status
	jqe '[.migrations[] | .state] == ["pending"]'
	# an empty directory still says so
	rm -r "$M/2025-08-01-000014_x"
	rk --framework reckon status
	expect_out "No migrations found."
}

# Flyway's checksum of a file: CRC-32 of its bytes but CR and LF, signed
flyway_crc() {
	python3 -c 'import sys, zlib
b = open(sys.argv[1], "rb").read().replace(b"\r", b"").replace(b"\n", b"")
c = zlib.crc32(b)
print(c - (1 << 32) if c >= 1 << 31 else c)' "$1"
}

# Flyway placeholders: ${name} replaced in what runs (names in any case),
# versioned files checksummed on their bytes, repeatables after
# replacement; an unknown one is a usage error naming file and line;
# other frameworks run ${x} as written.
test_cli2_placeholders() {
	mig V1__init.sql 'CREATE TABLE ${tbl} (id integer);'
	mig R__view.sql 'DROP VIEW IF EXISTS v;
CREATE VIEW v AS SELECT ${val} AS x, '"'"'${flyway:filename}'"'"' AS f,
 '"'"'${flyway:table}'"'"' AS t;'
	save_dump
	rk --framework flyway run --placeholder val=1
	expect_rc 2
	expect_one_error
	expect_err "V1__init.sql:1: no value for placeholder \${tbl}"
	expect_unchanged
	rk --framework flyway run --dry-run --sql --placeholder tbl=things \
		--placeholder VAL=1
	expect_rc 0
	expect_out 'CREATE TABLE things (id integer);'
	expect_out "CREATE VIEW v AS SELECT 1 AS x, 'R__view.sql' AS f,"
	expect_out " 'flyway_schema_history' AS t;"
	expect_unchanged
	rk --framework flyway run --placeholder tbl=things --placeholder VAL=1
	expect_rc 0
	check "the table has the value's name" table_exists things
	check "no table named by the placeholder" ! table_exists '${tbl}'
	local got want
	got=$(sql "SELECT checksum FROM flyway_schema_history WHERE version = '1'")
	want=$(flyway_crc "$M/V1__init.sql")
	if [ "$got" = "$want" ]; then pass; else
		fail "versioned checksum $got, the raw file's is $want"
	fi
	printf 'placeholders:\n  tbl: things\n  val: 1\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" --json status
	expect_rc 0
	jqe '[.migrations[] | .state] == ["applied", "applied"]'
	rk --config "$T/reckon.yaml" --placeholder val=2 --json status
	expect_rc 0
	jqe '[.migrations[] | .state] == ["applied", "modified"]'
	rk --json status
	expect_rc 2
	expect_err "no value for placeholder"

	reset_db
	rm -f "$M"/*
	mig 001_keep.sql "CREATE TABLE keep (s text); INSERT INTO keep VALUES ('\${x}');"
	rk --framework reckon run --placeholder x=1
	expect_rc 0
	got=$(sql "SELECT s FROM keep")
	if [ "$got" = '${x}' ]; then pass; else
		fail "reckon's own files changed: '$got'"
	fi
}
