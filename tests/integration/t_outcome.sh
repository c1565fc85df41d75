# What a run reports is what it did: per-file outcomes (committed,
# rolled_back, partial, not_started, skipped) against the database itself,
# the run lock across segments, and SIGINT/SIGTERM.

# recorded NAME: the native table has a row for NAME
recorded() {
	[ "$(sql "select count(*) from reckon_migrations where name = '$1'" | grep -E '^[0-9]+$')" = 1 ]
}
# execs NAME: how many times a file logged its execution in execlog
execs() { sql "select count(*) from execlog where f = '$1'" | grep -E '^[0-9]+$' || echo 0; }

four_with_bad_third() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	mig 003_bad.sql "CREATE TABLE c (id integer);
INSERT INTO no_such_table VALUES (1);"
	mig 004_d.sql "CREATE TABLE d (id integer);"
}

test_outcome_per_file_failure_reports_commits() {
	four_with_bad_third
	rk run --per-file --json
	expect_rc 1
	jqe '.ok == false'
	jqe '[.applied[].name] == ["001_a.sql","002_b.sql"]'
	jqe '.committed == ["001_a.sql","002_b.sql"]'
	jqe '.rolled_back == ["003_bad.sql"] and .not_started == ["004_d.sql"]'
	jqe '.transactions == 3 and .planned_transactions == 4'
	jqe '.summary | test("2 committed and recorded \\(001_a.sql, 002_b.sql\\)")'
	jqe '.summary | test("nothing applied") | not'
	check "001 recorded" recorded 001_a.sql
	check "002 recorded" recorded 002_b.sql
	check "003 not recorded" ! recorded 003_bad.sql
	check "a committed" table_exists a
	check "c rolled back" ! table_exists c
	check "d never ran" ! table_exists d
	# the text says the same, and never "nothing was applied"
	rk run --per-file
	expect_rc 1
	expect_no_err "nothing was applied"
	expect_err "rolled back  003_bad.sql"
	expect_err "not started  004_d.sql"
}

test_outcome_split_batch_failure() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	mig 003_notx.sql "-- reckon:no-transaction
CREATE TABLE c (id integer);"
	mig 004_bad.sql "CREATE TABLE d (id integer);
INSERT INTO no_such_table VALUES (1);"
	mig 005_e.sql "CREATE TABLE e (id integer);"
	rk run --dry-run --json
	jqe '.plan == "3 step(s): 001_a.sql to 002_b.sql in one transaction, 003_notx.sql alone without a transaction, 004_bad.sql to 005_e.sql in one transaction"'
	rk run --json
	expect_rc 1
	jqe '.committed == ["001_a.sql","002_b.sql","003_notx.sql"]'
	jqe '.rolled_back == ["004_bad.sql"] and .not_started == ["005_e.sql"]'
	jqe '.transactions == 3'
	check "003 recorded" recorded 003_notx.sql
	check "c exists" table_exists c
	check "d rolled back" ! table_exists d
	check "e rolled back with it" ! table_exists e
}

test_outcome_no_transaction_file_partial() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_notx.sql "-- reckon:no-transaction
CREATE TABLE p1 (id integer);
CREATE TABLE p2 (id integer);
INSERT INTO no_such_table VALUES (1);
CREATE TABLE p3 (id integer);"
	rk run --json
	expect_rc 1
	jqe '.committed == ["001_a.sql"] and .rolled_back == []'
	jqe '.partial == [{"name":"002_notx.sql","statements_committed":2,"statements":4,"recorded":false,"advice":.partial[0].advice}]'
	jqe '.partial[0].advice | test("statements 1-2 of 002_notx.sql committed")'
	jqe '.summary | test("002_notx.sql partly applied \\(2 of 4 statement\\(s\\) committed, not recorded\\)")'
	check "p1 committed" table_exists p1
	check "p2 committed" table_exists p2
	check "p3 never ran" ! table_exists p3
	check "no native row for a partial file" ! recorded 002_notx.sql
	# run again: its first statement now fails, so nothing more of it
	# commits, and the text says exactly that
	rk run
	expect_rc 1
	expect_err "rolled back  002_notx.sql"
	expect_err "Migration failed in 002_notx.sql; rolled back, nothing applied"
}

