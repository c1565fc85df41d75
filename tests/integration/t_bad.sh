# Bad input: each gives one clear error, the documented exit code, and
# leaves the database exactly as it was.

applied_one() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk run
	mig 002_b.sql "CREATE TABLE b (id integer);"
}

BACKENDS_bad_unreachable_server=pg
test_bad_unreachable_server() {
	rk_raw --db 'postgres://app:s3cret@127.0.0.1:1/prod' --dir "$M" status
	expect_rc 1
	expect_one_error
	expect_err "postgres://app:***@127.0.0.1:1/prod"
	expect_no_err "s3cret"
	rk_raw --db 'host=127.0.0.1 port=1 user=app password=s3cret dbname=x' --dir "$M" status --json
	expect_rc 1
	expect_no_err "s3cret"
	jqe '.ok == false and .error.kind == "database"'
}

BACKENDS_bad_wrong_password=pg
test_bad_wrong_password() {
	applied_one
	save_dump
	rk_raw --db "postgres://$PGUSER:wrong-pw-xyz@127.0.0.1:$PGPORT/$PGDB" --dir "$M" run
	expect_rc 1
	expect_one_error
	expect_err "password authentication failed"
	expect_err ":***@"
	expect_no_err "wrong-pw-xyz"
	expect_unchanged
}

BACKENDS_bad_missing_database=pg
test_bad_missing_database() {
	rk_raw --db "dbname=no_such_db_here" --dir "$M" status
	expect_rc 1
	expect_err "no_such_db_here"
}

test_bad_missing_dir() {
	applied_one
	save_dump
	rk_raw --db "$DB" --dir "$T/nope" run
	expect_rc 2
	expect_one_error
	expect_err "cannot open migrations directory '$T/nope'"
	expect_unchanged
}

test_bad_unterminated_quote() {
	applied_one
	mig 003_q.sql "CREATE TABLE c (s text DEFAULT 'oops);
CREATE TABLE d (id integer);"
	save_dump
	rk run
	expect_rc 1
	expect_one_error
	expect_err "003_q.sql"
	expect_err "unterminated"
	expect_err "line 1"
	expect_unchanged
}

BACKENDS_bad_unterminated_dollar=pg
test_bad_unterminated_dollar() {
	applied_one
	mig 003_f.sql 'CREATE FUNCTION f() RETURNS int AS $body$
SELECT 1;'
	save_dump
	rk run
	expect_rc 1
	expect_err "003_f.sql"
	expect_err "unterminated"
	expect_unchanged
}

test_bad_duplicate_versions() {
	applied_one
	mig 002_c.sql "CREATE TABLE c (id integer);"
	save_dump
	rk run
	expect_rc 1
	expect_one_error
	expect_err "duplicate migration version 002: '002_b.sql' and '002_c.sql'"
	expect_unchanged
}

test_bad_binary_and_invalid_utf8() {
	applied_one
	printf 'CREATE TABLE x (id integer);\n\x00\x01\x02' >"$M/003_bin.sql"
	save_dump
	rk run
	expect_rc 1
	expect_err "'003_bin.sql' is not UTF-8 text: NUL byte at line 2"
	expect_unchanged
	rm "$M/003_bin.sql"
	printf -- '-- caf\xe9\nCREATE TABLE y (id integer);\n' >"$M/003_latin1.sql"
	rk run
	expect_rc 1
	expect_err "'003_latin1.sql' is not UTF-8 text: invalid byte at line 1"
	expect_unchanged
}

test_bad_empty_file() {
	applied_one
	: >"$M/003_empty.sql"
	mig 004_comments.sql "-- only a comment"
	save_dump
	rk run
	expect_rc 1
	expect_err "has no SQL statements"
	expect_unchanged
}

# A larger run prepares its files on two threads, each taking every
# other file: whichever thread finds its bad file first, the run reports
# the first bad file in order, as one thread would, and nothing runs
test_bad_first_of_many() {
	local i
	for i in $(seq 10 49); do
		mig "0${i}_t.sql" "CREATE TABLE t$i (id integer);"
	done
	: >"$M/044_t.sql"
	: >"$M/017_t.sql" # the other thread's share, and first
	save_dump
	rk run --json
	expect_rc 1
	jqe '.failed.name == "017_t.sql"'
	jqe '.applied == [] and .committed == [] and .transactions == 0'
	rk run
	expect_rc 1
	expect_err "'$M/017_t.sql' has no SQL statements"
	expect_unchanged
	: >"$M/012_t.sql" # now this thread's, and first
	rk run
	expect_rc 1
	expect_err "'$M/012_t.sql' has no SQL statements"
	expect_unchanged
}

