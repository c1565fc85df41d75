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

	# A down marker with no up marker before it: only node-pg-migrate
	# knows what it runs of such a file, so reckon hands it to
	# node-pg-migrate itself, which then counts it applied
	rm "$M/1704067200002_wide.sql"
	printf -- '-- Down Migration\nDROP TABLE x;\n-- Up Migration\nSELECT 1;\n' \
		>"$M/1704067200003_backwards.sql"
	rk run --json
	expect_rc 0
	jqe '[.applied[] | select(.ran_by | test("node-pg-migrate")) | .name] == ["1704067200003_backwards.sql"]'
	rn_framework_ran "node-pg-migrate up --dry-run" "${npm[@]}" up --dry-run
	grep -q 'No migrations to run' "$T/fw.out" && pass ||
		fail "node-pg-migrate would still run something: $(cat "$T/fw.out")"
}

# --- A fresh database: the directory says whose it is ---

# node-pg-migrate's markers choose its table before it exists: reckon runs
# the files into a database node-pg-migrate never touched, and
# node-pg-migrate then finds nothing to run.
BACKENDS_real_fresh_node_pg_migrate=pg
test_real_fresh_node_pg_migrate() {
	rn_env node-pg-migrate || return 0
	rn_stage "$P/migrations" 3
	rk detect --json
	jqe '.detected == [] and .directory_framework == "node-pg-migrate"'
	jqe '.directory_evidence | test("Up Migration")'
	rk status
	expect_out "Framework: node-pg-migrate (table public.pgmigrations, created on first write)"
	expect_out "the directory is node-pg-migrate's"
	rk run
	expect_rc 0
	table_exists pgmigrations && pass || fail "pgmigrations was not created"
	rn_framework_ran "node-pg-migrate up --dry-run" env DATABASE_URL="$RN_URL" \
		"$NB/node-pg-migrate" -m "$M" up --dry-run
	grep -q 'No migrations to run' "$T/fw.out" && pass ||
		fail "node-pg-migrate would still run something: $(cat "$T/fw.out")"
}

# TrailBase (not installable here: a Rust binary; its layout and naming
# checked in trailbaseio/trailbase crates/core/src/migrations.rs and
# data_dir.rs): U files are migrations, not undo scripts, and 'new' writes
# U<unix seconds>__<name>.sql.
BACKENDS_fresh_trailbase=sqlite
test_fresh_trailbase() {
	M=$T/traildepot/migrations/main
	mkdir -p "$M"
	touch "$T/traildepot/config.textproto"
	mig U1725019362__users.sql 'CREATE TABLE users (id INTEGER PRIMARY KEY);'
	mig V100__posts.sql 'CREATE TABLE posts (id INTEGER PRIMARY KEY);'
	rk status --json
	expect_rc 0
	jqe '.framework == "trailbase" and .tracking_table == "_schema_history"'
	jqe '.framework_from_directory | test("TrailBase data directory")'
	expect_states '{"V100__posts.sql": "pending", "U1725019362__users.sql": "pending"}'
	rk new add_tags
	expect_rc 0
	local made
	made=$(cd "$M" && ls U*__add_tags.sql)
	if [[ $made =~ ^U([0-9]+)__add_tags\.sql$ ]] &&
		[ "${BASH_REMATCH[1]}" -gt 1725019362 ]; then pass; else
		fail "new wrote '$made', not U<unix seconds>__add_tags.sql"
	fi
	echo 'CREATE TABLE tags (id INTEGER PRIMARY KEY);' >"$M/$made"
	rk run
	expect_rc 0
	[ "$(sql 'SELECT count(*) FROM _schema_history')" = 3 ] && pass ||
		fail "_schema_history: $(sql 'SELECT * FROM _schema_history')"
	[ "$(sql "SELECT name FROM _schema_history WHERE version = 1725019362")" = users ] &&
		pass || fail "users row: $(sql 'SELECT * FROM _schema_history')"
	rk status --check
	expect_rc 0
}

