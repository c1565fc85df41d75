# Connecting: timeouts against servers that never answer and locked SQLite
# files, passwords kept out of every message, and read-only commands that
# leave a missing SQLite file missing.

# ms_now: milliseconds on the wall clock
ms_now() { echo $(($(date +%s%N) / 1000000)); }

# hang_listener: a TCP listener on 127.0.0.1 that accepts connections and
# never answers; sets HANG_PORT and HANG_PID (stop it with stop_helper)
hang_listener() {
	python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
' >"$T/port" &
	HANG_PID=$!
	for _ in $(seq 1 50); do
		[ -s "$T/port" ] && break
		sleep 0.1
	done
	HANG_PORT=$(cat "$T/port")
}
stop_helper() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# rk_timed LIMIT ARGS...: rk_raw under timeout(1) (a hang must not hang
# the suite); sets ELAPSED_MS too
rk_timed() {
	local limit=$1 t0
	shift
	t0=$(ms_now)
	timeout "$limit" "$RECKON" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	ELAPSED_MS=$(($(ms_now) - t0))
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
expect_elapsed() { # MIN_MS MAX_MS
	if [ "$ELAPSED_MS" -ge "$1" ] && [ "$ELAPSED_MS" -le "$2" ]; then pass; else
		fail "took $ELAPSED_MS ms, expected $1..$2 ms; stderr: $ERR"
	fi
}

BACKENDS_conn_connect_timeout=pg
test_conn_connect_timeout() {
	local url
	hang_listener
	url="postgres://u@127.0.0.1:$HANG_PORT/x"
	rk_timed 30 --connect-timeout 2 --db "$url" --dir "$M" status
	expect_rc 1
	expect_one_error
	expect_err "cannot connect to '$url'"
	expect_err "timeout expired"
	expect_err "--connect-timeout"
	expect_elapsed 1500 6000
	# under a second rounds up to libpq's whole seconds (at least 2)
	rk_timed 30 --connect-timeout 500ms --db "$url" --dir "$M" run --json
	expect_rc 1
	jqe '.ok == false and .error.kind == "database"'
	jqe '.error.message | test("timeout expired")'
	expect_elapsed 1500 6000
	# reckon.yaml's connect_timeout, in the same grammar
	printf 'connect_timeout: 2s\n' >"$T/reckon.yaml"
	rk_timed 30 --config "$T/reckon.yaml" --db "$url" --dir "$M" status
	expect_rc 1
	expect_err "timeout expired"
	expect_elapsed 1500 6000
	# the URL's own connect_timeout and PGCONNECT_TIMEOUT are honoured
	rk_timed 30 --db "$url?connect_timeout=2" --dir "$M" status
	expect_rc 1
	expect_elapsed 1500 6000
	PGCONNECT_TIMEOUT=2 rk_timed 30 --db "$url" --dir "$M" status
	expect_rc 1
	expect_elapsed 1500 6000
	stop_helper "$HANG_PID"
	rk_raw --connect-timeout soon --db "$url" --dir "$M" status
	expect_rc 2
	expect_err "--connect-timeout: invalid duration 'soon'"
	printf 'connect_timeout: soon\n' >"$T/bad.yaml"
	rk_raw --config "$T/bad.yaml" --db "$url" --dir "$M" status
	expect_rc 2
	expect_err "$T/bad.yaml:1: key 'connect_timeout': invalid duration 'soon'"
}

# Without any setting, a silent server fails after the 10 s default.
BACKENDS_conn_default_connect_timeout=pg
test_conn_default_connect_timeout() {
	hang_listener
	rk_timed 40 --db "postgres://u@127.0.0.1:$HANG_PORT/x" --dir "$M" status
	expect_rc 1
	expect_err "timeout expired"
	expect_elapsed 9000 16000
	stop_helper "$HANG_PID"
}

# Every duration spelling the shared grammar allows is accepted.
test_conn_duration_grammar() {
	local d
	for d in 3 1.5 500ms 5s 2m 2min 1h; do
		rk --lock-timeout "$d" --connect-timeout "$d" status
		expect_rc 0
	done
	printf 'lock_timeout: 1h\nconnect_timeout: 30\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" status
	expect_rc 0
	rk --lock-timeout 5x status
	expect_rc 2
	expect_err "--lock-timeout: invalid duration '5x'"
}

# lock_holder FILE: a second process holding SQLite's write lock on FILE
# (BEGIN IMMEDIATE, never committed); sets HOLDER_PID
lock_holder() {
	python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(60)
' "$1" >"$T/holder" &
	HOLDER_PID=$!
	for _ in $(seq 1 50); do
		[ -s "$T/holder" ] && break
		sleep 0.1
	done
}

# --lock-timeout is SQLite's busy timeout too, and the hint names it.
BACKENDS_conn_sqlite_lock_timeout=sqlite
test_conn_sqlite_lock_timeout() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk run
	expect_rc 0
	mig 002_b.sql "CREATE TABLE b (id integer);"
	save_dump
	lock_holder "$SQLITE_FILE"
	rk_timed 30 --lock-timeout 500ms --db "$DB" --dir "$M" run
	expect_rc 1
	expect_err "database is locked"
	expect_err "--lock-timeout"
	expect_no_err "--lock-wait"
	expect_elapsed 300 2500
	rk_timed 30 --lock-timeout 500ms --db "$DB" --dir "$M" mark-applied --all --json
	expect_rc 1
	jqe '.error.message | test("database is locked")'
	jqe '.error.hint | test("--lock-timeout")'
	expect_elapsed 300 2500
	printf 'lock_timeout: 500ms\n' >"$T/reckon.yaml"
	rk_timed 30 --config "$T/reckon.yaml" --db "$DB" --dir "$M" run
	expect_rc 1
	expect_elapsed 300 2500
	stop_helper "$HOLDER_PID"
	expect_unchanged
	rk run
	expect_rc 0
}

