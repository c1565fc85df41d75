# reckon serve: the HTTP API with a real client (curl) against a running
# server on loopback, over PostgreSQL and SQLite, and the dashboard in
# headless Chromium (tests/browser/dashboard.mjs). Sourced by run.sh; each
# test_serve_* runs once per backend with its own database, directory and
# server on a free port (--listen 127.0.0.1:0).
#
# Hostile input tried (test_serve_hostile_*): bad JSON, trailing garbage,
# a non-object body, duplicate keys, unknown fields, wrong types, an empty
# list, \u0000 and invalid UTF-8 in strings, 100000-deep nesting, bodies
# over 1 MiB (declared and chunked), a wrong Content-Type, unknown paths and
# methods, a foreign Host header, a bad percent-escape, and preview names
# with '/', '..', %2e%2e, %2f, %00, double encoding, a leading dot, control
# characters, a non-.sql name, a directory, a FIFO and symlinks leading out
# of --dir. Every one must get a 4xx JSON error, leave the server up and the
# database unchanged.

SERVE_TOKEN=serve-test-token-7f3a9c

# serve_start [ARGS...]: start reckon serve on $DB and $M on a free
# loopback port; sets URL and SPID
serve_start() {
	"$RECKON" --db "$DB" --dir "$M" serve --listen 127.0.0.1:0 "$@" \
		2>"$T/serve.log" &
	SPID=$!
	URL=
	for _ in $(seq 200); do
		URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$T/serve.log" | head -1)
		[ -n "$URL" ] && break
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$URL" ] || fail "serve did not start: $(cat "$T/serve.log")"
}

# serve_stop [SIGNAL]: stop it; it must exit 0, say so, and leave no
# sanitizer report and no secret in its log
serve_stop() {
	kill -"${1:-TERM}" "$SPID"
	wait "$SPID"
	local rc=$?
	[ "$rc" = 0 ] || fail "serve exited $rc after SIG${1:-TERM}: $(tail -20 "$T/serve.log")"
	grep -q 'shutting down' "$T/serve.log" || fail "no shutdown line in the log"
	if grep -q 'Sanitizer\|runtime error:' "$T/serve.log"; then
		fail "sanitizer report from reckon serve"
		cat "$T/serve.log" >&2
	fi
	if grep -qF "$SERVE_TOKEN" "$T/serve.log"; then
		fail "the token appears in the access log"
	fi
	if [ "$BACKEND" = pg ] && [ -n "${PGPASSWORD:-}" ] &&
		grep -qF "$PGPASSWORD" "$T/serve.log"; then
		fail "the database password appears in the log"
	fi
}

# hc METHOD PATH [CURL ARGS...]: one request; sets CODE and OUT
hc() {
	local method=$1 path=$2
	shift 2
	CODE=$(curl -s --max-time 60 -o "$T/resp" -w '%{http_code}' \
		-X "$method" "$@" "$URL$path")
	OUT=$(cat "$T/resp")
}
# post PATH BODY [CURL ARGS...]: an authorised JSON POST
post() {
	local path=$1 body=$2
	shift 2
	hc POST "$path" -H "Authorization: Bearer $SERVE_TOKEN" \
		-H 'Content-Type: application/json' --data-binary "$body" "$@"
}
expect_code() {
	if [ "$CODE" = "$1" ]; then pass; else
		fail "expected HTTP $1, got $CODE: $(head -c 600 <<<"$OUT")"
	fi
}
# expect_json_error CODE: that status, and json_error()'s shape
expect_json_error() {
	expect_code "$1"
	jqe '.ok == false and (.error.message | length > 0)'
}

API=/api/migrations
two_files() {
	mig 001_users.sql "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'a;b');"
	mig 002_orders.sql "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));
-- the index
CREATE INDEX orders_user_idx ON orders (user_id);"
}

test_serve_status_is_the_cli_document() {
	two_files
	rk run 001_users.sql
	rk status --json
	local cli=$OUT
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	hc GET $API/idempotent/status
	expect_code 200
	check "status body is status --json" \
		test "$(jq -S . <<<"$OUT")" = "$(jq -S . <<<"$cli")"
	jqe '[.migrations[].state] == ["applied", "pending"]'
	jqe '.summary.pending == 1'
	hc HEAD $API/idempotent/status -I
	expect_code 200
	grep -q 'GET /api/migrations/idempotent/status 200 [0-9]*ms' "$T/serve.log" ||
		fail "no access log line: $(cat "$T/serve.log")"
	serve_stop INT
}

