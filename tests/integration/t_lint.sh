# lint: findings graded by the live table's size, the run gate and
# --allow-unsafe, reckon:allow comments, check's lint array, exit codes,
# the fixture corpus through the command line.

# fill TABLE N: N rows of filler, then statistics (reltuples)
fill() {
	sql "INSERT INTO $1 (id, v) SELECT g, repeat('x', 40) FROM generate_series(1, $2) g; ANALYZE $1" >/dev/null
}

BACKENDS_lint_live_sizes=pg
test_lint_live_sizes() {
	mig 001_t.sql "CREATE TABLE events (id bigint PRIMARY KEY, v text);"
	rk run
	expect_rc 0
	mig 002_idx.sql "CREATE INDEX events_v ON events (v);"
	# empty: info, which is not unsafe
	rk lint --json --error-above 64kB
	expect_rc 0
	jqe '.findings | length == 1'
	jqe '.findings[0] | .rule == "create-index-not-concurrently" and .severity == "info" and .file == "002_idx.sql" and .line == 1 and .table == "events"'
	jqe '.summary.live == true and .summary.error_above == 65536 and .summary.unsafe == false'
	# the same statement on a table above the threshold: an error, with
	# the table's size and its estimated rows
	fill events 20000
	rk lint --json --error-above 64kB
	expect_rc 3
	jqe '.findings[0] | .severity == "error" and .table_bytes > 65536 and .table_rows == 20000'
	jqe '.findings[0].message | test("more than lint.error_above \\(64 kB\\)")'
	jqe '.findings[0].safe_alternative | test("CONCURRENTLY")'
	jqe '.summary.error == 1 and .summary.unsafe == true'
	# under the default 100MB it is a warning (still exit 3)
	rk lint --json
	expect_rc 3
	jqe '.findings[0].severity == "warning" and .summary.error_above == 104857600'
	# the threshold from reckon.yaml
	printf 'lint:\n  error_above: 10MB\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" lint --json
	jqe '.findings[0].severity == "warning" and .summary.error_above == 10485760'
	printf 'lint:\n  error_above: 100kB\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" lint --json
	jqe '.findings[0].severity == "error"'
	# a table the database does not have, not created by the files: info
	mig 003_other.sql "CREATE INDEX ghosts_v ON ghosts (v);"
	rk lint --json --error-above 64kB 003_other.sql
	expect_rc 0
	jqe '.findings[0] | .severity == "info" and (.message | test("does not exist"))'
	# text output: file:line, severity, rule, the size, the safe way
	rk lint --error-above 64kB 002_idx.sql
	expect_rc 3
	expect_out "002_idx.sql:1: error create-index-not-concurrently: CREATE INDEX on events"
	expect_out "safe: CREATE INDEX CONCURRENTLY"
	expect_out "about 20000 rows"
	expect_out "1 file(s) linted: 1 error(s), 0 warning(s), 0 info, 0 allowed (table sizes from the database; error above 64 kB)"
}

BACKENDS_lint_run_gate=pg
test_lint_run_gate() {
	mig 001_t.sql "CREATE TABLE orders (id bigint PRIMARY KEY, v text);"
	rk run
	fill orders 20000
	mig 002_idx.sql "CREATE INDEX orders_v ON orders (v);"
	printf 'lint:\n  error_above: 64kB\n' >"$T/reckon.yaml"
	save_dump
	# refused before anything happens, exit 3, naming the finding
	rk --config "$T/reckon.yaml" run
	expect_rc 3
	expect_err "refusing to run: 1 error-level lint finding(s): 002_idx.sql:1: create-index-not-concurrently"
	expect_err "--allow-unsafe"
	expect_one_error
	expect_unchanged
	rk --config "$T/reckon.yaml" --json run
	expect_rc 3
	jqe '.ok == false and .error.kind == "check"'
	expect_unchanged
	# a dry run lists the findings and exits 0
	rk --config "$T/reckon.yaml" --json run --dry-run
	expect_rc 0
	jqe '.dry_run == true and (.lint | length == 1) and .lint[0].severity == "error" and .lint[0].table_rows == 20000'
	rk --config "$T/reckon.yaml" run --dry-run
	expect_rc 0
	expect_out "002_idx.sql:1: error create-index-not-concurrently"
	expect_unchanged
	# the default threshold: a warning, which run does not refuse
	rk --json run --dry-run
	jqe '.lint[0].severity == "warning"'
	# --allow-unsafe runs it
	rk --config "$T/reckon.yaml" run --allow-unsafe
	expect_rc 0
	check "index built" test "$(sql "select count(*) from pg_indexes where indexname = 'orders_v'")" = 1
	rk status --check
	expect_rc 0
}