# Diesel (not installable here: diesel_cli is a Rust crate; its layout and
# naming checked in diesel-rs/diesel migrations_internals/src/lib.rs):
# <version>_<name>/up.sql directories choose __diesel_schema_migrations.
test_fresh_diesel() {
	mkdir -p "$M/2024-01-01-120000_create_users"
	echo 'CREATE TABLE users (id integer PRIMARY KEY);' >"$M/2024-01-01-120000_create_users/up.sql"
	echo 'DROP TABLE users;' >"$M/2024-01-01-120000_create_users/down.sql"
	rk detect
	expect_out "the directory is diesel's: 1 <version>_<name>/up.sql directory"
	expect_out "reckon will create diesel's table (__diesel_schema_migrations)"
	rk new add_posts
	expect_rc 0
	local d
	d=$(cd "$M" && ls -d ????-??-??-??????_add_posts)
	[ -f "$M/$d/up.sql" ] && [ -f "$M/$d/down.sql" ] && pass ||
		fail "new did not write <version>_add_posts/up.sql and down.sql: $(ls "$M")"
	echo 'CREATE TABLE posts (id integer PRIMARY KEY);' >"$M/$d/up.sql"
	rk run
	expect_rc 0
	[ "$(sql 'SELECT version FROM __diesel_schema_migrations ORDER BY version' | head -1)" = 20240101120000 ] &&
		pass || fail "diesel rows: $(sql 'SELECT * FROM __diesel_schema_migrations')"
	rk status --check
	expect_rc 0
}

# Names reckon's own format also takes are no evidence, and two
# frameworks' evidence at once is none either: reckon's table, with a note.
test_fresh_not_enough() {
	mig V1__users.sql 'CREATE TABLE users (id int);'
	mig 2_posts.up.sql 'CREATE TABLE posts (id int);'
	printf -- '-- migrate:up\nCREATE TABLE tags (id int);\n-- migrate:down\n' >"$M/3_tags.sql"
	rk status --json
	jqe '.framework == "reckon" and .framework_from_directory == null'
	touch "$M/sqitch.plan" "$M/migration_lock.toml"
	rk status --json
	jqe '.framework == "reckon"'
	jqe '.framework_from_directory | test("prisma.s .*sqitch.s .* alike")'
	rk status
	expect_out "pass --framework to choose"
}

# sequelize-cli's project around the directory chooses Sequelize on a
# fresh database: a .sequelizerc, or sequelize init's config/config.json
# with seeders/ beside; config/config.json alone is no evidence.
test_fresh_sequelize() {
	M=$T/app/migrations
	mkdir -p "$M" "$T/app/config"
	printf "module.exports = { up: async () => {}, down: async () => {} };\n" >"$M/20240101000001-one.js"
	echo '{}' >"$T/app/config/config.json"
	rk status --json
	jqe '.framework == "reckon"'
	mkdir "$T/app/seeders"
	rk detect
	expect_out "the directory is sequelize's: sequelize init's config/config.json and seeders/ are beside it"
	rm -r "$T/app/seeders" "$T/app/config"
	touch "$T/app/.sequelizerc"
	rk status --json
	jqe '.framework == "sequelize" and (.tracking_table | test("SequelizeMeta$")) and [.migrations[].state] == ["pending"]'
	jqe '.framework_from_directory | test(".sequelizerc is beside it")'
}

# --- Records an earlier reckon kept in its own table ---# --- Records an earlier reckon kept in its own table ---

# trailbase_dir: a TrailBase data directory's migrations/main as $M
trailbase_dir() {
	M=$T/traildepot/migrations/main
	mkdir -p "$M"
	touch "$T/traildepot/config.textproto"
}

