# Safety: locks, concurrent runners, crashes, server faults, run options.

# n_files N: N migration files, each creating one table with an index
n_files() {
	local i
	for i in $(seq -w 1 "$1"); do
		mig "${i}_t$i.sql" "CREATE TABLE t$i (id integer PRIMARY KEY, v text DEFAULT 'x;y');
CREATE INDEX t${i}_v ON t$i (v);"
	done
}
count_rows() { sql 'select count(*) from reckon_migrations' | grep -E '^[0-9]+$' || echo 0; }
# After a client is killed, wait until its server process has finished
# (PostgreSQL goes on with a COMMIT already sent).
settle_killed_backend() {
	local tries=0
	[ "$BACKEND" = pg ] || return 0
	while [ "$(sql "select count(*) from pg_stat_activity where application_name = 'reckon' and datname = current_database()")" != 0 ] &&
		[ $tries -lt 100 ]; do
		sleep 0.05
		tries=$((tries + 1))
	done
}
# "ROWS TABLES" read in one statement, so one snapshot.
rows_and_tables() {
	local r
	if [ "$BACKEND" = pg ]; then
		r=$(sql "select (select count(*) from reckon_migrations) || ' ' || (select count(*) from pg_catalog.pg_tables where tablename ~ '^t[0-9]+\$')")
		case $r in
		*ERROR*) echo "0 $(count_tables)" ;;
		*) echo "$r" ;;
		esac
	else
		echo "$(count_rows) $(count_tables)"
	fi
}
count_tables() {
	if [ "$BACKEND" = pg ]; then
		sql "select count(*) from pg_catalog.pg_tables where tablename ~ '^t[0-9]+$'"
	else
		sql "select count(*) from sqlite_schema where type = 'table' and name glob 't[0-9]*'" | grep -E '^[0-9]+$' || echo 0
	fi
}

BACKENDS_check_and_lock_timeout=pg
test_check_and_lock_timeout() {
	mig 001_t.sql "CREATE TABLE locked_t (id integer);"
	rk run
	mig 002_alter.sql "ALTER TABLE locked_t ADD COLUMN v text;"
	rk check --json
	expect_rc 0
	jqe '.safe == true and .pendingCount == 1 and .pendingFiles == ["002_alter.sql"] and .lockCount == 0'
	save_dump # (pg_dump would wait behind the lock below)
	# a session holds the table; another waits behind it
	psql -X -q -d "$PGDB" -c "BEGIN; LOCK TABLE locked_t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT;" >/dev/null 2>&1 &
	local holder=$!
	sleep 0.5
	psql -X -q -d "$PGDB" -c "SELECT count(*) FROM locked_t" >/dev/null 2>&1 &
	local waiter=$!
	sleep 0.5
	rk check --json
	expect_rc 3
	jqe '.safe == false and .lockCount >= 1 and .activeTxCount >= 1'
	jqe '.warnings | any(test("waiting"))'
	local t0=$SECONDS
	rk --lock-timeout 1s run
	expect_rc 1
	expect_err "SQLSTATE 55P03"
	expect_err "raise --lock-timeout"
	check "failed within the lock timeout" test $((SECONDS - t0)) -le 4
	kill $holder $waiter 2>/dev/null
	wait $holder $waiter 2>/dev/null
	expect_unchanged
	rk run
	expect_rc 0
}

# wait_for_lock_queue DBNAME: until a lock request waits in that database
wait_for_lock_queue() {
	local _
	for _ in $(seq 100); do
		[ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_database d ON d.oid = l.database WHERE NOT l.granted AND d.datname = '$1'")" -ge 1 ] && return 0
		sleep 0.1
	done
	fail "no lock request waits in $1"
}
# lock_queue DBNAME TABLE: one session holds TABLE locked, another waits
# for it; their pids are added to QUEUE_PIDS
lock_queue() {
	psql -X -q -d "$1" -c "BEGIN; LOCK TABLE $2; SELECT pg_sleep(30); COMMIT;" >/dev/null 2>&1 &
	QUEUE_PIDS+=($!)
	sleep 0.3
	psql -X -q -d "$1" -c "SELECT count(*) FROM $2" >/dev/null 2>&1 &
	QUEUE_PIDS+=($!)
	wait_for_lock_queue "$1"
}
# end_sessions DBNAME...: terminate every other session on those databases
end_sessions() {
	local db
	for db in "$@"; do
		psql -X -q -At -d postgres -c "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = '$db' AND pid <> pg_catalog.pg_backend_pid()" >/dev/null
	done
}