test_bad_symlink_loop_and_dangling() {
	applied_one
	ln -s 003_loop.sql "$M/003_loop.sql"
	ln -s /nonexistent/x.sql "$M/004_dangling.sql"
	rk status
	expect_rc 0
	expect_out "003_loop.sql"
	expect_out "symbolic link loop"
	expect_out "dangling symbolic link"
	rk run
	expect_rc 0
	expect_out "warning: '004_dangling.sql' is ignored"
	check "002_b ran past the links" table_exists b
	rk status --json
	jqe '.summary == {"applied":2,"pending":0,"modified":0,"orphaned":0,"failed":0,"ignored":2,"unknown":0}'
}

BACKENDS_bad_unreadable_file=sqlite
test_bad_unreadable_file() {
	command -v setpriv >/dev/null || return 0
	applied_one
	chmod 777 "$T" "$M"
	chmod 666 "$SQLITE_FILE"
	mig 003_secret.sql "CREATE TABLE s (id integer);"
	chmod 000 "$M/003_secret.sql"
	save_dump
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$RECKON" --db "$DB" --dir "$M" run >"$T/out" 2>"$T/err"
	RC=$?
	ERR=$(cat "$T/err")
	expect_rc 1
	expect_err "cannot read '$M/003_secret.sql': Permission denied"
	expect_unchanged
}

BACKENDS_bad_read_only_sqlite=sqlite
test_bad_read_only_sqlite() {
	command -v setpriv >/dev/null || return 0
	applied_one
	chmod 755 "$T"
	chmod 444 "$SQLITE_FILE"
	chmod -R a+rX "$M"
	save_dump
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$RECKON" --db "$DB" --dir "$M" run >"$T/out" 2>"$T/err"
	RC=$?
	ERR=$(cat "$T/err")
	expect_rc 1
	expect_err "readonly"
	expect_unchanged
}

test_bad_usage() {
	rk frobnicate
	expect_rc 2
	expect_err "unknown command 'frobnicate'"
	rk status --frobnicate
	expect_rc 2
	expect_err "unknown option '--frobnicate'"
	rk_raw
	expect_rc 2
	rk_raw --lock-wait soon status
	expect_rc 2
	expect_err "--lock-wait: invalid duration 'soon'"
}

BACKENDS_bad_no_database=sqlite
test_bad_no_database() {
	(unset PGHOST PGPORT PGDATABASE PGSERVICE PGHOSTADDR; cd "$T" &&
		"$RECKON" --dir "$M" status >"$T/out" 2>"$T/err")
	RC=$?
	ERR=$(cat "$T/err")
	expect_rc 2
	expect_err "no database given"
}

BACKENDS_bad_url=sqlite
test_bad_url() {
	rk_raw --db "mysql://x@y/z" --dir "$M" status
	expect_rc 2
	expect_err "mysql://x@y/z"
	rk_raw --db "sqlite:$T/no/such/dir/x.db" --dir "$M" status
	expect_rc 2
}

BACKENDS_bad_huge_file=sqlite
test_bad_huge_file() {
	applied_one
	# 100 MB: a long comment, then a statement with an error at the end
	{
		head -c 104857600 /dev/zero | tr '\0' 'x' | fold -w 100 | sed 's/^/-- /'
		echo
		echo "CREATE TABLE big (id integer);"
		echo "SELEC 1;"
	} >"$M/003_huge.sql"
	save_dump
	rk run
	expect_rc 1
	expect_one_error
	expect_err "003_huge.sql:1048578:"
	expect_unchanged
}

BACKENDS_bad_no_permission=pg
test_bad_no_permission() {
	applied_one
	psql -X -q -d "$PGDB" -c "CREATE ROLE rk_limited LOGIN PASSWORD 'pw-limited'; GRANT CONNECT ON DATABASE $PGDB TO rk_limited; GRANT USAGE ON SCHEMA public TO rk_limited;" >/dev/null
	save_dump
	rk_raw --db "postgres://rk_limited:pw-limited@127.0.0.1:$PGPORT/$PGDB" --dir "$M" run
	expect_rc 1
	expect_one_error
	expect_err "permission denied"
	expect_err "reckon_migrations"
	expect_no_err "pw-limited"
	expect_unchanged
	psql -X -q -d "$PGDB" -c "DROP OWNED BY rk_limited; DROP ROLE rk_limited;" >/dev/null 2>&1
}
