# verify (saved databases upgraded in throwaway copies, compared with a
# fresh build) and diff (the live schema against the migrations'), on
# real SQLite files and a real PostgreSQL server with real pg_dump files.

# Three migrations: users, an index on it, an orders table.
verify_migs() {
	mig 001_users.sql "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, age integer DEFAULT 0);"
	mig 002_email.sql "CREATE INDEX users_email ON users (email);"
	mig 003_orders.sql "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id), total numeric NOT NULL);"
}

# scratch_left: throwaway databases (PG) or directories (SQLite) of
# reckon's still there; prints their count
scratch_left() {
	if [ "$BACKEND" = pg ]; then
		psql -X -q -At -d postgres -c "SELECT count(*) FROM pg_catalog.pg_database WHERE datname LIKE 'reckon\_scratch\_%'"
	else
		find /tmp -maxdepth 1 -name 'reckon-scratch-*' -newer "$T/start" 2>/dev/null | wc -l
	fi
}

# no_scratch_left [WHEN]: every throwaway database is gone (WHEN: "after
# SIGINT" and the like, for the message).
no_scratch_left() {
	local n
	n=$(scratch_left)
	[ "$n" = 0 ] && pass || fail "throwaway databases left${1:+ $1}: $n"
}

# verify_signal SIGNAL SNAPSHOT: start verify on SNAPSHOT, wait until a
# throwaway database runs the pg_sleep(60) planted in it, send SIGNAL;
# RC and ERR are verify's.
verify_signal() {
	local sig=$1 snap=$2 pid i
	"$RECKON" --db "$DB" --dir "$M" verify --from "$snap" >"$T/out" 2>"$T/err" &
	pid=$!
	for i in $(seq 1 100); do
		[ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND datname LIKE 'reckon\\_scratch\\_%'")" = 1 ] && break
		sleep 0.1
	done
	kill "-$sig" "$pid"
	wait "$pid"
	RC=$?
	ERR=$(cat "$T/err")
}

BACKENDS_verify_sqlite_snapshots=sqlite
test_verify_sqlite_snapshots() {
	touch "$T/start"
	verify_migs
	# release 1: 001 applied; clean: upgrades to the fresh build's schema
	rk run --steps 1
	expect_rc 0
	cp "$SQLITE_FILE" "$T/v1.db"
	# a database on which 002 fails: someone made users_email by hand
	cp "$T/v1.db" "$T/v2.db"
	sqlite3 "$T/v2.db" "CREATE INDEX users_email ON users (id)"
	# one that upgrades but ends up different: a hand-made column
	cp "$T/v1.db" "$T/v3.db"
	sqlite3 "$T/v3.db" "ALTER TABLE users ADD COLUMN legacy text"
	sha256sum "$T"/v?.db >"$T/sums"
	rk verify --from "$T/v1.db" "$T/v2.db" "$T/v3.db" --json
	expect_rc 3
	jqe '.ok == false and (.snapshots | length) == 3'
	jqe '.snapshots[0] | .format == "sqlite" and .upgraded and .identical and .applied == ["002_email.sql", "003_orders.sql"] and .differences == []'
	jqe '.snapshots[1] | .upgraded == false and .stopped_at == "upgrade" and .identical == null and .failed.name == "002_email.sql" and .failed.statement == "CREATE INDEX users_email ON users (email);" and (.failed.error | test("already exists"))'
	jqe '.snapshots[2] | .upgraded and .identical == false and .differences == [{"change": "only_upgraded", "severity": "difference", "kind": "column", "schema": "main", "table": "users", "name": "legacy", "field": null, "upgraded": null, "fresh": null}]'
	jqe '.fresh_applied == ["001_users.sql", "002_email.sql", "003_orders.sql"]'
	# text: the same facts
	rk verify --from "$T/v1.db" "$T/v2.db" "$T/v3.db"
	expect_rc 3
	expect_out "v1.db (sqlite): upgraded, 2 migration(s) applied; schema identical to a fresh build"
	expect_out "FAILED at upgrade of 002_email.sql line 1"
	expect_out "statement: CREATE INDEX users_email ON users (email);"
	expect_out "schema DIFFERS from a fresh build"
	expect_out "3 snapshot(s): 1 upgraded to the fresh build's schema, 1 failed, 1 differ."
	# the clean one alone passes
	rk verify --from "$T/v1.db"
	expect_rc 0
	# the snapshots were never written, the throwaways are gone
	check "snapshots unchanged" sha256sum -c --quiet "$T/sums"
	no_scratch_left
	[ ! -e "$T/v1.db-journal" ] && [ ! -e "$T/v1.db.reckon-lock" ] && pass || fail "files made beside a snapshot"
}