# Only this database's lock queue counts: the same queue in another
# database on the server leaves check safe; in ours it is unsafe, and the
# table a pending file alters is named with the sessions holding it up.
BACKENDS_check_locks_this_database=pg
test_check_locks_this_database() {
	local other="${PGDB}_other"
	QUEUE_PIDS=()
	mig 001_t.sql "CREATE TABLE locked_t (id integer);"
	rk run
	mig 002_alter.sql "ALTER TABLE locked_t ADD COLUMN v text;"
	dropdb --if-exists "$other" >/dev/null 2>&1
	createdb "$other"
	psql -X -q -d "$other" -c "CREATE TABLE t (id integer);"
	lock_queue "$other" t
	rk check --json
	expect_rc 0
	jqe '.safe == true and .lockCount == 0 and .activeTxCount == 0 and .blocking == [] and .warnings == []'
	rk check
	expect_out "Safe to run."
	# the same queue in our database
	lock_queue "$PGDB" locked_t
	rk check --json
	expect_rc 3
	jqe '.safe == false and .lockCount == 1 and .activeTxCount == 2'
	jqe '.blocking | length == 1 and .[0].relation == "locked_t" and .[0].file == "002_alter.sql" and (.[0].pids | length == 2) and .[0].waiting == 1'
	jqe '.warnings | any(test("^.002_alter.sql. alters locked_t, which 2 other session"))'
	rk check
	expect_rc 3
	expect_out "Blocking:        locked_t (altered by 002_alter.sql): 2 session(s), 1 waiting"
	expect_out "NOT safe to run."
	end_sessions "$other" "$PGDB"
	kill "${QUEUE_PIDS[@]}" 2>/dev/null
	wait "${QUEUE_PIDS[@]}" 2>/dev/null
	dropdb --force "$other"
}

# A pending code migration whose framework's tool is not installed (no
# node_modules here, no knex on PATH) is one 'run' cannot execute: check
# says so, naming the command it would use.
test_check_code_migration() {
	mig 20240101000000_init.js "exports.up = (knex) => knex.schema.createTable('a', (t) => t.increments());"
	rk --framework knex check --json
	expect_rc 3
	jqe '.safe == false and .pendingFiles == ["20240101000000_init.js"]'
	jqe '.warnings | any(test("cannot execute 1 pending migration\\(s\\): .20240101000000_init.js. \\(Knex migrations are JavaScript\\): knex is not installed.*the command would be knex"))'
	rk --framework knex check
	expect_rc 3
	expect_out "warning: 'reckon run' cannot execute 1 pending migration(s): '20240101000000_init.js'"
	# what check warns about is what run refuses, before anything runs
	save_dump
	rk --framework knex run
	expect_rc 2
	expect_err "cannot execute 1 pending migration(s): '20240101000000_init.js' (Knex migrations are JavaScript): knex is not installed"
	expect_unchanged
}

test_concurrent_runners() {
	local iter pids p bad=0 rows
	n_files 5
	for iter in $(seq 1 20); do
		reset_db
		pids=()
		for p in 1 2 3 4 5 6 7 8; do
			"$RECKON" --db "$DB" --dir "$M" --lock-wait 60 run >"$T/run$p.out" 2>"$T/run$p.err" &
			pids+=($!)
		done
		for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
		rows=$(count_rows)
		[ "$rows" = 5 ] || fail "iteration $iter: $rows tracking rows, want 5"
		[ "$(count_tables)" = 5 ] || fail "iteration $iter: tables missing"
		grep -l "ran " "$T"/run*.out >/dev/null || fail "iteration $iter: no runner applied anything"
		[ "$(grep -l 'Applied 5' "$T"/run*.out | wc -l)" = 1 ] ||
			fail "iteration $iter: not exactly one runner applied the batch"
	done
	check "every runner exited 0 (losers as no-ops)" test "$bad" = 0
}

