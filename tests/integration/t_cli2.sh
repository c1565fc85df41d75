# The command line a dbmate or Flyway user expects: labelled databases,
# waiting for the server, and the options around a run.

# rk_tty INPUT ARGS...: rk on a terminal, INPUT typed into it; OUT gets
# everything the terminal showed (stdout and stderr alike)
rk_tty() {
	local input=$1
	shift
	python3 "$RECKON_ROOT/tests/integration/ptyrun.py" "$input" \
		"$RECKON" --db "$DB" --dir "$M" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# A labelled database: every write names the label and, on a terminal,
# wants the label typed back; without a terminal it wants --yes.
test_cli2_label() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	save_dump
	rk --label production run
	expect_rc 2
	expect_err "run writes to 'production'; pass --yes to confirm"
	expect_unchanged
	rk_tty $'y\n' --label production run
	expect_rc 2
	expect_out "Apply the pending migrations on 'production'? Type 'production' to confirm:"
	expect_out "run: not confirmed; nothing changed"
	expect_unchanged
	rk_tty $'production\n' --label production run --steps 1
	expect_rc 0
	expect_out "Applied 1 migration(s)"
	check "001 ran" table_exists a
	check "002 did not" ! table_exists b
	# a dry run writes nothing and asks nothing
	rk --label production run --dry-run
	expect_rc 0
	# the label from reckon.yaml, and --yes for scripts
	printf 'label: staging\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" mark-applied 002_b.sql
	expect_rc 2
	expect_err "mark-applied writes to 'staging'; pass --yes to confirm"
	rk --config "$T/reckon.yaml" mark-applied --yes 002_b.sql
	expect_rc 0
	rk_tty $'y\n' --config "$T/reckon.yaml" unmark 002_b.sql
	expect_rc 2
	expect_out "Delete the tracking record of '002_b.sql' on 'staging'? Type 'staging' to confirm:"
	rk_tty $'staging\n' --config "$T/reckon.yaml" unmark 002_b.sql
	expect_rc 0
	expect_out "record deleted"
	rk --config "$T/reckon.yaml" repair --all
	expect_rc 2
	expect_err "repair writes to 'staging'"
	rk --config "$T/reckon.yaml" down
	expect_rc 2
	expect_err "down writes to 'staging'"
	# without a label, run asks nothing and unmark keeps its y/N
	rk_tty $'y\n' mark-applied 002_b.sql
	expect_rc 0
	rk_tty $'y\n' unmark 002_b.sql
	expect_rc 0
	expect_out "Delete the tracking record of '002_b.sql'? [y/N]"
}