# An earlier reckon, before it read directories, ran TrailBase's V files
# into reckon_migrations (natively, U files are undo scripts: it never saw
# them); TrailBase then made _schema_history with its own first migration.
# detect and status say so, run refuses, and repair --move plans, then
# moves the records in one transaction, written as refinery writes them
# (TrailBase is a Rust binary, not installable here: the checksum below is
# the hand-written fixture's, checked in trailbaseio/trailbase
# crates/refinery/src/{traits/mod.rs,drivers/trailbase.rs}).
BACKENDS_moved_trailbase=sqlite
test_moved_trailbase() {
	trailbase_dir
	local fx=$RECKON_ROOT/fixtures/frameworks/trailbase/migrations
	cp "$fx/U1736510400__create_users.sql" "$M/V1736510400__create_users.sql"
	mig V1736510402__tags.sql 'CREATE TABLE tags (id INTEGER PRIMARY KEY);'
	rk --framework reckon run --no-backup
	expect_rc 0
	mig U1736510405__posts.sql 'CREATE TABLE posts (id INTEGER PRIMARY KEY);'
	sqlite3 "$SQLITE_FILE" "CREATE TABLE _schema_history(version INT PRIMARY KEY,
		name TEXT, applied_on TEXT, checksum TEXT) STRICT;
		INSERT INTO _schema_history VALUES (1, 'initial',
		'2025-01-10T11:59:59.5Z', '7043811934785404133');" ||
		fail "cannot make TrailBase's table"

	rk detect --json
	expect_rc 0
	jqe '.misplaced.framework == "trailbase" and .misplaced.table == "reckon_migrations" and .misplaced.rows == 2'
	rk detect
	expect_out "warning: reckon_migrations holds 2 record(s) an earlier reckon wrote as its own"
	expect_out "'reckon repair --move' shows the plan"
	rk status --json
	expect_rc 0
	jqe '.framework == "trailbase" and .misplaced.rows == 2'
	expect_states '{"V1736510400__create_users.sql": "pending",
		"V1736510402__tags.sql": "pending", "U1736510405__posts.sql": "pending"}'
	rk status
	expect_out "they belong in trailbase's table _schema_history (the one in use)"
	rk check --json
	jqe '.safe == false and any(.warnings[]; test("repair --move"))'

	# a run would apply the V files again: refused, nothing written
	save_dump
	rk run --no-backup
	expect_rc 3
	expect_err "refusing to run: reckon_migrations holds record(s) an earlier reckon wrote"
	expect_err "'reckon repair --move'"
	expect_unchanged

	# a file edited since it was recorded stays, and so does the table
	cp "$M/V1736510402__tags.sql" "$T/tags.keep"
	echo '-- edited' >>"$M/V1736510402__tags.sql"
	rk repair --move --json
	expect_rc 0
	jqe '.written == false and .dropped == false and .to == "_schema_history"'
	jqe '[.records[] | .name + ":" + .action] == ["V1736510400__create_users.sql:move", "V1736510402__tags.sql:keep"]'
	expect_unchanged
	cp "$T/tags.keep" "$M/V1736510402__tags.sql"
	rk repair --move
	expect_rc 0
	expect_out "Plan: move records from reckon_migrations into trailbase's table _schema_history"
	expect_out "pass --yes to move them"
	expect_unchanged

	rk repair --move --yes --json
	expect_rc 0
	jqe '.written == true and .dropped == true and ([.records[].action] | unique) == ["move"]'
	check "reckon_migrations dropped" ! table_exists reckon_migrations
	[ "$(sql "SELECT name || '|' || checksum FROM _schema_history WHERE version = 1736510400")" = \
		"create_users|1143081593702107538" ] && pass ||
		fail "create_users row: $(sql 'SELECT * FROM _schema_history')"
	sql "SELECT applied_on FROM _schema_history WHERE version = 1736510402" |
		grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' && pass ||
		fail "applied_on is not RFC 3339: $(sql 'SELECT * FROM _schema_history')"
	rk status --json
	jqe '.misplaced == null'
	expect_states '{"V1736510400__create_users.sql": "applied",
		"V1736510402__tags.sql": "applied", "U1736510405__posts.sql": "pending"}'
	rk run --no-backup
	expect_rc 0
	check "posts created" table_exists posts
	rk status --check
	expect_rc 0
	rk repair --move
	expect_rc 0
	expect_out "Nothing to move"
}

# Before TrailBase made its table: reckon's is still the one in use, and
# repair --move creates TrailBase's (STRICT, as TrailBase does) to move
# the records into.
BACKENDS_moved_trailbase_no_table=sqlite
test_moved_trailbase_no_table() {
	trailbase_dir
	mig V1736510402__tags.sql 'CREATE TABLE tags (id INTEGER PRIMARY KEY);'
	rk --framework reckon run --no-backup
	expect_rc 0
	rk status
	expect_rc 0
	expect_out "Framework: reckon (table reckon_migrations)"
	expect_out "_schema_history (not created yet)"
	rk repair --move --yes
	expect_rc 0
	expect_out "1 record(s) moved in one transaction; the emptied table was dropped"
	sql "SELECT sql FROM sqlite_schema WHERE name = '_schema_history'" | grep -q STRICT &&
		pass || fail "no STRICT _schema_history: $(sql 'SELECT sql FROM sqlite_schema')"
	rk status --json
	jqe '.framework == "trailbase" and .misplaced == null'
	expect_states '{"V1736510402__tags.sql": "applied"}'
}