BACKENDS_verify_bad_snapshots=sqlite
test_verify_bad_snapshots() {
	verify_migs
	rk verify
	expect_rc 2
	expect_err "verify: give --from SNAPSHOT"
	rk verify --from "$T/nope.db"
	expect_rc 1
	expect_err "cannot read snapshot '$T/nope.db'"
	expect_one_error
	head -c 600 /dev/urandom >"$T/junk.bin"
	printf '\377\376' | cat - "$T/junk.bin" >"$T/junk2.bin"
	rk verify --from "$T/junk2.bin"
	expect_rc 1
	expect_err "neither a SQLite database nor a pg_dump file"
	# a pg_dump with nowhere to restore it
	printf -- '-- PostgreSQL database dump\n' >"$T/x.sql"
	rk_raw --dir "$M" verify --from "$T/x.sql" --dev-db "sqlite:$T/s.db"
	expect_rc 2
	expect_err "needs a PostgreSQL server"
}

BACKENDS_verify_pg_dumps=pg
test_verify_pg_dumps() {
	verify_migs
	# the release database: 001 and 002 applied, dumped both ways
	rk run --steps 2
	expect_rc 0
	pg_dump -d "$PGDB" -f "$T/rel.sql"
	pg_dump -Fc -d "$PGDB" -f "$T/rel.dump"
	# one that differs after the upgrade: a hand-made index
	psql -X -q -d "$PGDB" -c "CREATE INDEX hand_age ON users (age)"
	pg_dump -Fc -d "$PGDB" -f "$T/hand.dump"
	# one whose upgrade fails: orders already there
	psql -X -q -d "$PGDB" -c "DROP INDEX hand_age; CREATE TABLE orders (id integer)"
	pg_dump -d "$PGDB" -f "$T/clash.sql"
	sha256sum "$T"/rel.sql "$T"/rel.dump "$T"/hand.dump "$T"/clash.sql >"$T/sums"
	save_dump
	rk verify --from "$T/rel.sql" "$T/rel.dump" "$T/hand.dump" "$T/clash.sql" --dev-db "$DB" --json
	expect_rc 3
	jqe '[.snapshots[].format] == ["pg_plain", "pg_custom", "pg_custom", "pg_plain"]'
	jqe '.snapshots[0] | .upgraded and .identical and .applied == ["003_orders.sql"]'
	jqe '.snapshots[1] | .upgraded and .identical and .applied == ["003_orders.sql"]'
	jqe '.snapshots[2] | .upgraded and .identical == false and ([.differences[] | [.change, .kind, .table, .name]] == [["only_upgraded", "index", "users", "hand_age"]])'
	jqe '.snapshots[3] | .upgraded == false and .stopped_at == "upgrade" and .failed.name == "003_orders.sql" and .failed.sqlstate == "42P07"'
	jqe '.server | test("dbname=")'
	# the live database and the dumps are as they were; no throwaway left
	expect_unchanged
	check "dumps unchanged" sha256sum -c --quiet "$T/sums"
	no_scratch_left
	# without --dev-db, the server of --db is used
	rk verify --from "$T/rel.dump"
	expect_rc 0
	expect_out "rel.dump (pg_custom): upgraded, 1 migration(s) applied; schema identical to a fresh build"
	no_scratch_left
	# a dump that does not restore: the error of psql, and nothing left
	printf 'CREATE TABLE broken (;\n' >"$T/broken.sql"
	rk verify --from "$T/broken.sql" --json
	expect_rc 3
	jqe '.snapshots[0] | .stopped_at == "restore" and (.error | test("psql exited 3")) and (.error | test("syntax error"))'
	no_scratch_left "after a failed restore"
}

