# Framework details checked against the real frameworks (beside the round
# trips of t_real_py.sh and t_real_node.sh, whose helpers these use):
# spellings, layouts and records that only the framework itself can say
# reckon reads and writes as it does.

# --- node-pg-migrate: its markers in every spelling its pattern reads ---

# sqlMigration.ts finds /^\s*--[\s-]*up\s+migration/im (and down): reckon
# splits a file spelled "  ---- UP   migration" where node-pg-migrate
# does, runs only the up part, and node-pg-migrate's own down then undoes
# it with the down part reckon left alone.
BACKENDS_real_node_pg_migrate_markers=pg
test_real_node_pg_migrate_markers() {
	rn_env node-pg-migrate || return 0
	local npm=(env DATABASE_URL="$RN_URL" "$NB/node-pg-migrate" -m "$M")
	rn_stage "$P/migrations" 1
	rn_framework_ran "node-pg-migrate up" "${npm[@]}" up
	printf '  ---- UP   migration: wide\r\nCREATE TABLE wides (id int);\n\n%s\n%s\n' \
		'--- - down	MIGRATIONS' 'DROP TABLE wides;' >"$M/1704067200002_wide.sql"
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["1704067200002_wide.sql"]'
	[ "$(sql "select to_regclass('public.wides') is not null")" = t ] && pass ||
		fail "the up part did not run"
	rn_framework_ran "node-pg-migrate up --dry-run" "${npm[@]}" up --dry-run
	grep -q 'No migrations to run' "$T/fw.out" && pass ||
		fail "node-pg-migrate would still run something: $(cat "$T/fw.out")"
	# node-pg-migrate's down runs the down part: the split was its own
	rn_framework_ran "node-pg-migrate down" "${npm[@]}" down
	[ "$(sql "select to_regclass('public.wides') is null")" = t ] && pass ||
		fail "node-pg-migrate's down left wides"
	rk status --json
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["1704067200002_wide.sql"]'
	# and reckon's down uses the same part
	rk run
	expect_rc 0
	rk down --steps 1
	expect_rc 0
	[ "$(sql "select to_regclass('public.wides') is null")" = t ] && pass ||
		fail "reckon's down left wides"
	rn_framework_sees_pending "node-pg-migrate up --dry-run" '> Migrating files:' \
		"${npm[@]}" up --dry-run

	# A down marker with no up marker before it: node-pg-migrate runs
	# the whole file as its up, so reckon leaves it to node-pg-migrate
	rm "$M/1704067200002_wide.sql"
	printf -- '-- Down Migration\nDROP TABLE x;\n-- Up Migration\nSELECT 1;\n' \
		>"$M/1704067200003_backwards.sql"
	save_dump
	rk run
	expect_rc 1
	expect_err "1704067200003_backwards.sql"
	expect_err "a down marker before any up marker"
	expect_unchanged
}
