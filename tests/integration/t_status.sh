# status, history, current, detect and preview: states and JSON shapes.

two_applied() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	rk run
}

test_status_json_shape() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	rk status --json
	expect_rc 0
	jqe '.framework == "reckon"'
	if [ "$BACKEND" = pg ]; then
		jqe '.tracking_table == "public.reckon_migrations"'
	else
		jqe '.tracking_table == "reckon_migrations"'
	fi
	jqe '.detected_tables == []'
	jqe '[.migrations[].state] == ["pending","pending"]'
	jqe '.migrations[0] | keys_unsorted == ["name","state","applied_at","stored_hash","file_hash","out_of_order","version"]'
	jqe '.migrations[0].stored_hash == null and .migrations[0].applied_at == null'
	jqe '.summary == {"applied":0,"pending":2,"modified":0,"orphaned":0,"failed":0,"ignored":0,"unknown":0}'
	jqe '.warnings == []'
	rk status --check
	expect_rc 3
	rk run
	rk status --json
	jqe '[.migrations[].state] == ["applied","applied"]'
	jqe '.migrations | all(.applied_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))'
	jqe '.migrations | all(.stored_hash == .file_hash)'
	jqe '.migrations[1].id == "002_b.sql" and .migrations[1].version == "002"'
	jqe '.detected_tables[0].table == "reckon_migrations" and .detected_tables[0].framework == "reckon"'
	rk status --check
	expect_rc 0
}

test_status_modified() {
	two_applied
	echo "-- edited later" >>"$M/002_b.sql"
	rk status --json
	jqe '.migrations[1].state == "modified" and .migrations[1].cosmetic == true'
	jqe '.migrations[1].stored_hash != .migrations[1].file_hash'
	jqe '.summary.modified == 1'
	rk status --check
	expect_rc 0
	expect_err "warning: '002_b.sql' changed since it was applied"
	echo "INSERT INTO b VALUES (1);" >>"$M/002_b.sql"
	rk status --json
	jqe '.migrations[1].state == "modified" and .migrations[1].cosmetic == false'
	rk status --check
	expect_rc 3
	rk status
	expect_out "modified  002_b.sql"
}

test_status_orphaned() {
	two_applied
	rm "$M/001_a.sql"
	rk status --json
	jqe '.migrations[0] | .name == "001_a.sql" and .state == "orphaned" and .file_hash == null and .id == "001_a.sql"'
	jqe '.summary.orphaned == 1 and .summary.applied == 1'
	rk status --check
	expect_rc 3
}

test_status_out_of_order() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 003_c.sql "CREATE TABLE c (id integer);"
	rk run
	mig 002_b.sql "CREATE TABLE b (id integer);"
	rk status --json
	jqe '.migrations[1] | .name == "002_b.sql" and .state == "pending" and .out_of_order == true'
	rk status
	expect_out "(out of order)"
}

test_status_version_order() {
	mig V10__ten.sql "CREATE TABLE t10 (id integer);"
	mig V9__nine.sql "CREATE TABLE t9 (id integer);"
	mig V1_1__one_one.sql "CREATE TABLE t11 (id integer);"
	mig U9__nine.sql "DROP TABLE t9;"
	mig README.sql "-- not a migration name"
	rk status --json
	jqe '[.migrations[].name] == ["V1_1__one_one.sql","V9__nine.sql","V10__ten.sql"]'
	rk status
	expect_out "ignoring 'README.sql'"
}

# Entries named like migrations that are not regular files, or whose names
# are not UTF-8: listed as ignored with a reason and a warning, never fatal,
# never dropped from the JSON, never run or marked.
test_status_not_regular_files() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	ln -s /nonexistent/x.sql "$M/002_dangling.sql"
	mkfifo "$M/003_fifo.sql"
	mkdir "$M/004_dir.sql"
	ln -s 005_loop.sql "$M/005_loop.sql"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$M/006_sock.sql"
	mig $'007_caf\xe9.sql' "CREATE TABLE c (id integer);"
	mig 008_b.sql "CREATE TABLE b (id integer);"
	rk status
	expect_rc 0
	expect_out "ignored   002_dangling.sql  dangling symbolic link"
	expect_out "not a regular file: FIFO"
	expect_out "not a regular file: directory"
	expect_out "not a regular file: socket"
	expect_out "symbolic link loop"
	expect_out "007_caf\xe9.sql   file name is not UTF-8"
	expect_out "2 migration(s): 0 applied, 2 pending, 0 modified, 0 orphaned, 0 failed; 6 ignored"
	expect_out "warning: '003_fifo.sql' is ignored (not a regular file: FIFO)"
	rk status --json
	expect_rc 0
	jqe '[.migrations[] | .name] == ["001_a.sql","002_dangling.sql","003_fifo.sql","004_dir.sql","005_loop.sql","006_sock.sql","007_caf\\xe9.sql","008_b.sql"]'
	jqe '.migrations | all(has("name") and has("state") and has("version"))'
	jqe '[.migrations[] | select(.state == "ignored") | .reason] == ["dangling symbolic link","not a regular file: FIFO","not a regular file: directory","symbolic link loop","not a regular file: socket","file name is not UTF-8"]'
	jqe '.summary == {"applied":0,"pending":2,"modified":0,"orphaned":0,"failed":0,"ignored":6,"unknown":0}'
	jqe '.warnings | length == 6'
	rk mark-applied 003_fifo.sql
	expect_rc 2
	expect_err "cannot mark '003_fifo.sql': it is ignored (not a regular file: FIFO)"
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["001_a.sql","008_b.sql"] and (.warnings | length == 6)'
	check "the file with a non-UTF-8 name did not run" ! table_exists c
	# everything usable is applied: ignored entries warn, they do not block
	rk status --check
	expect_rc 0
	expect_out "warning: '002_dangling.sql' is ignored"
	rk mark-applied --all
	expect_rc 0
	rk status --json
	jqe '.summary.applied == 2 and .summary.ignored == 6 and .summary.pending == 0'
	# check names them; a pending file behind one stays pending, not blocked
	rk check --json
	expect_rc 3
	jqe '.warnings | any(test("002_dangling.sql.*dangling symbolic link"))'
}

