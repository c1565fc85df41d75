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
