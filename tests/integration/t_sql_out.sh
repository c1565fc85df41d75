# run --dry-run --sql: the text is what a real run sends. Applied by psql
# or sqlite3 to a second database, it leaves that database as a real run
# of reckon leaves the first one, and reckon then finds nothing pending.

sql_out_files() {
	mig 001_users.sql "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'a;b');"
	if [ "$BACKEND" = pg ]; then
		mig 002_idx.sql "-- reckon:no-transaction
CREATE INDEX CONCURRENTLY users_name_idx ON users (name);"
	else
		mig 002_idx.sql "-- reckon:no-transaction
CREATE INDEX users_name_idx ON users (name);"
	fi
	mig 003_seed.sql "-- a comment with a ; and a 'quote
INSERT INTO users (id, name) VALUES (1, 'it''s; fine');"
}

# sql_b QUERY: a query on the second database
sql_b() {
	if [ "$BACKEND" = pg ]; then
		psql -X -q -At -d "${PGDB}_b" -c "$1" 2>&1
	else
		sqlite3 "$T/b.db" "$1" 2>&1
	fi
}

# what a run leaves: the users rows and the tracking rows without times
sql_out_state() {
	local q="select installed_rank, name, version, sha256, applied_by, token_hash, applied_zlib from reckon_migrations order by installed_rank"
	if [ "$1" = a ]; then
		sql "select id, name from users order by id"
		sql "$q"
		sql "select count(*) from reckon_migrations where applied_at is null"
	else
		sql_b "select id, name from users order by id"
		sql_b "$q"
		sql_b "select count(*) from reckon_migrations where applied_at is null"
	fi
}

test_sql_out_matches_real_run() {
	sql_out_files
	save_dump
	rk run --dry-run --sql
	expect_rc 0
	expect_unchanged
	printf '%s\n' "$OUT" >"$T/plan.sql"
	expect_out "bound parameters at run time"
	expect_out "INSERT INTO users (id, name) VALUES (1, 'it''s; fine');"
	if [ "$BACKEND" = pg ]; then
		expect_out "BEGIN;"
		check "no BEGIN IMMEDIATE on PostgreSQL" ! grep -q 'BEGIN IMMEDIATE' "$T/plan.sql"
	else
		expect_out "BEGIN IMMEDIATE;"
	fi
	# the batch, then the no-transaction file on its own, then the rest:
	# three transactions, and the index outside all of them
	check "three BEGINs" test "$(grep -c '^BEGIN' "$T/plan.sql")" = 3
	check "three COMMITs" test "$(grep -c '^COMMIT;$' "$T/plan.sql")" = 3
	check "the index runs outside a transaction" test "$(awk '
		/^BEGIN/ { open = 1 } /^COMMIT;$/ { open = 0 }
		/^CREATE INDEX/ { print open }' "$T/plan.sql")" = 0
	check "three tracking rows written" test "$(grep -c '^INSERT INTO \("public"\.\)\?"reckon_migrations"' "$T/plan.sql")" = 3

	# the printed SQL, applied by the engine's own shell to a second
	# database, against a real run on the first
	if [ "$BACKEND" = pg ]; then
		dropdb --if-exists "${PGDB}_b" >/dev/null 2>&1
		createdb "${PGDB}_b"
		check "psql applies the printed SQL" \
			psql -X -q -v ON_ERROR_STOP=1 -d "${PGDB}_b" -f "$T/plan.sql"
		DB_B="dbname=${PGDB}_b"
	else
		check "sqlite3 applies the printed SQL" \
			sqlite3 -bail "$T/b.db" ".read $T/plan.sql"
		DB_B="sqlite:$T/b.db"
	fi
	rk run
	expect_rc 0
	sql_out_state a >"$T/a.state"
	sql_out_state b >"$T/b.state"
	check "two tracking rows or more" test "$(wc -l <"$T/a.state")" -ge 5
	if cmp -s "$T/a.state" "$T/b.state"; then pass; else
		fail "printed SQL and real run differ: $(diff "$T/a.state" "$T/b.state" | head -20)"
	fi
	# reckon reads the second database as fully applied, files unchanged
	"$RECKON" --db "$DB_B" --dir "$M" status --json >"$T/out" 2>"$T/err"
	OUT=$(cat "$T/out")
	jqe '[.migrations[] | select(.state != "applied")] == []'
	jqe '[.migrations[]] | length == 3'
	[ "$BACKEND" = pg ] && dropdb --if-exists "${PGDB}_b" >/dev/null 2>&1
	true
}

test_sql_out_json_and_usage() {
	sql_out_files
	rk run --dry-run --sql
	# the text is one comment line of the plan, then the same SQL
	tail -n +2 "$T/out" >"$T/text.sql"
	save_dump
	rk run --dry-run --sql --json
	expect_rc 0
	jqe '.dry_run == true'
	jqe '.sql | test("INSERT INTO (\"public\"[.])?\"reckon_migrations\"")'
	jqe '[.applied[].name] == ["001_users.sql","002_idx.sql","003_seed.sql"]'
	jq -j .sql <<<"$OUT" >"$T/json.sql"
	if cmp -s "$T/text.sql" "$T/json.sql"; then pass; else
		fail "--json's sql is not the text's: $(diff "$T/text.sql" "$T/json.sql" | head -20)"
	fi
	expect_unchanged
	# a plain dry run has no sql member; --sql needs --dry-run
	rk run --dry-run --json
	jqe 'has("sql") | not'
	rk run --sql
	expect_rc 2
	expect_err "add --dry-run"
	expect_unchanged
	# nothing pending: no SQL, and it says so
	rk run
	rk run --dry-run --sql
	expect_rc 0
	expect_out "Nothing to apply"
}