BACKENDS_lint_allow=pg
test_lint_allow() {
	mig 001_t.sql "CREATE TABLE big (id bigint PRIMARY KEY, v text, legacy text);"
	rk run
	fill big 20000
	mig 002_drop.sql "-- reckon:allow drop-column legacy is unused since v41
ALTER TABLE big DROP COLUMN legacy;
-- reckon:allow create-index-not-concurrently built in a maintenance window
CREATE INDEX big_v ON big (v);"
	printf 'lint:\n  error_above: 64kB\n' >"$T/reckon.yaml"
	# allowed findings are reported, never silent, and count for nothing
	rk --config "$T/reckon.yaml" lint --json
	expect_rc 0
	jqe '.findings | length == 2'
	jqe '[.findings[] | .suppressed] == [true, true]'
	jqe '.findings[0].allow_reason == "legacy is unused since v41" and .findings[1].allow_reason == "built in a maintenance window"'
	jqe '.findings[1].severity == "error" and .summary.suppressed == 2 and .summary.error == 0'
	rk --config "$T/reckon.yaml" lint
	expect_out "(allowed: built in a maintenance window)"
	# so run goes ahead
	rk --config "$T/reckon.yaml" run
	expect_rc 0
	# an allow without a reason allows nothing, and says so
	mig 003_trunc.sql "-- reckon:allow truncate
TRUNCATE big;"
	save_dump
	rk --config "$T/reckon.yaml" lint --json
	expect_rc 3
	jqe '.findings[0] | .suppressed == false and .severity == "error" and (.message | test("without a reason"))'
	rk --config "$T/reckon.yaml" run
	expect_rc 3
	expect_unchanged
}

test_lint_check() {
	mig 001_t.sql "CREATE TABLE users (id integer PRIMARY KEY, name text, email text);"
	rk run
	sql "INSERT INTO users (id, name) VALUES (1, 'a'), (2, 'b')" >/dev/null
	# a new table's rename only: info, check stays safe
	mig 002_new.sql "CREATE TABLE tags (id integer, name text);
ALTER TABLE tags RENAME COLUMN name TO label;"
	rk check --json
	expect_rc 0
	jqe '.safe == true and (.lint | length == 1) and .lint[0].severity == "info"'
	# an unsafe statement on an existing table: among the warnings, and
	# check is not safe
	mig 003_rename.sql "ALTER TABLE users RENAME COLUMN name TO full_name;"
	rk check --json
	expect_rc 3
	jqe '.safe == false and (.lint | map(.rule) | index("rename-column") != null)'
	jqe '.warnings | any(test("^003_rename.sql:1: warning rename-column: RENAME COLUMN name TO full_name of users"))'
	rk check
	expect_rc 3
	expect_out "Lint:            2 file(s) linted: 0 error(s), 1 warning(s), 1 info, 0 allowed"
	expect_out "warning: 003_rename.sql:1: warning rename-column"
	# allowed: listed in lint, not a warning
	mig 003_rename.sql "ALTER TABLE users RENAME COLUMN name TO full_name; -- reckon:allow rename-column the app reads both since v7"
	rk check --json
	jqe '(.lint | map(select(.file == "003_rename.sql")) | .[0] | .rule == "rename-column" and .suppressed and .allow_reason == "the app reads both since v7")'
	jqe '.warnings | any(test("rename-column")) | not'
	rk check --json
	expect_rc 0
	jqe '.safe == true'
}