# Flyway and golang-migrate record a failure the way they do themselves.
test_outcome_partial_recorded_as_framework_failure() {
	mig V1__a.sql "CREATE TABLE a (id integer);"
	mig V2__notx.sql "-- reckon:no-transaction
CREATE TABLE p1 (id integer);
INSERT INTO no_such_table VALUES (1);"
	rk --framework flyway run --json
	expect_rc 1
	jqe '.partial[0].name == "V2__notx.sql" and .partial[0].recorded == true'
	check "V2 recorded with success = false" test \
		"$(sql "select count(*) from flyway_schema_history where version = '2' and not success")" = 1
	rk --framework flyway status --json
	jqe '[.migrations[] | select(.name == "V2__notx.sql") | .state] == ["failed"]'
}

# A runner that waited for the lock and found the work done says so.
test_outcome_concurrent_runners_no_tx_once() {
	local trial p pids bad=0 trials=20 f applied
	mig 001_log.sql "CREATE TABLE execlog (f text);
INSERT INTO execlog VALUES ('001');"
	mig 002_b.sql "CREATE TABLE b (id integer);
INSERT INTO execlog VALUES ('002');"
	mig 003_notx.sql "-- reckon:no-transaction
INSERT INTO execlog VALUES ('003');
CREATE TABLE c (id integer);"
	mig 004_d.sql "CREATE TABLE d (id integer);
INSERT INTO execlog VALUES ('004');"
	for trial in $(seq 1 $trials); do
		reset_db
		pids=()
		for p in 1 2 3 4 5 6 7 8; do
			"$RECKON" --db "$DB" --dir "$M" --no-backup --lock-wait 60 run \
				>"$T/run$p.out" 2>"$T/run$p.err" &
			pids+=($!)
		done
		for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
		for f in 001 002 003 004; do
			[ "$(execs $f)" = 1 ] || fail "trial $trial: $f executed $(execs $f) times"
		done
		applied=$(grep -l 'Applied 4 migration' "$T"/run*.out | wc -l)
		[ "$applied" = 1 ] || fail "trial $trial: $applied runners applied the batch"
		for p in 1 2 3 4 5 6 7 8; do
			grep -q 'Applied 4 migration\|Nothing to apply' "$T/run$p.out" ||
				fail "trial $trial: runner $p: $(cat "$T/run$p.out" "$T/run$p.err")"
		done
		if grep -l 'Sanitizer\|runtime error:' "$T"/run*.err >/dev/null 2>&1; then
			fail "trial $trial: sanitizer report: $(cat "$T"/run*.err)"
		fi
		if grep -l 'locked\|busy' "$T"/run*.err >/dev/null 2>&1; then
			fail "trial $trial: a lock error: $(cat "$T"/run*.err)"
		fi
	done
	check "8 runners x $trials trials all exited 0" test "$bad" = 0
	echo "    ($trials trials x 8 runners; $(grep -l 'waited' "$T"/run*.out 2>/dev/null | wc -l) losers in the last trial said they waited)"
}