# A role that may not create databases gets told what to pass.
BACKENDS_verify_no_createdb=pg
test_verify_no_createdb() {
	verify_migs
	psql -X -q -d "$PGDB" -c "DROP ROLE IF EXISTS rk_nocreate; CREATE ROLE rk_nocreate LOGIN PASSWORD 'pw-nocreate'" >/dev/null
	rk run --steps 1
	pg_dump -Fc -d "$PGDB" -f "$T/rel.dump"
	rk_raw --dir "$M" verify --from "$T/rel.dump" --dev-db "postgresql://rk_nocreate:pw-nocreate@$PGHOST:$PGPORT/$PGDB"
	expect_rc 1
	expect_err "cannot create the throwaway database"
	expect_err "CREATEDB"
	expect_no_err "pw-nocreate"
	psql -X -q -d "$PGDB" -c "DROP ROLE rk_nocreate" >/dev/null
}

# diff after a hand-made CREATE INDEX and DROP COLUMN on the live database
test_diff_hand_made_changes() {
	touch "$T/start"
	verify_migs
	rk run
	expect_rc 0
	local dev=()
	[ "$BACKEND" = pg ] && dev=(--dev-db "$DB")
	rk diff "${dev[@]}" --json
	expect_rc 0
	jqe '.identical == true and .differences == []'
	sql "CREATE INDEX hand ON users (email, id)" >/dev/null
	sql "ALTER TABLE users DROP COLUMN age" >/dev/null
	save_dump
	rk diff "${dev[@]}" --json
	expect_rc 3
	jqe '.identical == false and .summary.only_live == 1 and .summary.only_migrations == 1 and .summary.changed == 0'
	jqe '[.differences[] | [.change, .kind, .table, .name]] == [["only_migrations", "column", "users", "age"], ["only_live", "index", "users", "hand"]]'
	jqe '.framework == "reckon"'
	rk diff "${dev[@]}"
	expect_rc 3
	expect_out "only in the live database (1):"
	expect_out "only in the migrations (1):"
	expect_out "2 difference(s): 1 only in the live database, 1 only in the migrations, 0 changed."
	# the live database was only read
	expect_unchanged
	# a changed column: nullability and type
	if [ "$BACKEND" = pg ]; then
		sql "ALTER TABLE users ALTER COLUMN email DROP NOT NULL; ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2)" >/dev/null
		save_dump
		rk diff "${dev[@]}" --json
		expect_rc 3
		jqe '[.differences[] | select(.change == "changed") | [.table, .name, .field, .live, .migrations]] == [["orders", "total", "type", "numeric(12,2)", "numeric"], ["users", "email", "nullable", "NULL", "NOT NULL"]]'
		expect_unchanged
	fi
	no_scratch_left
}

BACKENDS_diff_needs_dev_db=pg
test_diff_needs_dev_db() {
	verify_migs
	rk run
	save_dump
	rk diff
	expect_rc 2
	expect_err "diff: PostgreSQL needs a scratch server to build the migrations' schema on: pass --dev-db URL"
	expect_one_error
	rk diff --dev-db "sqlite:$T/x.db"
	expect_rc 2
	expect_err "--dev-db must be a PostgreSQL server"
	expect_unchanged
	[ ! -e "$T/x.db" ] && pass || fail "diff created the sqlite file"
}