BACKENDS_lint_sqlite=sqlite
test_lint_sqlite() {
	mig 001_t.sql "CREATE TABLE people (id INTEGER PRIMARY KEY, nick TEXT);"
	rk run
	mig 002_drop.sql "ALTER TABLE people DROP COLUMN nick;"
	# the linked SQLite (3.35 or newer here) can drop a column; on an
	# empty table it is info
	rk lint --json
	expect_rc 0
	jqe '[.findings[].rule] == ["drop-column"] and .summary.sqlite_version != null'
	jqe '.findings[0].severity == "info" and (.findings[0].message | test("empty"))'
	sql "INSERT INTO people (nick) VALUES ('z')"
	rk lint --json
	expect_rc 3
	jqe '.findings[0].severity == "warning" and .findings[0].table_bytes > 0'
	# a release on an older SQLite: the statement would fail there
	printf 'lint:\n  sqlite_version: 3.31.1\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" lint --json
	jqe '[.findings[] | select(.rule == "sqlite-version") | .severity] == ["error"]'
	jqe '.summary.sqlite_version == "3.31.1"'
	save_dump
	rk --config "$T/reckon.yaml" run
	expect_rc 3
	expect_err "sqlite-version"
	expect_unchanged
	# forms SQLite has no ALTER TABLE for: an error whatever the table
	mig 002_drop.sql "ALTER TABLE people ADD CONSTRAINT nick_uq UNIQUE (nick);"
	rk lint --json
	jqe '.findings[0] | .rule == "sqlite-unsupported-alter" and .severity == "error"'
	# a rebuild without foreign keys off, on a table with rows
	mig 002_drop.sql "CREATE TABLE new_people (id INTEGER PRIMARY KEY, nick TEXT NOT NULL);
INSERT INTO new_people SELECT id, nick FROM people;
DROP TABLE people;
ALTER TABLE new_people RENAME TO people;"
	rk lint --json
	expect_rc 3
	jqe '[.findings[] | select(.rule == "sqlite-rebuild-foreign-keys") | .severity] == ["warning"]'
	jqe '[.findings[] | select(.rule == "drop-table") | .severity] == ["info"]'
	mig 002_drop.sql "PRAGMA foreign_keys = OFF;
$(cat "$M/002_drop.sql")"
	rk lint --json
	expect_rc 0
	jqe '[.findings[] | select(.rule == "sqlite-rebuild-foreign-keys")] == []'
}

BACKENDS_lint_type_change=pg
test_lint_type_change() {
	mig 001_t.sql "CREATE TABLE docs (id bigint PRIMARY KEY, title varchar(20), n integer);"
	rk run
	fill_docs() { sql "INSERT INTO docs SELECT g, 'x', g FROM generate_series(1, 1000) g" >/dev/null; }
	fill_docs
	# with the database, a widening varchar is known to rewrite nothing
	mig 002_type.sql "ALTER TABLE docs ALTER COLUMN title TYPE varchar(200);
ALTER TABLE docs ALTER COLUMN title TYPE text;
ALTER TABLE docs ALTER COLUMN n TYPE bigint;"
	rk lint --json
	expect_rc 3
	jqe '[.findings[] | {line, rule}] == [{"line": 3, "rule": "alter-column-type"}]'
	# without it, every type change is suspect
	rk lint --json --no-db 002_type.sql
	jqe '[.findings[].line] == [1, 2, 3] and .summary.live == false'
}