# --schema's search_path and a Flyway table's bound values, as sent
BACKENDS_sql_out_schema_flyway=pg
test_sql_out_schema_flyway() {
	sql "CREATE SCHEMA app" >/dev/null
	mig V1__init.sql "CREATE TABLE t (id integer);"
	mig V2__more.sql "INSERT INTO t VALUES (1);"
	rk --schema app --framework flyway run --dry-run --sql
	expect_rc 0
	expect_out 'SET LOCAL search_path TO "app";'
	expect_out "'V1__init.sql'"
	printf '%s\n' "$OUT" >"$T/plan.sql"
	dropdb --if-exists "${PGDB}_b" >/dev/null 2>&1
	createdb "${PGDB}_b"
	psql -X -q -d "${PGDB}_b" -c "CREATE SCHEMA app"
	check "psql applies the printed SQL" \
		psql -X -q -v ON_ERROR_STOP=1 -d "${PGDB}_b" -f "$T/plan.sql"
	rk --schema app --framework flyway run
	expect_rc 0
	local q="select installed_rank, version, description, type, script, checksum, installed_by, success from app.flyway_schema_history order by installed_rank"
	check "same history rows" test "$(sql "$q")" = "$(sql_b "$q")"
	check "same table" test "$(sql 'select * from app.t')" = "$(sql_b 'select * from app.t')"
	check "two rows" test "$(sql_b 'select count(*) from app.flyway_schema_history')" = 2
	dropdb --if-exists "${PGDB}_b" >/dev/null 2>&1
}

# lint findings of the plan stay comments: the text still applies
BACKENDS_sql_out_lint_comments=pg
test_sql_out_lint_comments() {
	mig 001_t.sql "CREATE TABLE events (id bigint PRIMARY KEY, v text);"
	rk run
	mig 002_idx.sql "CREATE INDEX events_v ON events (v);"
	rk run --dry-run --sql
	expect_rc 0
	expect_out "-- lint: "
	expect_out "create-index-not-concurrently"
	check "every line that is not SQL is a comment" test \
		"$(grep -c -v '^--\|^BEGIN;$\|^COMMIT;$\|^CREATE INDEX\|^INSERT INTO\|^SET ' "$T/out")" = 0
	check "psql applies it" psql -X -q -v ON_ERROR_STOP=1 -d "$PGDB" -f "$T/out"
	check "the index is there" test "$(sql "select count(*) from pg_indexes where indexname = 'events_v'")" = 1
	rk status --json
	jqe '[.migrations[] | select(.state != "applied")] == []'
}

# SQLite's table rebuild: foreign keys go off around the transaction, as
# the run turns them, and the printed SQL rebuilds the copy the same way
BACKENDS_sql_out_sqlite_rebuild=sqlite
test_sql_out_sqlite_rebuild() {
	mig 001_base.sql "CREATE TABLE parent (id integer PRIMARY KEY, name text);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id));
INSERT INTO parent VALUES (1, 'p');
INSERT INTO child VALUES (1, 1);"
	rk run
	expect_rc 0
	mig 002_rebuild.sql "PRAGMA foreign_keys = OFF;
CREATE TABLE parent_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
INSERT INTO parent_new SELECT id, name FROM parent;
DROP TABLE parent;
ALTER TABLE parent_new RENAME TO parent;
PRAGMA foreign_keys = ON;"
	cp "$SQLITE_FILE" "$T/b.db"
	save_dump
	rk run --dry-run --sql
	expect_rc 0
	expect_unchanged
	printf '%s\n' "$OUT" >"$T/plan.sql"
	check "foreign keys off before BEGIN" test "$(grep -m1 -n '^PRAGMA foreign_keys = OFF;$' "$T/plan.sql" | cut -d: -f1)" -lt \
		"$(grep -m1 -n '^BEGIN IMMEDIATE;$' "$T/plan.sql" | cut -d: -f1)"
	check "restored after COMMIT" test "$(tail -n 1 "$T/plan.sql")" = "PRAGMA foreign_keys = OFF;"
	check "sqlite3 applies it" sqlite3 -bail "$T/b.db" ".read $T/plan.sql"
	rk run
	expect_rc 0
	local q="select name, sha256, token_hash from reckon_migrations order by installed_rank"
	check "same tracking rows" test "$(sql "$q")" = "$(sqlite3 "$T/b.db" "$q")"
	check "same schema" test "$(sqlite3 "$SQLITE_FILE" .schema)" = "$(sqlite3 "$T/b.db" .schema)"
	check "child row kept" test "$(sqlite3 "$T/b.db" 'select count(*) from child')" = 1
}