# Another framework's table is left out on both sides, and the build is
# recorded as that framework (its file names).
BACKENDS_diff_other_framework=sqlite
test_diff_other_framework() {
	mig V1__users.sql "CREATE TABLE users (id integer PRIMARY KEY);"
	mig V2__idx.sql "CREATE INDEX users_id ON users (id);"
	rk --framework flyway run
	expect_rc 0
	rk diff --json
	expect_rc 0
	jqe '.framework == "flyway" and .identical'
	rk diff --dev-db "$DB"
	expect_rc 2
	expect_err "--dev-db is for PostgreSQL"
	# a Flyway release database upgrades and is recorded as Flyway does
	cp "$SQLITE_FILE" "$T/rel.db"
	sqlite3 "$T/rel.db" "DROP INDEX users_id; DELETE FROM flyway_schema_history WHERE version = '2'"
	mig V3__more.sql "CREATE TABLE more (id integer);"
	rk verify --from "$T/rel.db" --json
	expect_rc 0
	jqe '.snapshots[0].applied == ["V2__idx.sql", "V3__more.sql"] and .snapshots[0].identical'
}

# A table whose columns stand in another order: information, exit 0.
BACKENDS_diff_column_order=sqlite
test_diff_column_order() {
	mig 001_t.sql "CREATE TABLE t (a integer, b text);"
	sqlite3 "$SQLITE_FILE" "CREATE TABLE t (b text, a integer)"
	rk mark-applied --all
	expect_rc 0
	rk diff --json
	expect_rc 0
	jqe '.identical and .summary.info == 1 and .differences[0].change == "column_order" and .differences[0].severity == "info" and .differences[0].live == "b, a" and .differences[0].migrations == "a, b"'
}

# A signal in the middle of an upgrade: exit 130, and the throwaway
# databases are dropped all the same.
BACKENDS_verify_interrupted=pg
test_verify_interrupted() {
	verify_migs
	rk run --steps 1
	pg_dump -Fc -d "$PGDB" -f "$T/rel.dump"
	mig 004_slow.sql "SELECT pg_catalog.pg_sleep(60);"
	verify_signal INT "$T/rel.dump"
	expect_rc 130
	expect_err "interrupted"
	no_scratch_left "after SIGINT"
}

# A --dev-db URL with a password: psql and pg_restore get it through
# their environment (PGPASSWORD is unset here, so nothing else could
# supply it), and it never shows in the output.
BACKENDS_verify_password_url=pg
test_verify_password_url() {
	verify_migs
	psql -X -q -d "$PGDB" -c "DROP ROLE IF EXISTS rk_creator; CREATE ROLE rk_creator LOGIN CREATEDB PASSWORD 'pw-creator'" >/dev/null
	rk run --steps 1
	pg_dump --no-owner --no-privileges -d "$PGDB" -f "$T/rel.sql"
	pg_dump -Fc -d "$PGDB" -f "$T/rel.dump"
	local url="postgresql://rk_creator:pw-creator@${PGHOST:-localhost}:${PGPORT:-5432}/postgres"
	# (the server does check passwords: the test proves something)
	check "wrong password refused" ! env -u PGPASSWORD psql -X -At -d "${url/pw-creator/wrong}" -c "SELECT 1"
	env -u PGPASSWORD "$RECKON" --db "$DB" --dir "$M" verify --from "$T/rel.sql" "$T/rel.dump" --dev-db "$url" --json >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	expect_rc 0
	jqe '[.snapshots[] | .upgraded and .identical] == [true, true]'
	jqe '.server | test("rk_creator:\\*\\*\\*@")'
	expect_no_err "pw-creator"
	no_scratch_left
	psql -X -q -d "$PGDB" -c "DROP ROLE rk_creator" >/dev/null
}

# A signal while psql restores: psql is stopped, the session it left in
# the throwaway database ended, the database dropped.
BACKENDS_verify_interrupted_restore=pg
test_verify_interrupted_restore() {
	verify_migs
	printf 'CREATE TABLE users (id integer);\nSELECT pg_catalog.pg_sleep(60);\n' >"$T/slow.sql"
	verify_signal TERM "$T/slow.sql"
	expect_rc 143
	expect_err "interrupted while restoring"
	no_scratch_left "after SIGTERM"
	check "no psql left" ! pgrep -f "psql -X -q -v ON_ERROR_STOP=1 -d .*reckon_scratch"
}