# wait_for SQL: poll (10 s) until a query prints something other than 0
wait_for() {
	local tries=0
	until [ "$(sql "$1")" != 0 ] || [ $tries -gt 100 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
}

BACKENDS_sigint_cancels_pg_statement=pg
test_sigint_cancels_pg_statement() {
	local sig code pid t0 t1
	for sig in INT TERM; do
		new_db
		mig 001_a.sql "CREATE TABLE a (id integer);"
		mig 002_slow.sql "CREATE TABLE slow (id integer);
SELECT pg_sleep(60);"
		mig 003_c.sql "CREATE TABLE c (id integer);"
		"$RECKON" --db "$DB" --dir "$M" --per-file run --json >"$T/out" 2>"$T/err" &
		pid=$!
		wait_for "select count(*) from pg_stat_activity where datname = '$PGDB' and query like '%pg_sleep(60)%' and state = 'active' and pid <> pg_backend_pid()"
		t0=$(date +%s%N)
		kill -$sig $pid
		wait $pid
		RC=$?
		t1=$(date +%s%N)
		OUT=$(cat "$T/out")
		ERR=$(cat "$T/err")
		code=130
		[ $sig = TERM ] && code=143
		expect_rc $code
		check "SIG$sig: exited within 2 s" test $(((t1 - t0) / 1000000)) -lt 2000
		check "SIG$sig: backend idle or gone" test "$(sql "select count(*) from pg_stat_activity where datname = '$PGDB' and state <> 'idle' and pid <> pg_backend_pid()")" = 0
		check "SIG$sig: no locks held" test "$(sql "select count(*) from pg_locks l join pg_stat_activity a using (pid) where a.datname = '$PGDB' and a.pid <> pg_backend_pid()")" = 0
		jqe ".interrupted == \"SIG$sig\" and .committed == [\"001_a.sql\"] and .rolled_back == [\"002_slow.sql\"] and .not_started == [\"003_c.sql\"]"
		expect_err "interrupted by SIG$sig"
		check "SIG$sig: 001 recorded" recorded 001_a.sql
		check "SIG$sig: slow rolled back" ! table_exists slow
		rm -f "$M"/*
		dropdb "$PGDB"
	done
}

# Blocked behind another session's lock rather than sleeping: the same.
BACKENDS_sigint_while_blocked_on_lock=pg
test_sigint_while_blocked_on_lock() {
	local holder pid t0 t1
	sql "CREATE TABLE busy (id integer)" >/dev/null
	mig 001_alter.sql "ALTER TABLE busy ADD COLUMN x integer;"
	psql -X -q -d "$PGDB" -c "BEGIN; LOCK TABLE busy; SELECT pg_sleep(30);" >/dev/null 2>&1 &
	holder=$!
	wait_for "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'busy' and l.granted"
	"$RECKON" --db "$DB" --dir "$M" --lock-timeout 60s run --json >"$T/out" 2>"$T/err" &
	pid=$!
	wait_for "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'busy' and not l.granted"
	t0=$(date +%s%N)
	kill -INT $pid
	wait $pid
	RC=$?
	t1=$(date +%s%N)
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	expect_rc 130
	check "exited within 2 s" test $(((t1 - t0) / 1000000)) -lt 2000
	check "no lock request of reckon's left waiting" test \
		"$(sql "select count(*) from pg_locks where not granted")" = 0
	jqe '.interrupted == "SIGINT" and .rolled_back == ["001_alter.sql"]'
	kill $holder 2>/dev/null
	wait $holder 2>/dev/null
	check "the column was never added" test \
		"$(sql "select count(*) from information_schema.columns where table_name = 'busy' and column_name = 'x'")" = 0
}

BACKENDS_sigint_sqlite_no_hot_journal=sqlite
test_sigint_sqlite_no_hot_journal() {
	local pid
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk run
	mig 002_slow.sql "CREATE TABLE slow (id integer);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c;"
	"$RECKON" --db "$DB" --dir "$M" run >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 1
	kill -INT $pid
	wait $pid
	RC=$?
	ERR=$(cat "$T/err")
	expect_rc 130
	expect_err "Interrupted by SIGINT"
	expect_err "Backup taken before the run: $SQLITE_FILE.reckon-backup-"
	check "no hot journal" test ! -e "$SQLITE_FILE-journal"
	check "slow rolled back" ! table_exists slow
	check "a still there" recorded 001_a.sql
	check "the backup named exists" test -s "$(grep -o "$SQLITE_FILE.reckon-backup-[0-9-]*" <<<"$ERR" | head -1)"
}

# Kill runs at random moments: afterwards the database matches what the
# run printed (SIGINT) or what status says (SIGKILL), exactly.
chaos_files() {
	local i
	mig 01_log.sql "CREATE TABLE execlog (f text);"
	for i in 02 03 04 05 06 07 08 09; do
		if [ $i = 04 ] || [ $i = 07 ]; then
			mig ${i}_t$i.sql "-- reckon:no-transaction
CREATE TABLE t$i (id integer);"
		else
			mig ${i}_t$i.sql "CREATE TABLE t$i (id integer);
INSERT INTO execlog VALUES ('$i');
CREATE INDEX t${i}_i ON t$i (id);"
		fi
	done
}

# chaos_state: the tables, the recorded names and execlog, in three queries
chaos_state() {
	if [ "$BACKEND" = pg ]; then
		TABLES=" $(sql "select string_agg(tablename, ' ') from pg_catalog.pg_tables where schemaname = 'public'") "
	else
		TABLES=" $(sql "select group_concat(name, ' ') from sqlite_schema where type = 'table'") "
	fi
	RECS=" $(sql "select name from reckon_migrations" 2>/dev/null | grep '\.sql$' | tr '\n' ' ') "
	EXECS=$(sql "select f || ':' || count(*) from execlog group by f" 2>/dev/null | grep ':' | tr '\n' ' ')
}

chaos_trial() {
	local sig=$1 delay=$2 flags=$3 pid i name rec tab outcome what
	reset_db
	"$RECKON" --db "$DB" --dir "$M" --no-backup $flags run --json >"$T/out" 2>"$T/err" &
	pid=$!
	sleep "$(printf '0.%03d' "$delay")"
	kill -$sig $pid 2>/dev/null
	wait $pid
	RC=$?
	grep -q 'Sanitizer\|runtime error:' "$T/err" && fail "sanitizer report: $(cat "$T/err")"
	chaos_state
	what="seed $CHAOS_SEED $sig ${delay}ms $flags"
	for i in 02 03 04 05 06 07 08 09; do
		name=${i}_t$i.sql
		rec=0
		tab=0
		[[ $RECS == *" $name "* ]] && rec=1
		[[ $TABLES == *" t$i "* ]] && tab=1
		if [ $sig = KILL ] || ! [ -s "$T/out" ]; then
			# status is the truth: recorded means committed; a table
			# without a record only for the no-transaction file the
			# kill interrupted
			[ $rec = 1 ] && [ $tab = 0 ] && fail "$what: $name recorded, not applied"
			[ $rec = 0 ] && [ $tab = 1 ] && [ $i != 04 ] && [ $i != 07 ] &&
				fail "$what: $name applied, not recorded"
		else
			outcome=$(jq -r --arg n "$name" '[(.outcomes // [])[] | select(.name == $n) | .outcome][0] // "absent"' "$T/out" 2>/dev/null)
			case "$outcome" in
			committed) [ "$rec$tab" = 11 ] || fail "$what: $name said committed, rec=$rec table=$tab" ;;
			partial) [ "$rec$tab" = 01 ] || fail "$what: $name said partial, rec=$rec table=$tab" ;;
			rolled_back | not_started | absent) [ "$rec$tab" = 00 ] || fail "$what: $name said $outcome, rec=$rec table=$tab" ;;
			*) fail "$what: $name: outcome '$outcome': $(head -c 300 "$T/out") $(head -c 300 "$T/err")" ;;
			esac
		fi
	done
	# each transactional file ran at most once
	[[ $EXECS == *":2"* ]] && fail "$what: a file ran twice: $EXECS"
	return 0
}

test_chaos_kill_and_interrupt() {
	local trial span t0 t1 sig flags trials=${CHAOS_TRIALS:-50}
	CHAOS_SEED=${CHAOS_SEED:-$(date +%s)}
	RANDOM=$CHAOS_SEED
	chaos_files
	t0=$(date +%s%N)
	"$RECKON" --db "$DB" --dir "$M" --no-backup run >/dev/null 2>&1
	t1=$(date +%s%N)
	span=$(((t1 - t0) / 1000000))
	[ "$span" -lt 30 ] && span=30
	[ "$span" -gt 999 ] && span=999
	for trial in $(seq 1 $((trials * 2))); do
		sig=KILL
		[ $((trial % 2)) = 0 ] && sig=INT
		flags=
		[ $((RANDOM % 2)) = 0 ] && flags=--per-file
		chaos_trial $sig $((RANDOM % span)) "$flags"
	done
	echo "    (chaos seed $CHAOS_SEED: $trials SIGKILL + $trials SIGINT, run span ${span} ms; replay with CHAOS_SEED=$CHAOS_SEED)"
	pass
}

# A down script that opts out of transactions runs on its own, outside the
# transaction of the others, as run sends such a file: DROP INDEX
# CONCURRENTLY cannot run inside one. A failure after its first statement
# is partial, and the migration stays recorded.
BACKENDS_outcome_down_no_transaction=pg
test_outcome_down_no_transaction() {
	mig 001_t.sql "CREATE TABLE t (id integer);"
	mig 001_t.down.sql "DROP TABLE t;"
	mig 002_idx.sql "-- reckon:no-transaction
CREATE INDEX CONCURRENTLY t_idx ON t (id);"
	mig 002_idx.down.sql "-- reckon:no-transaction
DROP INDEX CONCURRENTLY t_idx;"
	mig 003_u.sql "CREATE TABLE u (id integer);"
	mig 003_u.down.sql "DROP TABLE u;"
	rk run
	expect_rc 0
	[ "$(sql "select count(*) from pg_indexes where indexname = 't_idx'")" = 1 ] && pass ||
		fail "t_idx was not created"
	rk down --steps 3 --dry-run --json
	expect_rc 0
	jqe '[.outcomes[] | .transaction] == [1, null, 2]'
	jqe '.summary | test("in 3 transaction")'
	rk down --steps 3 --json
	expect_rc 0
	jqe '[.outcomes[] | {name, outcome, transaction}] == [
		{"name": "003_u.sql", "outcome": "committed", "transaction": 1},
		{"name": "002_idx.sql", "outcome": "committed", "transaction": null},
		{"name": "001_t.sql", "outcome": "committed", "transaction": 2}]'
	jqe '.transactions == 3'
	check "t is gone" ! table_exists t
	check "u is gone" ! table_exists u
	check "nothing recorded" test "$(sql 'select count(*) from reckon_migrations')" = 0

	# the second statement fails: the first one's undo stays, and so does
	# the record
	rk run
	expect_rc 0
	mig 002_idx.down.sql "-- reckon:no-transaction
DROP INDEX CONCURRENTLY t_idx;
DROP INDEX CONCURRENTLY no_such_index;"
	rk down --steps 2
	expect_rc 1
	expect_err "committed    003_u.sql (reverted)"
	expect_err "PARTIAL      002_idx.sql: 1 of 2 statement(s) committed"
	expect_err "statements 1-1 of 002_idx.sql's down script committed and statement 2 failed"
	expect_err "002_idx.sql stays recorded as applied"
	check "u undone" ! table_exists u
	check "the index's undo stands" test "$(sql "select count(*) from pg_indexes where indexname = 't_idx'")" = 0
	check "002 still recorded" recorded 002_idx.sql
	check "001 untouched" recorded 001_t.sql

	# the first statement fails: nothing of it happened, it stays recorded
	mig 002_idx.down.sql "-- reckon:no-transaction
DROP INDEX CONCURRENTLY no_such_index;"
	save_dump
	rk down --json
	expect_rc 1
	jqe '[.outcomes[] | {name, outcome}] == [{"name": "002_idx.sql", "outcome": "rolled_back"}]'
	expect_unchanged
}

# redo: the newest migration's down script and its up part again, in one
# transaction; a failure in the up part leaves it applied as it was.
test_outcome_redo_sql() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 001_a.down.sql "DROP TABLE a;"
	mig 002_b.sql "CREATE TABLE b (id integer);
INSERT INTO b VALUES (1);"
	mig 002_b.down.sql "DROP TABLE b;"
	rk run
	expect_rc 0
	sql 'INSERT INTO b VALUES (2)' >/dev/null
	save_dump
	rk redo --dry-run --json
	expect_rc 0
	jqe '.summary == "Would redo 1 migration(s) in 1 transaction(s) (dry run, nothing changed)."'
	expect_unchanged
	rk redo --json
	expect_rc 0
	jqe '[.redone[].name] == ["002_b.sql"] and .transactions == 1'
	jqe '.summary == "Redid 1 migration(s) successfully."'
	check "b was rebuilt" test "$(sql 'select count(*) from b')" = 1
	check "a untouched" table_exists a
	check "002 recorded" recorded 002_b.sql
	rk status --check
	expect_rc 0

	# the up part fails: the down rolls back with it
	sql 'INSERT INTO b VALUES (2)' >/dev/null
	mig 002_b.sql "CREATE TABLE b (id integer);
INSERT INTO no_such_table VALUES (1);"
	save_dump
	rk redo
	expect_rc 1
	expect_err "no_such_table"
	expect_err "rolled back"
	expect_unchanged
	check "b keeps its rows" test "$(sql 'select count(*) from b')" = 2

	# a part outside transactions: refused before anything runs
	mig 002_b.sql "CREATE TABLE b (id integer);
INSERT INTO b VALUES (1);"
	mig 003_c.sql "-- reckon:no-transaction
CREATE TABLE c (id integer);"
	mig 003_c.down.sql "DROP TABLE c;"
	rk run --allow-drift
	expect_rc 0
	save_dump
	rk redo
	expect_rc 3
	expect_err "redo: '003_c.sql' runs without a transaction (its up part opts out)"
	expect_err "run 'reckon down', then 'reckon run 003_c.sql'"
	expect_unchanged
}