test_sigkill_mid_run() {
	local iter pid delay rows tables full=0 empty=0
	n_files 100
	# how long an uninterrupted run takes, to aim the kills inside it
	local t0 t1 span
	t0=$(date +%s%N)
	"$RECKON" --db "$DB" --dir "$M" --no-backup run >/dev/null 2>&1
	t1=$(date +%s%N)
	span=$(( (t1 - t0) / 1000000 ))
	[ "$span" -lt 20 ] && span=20
	for iter in $(seq 1 50); do
		reset_db
		"$RECKON" --db "$DB" --dir "$M" --no-backup run >/dev/null 2>&1 &
		pid=$!
		delay=$(( RANDOM % span ))
		sleep "$(printf '0.%03d' "$delay")"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		# the killed client's server process may still be committing:
		# read once it is gone, rows and tables in one snapshot
		settle_killed_backend
		read -r rows tables <<<"$(rows_and_tables)"
		if [ "$rows" = 0 ] && [ "$tables" = 0 ]; then
			empty=$((empty + 1))
		elif [ "$rows" = 100 ] && [ "$tables" = 100 ]; then
			full=$((full + 1))
		else
			fail "iteration $iter (killed after ${delay} ms): $rows rows, $tables tables"
		fi
		"$RECKON" --db "$DB" --dir "$M" --no-backup run >/dev/null 2>"$T/next.err" ||
			fail "iteration $iter: the next run did not complete: $(cat "$T/next.err")"
		[ "$(count_rows)" = 100 ] || fail "iteration $iter: next run left $(count_rows) rows"
	done
	echo "    (sigkill: $empty before commit, $full after, of 50; run span ${span} ms)"
	check "50 kills, each all-or-nothing" test $((empty + full)) = 50
}

BACKENDS_server_stopped_mid_run=pg
test_server_stopped_mid_run() {
	command -v pg_ctlcluster >/dev/null || return 0
	n_files 3
	mig 004_slow.sql "SELECT pg_sleep(3);"
	mig 005_after.sql "CREATE TABLE after_t (id integer);"
	save_dump
	"$RECKON" --db "$DB" --dir "$M" run >"$T/out" 2>"$T/err" &
	local pid=$!
	sleep 1
	pg_ctlcluster "${PGVERSION:-15}" regress stop -m immediate >/dev/null 2>&1
	wait "$pid"
	RC=$?
	ERR=$(cat "$T/err")
	pg_ctlcluster "${PGVERSION:-15}" regress start >/dev/null 2>&1
	local tries=0
	until pg_isready -q || [ $tries -gt 50 ]; do sleep 0.2; tries=$((tries + 1)); done
	expect_rc 1
	expect_one_error
	check "nothing half-applied after restart" test "$(count_tables)" = 0
	check "no tracking rows" test "$(count_rows)" = 0
	rk run
	expect_rc 0
	check "the next run completes" test "$(count_rows)" = 5
}

test_run_to_steps_per_file() {
	n_files 5
	rk run --steps 2 --json
	expect_rc 0
	jqe '[.applied[].name] == ["1_t1.sql","2_t2.sql"] and .transactions == 1'
	rk run --to 4 --json
	jqe '[.applied[].name] == ["3_t3.sql","4_t4.sql"]'
	mig 6_bad.sql "CREATE TABLE t6 (id integer);
SELEC 1;"
	rk run --per-file --json
	expect_rc 1
	jqe '[.applied[].name] == ["5_t5.sql"] and .failed.name == "6_bad.sql" and .transactions == 2'
	check "5 stayed applied in per-file mode" test "$(count_rows)" = 5
	check "t6 rolled back" ! table_exists t6
}

BACKENDS_sqlite_backup=sqlite
test_sqlite_backup() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk run
	mig 002_b.sql "CREATE TABLE b (id integer);"
	rk run --json
	jqe '.backup != null'
	local b
	b=$(jq -r .backup <<<"$OUT")
	check "backup file exists" test -s "$b"
	check "backup has the state before the run" test \
		"$(sqlite3 "$b" "select count(*) from reckon_migrations")" = 1
	mig 003_c.sql "CREATE TABLE c (id integer);"
	rk run --no-backup --json
	jqe '.backup == null'
}