# The API's status is the CLI's document for ignored entries too: a
# dangling link and a non-UTF-8 name do not break it or lose a key.
test_serve_status_ignored_entries() {
	two_files
	ln -s /nonexistent/x.sql "$M/003_dangling.sql"
	mig $'004_caf\xe9.sql' "CREATE TABLE c (id integer);"
	rk status --json
	expect_rc 0
	local cli=$OUT
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	hc GET $API/idempotent/status
	expect_code 200
	check "status body is status --json" \
		test "$(jq -S . <<<"$OUT")" = "$(jq -S . <<<"$cli")"
	jqe '[.migrations[] | [.name, .state]] == [["001_users.sql","pending"],["002_orders.sql","pending"],["003_dangling.sql","ignored"],["004_caf\\xe9.sql","ignored"]]'
	jqe '.summary.ignored == 2 and (.warnings | length == 2)'
	serve_stop
}

# overwrite FILE OFFSET BYTES: write BYTES over FILE's own at OFFSET, in
# place (same inode, same size)
overwrite() {
	printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# The server keeps the scanned directory between requests; every change
# to it shows on the next request: a file edited in place with its size
# and (restored) modification time unchanged, a file edited in the same
# second as the request before, one added, one removed, one edited
# through a hard link made outside the directory after the scan, and
# the target of a symbolic link edited outside the directory.
test_serve_status_sees_changes() {
	two_files
	mig 003_items.sql "CREATE TABLE items (id integer);"
	rk run
	expect_rc 0
	serve_start
	hc GET $API/idempotent/status
	expect_code 200
	jqe '[.migrations[].state] == ["applied", "applied", "applied"]'

	local f=$M/001_users.sql size mtime
	size=$(stat -c %s "$f")
	mtime=$(stat -c %y "$f")
	touch -r "$f" "$T/stamp"
	overwrite "$f" 0 X
	touch -r "$T/stamp" "$f"
	check "size unchanged" test "$(stat -c %s "$f")" = "$size"
	check "modification time unchanged" test "$(stat -c %y "$f")" = "$mtime"
	hc GET $API/idempotent/status
	jqe '[.migrations[] | [.name, .state]] == [["001_users.sql","modified"],["002_orders.sql","applied"],["003_items.sql","applied"]]'

	hc GET $API/idempotent/status
	overwrite "$M/002_orders.sql" 0 X
	hc GET $API/idempotent/status
	jqe '[.migrations[].state] == ["modified", "modified", "applied"]'

	mig 005_more.sql "CREATE TABLE more (id integer);"
	hc GET $API/idempotent/status
	jqe '[.migrations[] | [.name, .state]] | .[3] == ["005_more.sql","pending"]'
	jqe '.summary.pending == 1'
	rm "$M/005_more.sql"
	hc GET $API/idempotent/status
	jqe '(.migrations | length) == 3 and .summary.pending == 0'

	ln "$M/003_items.sql" "$T/items.sql"
	hc GET $API/idempotent/status
	overwrite "$T/items.sql" 0 X
	hc GET $API/idempotent/status
	jqe '[.migrations[] | [.name, .state]] | .[2] == ["003_items.sql","modified"]'

	printf '%s\n' "CREATE TABLE linked (id integer);" >"$T/outside.sql"
	ln -s "$T/outside.sql" "$M/004_linked.sql"
	rk run --allow-drift
	expect_rc 0
	hc GET $API/idempotent/status
	jqe '[.migrations[] | [.name, .state]] | .[3] == ["004_linked.sql","applied"]'
	overwrite "$T/outside.sql" 0 X
	hc GET $API/idempotent/status
	jqe '[.migrations[] | [.name, .state]] | .[3] == ["004_linked.sql","modified"]'
	serve_stop
}

test_serve_run_mark_preview() {
	two_files
	mig 003_items.sql "CREATE TABLE items (id integer);"
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	post $API/idempotent/run '{"dry_run": true}'
	expect_code 200
	jqe '.dry_run == true and ([.applied[].name] == ["001_users.sql","002_orders.sql","003_items.sql"])'
	check "dry run touched nothing" ! table_exists users
	post $API/idempotent/run '{"migrations": ["001_users.sql", "002_orders.sql"]}'
	expect_code 200
	jqe '.ok == true and .summary == "Applied 2 migration(s) successfully."'
	jqe '[.applied[].name] == ["001_users.sql","002_orders.sql"]'
	check "users created" table_exists users
	check "orders created" table_exists orders
	check "items not run" ! table_exists items
	post $API/idempotent/mark-applied '{"migration": "003_items.sql"}'
	expect_code 200
	jqe '.ok == true and .marked == ["003_items.sql"]'
	check "marking ran nothing" ! table_exists items
	post $API/idempotent/mark-applied '{"migration": "003_items.sql"}'
	expect_code 200
	jqe '.marked == [] and .skipped[0].reason == "already applied"'
	post $API/idempotent/run ''
	expect_code 200
	jqe '.ok == true and .applied == [] and .summary == "Nothing to apply: every migration is applied."'
	check "3 tracking rows" test "$(sql 'select count(*) from reckon_migrations')" = 3
	hc GET $API/idempotent/status
	jqe '.summary.applied == 3 and .summary.pending == 0'
	rk status --json
	jqe '.summary.applied == 3'

	hc GET $API/preview/002_orders.sql
	expect_code 200
	jqe '.filename == "002_orders.sql" and .lines == 3'
	check "preview content is the file" test \
		"$(jq -r .content <"$T/resp")" = "$(cat "$M/002_orders.sql")"
	jqe '[.statements[].line] == [1, 3]'
	hc GET $API/preview/001_users%2Esql
	expect_code 200
	jqe '.filename == "001_users.sql"'
	post $API/idempotent/mark-applied '{"migration": "nope.sql"}'
	expect_json_error 400
	post $API/idempotent/run '{"migrations": ["nope.sql"]}'
	expect_json_error 400
	serve_stop
}

# to, steps and allow_drift as the CLI's --to, --steps and --allow-drift,
# refused as the CLI refuses them: exit 2 is 400, the drift gate's 3 is 409
test_serve_run_targets_and_drift() {
	two_files
	mig 003_items.sql "CREATE TABLE items (id integer);"
	save_dump
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	post $API/idempotent/run '{"steps": 0}'
	expect_json_error 400
	jqe '.error.message | test("steps must be 1 or more, not 0")'
	post $API/idempotent/run '{"steps": -3}'
	expect_json_error 400
	post $API/idempotent/run '{"steps": "2"}'
	expect_json_error 400
	post $API/idempotent/run '{"to": "999"}'
	expect_json_error 400
	jqe '.error.message | test("no migration .999.*nearest: .002_orders.sql., .003_items.sql.")'
	post $API/idempotent/run '{"to": ""}'
	expect_json_error 400
	jqe '.error.message | test("the target is empty")'
	post $API/idempotent/run '{"to": 2}'
	expect_json_error 400
	[ "$BACKEND" = pg ] && expect_unchanged
	post $API/idempotent/run '{"to": "001_users.sql", "per_file": true}'
	expect_code 200
	jqe '[.applied[].name] == ["001_users.sql"]'
	post $API/idempotent/run '{"steps": 1}'
	expect_code 200
	jqe '[.applied[].name] == ["002_orders.sql"]'
	mig 001_users.sql "CREATE TABLE users (id integer PRIMARY KEY, email text);"
	post $API/idempotent/run '{}'
	expect_json_error 409
	jqe '.error.kind == "check" and (.error.message | test("001_users.sql"))'
	check "items not created" ! table_exists items
	post $API/idempotent/run '{"allow_drift": "yes"}'
	expect_json_error 400
	post $API/idempotent/run '{"allow_drift": true}'
	expect_code 200
	jqe '[.applied[].name] == ["003_items.sql"]'
	serve_stop
}

test_serve_run_failure_rolls_back() {
	two_files
	mig 003_bad.sql "CREATE TABLE fine (id integer);

INSERT INTO no_such_table VALUES (1);"
	save_dump
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	post $API/idempotent/run '{}' -H 'X-Ignored: 1'
	expect_code 500
	jqe '.ok == false and .applied == []'
	jqe '.failed.name == "003_bad.sql" and .failed.line == 3'
	jqe '.failed.error | test("no_such_table")'
	if [ "$BACKEND" = pg ]; then jqe '.failed.sqlstate == "42P01"'; fi
	check "no users table" ! table_exists users
	check "no fine table" ! table_exists fine
	[ "$BACKEND" = pg ] && expect_unchanged
	serve_stop
}

test_serve_check() {
	two_files
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	post $API/check ''
	expect_code 200
	jqe '.pendingCount == 2 and .pendingFiles == ["001_users.sql","002_orders.sql"]'
	jqe '.safe == true and .warnings == []'
	jqe 'has("database") and has("user") and has("server_version") and has("lockCount") and has("activeTxCount")'
	local api_keys=$(jq -c 'keys' <<<"$OUT")
	rk check --json
	check "check's document has the CLI's keys" test "$(jq -c keys <<<"$OUT")" = "$api_keys"
	post $API/idempotent/run '{}'
	expect_code 200
	post $API/check '{}'
	expect_code 200
	jqe '.safe == false and .pendingCount == 0 and (.warnings | length > 0)'
	post $API/check '{"verbose": true}'
	expect_json_error 400
	serve_stop
}

test_serve_detect_schema() {
	two_files
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	post $API/idempotent/detect-schema '{"sql": "CREATE TABLE users (id integer);"}'
	expect_code 200
	jqe '.findings[0].type == "table" and .findings[0].object == "users" and .findings[0].exists == false'
	jqe '.all_objects_exist == false and (.recommendation | test("safe to run"))'
	post $API/idempotent/detect-schema '{"sql": 42}'
	expect_json_error 400
	post $API/idempotent/detect-schema '{}'
	expect_json_error 400
	serve_stop
}

test_serve_auth() {
	two_files
	save_dump
	# no token configured: POSTs refused, saying how to configure one
	serve_start
	grep -q 'no token configured' "$T/serve.log" || fail "no startup warning"
	post $API/idempotent/run '{}'
	expect_json_error 403
	jqe '.error.hint | test("--token-file") and test("RECKON_TOKEN")'
	hc GET $API/idempotent/status
	expect_code 200
	serve_stop

	printf '%s\n' "$SERVE_TOKEN" >"$T/token"
	serve_start --token-file "$T/token"
	hc POST $API/idempotent/run -H 'Content-Type: application/json' -d '{}'
	expect_json_error 401
	hc POST $API/idempotent/run -H 'Authorization: Bearer wrong' -H 'Content-Type: application/json' -d '{}'
	expect_json_error 401
	hc POST $API/idempotent/run -H "Authorization: Bearer ${SERVE_TOKEN}x" -H 'Content-Type: application/json' -d '{}'
	expect_json_error 401
	hc POST $API/idempotent/run -H "Authorization: Basic $SERVE_TOKEN" -H 'Content-Type: application/json' -d '{}'
	expect_json_error 401
	hc POST $API/idempotent/run -H 'Authorization: Bearer ' -H 'Content-Type: application/json' -d '{}'
	expect_json_error 401
	for ep in check idempotent/mark-applied idempotent/detect-schema; do
		hc POST $API/$ep -H 'Content-Type: application/json' -d '{}'
		expect_json_error 401
	done
	expect_unchanged
	post $API/idempotent/run '{"dry_run": true}'
	expect_code 200
	hc POST $API/idempotent/run -H "authorization: bearer $SERVE_TOKEN" -H 'Content-Type: application/json' -d '{"dry_run": true}'
	expect_code 200
	serve_stop

	# bad token files and listen addresses: usage errors, nothing served
	: >"$T/empty"
	serve_refused --token-file "$T/empty"
	expect_err "token file"
	serve_refused --token-file "$T/no-such-file"
	expect_err "no-such-file"
	serve_refused --listen nonsense
	expect_err "not ADDR:PORT"
	serve_refused --listen 127.0.0.1:99999
	serve_refused --listen 0.0.0.0:0
	expect_err "without a token"
	serve_refused extra-arg
}

# serve_refused ARGS...: serve must refuse to start, with exit 2 and one
# error line (bounded: a server that starts after all is killed)
serve_refused() {
	timeout 20 "$RECKON" --db "$DB" --dir "$M" serve "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	expect_rc 2
	expect_one_error
}

# bg_run N: POST a run in the background; answer in $T/runN, status in
# $T/codeN
bg_run() {
	curl -s --max-time 90 -o "$T/run$1" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $SERVE_TOKEN" \
		-H 'Content-Type: application/json' -d '{}' \
		"$URL$API/idempotent/run" >"$T/code$1" &
}

# SIGTERM during a run: the run finishes, commits and answers, then the
# server exits 0.
test_serve_shutdown_finishes_requests() {
	if [ "$BACKEND" = pg ]; then
		mig 001_slow.sql "SELECT pg_sleep(1.5);
CREATE TABLE slow (id integer);"
	else
		mig 001_slow.sql "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) SELECT count(*) FROM c;
CREATE TABLE slow (id integer);"
	fi
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	bg_run 1
	local pid=$!
	# wait until the run is under way (PostgreSQL shows it; SQLite: a pause)
	for _ in $(seq 100); do
		if [ "$BACKEND" = sqlite ]; then sleep 0.3; break; fi
		[ "$(sql "select count(*) from pg_stat_activity where application_name = 'reckon serve' and query like '%pg_sleep%'")" -ge 1 ] && break
		sleep 0.05
	done
	serve_stop TERM
	wait "$pid"
	check "the run in progress answered 200" test "$(cat "$T/code1")" = 200
	jq -e '.ok == true and .applied[0].name == "001_slow.sql"' "$T/run1" >/dev/null ||
		fail "run cut off by shutdown: $(cat "$T/run1")"
	check "and was committed" table_exists slow
	grep -q 'shutting down (1 request' "$T/serve.log" || fail "shutdown did not wait: $(cat "$T/serve.log")"
}

# SIGTERM with a run still going past --drain: the statement is cancelled,
# the run rolls back and answers 503 with what it did, then the server exits.
test_serve_shutdown_cancels_after_drain() {
	if [ "$BACKEND" = pg ]; then
		mig 002_slow.sql "CREATE TABLE slow (id integer);
SELECT pg_sleep(60);"
	else
		mig 002_slow.sql "CREATE TABLE slow (id integer);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c;"
	fi
	mig 001_a.sql "CREATE TABLE a (id integer);"
	RECKON_TOKEN=$SERVE_TOKEN serve_start --drain 1s
	post $API/idempotent/run '{"migrations": ["001_a.sql"]}'
	expect_code 200
	bg_run 1
	local pid=$! t0 t1
	for _ in $(seq 100); do
		if [ "$BACKEND" = sqlite ]; then sleep 0.5; break; fi
		[ "$(sql "select count(*) from pg_stat_activity where application_name = 'reckon serve' and query like '%pg_sleep(60)%'")" -ge 1 ] && break
		sleep 0.05
	done
	t0=$(date +%s%N)
	serve_stop TERM
	t1=$(date +%s%N)
	wait "$pid"
	check "stopped within the drain plus a second or two" test $(((t1 - t0) / 1000000)) -lt 4000
	check "the cancelled run answered 503" test "$(cat "$T/code1")" = 503
	jq -e '.ok == false and .interrupted == "SIGTERM" and .rolled_back == ["002_slow.sql"] and .committed == []' "$T/run1" >/dev/null ||
		fail "cancelled run's answer: $(cat "$T/run1")"
	grep -q 'cancelling 1 request' "$T/serve.log" || fail "no cancel line: $(cat "$T/serve.log")"
	check "slow rolled back" ! table_exists slow
	if [ "$BACKEND" = pg ]; then
		check "no backend left running" test "$(sql "select count(*) from pg_stat_activity where application_name = 'reckon serve'")" = 0
	fi
}

BACKENDS_serve_password_not_logged=pg
test_serve_password_not_logged() {
	two_files
	DB="postgres://$PGUSER:$PGPASSWORD@127.0.0.1:$PGPORT/$PGDB"
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	grep -q ':\*\*\*@' "$T/serve.log" || fail "startup line does not show the redacted URL"
	hc GET $API/idempotent/status
	expect_code 200
	post $API/idempotent/run '{}'
	expect_code 200
	serve_stop
}

test_serve_hostile_bodies() {
	two_files
	save_dump
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	local run=$API/idempotent/run mark=$API/idempotent/mark-applied body
	for body in '{"migrations": [' '{"dry_run": true} trailing' '[1, 2]' '"run"' \
		'null' '{"dry_run": true, "dry_run": false}' '{"migration": "x"}' \
		'{"migrations": "001_users.sql"}' '{"migrations": [1]}' \
		'{"migrations": []}' '{"migrations": [""]}' '{"dry_run": "yes"}' \
		'{"migrations": ["a\u0000b"]}'; do
		post $run "$body"
		expect_json_error 400
	done
	for body in '{}' '{"migration": 5}' '{"migration": ""}' '{"migration": null}' \
		'{"migration": ["001_users.sql"]}' '{"migration": "001_users.sql", "force": true}'; do
		post $mark "$body"
		expect_json_error 400
	done
	printf '{"migration": "\xff\xfe.sql"}' >"$T/latin1"
	post $mark "@$T/latin1"
	expect_json_error 400
	head -c 100000 /dev/zero | tr '\0' '[' >"$T/deep"
	post $run "@$T/deep"
	expect_json_error 400
	# over 1 MiB: declared, then chunked with no length
	{ printf '{"migrations": ["'; head -c 1100000 /dev/zero | tr '\0' a; printf '"]}'; } >"$T/big"
	hc POST $run -H "Authorization: Bearer $SERVE_TOKEN" -H 'Content-Type: application/json' --data-binary @"$T/big"
	expect_json_error 413
	hc POST $run -H "Authorization: Bearer $SERVE_TOKEN" -H 'Content-Type: application/json' \
		-H 'Transfer-Encoding: chunked' --data-binary @"$T/big"
	expect_json_error 413
	# the token is checked after the size: an unauthorised 2 MiB is 413 too
	hc POST $run -H 'Content-Type: application/json' --data-binary @"$T/big"
	expect_json_error 413
	hc POST $run -H "Authorization: Bearer $SERVE_TOKEN" -H 'Content-Type: text/plain' -d '{}'
	expect_json_error 415
	hc POST $run -H "Authorization: Bearer $SERVE_TOKEN" -d '{}'
	expect_json_error 415
	# routing and headers
	hc GET /api/nope
	expect_json_error 404
	hc GET $API/idempotent/status/extra
	expect_json_error 404
	hc DELETE $API/idempotent/status
	expect_json_error 405
	hc GET $API/idempotent/run
	expect_json_error 405
	hc POST / -H "Authorization: Bearer $SERVE_TOKEN"
	expect_json_error 405
	hc GET $API/idempotent/status -H 'Host: attacker.example'
	expect_json_error 403
	hc GET $API/idempotent/status -H 'Host: localhost:1234'
	expect_code 200
	hc GET "$API/preview/001_users%zz.sql"
	expect_json_error 400
	# after all that: still serving, nothing changed
	hc GET $API/idempotent/status
	expect_code 200
	jqe '.summary.pending == 2'
	expect_unchanged
	serve_stop
}

test_serve_hostile_preview_names() {
	two_files
	mkdir -p "$T/outside" "$M/dir.sql"
	echo "SELECT 'secret outside';" >"$T/outside/secret.sql"
	echo "SELECT 'hidden';" >"$M/.hidden.sql"
	echo "not sql" >"$M/notes.txt"
	ln -s ../outside/secret.sql "$M/escape.sql"
	ln -s /etc/passwd "$M/passwd.sql"
	ln -s 001_users.sql "$M/alias.sql"
	mkfifo "$M/fifo.sql"
	serve_start
	local name code
	while read -r code name; do
		hc GET "$API/preview/$name" --path-as-is
		expect_json_error "$code"
		if grep -q 'secret outside\|root:' "$T/resp"; then
			fail "preview of '$name' served a file outside --dir"
		fi
	done <<'EOF'
400 ..%2F..%2Fetc%2Fpasswd
400 ..%2foutside%2fsecret.sql
400 ../outside/secret.sql
400 %2e%2e
400 %2E%2E%2Foutside%2Fsecret.sql
400 ..
400 a%2F001_users.sql
400 001_users.sql%00
400 001_users.sql%00.txt
400 %00
400 %252e%252e%252foutside.sql
400 .hidden.sql
400 %2ehidden.sql
400 notes.txt
400 a%0Ab.sql
400 a%5C..%5Cb.sql
400 dir.sql
400 fifo.sql
403 escape.sql
403 passwd.sql
404 missing.sql
EOF
	hc GET "$API/preview/alias.sql"
	expect_code 200
	jqe '.filename == "alias.sql" and (.content | test("CREATE TABLE users"))'
	serve_stop
}

# Two runs at once take the same run lock: each file is applied once.
test_serve_concurrent_runs() {
	if [ "$BACKEND" = pg ]; then
		mig 001_slow.sql "SELECT pg_sleep(1);
CREATE TABLE slow (id integer);"
	else
		mig 001_slow.sql "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1500000) SELECT count(*) FROM c;
CREATE TABLE slow (id integer);"
	fi
	mig 002_b.sql "CREATE TABLE b (id integer);"
	mig 003_c.sql "CREATE TABLE c (id integer);"
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	local i pids=()
	for i in 1 2 3; do
		bg_run "$i"
		pids+=($!)
	done
	wait "${pids[@]}"
	for i in 1 2 3; do
		check "concurrent run $i answered 200" test "$(cat "$T/code$i")" = 200
	done
	check "each file applied exactly once across the runs" test \
		"$(jq -r '.applied[].name' "$T/run1" "$T/run2" "$T/run3" | sort | tr '\n' ' ')" = \
		"001_slow.sql 002_b.sql 003_c.sql "
	check "3 tracking rows" test "$(sql 'select count(*) from reckon_migrations')" = 3
	check "no duplicate names" test \
		"$(sql 'select count(distinct name) from reckon_migrations')" = 3
	serve_stop
}

test_serve_dashboard() {
	two_files
	rk run 001_users.sql
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	CODE=$(curl -s -D "$T/headers" -o "$T/page" -w '%{http_code}' "$URL/")
	expect_code 200
	grep -qi '^content-type: text/html' "$T/headers" || fail "dashboard not text/html"
	grep -qi "^content-security-policy: default-src 'none'" "$T/headers" || fail "no CSP header"
	grep -q '<title>reckon' "$T/page" || fail "not the dashboard"
	if grep -qiE '(src|href)="https?:' "$T/page"; then fail "dashboard loads external assets"; fi
	browser_test "002_orders.sql"
	serve_stop
}

# A split batch that fails after committing its first steps: the page
# states the real plan and then what committed, never "nothing applied".
test_serve_dashboard_split_failure() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_notx.sql "-- reckon:no-transaction
CREATE TABLE b (id integer);"
	mig 003_bad.sql "INSERT INTO no_such_table VALUES (1);"
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	browser_script run_failure.mjs "001_a.sql,002_notx.sql" 003_bad.sql \
		"$RECKON_ROOT/build/test-out/run-failure-$BACKEND.png"
	check "001 and 002 recorded, as the page said" test \
		"$(sql "select count(*) from reckon_migrations")" = 2
	serve_stop
}

