# run: a batch is applied in one transaction and recorded; a failure
# anywhere leaves no table and no tracking row behind.

three_files() {
	mig 001_users.sql "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'a;b');"
	mig 002_orders.sql "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));
CREATE INDEX orders_user_idx ON orders (user_id);"
	mig 003_seed.sql "-- a comment with a ; and a 'quote
INSERT INTO users (id, name) VALUES (1, 'it''s; fine');"
}

test_run_applies_batch() {
	three_files
	rk run --json
	expect_rc 0
	jqe '.ok == true'
	jqe '.summary == "Applied 3 migration(s) successfully."'
	jqe '[.applied[].name] == ["001_users.sql","002_orders.sql","003_seed.sql"]'
	jqe '.applied | all(.hash | test("^[0-9a-f]{64}$"))'
	jqe '.applied | all(.ms >= 0)'
	jqe '.failed == null'
	check "users table created" table_exists users
	check "orders table created" table_exists orders
	check "seed row" test "$(sql "select name from users where id = 1")" = "it's; fine"
	check "3 tracking rows" test "$(sql 'select count(*) from reckon_migrations')" = 3
	check "stored hash is the file's" test \
		"$(sql "select sha256 from reckon_migrations where name = '001_users.sql'")" = \
		"$(sha256sum <"$M/001_users.sql" | cut -d' ' -f1)"
	check "ranks in order" test "$(sql 'select name from reckon_migrations order by installed_rank' | tr '\n' ' ')" = \
		"001_users.sql 002_orders.sql 003_seed.sql "
	rk run
	expect_rc 0
	expect_out "Nothing to apply"
	check "still 3 rows" test "$(sql 'select count(*) from reckon_migrations')" = 3
}

test_run_text_progress() {
	three_files
	rk run
	expect_rc 0
	expect_out "ran      001_users.sql"
	expect_out "Applied 3 migration(s) successfully"
}

test_run_failure_rolls_back_everything() {
	three_files
	mig 004_bad.sql "CREATE TABLE fine (id integer);

INSERT INTO no_such_table VALUES (1);"
	save_dump
	rk run --json
	expect_rc 1
	jqe '.ok == false'
	jqe '.applied == []'
	jqe '.failed.name == "004_bad.sql"'
	jqe '.failed.line == 3'
	jqe '.failed.statement == "INSERT INTO no_such_table VALUES (1);"'
	jqe '.failed.error | test("no_such_table")'
	if [ "$BACKEND" = pg ]; then jqe '.failed.sqlstate == "42P01"'; fi
	check "no users table" ! table_exists users
	check "no fine table" ! table_exists fine
	check "no tracking table" ! table_exists reckon_migrations
	expect_unchanged
	rk run
	expect_rc 1
	expect_err "004_bad.sql:3:"
	expect_err "Migration failed in 004_bad.sql; rolled back, nothing applied (4 migration(s) not applied)."
	expect_err ">    3 | INSERT INTO no_such_table"
}

test_run_failure_after_earlier_batch() {
	three_files
	rk run
	expect_rc 0
	mig 004_more.sql "CREATE TABLE more (id integer);"
	mig 005_bad.sql "CREATE TABLE more2 (id integer);
SELEC 1;"
	save_dump
	rk run
	expect_rc 1
	expect_err "005_bad.sql:2:"
	if [ "$BACKEND" = pg ]; then expect_err "SQLSTATE 42601"; fi
	expect_unchanged
	check "004 not recorded" test "$(sql "select count(*) from reckon_migrations where name = '004_more.sql'")" = 0
}

test_run_dry_run_touches_nothing() {
	three_files
	save_dump
	rk run --dry-run --json
	expect_rc 0
	jqe '.dry_run == true and .ok == true'
	jqe '.summary == "Would apply 3 migration(s) in 1 transaction(s) (dry run, nothing changed)."'
	jqe '(.applied | length) == 3'
	expect_unchanged
	check "no tracking table" ! table_exists reckon_migrations
}