BACKENDS_lint_cli=sqlite
test_lint_cli() {
	mig 001_ok.sql "CREATE TABLE a (id integer);
CREATE INDEX a_id ON a (id);"
	# nothing to say: exit 0
	rk lint --no-db 001_ok.sql
	expect_rc 0
	expect_out "1 file(s) linted: 0 error(s), 0 warning(s), 1 info, 0 allowed (no database: every table the files do not create counts as existing)"
	# without a database every other table counts as existing
	mig 002_bad.sql "TRUNCATE b;"
	rk lint --json --no-db 002_bad.sql
	expect_rc 3
	jqe '.findings[0] | .severity == "warning" and .table_bytes == null and .table_rows == null'
	# FILE as a path, read in SQLite's dialect
	rk lint --json --no-db --sqlite "$M/002_bad.sql"
	jqe '.summary.dialect == "sqlite" and .findings[0].file == "'"$M/002_bad.sql"'"'
	# --explain and --rules
	rk lint --explain set-not-null
	expect_rc 0
	expect_out "Safe way: ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID"
	expect_out "-- reckon:allow set-not-null REASON"
	rk --json lint --explain vacuum-full
	jqe '.rules | length == 1 and .[0].id == "vacuum-full" and .[0].dialect == "postgres" and (.[0].safe_alternative | test("pg_repack"))'
	rk --json lint --rules
	jqe '.rules | length >= 19 and all(.why != "")'
	rk lint --rules
	expect_rc 0
	expect_out "sqlite-unsupported-alter"
	check "every rule listed" test "$(wc -l <<<"$OUT")" -ge 19
	# bad usage: exit 2, one clear error
	rk lint --explain no-such-rule
	expect_rc 2
	expect_err "lint: no rule 'no-such-rule'"
	expect_one_error
	rk lint --error-above lots 001_ok.sql
	expect_rc 2
	expect_err "--error-above: invalid size 'lots'"
	rk lint --no-db
	expect_rc 2
	expect_err "name the files to lint, or give a database"
	rk lint --no-db no_such_file.sql
	expect_rc 1
	printf 'lint:\n  error_above: huge\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" lint 001_ok.sql
	expect_rc 2
	expect_err "key 'lint.error_above': invalid size 'huge'"
	printf 'lint:\n  error_abov: 1MB\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" lint 001_ok.sql
	expect_rc 2
	expect_err "unknown key under 'lint'"
	printf 'lint: 1MB\n' >"$T/reckon.yaml"
	rk --config "$T/reckon.yaml" lint 001_ok.sql
	expect_rc 2
	expect_err "key 'lint': expected a mapping"
	# preview shows the file's findings
	rk preview 002_bad.sql
	expect_rc 0
	expect_out "002_bad.sql:1: warning truncate: TRUNCATE b"
	rk --json preview 002_bad.sql
	jqe '.lint[0].rule == "truncate"'
}

# The corpus through the command line: each fixture's findings as the
# unit test renders them (line, severity, rule, table, allowed).
BACKENDS_lint_fixtures=sqlite
test_lint_fixtures() {
	local f exp got n=0
	for f in "$RECKON_ROOT"/fixtures/lint/*.sql; do
		local opt=()
		case $(basename "$f") in sqlite_*) opt=(--sqlite) ;; esac
		exp=${f%.sql}.expected
		if grep -q 'lint-fixture: sqlite_version' "$f"; then
			printf 'lint:\n  sqlite_version: %s\n' "$(sed -n 's/.*lint-fixture: sqlite_version \([0-9.]*\).*/\1/p' "$f")" >"$T/reckon.yaml"
		else
			: >"$T/reckon.yaml"
		fi
		rk_raw --config "$T/reckon.yaml" --json lint --no-db "${opt[@]}" "$f"
		got=$(jq -r '.findings[] | "\(.line) \(.severity) \(.rule) \(.table // "-")\(if .suppressed then " allowed" else "" end)"' <<<"$OUT")
		if [ "$got" = "$(cat "$exp")" ]; then pass; else
			fail "$f: want $(cat "$exp") got $got"
		fi
		n=$((n + 1))
	done
	check "the corpus has a case per rule" test $n -ge 19
}