BACKENDS_sqlite_foreign_keys_off=sqlite
test_sqlite_foreign_keys_off() {
	mig 001_base.sql "PRAGMA foreign_keys = ON;
CREATE TABLE parent (id integer PRIMARY KEY, name text);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id));
INSERT INTO parent VALUES (1, 'p');
INSERT INTO child VALUES (1, 1);"
	rk run
	expect_rc 0
	# the classic table rebuild: only works with foreign keys off
	mig 002_rebuild.sql "PRAGMA foreign_keys = OFF;
CREATE TABLE parent_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');
INSERT INTO parent_new SELECT id, name FROM parent;
DROP TABLE parent;
ALTER TABLE parent_new RENAME TO parent;
PRAGMA foreign_keys = ON;"
	rk run
	expect_rc 0
	check "child row kept" test "$(sql 'select count(*) from child')" = 1
	mig 003_dangling.sql "-- reckon:foreign-keys off
DELETE FROM parent;"
	save_dump
	rk run
	expect_rc 1
	expect_err "foreign key check failed"
	expect_unchanged
}

BACKENDS_no_transaction_opt_out=pg
test_no_transaction_opt_out() {
	mig 001_t.sql "CREATE TABLE ct (id integer);"
	mig 002_idx.sql "-- reckon:no-transaction
CREATE INDEX CONCURRENTLY ct_id ON ct (id);"
	mig 003_u.sql "CREATE TABLE cu (id integer);"
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["001_t.sql","002_idx.sql","003_u.sql"] and .transactions == 3'
	check "index built" test "$(sql "select count(*) from pg_indexes where indexname = 'ct_id'")" = 1
	rk status --check
	expect_rc 0
}

test_down_and_new() {
	mig 001_a.up.sql "CREATE TABLE a (id integer);"
	mig 001_a.down.sql "DROP TABLE a;"
	mig 002_b.sql "-- migrate:up
CREATE TABLE b (id integer);
-- migrate:down
DROP TABLE b;"
	mig 003_c.sql "CREATE TABLE c (id integer);"
	rk run
	expect_rc 0
	save_dump
	rk down
	expect_rc 3
	expect_err "'003_c.sql' (no down script)"
	expect_unchanged
	check "c kept" table_exists c
	rm "$M/003_c.sql"
	rk unmark 003_c.sql --yes
	rk down --dry-run --json
	jqe '.dry_run == true and [.reverted[].name] == ["002_b.sql"]'
	check "dry run kept b" table_exists b
	rk down --steps 2 --json
	expect_rc 0
	jqe '[.reverted[].name] == ["002_b.sql","001_a.up.sql"] and .summary == "Reverted 2 migration(s) successfully."'
	check "b dropped" ! table_exists b
	check "a dropped" ! table_exists a
	rk status --json
	jqe '.summary.pending == 2 and .summary.applied == 0'
	rk run
	mig 002_b.sql "-- migrate:up
CREATE TABLE b (id integer);
-- migrate:down
DROP TABLE nope_missing;"
	rk repair 002_b.sql
	save_dump
	rk down --to 0
	expect_rc 1
	expect_err "nope_missing"
	expect_unchanged
	rk_raw --dir "$M" new "Add users: email!" --json
	expect_rc 0
	jqe '.created == ["'"$M"'/003_Add_users_email.sql"]'
	check "new file has sections" grep -q "migrate:down" "$M/003_Add_users_email.sql"
	rk_raw --dir "$M" new "!!!"
	expect_rc 2
}

# 2,100 tables hold ~8,400 lock-table entries until commit; the default
# server's table is sized for 64 x 122 backends = 7,808: refuse first.
BACKENDS_lock_table_budget=pg
test_lock_table_budget() {
	local i
	for i in $(seq -w 1 2100); do
		printf 'CREATE TABLE lt%s (id integer PRIMARY KEY, v text);\n' "$i" >"$M/${i}_lt.sql"
	done
	rk check --json
	expect_rc 3
	jqe '.locksNeeded == 8400 and .lockCapacity == 7808 and (.warnings | any(test("lock-table")))'
	save_dump
	rk run
	expect_rc 1
	expect_one_error
	expect_err "would hold about 8400 lock-table entries until it commits; the server has room for 7808"
	expect_err "max_locks_per_transaction"
	expect_unchanged
	rk run --steps 10
	expect_rc 0
	check "a smaller batch runs" test "$(sql 'select count(*) from reckon_migrations')" = 10
}