test_run_named_only() {
	three_files
	rk run 001_users.sql --json
	expect_rc 0
	jqe '[.applied[].name] == ["001_users.sql"]'
	rk run 009_nope.sql
	expect_rc 2
	expect_err "no migration file '009_nope.sql'"
}

test_run_file_with_own_begin_commit() {
	mig 001_tx.sql "BEGIN;
CREATE TABLE a (id integer);
COMMIT;"
	mig 002_bad.sql "CREATE TABLE b (id integer);
INSERT INTO missing VALUES (1);"
	save_dump
	rk run
	expect_rc 1
	check "a rolled back despite the file's COMMIT" ! table_exists a
	expect_unchanged
	rm "$M/002_bad.sql"
	rk run
	expect_rc 0
	expect_out "its own BEGIN/COMMIT was not sent"
	check "a created" table_exists a
}

test_run_refuses_rollback_in_file() {
	mig 001_rb.sql "CREATE TABLE a (id integer);
ROLLBACK;"
	save_dump
	rk run
	expect_rc 1
	expect_err "001_rb.sql:2: ROLLBACK would end reckon's transaction"
	expect_unchanged
}

BACKENDS_run_refuses_no_transaction_statement=pg
test_run_refuses_no_transaction_statement() {
	mig 001_t.sql "CREATE TABLE t (id integer);"
	mig 002_idx.sql "CREATE INDEX CONCURRENTLY t_idx ON t (id);"
	save_dump
	rk run
	expect_rc 1
	expect_err "002_idx.sql:1: CREATE INDEX CONCURRENTLY"
	expect_err "cannot run inside a transaction"
	expect_unchanged
}

test_run_dbmate_file_runs_only_up_section() {
	mig 20240101000000_users.sql "-- migrate:up
CREATE TABLE users (id integer);

-- migrate:down
DROP TABLE users;"
	rk run
	expect_rc 0
	check "users exists (down section not run)" table_exists users
}

test_run_records_name_literally() {
	mig "V2__x'); DROP TABLE t;--.sql" "CREATE TABLE lit (id integer);"
	mig "V1__t.sql" "CREATE TABLE t (id integer);"
	rk run
	expect_rc 0
	check "t still exists" table_exists t
	check "name stored literally" test \
		"$(sql "select name from reckon_migrations where version = '2'")" = \
		"V2__x'); DROP TABLE t;--.sql"
	rk status --json
	jqe '.summary.applied == 2'
}

test_mark_applied_then_run() {
	three_files
	rk mark-applied 001_users.sql --json
	expect_rc 0
	jqe '.marked == ["001_users.sql"]'
	check "users not created by mark" ! table_exists users
	check "one row" test "$(sql 'select count(*) from reckon_migrations')" = 1
	rk mark-applied 001_users.sql --json
	expect_rc 0
	jqe '.marked == [] and .skipped[0].reason == "already applied"'
	rk status --json
	jqe '.summary == {"applied":1,"pending":2,"modified":0,"orphaned":0,"failed":0,"ignored":0,"unknown":0}'
	rk mark-applied nope.sql
	expect_rc 2
	expect_err "no migration file 'nope.sql'"
	rk mark-applied --all
	expect_rc 0
	rk status --check
	expect_rc 0
}

test_unmark_orphan() {
	three_files
	rk run
	rm "$M/003_seed.sql"
	rk unmark 003_seed.sql
	expect_rc 2
	expect_err "pass --yes"
	rk unmark 003_seed.sql --yes --json
	expect_rc 0
	jqe '.unmarked == ["003_seed.sql"]'
	rk status --check
	expect_rc 0
}

# make demo's script, as the README's first command runs it
BACKENDS_make_demo_script=sqlite
test_make_demo_script() {
	(cd "$RECKON_ROOT" && ./scripts/demo.sh) >"$T/demo.out" 2>&1
	RC=$?
	OUT=$(cat "$T/demo.out")
	ERR=$OUT
	expect_rc 0
	expect_out "Applied 3 migration(s) successfully"
	expect_out "(exit 3: the drift gate"
	expect_out "Applied 1 migration(s) successfully"
}