# browser_script SCRIPT ARGS...: a tests/browser script against $URL
browser_script() {
	local dir=$RECKON_ROOT/tests/browser script=$1
	shift
	if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
		echo "  skipped: no chromium (install Debian's chromium package)"
		return
	fi
	if [ ! -d "$dir/node_modules/playwright-core" ]; then
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1 ||
			{ fail "npm ci in tests/browser failed: $(tail -5 "$T/npm.log")"; return; }
	fi
	mkdir -p "$RECKON_ROOT/build/test-out"
	if node "$dir/$script" "$URL/" "$SERVE_TOKEN" "$@" >"$T/browser.log" 2>&1; then
		pass
		sed 's/^/  /' "$T/browser.log"
	else
		fail "browser test $script: $(cat "$T/browser.log")"
	fi
}

# browser_test NAMES: the dashboard in headless Chromium (skipped, saying
# so, only when Chromium is not installed)
browser_test() {
	if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
		echo "  skipped: no chromium (install Debian's chromium package)"
		return
	fi
	local dir=$RECKON_ROOT/tests/browser out=$RECKON_ROOT/build/test-out
	if [ ! -d "$dir/node_modules/playwright-core" ]; then
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$T/npm.log" 2>&1 ||
			{ fail "npm ci in tests/browser failed: $(tail -5 "$T/npm.log")"; return; }
	fi
	mkdir -p "$out"
	if node "$dir/dashboard.mjs" "$URL/" "$SERVE_TOKEN" "$1" \
		"$out/dashboard-$BACKEND.png" >"$T/browser.log" 2>&1; then
		pass
		sed 's/^/  /' "$T/browser.log"
	else
		fail "browser test: $(cat "$T/browser.log")"
	fi
	check "applied after the browser's run" test \
		"$(sql "select count(*) from reckon_migrations where name = '$1'")" = 1
}