# pw_case URL SECRET...: status and run, as text and JSON, on URL fail
# with exit 1, and no SECRET (the password as written, or as libpq reads
# it) appears anywhere in what reckon prints
pw_case() {
	local url=$1 cmd json s rc=${PW_RC:-1} kind=${PW_KIND:-database}
	shift
	for cmd in status run; do
		for json in "" --json; do
			rk_raw --db "$url" --dir "$M" $json $cmd
			expect_rc "$rc"
			for s in "$@"; do
				if grep -qF -- "$s" "$T/out" "$T/err"; then
					fail "'$s' shown by $cmd $json on '$url': $ERR $OUT"
				else pass; fi
			done
			expect_err "***"
			[ -n "$json" ] && jqe ".ok == false and .error.kind == \"$kind\""
		done
	done
}

# Passwords never appear, whichever way the URL spells them, even where
# libpq echoes a URI it cannot parse.
BACKENDS_conn_password_never_shown=pg
test_conn_password_never_shown() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	# well-formed, the server unreachable
	pw_case 'postgres://app:Sekr1tPw@127.0.0.1:1/x' Sekr1tPw
	pw_case 'postgres://app@127.0.0.1:1/x?sslmode=disable&password=Sekr1tPw' Sekr1tPw
	pw_case 'postgres://app@127.0.0.1:1/x?pass%77ord=Sekr1tPw' Sekr1tPw
	pw_case 'host=127.0.0.1 port=1 user=app password=Sekr1tPw dbname=x' Sekr1tPw
	pw_case "host=127.0.0.1 port=1 password='Sekr1t Pw' dbname=x" 'Sekr1t Pw' "Sekr1t"
	pw_case 'postgres://app:p%40ssSekr1t@127.0.0.1:1/x' 'p%40ssSekr1t' 'p@ssSekr1t'
	# malformed (bad configuration, exit 2): libpq quotes the whole URI,
	# or a piece of it
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:Sekr1tPw@[::1' Sekr1tPw
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:Sekr1tPw@[::1]x/db' Sekr1tPw
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:p%40ssSekr1t@[::1' 'p%40ssSekr1t' 'p@ssSekr1t'
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:Sekr%31tPw@[::1]x/db' 'Sekr%31tPw' Sekr1tPw
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:Se?kr1tPw@[::1]x/db' 'Se?kr1tPw' kr1tPw
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:Sekr%zz1tPw@[::1]/db' 'Sekr%zz1tPw' 1tPw
	# (libpq reads app as the host and Sekr1t as its port)
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:Sekr1t/Pw@[::1' Sekr1t
	PW_RC=2 PW_KIND=config pw_case 'postgres://app@[::1]x/db?password=Sekr1tPw' Sekr1tPw
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:Sekr1tPw@h:notaport/db' Sekr1tPw
	PW_RC=2 PW_KIND=config pw_case 'postgres://app:Sekr1tPw@127.0.0.1:1/x?bogus=1' Sekr1tPw
	PW_RC=2 PW_KIND=config pw_case 'host=127.0.0.1 password=Sekr1tPw bogus' Sekr1tPw
	PW_RC=2 PW_KIND=config pw_case "host=127.0.0.1 password='Sekr1t\\'Pw' sslmode=bogus" "Sekr1t'Pw" "Sekr1t\\'Pw"
	# a live server refusing the password
	pw_case "postgres://$PGUSER:Sekr1tPw@127.0.0.1:$PGPORT/$PGDB" Sekr1tPw
}

# expect_missing_db: the SQLite file is still not there, and reckon said
# so, naming it
expect_missing_db() {
	if [ -e "$SQLITE_FILE" ]; then
		fail "'$SQLITE_FILE' was created by: $*"
		rm -f "$SQLITE_FILE"
	else pass; fi
	expect_err "warning: database file '$SQLITE_FILE' does not exist yet; the first run creates it"
}

# Read-only commands on a mistyped SQLite path create no file: they warn,
# read it as empty (every file pending) and exit as they would on an empty
# database.
BACKENDS_conn_read_only_missing_file=sqlite
test_conn_read_only_missing_file() {
	local c
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	for c in status check detect history current "detect-schema $M/001_a.sql" \
		"run --dry-run" "down --dry-run" adopt "adopt --dry-run"; do
		rk $c
		expect_rc 0
		expect_missing_db "$c"
		rk --json $c
		expect_rc 0
		jqe 'type == "object"'
		expect_missing_db "$c --json"
	done
	rk status --json
	jqe '.summary.pending == 2 and .summary.applied == 0'
	jqe '[.migrations[].state] == ["pending", "pending"]'
	rk check --json
	jqe '.pendingFiles == ["001_a.sql", "002_b.sql"] and .safe == true and .journalMode == "delete"'
	rk run --dry-run --json
	jqe '.dry_run == true and ([.applied[].name] == ["001_a.sql", "002_b.sql"])'
	rk status --check
	expect_rc 3
	expect_missing_db "status --check"
	rk detect-schema --sql "CREATE TABLE a (id integer);"
	expect_rc 0
	expect_out "missing"
	expect_missing_db "detect-schema --sql"
	# run with nothing to apply leaves no empty file behind either
	mkdir "$T/empty"
	rk_raw --db "$DB" --dir "$T/empty" run
	expect_rc 0
	expect_missing_db "run with nothing to apply"
	# run creates it, and then nobody warns
	rk run
	expect_rc 0
	check "run created the file" test -s "$SQLITE_FILE"
	expect_no_err "does not exist"
	rk status --json
	expect_rc 0
	expect_no_err "does not exist"
	jqe '.summary.applied == 2'
}

# mark-applied creates the file too; and an existing file is opened
# read-only by the read commands (a write-protected one still reads).
BACKENDS_conn_read_only_existing_file=sqlite
test_conn_read_only_existing_file() {
	mig 001_a.up.sql "CREATE TABLE a (id integer);"
	mig 001_a.down.sql "DROP TABLE a;"
	rk mark-applied --all
	expect_rc 0
	expect_no_err "does not exist"
	check "mark-applied created the file" test -s "$SQLITE_FILE"
	save_dump
	rk status --json
	jqe '.summary.applied == 1'
	rk check
	expect_rc 3 # nothing pending
	rk run --dry-run
	expect_rc 0
	rk down --dry-run
	expect_rc 0
	expect_out "001_a"
	expect_unchanged
	expect_no_err "does not exist"
}

# The server's read requests leave a missing file missing; a run creates it.
BACKENDS_serve_missing_sqlite_file=sqlite
test_serve_missing_sqlite_file() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	RECKON_TOKEN=$SERVE_TOKEN serve_start
	hc GET $API/idempotent/status
	expect_code 200
	jqe '.summary.pending == 1 and .migrations[0].state == "pending"'
	post $API/check '{}'
	expect_code 200
	post $API/idempotent/detect-schema '{"sql": "CREATE TABLE a (id integer);"}'
	expect_code 200
	post $API/idempotent/run '{"dry_run": true}'
	expect_code 200
	check "serve's reads created no file" test ! -e "$SQLITE_FILE"
	post $API/idempotent/run '{}'
	expect_code 200
	check "serve's run created the file" test -s "$SQLITE_FILE"
	serve_stop
}

# libs_loaded ARGS...: the shared objects reckon ARGS initialises, one a
# line, from the dynamic loader's own report (LD_DEBUG=libs)
libs_loaded() {
	LD_DEBUG=libs "$RECKON" "$@" 2>&1 >/dev/null |
		awk '/calling init:/ { n = split($NF, p, "/"); print p[n] }'
}

# A SQLite command (and --version) starts without libpq, libmicrohttpd
# and libcrypto: they are loaded on first use, by a PostgreSQL
# connection, serve or a file to hash, and the commands that use them
# still work.
BACKENDS_conn_lazy_libraries=sqlite
test_conn_lazy_libraries() {
	local libs
	mig 001_a.sql "CREATE TABLE a (id integer);"
	# older than the hash cache by more than its racy margin
	touch -d '1 hour ago' "$M/001_a.sql"
	sleep 1.1
	rk run
	expect_rc 0
	libs=$(libs_loaded --db "$DB" --dir "$M" status)
	check "a SQLite status loads libsqlite3 ($libs)" grep -q '^libsqlite3' <<<"$libs"
	check "a SQLite status loads no libpq ($libs)" ! grep -q '^libpq' <<<"$libs"
	check "a SQLite status loads no libmicrohttpd ($libs)" ! grep -q '^libmicrohttpd' <<<"$libs"
	check "a status whose hashes are cached loads no libcrypto ($libs)" ! grep -q '^libcrypto' <<<"$libs"
	libs=$(libs_loaded --version)
	check "--version loads libc ($libs)" grep -q '^libc\.' <<<"$libs"
	check "--version loads no libpq ($libs)" ! grep -q '^libpq' <<<"$libs"
	check "--version loads no libmicrohttpd ($libs)" ! grep -q '^libmicrohttpd' <<<"$libs"
	check "--version loads no libcrypto ($libs)" ! grep -q '^libcrypto' <<<"$libs"
	check "the binary does not link libpq" ! grep -q 'libpq' <<<"$(ldd "$RECKON")"
	check "the binary does not link libmicrohttpd" ! grep -q 'libmicrohttpd' <<<"$(ldd "$RECKON")"
	check "the binary does not link libcrypto" ! grep -q 'libcrypto' <<<"$(ldd "$RECKON")"
	# a file to hash loads it, and the hash is right
	mig 001_a.sql "CREATE TABLE a (id bigint);"
	libs=$(libs_loaded --db "$DB" --dir "$M" status)
	check "a status that hashes loads libcrypto ($libs)" grep -q '^libcrypto' <<<"$libs"
	rk status --json
	jqe '.migrations[0].state == "modified"'
	# and PostgreSQL, once asked for, loads libpq and works
	dropdb --if-exists rk_lazy_libs >/dev/null 2>&1
	createdb rk_lazy_libs
	libs=$(libs_loaded --db dbname=rk_lazy_libs --dir "$M" status)
	check "a PostgreSQL status loads libpq ($libs)" grep -q '^libpq\.so' <<<"$libs"
	check "a PostgreSQL status loads no libmicrohttpd ($libs)" ! grep -q '^libmicrohttpd' <<<"$libs"
	rk_raw --db dbname=rk_lazy_libs --dir "$M" status --json
	expect_rc 0
	jqe '.summary.pending == 1'
	dropdb rk_lazy_libs
}

# A connection setting libpq refuses before connecting (a bad sslmode,
# a port that is not a number) is bad configuration: exit 2, naming the
# setting, its value and where it came from; nothing runs.
BACKENDS_conn_bad_setting=pg
test_conn_bad_setting() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	save_dump
	rk_raw --dir "$M" --db "postgres:///$PGDB?sslmode=bogus" run
	expect_rc 2
	expect_one_error
	expect_err "invalid sslmode 'bogus' in 'postgres:///$PGDB?sslmode=bogus'"
	expect_err "hint: sslmode takes disable, allow, prefer, require, verify-ca or verify-full"
	expect_unchanged
	rk_raw --dir "$M" --db "dbname=$PGDB sslmode=bogus" status
	expect_rc 2
	expect_err "invalid sslmode 'bogus' in 'dbname=$PGDB sslmode=bogus'"
	PGSSLMODE=nope rk_raw --dir "$M" --db "dbname=$PGDB" run
	expect_rc 2
	expect_err "invalid sslmode 'nope' (from the environment's PGSSLMODE)"
	expect_unchanged
	rk_raw --dir "$M" --db "postgres://u:hunter2@localhost:abc/$PGDB" run
	expect_rc 2
	expect_err "invalid port 'abc' in 'postgres://u:***@localhost:abc/$PGDB'"
	expect_no_err hunter2
	DATABASE_URL="postgres:///$PGDB?gssencmode=x" rk_raw --dir "$M" run
	expect_rc 2
	expect_err "invalid gssencmode 'x'"
	expect_err "hint: gssencmode takes disable, prefer or require"
	# the same through --wait-for-db, which never waits for a bad setting
	rk_raw --dir "$M" --db "postgres:///$PGDB?sslmode=bogus" \
		--wait-for-db=5s run
	expect_rc 2
	expect_err "invalid sslmode 'bogus'"
	expect_unchanged
	# a string libpq cannot read at all is bad configuration too, and a
	# wrong URL from a variable says which variable
	rk_raw --dir "$M" --db "dbname='$PGDB" run
	expect_rc 2
	expect_err "cannot read the connection string 'dbname='$PGDB': unterminated quoted string"
	rk_raw --dir "$M" --db "postgres:///$PGDB?bogus=1" run
	expect_rc 2
	expect_err "invalid URI query parameter"
	DATABASE_URL='mysql://x' rk_raw --dir "$M" run
	expect_rc 2
	expect_err "DATABASE_URL: unsupported database URL 'mysql://x'"
	DATABASE_URL="postgres:///$PGDB?sslmode=bogus" rk_raw --dir "$M" run
	expect_rc 2
	expect_err "DATABASE_URL: invalid sslmode 'bogus'"
	expect_unchanged
	# a server that is not there is still a connection failure: 1
	rk_raw --dir "$M" --db "postgres://localhost:1/$PGDB" status
	expect_rc 1
}
