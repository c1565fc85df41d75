# reckon serve's PostgreSQL connection pool (--pool): requests at once all
# answer, what one request leaves in its session (a setting, an advisory
# lock) is gone before the next request gets the connection, and a pooled
# connection whose backend was terminated is opened again.

BACKENDS_serve_pool_concurrent=pg
test_serve_pool_concurrent() {
	two_files
	serve_start --pool 2 --max-per-client 0
	local i pids=()
	for i in $(seq 24); do
		curl -s --max-time 60 -o "$T/st$i" -w '%{http_code}' \
			"$URL$API/idempotent/status" >"$T/code$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	local bad=0
	for i in $(seq 24); do
		[ "$(cat "$T/code$i")" = 200 ] || { bad=$((bad + 1)); continue; }
		jq -e '.summary.pending == 2' "$T/st$i" >/dev/null || bad=$((bad + 1))
	done
	check "24 status requests at once all answered 200 with 2 pending ($bad bad)" test "$bad" = 0
	# the pool keeps at most 2 idle connections, and keeps them
	local n
	n=$(sql "select count(*) from pg_catalog.pg_stat_activity where application_name = 'reckon serve'")
	check "2 pooled connections stay open (got $n)" test "$n" = 2
	serve_stop
}

BACKENDS_serve_pool_no_leak=pg
test_serve_pool_no_leak() {
	mig 001_leave.sql "SET myapp.leak = 'leaked';
SELECT pg_catalog.pg_advisory_lock(4242);
CREATE TABLE t1 (id integer);"
	RECKON_TOKEN=$SERVE_TOKEN serve_start --pool 1
	post $API/idempotent/run '{}'
	expect_code 200
	# the session that ran 001 sits in the pool: its lock must be gone
	check "the run's advisory lock is released on return" \
		test "$(sql "select pg_catalog.pg_try_advisory_lock(4242)")" = t
	# the next run gets the same (only) pooled connection and records
	# what its session sees of the setting 001 made
	mig 002_see.sql "CREATE TABLE seen AS SELECT coalesce(pg_catalog.current_setting('myapp.leak', true), '') AS v,
  pg_catalog.current_setting('lock_timeout') AS lt;"
	post $API/idempotent/run '{}'
	expect_code 200
	check "the setting of one request is not seen by the next" \
		test "$(sql "select v from seen")" = ""
	check "the lock_timeout reckon sets is set again after the reset" \
		test "$(sql "select lt from seen")" = 5s
	serve_stop
}

BACKENDS_serve_pool_reopen=pg
test_serve_pool_reopen() {
	two_files
	serve_start --pool 4
	hc GET $API/idempotent/status
	expect_code 200
	local n
	n=$(sql "select count(pg_catalog.pg_terminate_backend(pid)) from pg_catalog.pg_stat_activity where application_name = 'reckon serve'")
	check "a pooled connection was there to terminate ($n)" test "$n" -ge 1
	hc GET $API/idempotent/status
	expect_code 200
	jqe '.summary.pending == 2'
	serve_stop
}

test_serve_pool_bad_size() {
	two_files
	RUN_OUT=$("$RECKON" --db "$DB" --dir "$M" serve --listen 127.0.0.1:0 --pool 17 2>&1)
	local rc=$?
	check "--pool 17 exits 2 ($rc)" test "$rc" = 2
	check "and says why" grep -q -- '--pool: 17 is not between 0 and 16' <<<"$RUN_OUT"
}

# Status requests keep their queries prepared on the pooled connection:
# a table they read changing its columns' types, and the statements going
# away, still give the status; a run that gets the same connection sees
# none of them.
BACKENDS_serve_pool_kept_plans=pg
test_serve_pool_kept_plans() {
	two_files
	rk run 001_users.sql
	expect_rc 0
	RECKON_TOKEN=$SERVE_TOKEN serve_start --pool 1
	local i
	for i in 1 2 3 4 5 6 7; do
		hc GET $API/idempotent/status
		expect_code 200
	done
	jqe '[.migrations[].state] == ["applied", "pending"]'
	# the statement reading the table now answers with another type
	sql "ALTER TABLE reckon_migrations ALTER COLUMN applied_by TYPE varchar(200)" >/dev/null
	hc GET $API/idempotent/status
	expect_code 200
	jqe '[.migrations[].state] == ["applied", "pending"]'
	hc GET $API/idempotent/status
	expect_code 200
	jqe '.migrations[0].applied_at != null'
	mig 003_seen.sql "CREATE TABLE seen_plans AS SELECT pg_catalog.count(*) AS n FROM pg_catalog.pg_prepared_statements;"
	post $API/idempotent/run '{}'
	expect_code 200
	check "the run's session holds no prepared statement of the status requests" \
		test "$(sql "select n from seen_plans")" = 0
	hc GET $API/idempotent/status
	expect_code 200
	jqe '[.migrations[].state] == ["applied", "applied", "applied"]'
	serve_stop
}