# The same on both engines, for Flyway's layout (flyway.conf beside the
# sql directory; Flyway is a JVM tool, not installable here: the checksum
# is the hand-written fixture's, checked in flyway/flyway
# flyway-core/src/main/java/org/flywaydb/core/internal/resolver/
# ChecksumCalculator.java). Moving fills flyway_schema_history as Flyway
# does, with ranks in order, and the native table goes.
bool_true() { if [ "$BACKEND" = pg ]; then echo true; else echo 1; fi; }
test_moved_flyway() {
	M=$T/proj/sql
	mkdir -p "$M"
	touch "$T/proj/flyway.conf"
	cp "$RECKON_ROOT/fixtures/frameworks/flyway/migrations/V1__create_users.sql" "$M/"
	mig V2__tags.sql 'CREATE TABLE tags (id integer PRIMARY KEY);'
	rk --framework reckon run --no-backup
	expect_rc 0
	mig V3__posts.sql 'CREATE TABLE posts (id integer PRIMARY KEY);'
	rk status --json
	expect_rc 0
	jqe '.framework == "reckon" and .misplaced.framework == "flyway" and .misplaced.rows == 2'
	save_dump
	rk run --no-backup
	expect_rc 3
	expect_unchanged
	rk repair --move --json
	expect_rc 0
	jqe '.written == false and [.records[].action] == ["move", "move"]'
	expect_unchanged
	rk repair --move --yes
	expect_rc 0
	expect_out "2 record(s) moved in one transaction; the emptied table was dropped"
	check "reckon_migrations dropped" ! table_exists reckon_migrations
	[ "$(sql "SELECT installed_rank || ':' || script || ':' || success FROM flyway_schema_history ORDER BY installed_rank" | tr '\n' ' ')" = \
		"1:V1__create_users.sql:$(bool_true) 2:V2__tags.sql:$(bool_true) " ] &&
		pass || fail "flyway rows: $(sql 'SELECT * FROM flyway_schema_history')"
	[ "$(sql "SELECT checksum FROM flyway_schema_history WHERE script = 'V1__create_users.sql'")" = -467086168 ] &&
		pass || fail "V1's checksum is not Flyway's: $(sql 'SELECT * FROM flyway_schema_history')"
	rk status --json
	jqe '.framework == "flyway" and .misplaced == null'
	expect_states '{"V1__create_users.sql": "applied", "V2__tags.sql": "applied",
		"V3__posts.sql": "pending"}'
	rk run --no-backup
	expect_rc 0
	rk status --check
	expect_rc 0
}

# Diesel (a Rust crate, not installable here): __diesel_schema_migrations
# as Diesel creates it, checked in diesel-rs/diesel
# diesel/src/migration/setup_migration_table.sql, one row per directory
# whose stored version is the name up to '_' without its '-'s
# (diesel_migrations/migrations_internals/src/lib.rs). An earlier reckon
# ran the up.sql files as V<version>__ files of its own, one of them
# after Diesel had run it too; repair --move plans without writing, then
# records the other as Diesel does and drops only reckon's record of the
# first.
test_moved_diesel() {
	local fx=$RECKON_ROOT/fixtures/frameworks/diesel/migrations
	mkdir -p "$T/nat"
	cp "$fx/2024-01-01-000001_users/up.sql" "$T/nat/V20240101000001__users.sql"
	cp "$fx/2024-01-01-000002_orders/up.sql" "$T/nat/V20240101000002__orders.sql"
	local dir=$M
	M=$T/nat
	rk --framework reckon run --no-backup
	expect_rc 0
	M=$dir
	cp -r "$fx/." "$M/"
	sql "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
		version VARCHAR(50) PRIMARY KEY NOT NULL,
		run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
		INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000001')" >/dev/null

	rk detect --json
	expect_rc 0
	jqe '.misplaced.framework == "diesel" and .misplaced.rows == 2'
	rk status --json
	expect_rc 0
	jqe '.framework == "diesel" and .misplaced.rows == 2'
	expect_states '{"2024-01-01-000001_users/up.sql": "applied",
		"2024-01-01-000002_orders/up.sql": "pending",
		"2024-01-01-000004_items/up.sql": "pending"}'
	rk status
	expect_out "they belong in diesel's table __diesel_schema_migrations (the one in use)"

	save_dump
	rk run --no-backup
	expect_rc 3
	expect_err "'reckon repair --move'"
	rk repair --move --json
	expect_rc 0
	jqe '.written == false and (.to | sub("^public\\."; "")) == "__diesel_schema_migrations"'
	jqe '[.records[] | .name + ":" + .action] == ["V20240101000001__users.sql:drop", "V20240101000002__orders.sql:move"]'
	rk repair --move
	expect_rc 0
	expect_out "pass --yes to move them"
	expect_unchanged

	rk repair --move --yes --json
	expect_rc 0
	jqe '.written == true and .dropped == true'
	check "reckon_migrations dropped" ! table_exists reckon_migrations
	[ "$(sql "SELECT version FROM __diesel_schema_migrations WHERE run_on IS NOT NULL ORDER BY version" | tr '\n' ' ')" = \
		"20240101000001 20240101000002 " ] && pass ||
		fail "diesel rows: $(sql 'SELECT * FROM __diesel_schema_migrations')"
	rk status --json
	jqe '.misplaced == null'
	expect_states '{"2024-01-01-000001_users/up.sql": "applied",
		"2024-01-01-000002_orders/up.sql": "applied",
		"2024-01-01-000004_items/up.sql": "pending"}'
	rk run --no-backup
	expect_rc 0
	rk status --check
	expect_rc 0
}