# jansson refuses a name that is not UTF-8: the entry keeps its "name"
# (escaped) and is never run
test_status_name_not_utf8() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig $'002_caf\xe9.sql' "CREATE TABLE c (id integer);"
	rk status --json
	expect_rc 0
	jqe '.migrations | length == 2 and all(has("name"))'
	jqe '.migrations[1] | .name == "002_caf\\xe9.sql" and .state == "ignored" and .reason == "file name is not UTF-8"'
	rk run
	expect_rc 0
	check "the file with a non-UTF-8 name did not run" ! table_exists c
}

test_history_and_current() {
	rk current --json
	jqe '.current == null'
	two_applied
	rk history --json
	expect_rc 0
	jqe '[.migrations[].name] == ["001_a.sql","002_b.sql"]'
	jqe '.migrations | all(.applied_by | type == "string" and length > 0)'
	jqe '.migrations | all(.execution_ms >= 0)'
	rk current --json
	jqe '.current.name == "002_b.sql" and .current.version == "002"'
	rk history
	expect_out "002_b.sql"
}

# The rows are put in installed_rank order by reckon, not by the server:
# rows stored out of that order (an UPDATE moves a row to the end of the
# table) still list in it, and their times read back to the second
test_history_rank_order() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	mig 003_c.sql "CREATE TABLE c (id integer);"
	rk run
	expect_rc 0
	sql "UPDATE reckon_migrations SET installed_rank = installed_rank + 10 WHERE name = '001_a.sql'"
	sql "UPDATE reckon_migrations SET applied_at = '2025-01-10 12:34:56.9+00' WHERE name = '002_b.sql'"
	if [ "$BACKEND" = sqlite ]; then
		sql "UPDATE reckon_migrations SET applied_at = '2025-01-10T12:34:56Z' WHERE name = '002_b.sql'"
	fi
	rk history --json
	expect_rc 0
	jqe '[.migrations[].name] == ["002_b.sql","003_c.sql","001_a.sql"]'
	jqe '.migrations[0].applied_at == "2025-01-10T12:34:56Z"'
	jqe '.migrations | all(.applied_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))'
}

test_detect_lists_native_table() {
	rk detect --json
	jqe '.detected == []'
	two_applied
	rk detect --json
	jqe '.detected[0].framework == "reckon" and .detected[0].rows == 2 and .detected[0].table == "reckon_migrations"'
	rk detect
	expect_out "reckon"
}

BACKENDS_preview=sqlite
test_preview() {
	mig 001_p.sql "-- header
CREATE TABLE p (s text DEFAULT 'x;y');

CREATE INDEX p_s ON p (s);"
	rk_raw --dir "$M" preview 001_p.sql --json
	expect_rc 0
	jqe '.filename == "001_p.sql" and .lines == 4 and .transactional == true'
	jqe '[.statements[].line] == [2,4]'
	jqe '.statements[0].text == "CREATE TABLE p (s text DEFAULT '"'"'x;y'"'"');"'
	mig 002_c.sql "CREATE INDEX CONCURRENTLY i ON p (s);"
	rk_raw --dir "$M" preview 002_c.sql --json
	jqe '.transactional == false and .statements[0].no_transaction == true'
	rk_raw --dir "$M" preview nope.sql
	expect_rc 1
	expect_err "nope.sql"
}

# dbmate stores no checksum: reckon keeps the file's SHA-256 beside it
test_sidecar_finds_modified() {
	if [ "$BACKEND" = pg ]; then
		sql "CREATE TABLE schema_migrations (version varchar NOT NULL PRIMARY KEY)" >/dev/null
	else
		sqlite3 "$SQLITE_FILE" "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)"
	fi
	mig 20240101000000_a.sql "-- migrate:up
CREATE TABLE a (id integer);
-- migrate:down
DROP TABLE a;"
	rk run
	expect_rc 0
	check "dbmate row written" test "$(sql "select version from schema_migrations")" = 20240101000000
	check "sidecar row written" test \
		"$(sql "select sha256 from reckon_file_hashes where name = '20240101000000_a.sql'")" = \
		"$(sha256sum <"$M/20240101000000_a.sql" | cut -c1-64)"
	echo "-- changed" >>"$M/20240101000000_a.sql"
	rk status --json
	jqe '.framework == "dbmate" and .migrations[0].state == "modified"'
	rk repair --all
	rk status --json
	jqe '.migrations[0].state == "applied"'
	mig 20240102000000_b.sql "CREATE TABLE b (id integer);"
	rk --no-sidecar run
	check "no sidecar row with --no-sidecar" test \
		"$(sql "select count(*) from reckon_file_hashes where name = '20240102000000_b.sql'")" = 0
}
