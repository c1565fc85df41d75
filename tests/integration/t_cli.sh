# The command line itself: help from the option tables, -h and -V, "--",
# and the wording of usage errors.

BACKENDS_cli_help=sqlite
test_cli_help() {
	# help needs no database, and reads no directory or config file
	rk_raw run --help
	expect_rc 0
	expect_out "usage: reckon run [NAME...]"
	expect_out "--per-file"
	expect_out "one transaction per file instead of one for the batch"
	expect_out "global options:"
	expect_out "--lock-timeout DURATION"
	local run_help=$OUT
	rk_raw help run
	expect_rc 0
	check "reckon help run is reckon run --help" test "$OUT" = "$run_help"
	rk_raw run -h
	expect_rc 0
	check "reckon run -h is reckon run --help" test "$OUT" = "$run_help"
	rk_raw down --help
	expect_out "--steps N"
	expect_out "(default: 1)"
	rk_raw serve --help
	expect_rc 0
	expect_out "--drain DURATION"
	rk_raw -h
	expect_rc 0
	expect_out "commands:"
	expect_out "mark-applied"
	rk_raw -V
	expect_rc 0
	expect_out "reckon 0."
	rk_raw help no-such-command
	expect_rc 2
	expect_err "unknown command 'no-such-command'"
	check "no database file created" test ! -e "$SQLITE_FILE"
}

# Usage errors say "reckon:" once, and unknown names suggest the nearest.
BACKENDS_cli_usage_errors=sqlite
test_cli_usage_errors() {
	rk_raw --db
	expect_rc 2
	expect_one_error
	expect_err "reckon: option '--db' needs a value"
	expect_no_err "reckon: reckon:"
	rk_raw --lock-wait=2s --no-color=yes status
	expect_rc 2
	expect_err "reckon: option '--no-color' takes no value"
	save_dump
	rk --framework flywayy status
	expect_rc 2
	expect_err "unknown framework 'flywayy'; did you mean 'flyway'?"
	# every known framework is listed, the last ones too
	expect_err "typeorm, umzug, yoyo"
	expect_err "sqlx"
	rk --framework zzzzzzzz status
	expect_rc 2
	expect_no_err "did you mean"
	expect_unchanged
}

# "--" ends the options: the command name may follow it, and what follows
# is an argument even when it looks like an option.
BACKENDS_cli_double_dash=sqlite
test_cli_double_dash() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	rk -- status --json
	expect_rc 2
	expect_err "status: unexpected argument '--json'"
	rk --json -- status
	expect_rc 0
	jqe '.migrations[0].state == "pending"'
	printf 'CREATE TABLE odd (id integer);\n' >"$T/--odd.sql"
	(cd "$T" && "$RECKON" --dir "$M" preview -- --odd.sql >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	expect_rc 0
	expect_out "CREATE TABLE odd"
	(cd "$T" && "$RECKON" --dir "$M" -- preview --odd.sql >"$T/out" 2>"$T/err")
	RC=$?
	OUT=$(cat "$T/out")
	expect_rc 0
	expect_out "CREATE TABLE odd"
}

# Colour only on a terminal, and never with NO_COLOR or TERM=dumb.
BACKENDS_cli_color=sqlite
test_cli_color() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	local cmd="$RECKON --db $DB --dir $M status"
	TERM=xterm script -qec "$cmd" /dev/null >"$T/tty" 2>&1
	check "colour on a terminal" grep -q $'\033\\[' "$T/tty"
	TERM=dumb script -qec "$cmd" /dev/null >"$T/dumb" 2>&1
	check "no colour with TERM=dumb" ! grep -q $'\033\\[' "$T/dumb"
	check "TERM=dumb still lists the file" grep -q 001_a.sql "$T/dumb"
	NO_COLOR=1 TERM=xterm script -qec "$cmd" /dev/null >"$T/nocolor" 2>&1
	check "no colour with NO_COLOR" ! grep -q $'\033\\[' "$T/nocolor"
}

# A name that names nothing is exit 2 for unmark too, and deletes nothing;
# a tab-completed path inside --dir names its file.
test_cli_names() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	rk run 001_a.sql
	save_dump
	rk unmark --yes 001_a.sql 009_nope.sql
	expect_rc 2
	expect_err "'009_nope.sql' names no migration"
	expect_unchanged
	rk mark-applied "$M/002_b.sql"
	expect_rc 0
	check "002 recorded from its path" test \
		"$(sql "select count(*) from reckon_migrations where name = '002_b.sql'")" = 1
	rk unmark --yes "$M/002_b.sql"
	expect_rc 0
	rk run "$M/002_b.sql"
	expect_rc 0
	check "b created by run PATH" table_exists b
}

# A UTF-8 byte-order mark never reaches the server, and a section marker
# behind one still counts.
test_cli_bom() {
	printf '\357\273\277CREATE TABLE bom1 (id integer);\n' >"$M/001_bom.sql"
	printf '\357\273\277-- migrate:up\nCREATE TABLE bom2 (id integer);\n-- migrate:down\nDROP TABLE bom2;\n' >"$M/002_bom.sql"
	rk run
	expect_rc 0
	check "bom1 created" table_exists bom1
	check "bom2 created" table_exists bom2
	rk status --check
	expect_rc 0
}

# With libpq's defaults, the header names where they led: user, host,
# port and database of the live connection, never a password.
BACKENDS_cli_database_line=pg
test_cli_database_line() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	PGDATABASE=$PGDB "$RECKON" --dir "$M" status >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	expect_rc 0
	expect_out "Database:  postgres://$PGUSER@"
	expect_out ":$PGPORT/$PGDB (libpq defaults from"
	expect_no_err "$PGPASSWORD"
}
