# Targets and the drift gate: --to and --steps must name something that
# exists (else exit 2, listing the nearest versions), down --to base
# undoes everything or refuses up front, and run refuses (exit 3) while an
# applied file changed for real or a record failed, but lets a change in
# comments, white space or line endings through.

# three native files, the second with a down section
gate_files() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "-- migrate:up
CREATE TABLE b (id integer);
-- migrate:down
DROP TABLE b;"
	mig 003_c.sql "CREATE TABLE c (id integer);"
}

gate_rows() { sql 'select count(*) from reckon_migrations'; }

# gate_ddl < SQL: set the test database up (creating the SQLite file)
gate_ddl() {
	if [ "$BACKEND" = pg ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d "$PGDB" >/dev/null
	else
		sqlite3 -bail "$SQLITE_FILE"
	fi || fail "setup SQL failed"
}

# gate_diesel_table: __diesel_schema_migrations as Diesel creates it
gate_diesel_table() {
	gate_ddl <<'EOF'
CREATE TABLE __diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
EOF
}

# gate_diesel_dir VERSION...: one <version>_t<n>/up.sql (and down.sql) each
gate_diesel_dir() {
	local v n=0
	for v in "$@"; do
		n=$((n + 1))
		mkdir -p "$M/${v}_t$n"
		printf 'CREATE TABLE dt%s (id integer);\n' $n >"$M/${v}_t$n/up.sql"
		printf 'DROP TABLE dt%s;\n' $n >"$M/${v}_t$n/down.sql"
	done
}

test_gate_to_diesel_spelling() {
	gate_diesel_table
	gate_diesel_dir 2025-08-01-000010 2025-08-01-000015 2025-08-01-000020
	rk run --to 2025-08-01-000015 --json
	expect_rc 0
	jqe '[.applied[].name] == ["2025-08-01-000010_t1/up.sql","2025-08-01-000015_t2/up.sql"]'
	check "the third not run" ! table_exists dt3
	rk down --to 20250801000010 --json
	expect_rc 0
	jqe '[.reverted[].name] == ["2025-08-01-000015_t2/up.sql"]'
	rk run --to 2025-08-01-000020_t3 --json
	expect_rc 0
	jqe '[.applied[].name] == ["2025-08-01-000015_t2/up.sql","2025-08-01-000020_t3/up.sql"]'
	save_dump
	rk run --to 2025-08-01-000030
	expect_rc 2
	expect_err "no migration '2025-08-01-000030'"
	expect_err "nearest: '2025-08-01-000015_t2/up.sql', '2025-08-01-000020_t3/up.sql'"
	expect_unchanged
}

test_gate_steps_zero() {
	gate_files
	save_dump
	rk run --steps 0
	expect_rc 2
	expect_err "run: steps must be 1 or more, not 0"
	expect_unchanged
	rk run --steps 2
	expect_rc 0
	save_dump
	rk down --steps 0
	expect_rc 2
	expect_err "down: steps must be 1 or more, not 0"
	expect_unchanged
	check "two applied" test "$(gate_rows)" = 2
}

test_gate_to_names_nothing() {
	gate_files
	mig 007_e.sql "CREATE TABLE e (id integer);"
	save_dump
	for to in 999 abc V5 004 base -1; do
		rk run --to "$to"
		expect_rc 2
		expect_one_error
		expect_unchanged
	done
	rk run --to 999
	expect_err "no migration '999'"
	expect_err "nearest: '003_c.sql', '007_e.sql'"
	rk run --to 004
	expect_err "nearest: '002_b.sql', '003_c.sql', '007_e.sql'"
	rk run --to abc
	expect_err "nearest:"
	rk run --to=
	expect_rc 2
	expect_err "run: the target is empty"
	expect_unchanged
	check "nothing recorded" ! table_exists reckon_migrations
	rk run --to 003 --json
	expect_rc 0
	jqe '[.applied[].name] == ["001_a.sql","002_b.sql","003_c.sql"]'
	rk run --to +1 --json
	jqe '[.applied[].name] == ["007_e.sql"]'
}

test_gate_to_flyway_spelling() {
	mig V1__a.sql "CREATE TABLE a (id integer);"
	mig V2__b.sql "CREATE TABLE b (id integer);"
	mig V5__e.sql "CREATE TABLE e (id integer);"
	mig U5__e.sql "DROP TABLE e;"
	mig V6__f.sql "CREATE TABLE f (id integer);"
	rk run --to V2 --json
	expect_rc 0
	jqe '[.applied[].name] == ["V1__a.sql","V2__b.sql"]'
	rk run --to 5 --json
	jqe '[.applied[].name] == ["V5__e.sql"]'
	rk down --to V2 --json
	expect_rc 0
	jqe '[.reverted[].name] == ["V5__e.sql"]'
	rk run --to V5__e.sql --json
	jqe '[.applied[].name] == ["V5__e.sql"]'
	rk run --to V6__f.sql --json
	expect_rc 0
	jqe '[.applied[].name] == ["V6__f.sql"]'
}

test_gate_down_to_base() {
	mig 001_a.up.sql "CREATE TABLE a (id integer);"
	mig 001_a.down.sql "DROP TABLE a;"
	gate_files
	rm "$M/001_a.sql"
	rk run
	expect_rc 0
	save_dump
	rk down --to base
	expect_rc 3
	expect_err "refusing to go down: 1 of the 3 migration(s) to undo cannot be undone: '003_c.sql' (no down script)"
	expect_unchanged
	rk down --to 0
	expect_rc 3
	expect_unchanged
	mig 003_c.sql "-- migrate:up
CREATE TABLE c (id integer);
-- migrate:down
DROP TABLE c;"
	rk repair 003_c.sql
	rk down --to base --json
	expect_rc 0
	jqe '[.reverted[].name] == ["003_c.sql","002_b.sql","001_a.up.sql"]'
	check "no records left" test "$(gate_rows)" = 0
	check "a dropped" ! table_exists a
	rk down --to base --json
	expect_rc 0
	jqe '.summary == "Nothing to undo."'
}

test_gate_drift_blocks_run() {
	gate_files
	rk run 001_a.sql 002_b.sql
	expect_rc 0
	mig 001_a.sql "CREATE TABLE a (id integer, name text);"
	save_dump
	rk run
	expect_rc 3
	expect_err "refusing to run: 1 applied migration(s) drifted from their records: '001_a.sql' (modified since applied)"
	expect_err "reckon repair"
	expect_err "reckon unmark"
	expect_unchanged
	check "c not created" ! table_exists c
	rk run --json
	expect_rc 3
	jqe '.ok == false and .error.kind == "check"'
	rk run --dry-run
	expect_rc 3
	rk run --allow-drift --json
	expect_rc 0
	jqe '[.applied[].name] == ["003_c.sql"]'
	rk status --json
	jqe '.migrations[0].state == "modified" and .migrations[0].cosmetic == false'
	rk status --check
	expect_rc 3
	# the path a shell completes inside --dir names the file, as
	# mark-applied takes it; the new hash is stored
	cd "$T" || fail "cannot enter $T"
	rk_raw --db "$DB" --dir migrations repair --json migrations/001_a.sql
	cd - >/dev/null || fail "cannot leave $T"
	expect_rc 0
	jqe '.repaired == ["001_a.sql"]'
	rk status --json
	jqe '.migrations[0].state == "applied"'
	rk run
	expect_rc 0
}

# a directive is not a comment: adding one changes how the file runs
test_gate_directive_is_real_drift() {
	gate_files
	rk run
	mig 001_a.sql "-- reckon:no-transaction
CREATE TABLE a (id integer);"
	mig 004_d.sql "CREATE TABLE d (id integer);"
	save_dump
	rk run
	expect_rc 3
	expect_err "'001_a.sql' (modified since applied)"
	expect_unchanged
}

test_gate_cosmetic_edits_pass() {
	gate_files
	rk run
	expect_rc 0
	# a comment, more white space, and CRLF line endings
	mig 001_a.sql "-- creates a
CREATE TABLE a   (
	id integer   -- the key
);  /* done */"
	printf -- '-- migrate:up\r\nCREATE TABLE b (id integer);\r\n-- migrate:down\r\nDROP TABLE b;\r\n' >"$M/002_b.sql"
	rk status --json
	expect_rc 0
	jqe '[.migrations[] | {state, cosmetic}] == [{"state":"modified","cosmetic":true},{"state":"modified","cosmetic":true},{"state":"applied","cosmetic":null}]'
	jqe '.summary.modified == 2'
	rk status
	expect_out "modified  001_a.sql"
	expect_out "(cosmetic: comments or white space only)"
	rk status --check
	expect_rc 0
	expect_err "warning: '001_a.sql' changed since it was applied, in comments, white space or line endings only"
	expect_err "warning: '002_b.sql'"
	mig 004_d.sql "CREATE TABLE d (id integer);"
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["004_d.sql"]'
	rk repair 001_a.sql --json
	expect_rc 0
	rk status --json
	jqe '.migrations[0].state == "applied" and .migrations[1].cosmetic == true'
	check "repair stored the new hash" test \
		"$(sql "select sha256 from reckon_migrations where name = '001_a.sql'")" = \
		"$(sha256sum <"$M/001_a.sql" | cut -c1-64)"
	# a real edit after the cosmetic one is real drift
	mig 001_a.sql "CREATE TABLE a (id bigint);"
	rk run
	expect_rc 3
}

# a table written before token_hash existed: still read, and the column
# is added on the first write, never on a read
test_gate_table_without_token_column() {
	mig 001_a.sql "CREATE TABLE a (id integer);"
	mig 002_b.sql "CREATE TABLE b (id integer);"
	local ts=text
	[ "$BACKEND" = pg ] && ts=timestamptz
	gate_ddl <<EOF
CREATE TABLE reckon_migrations (installed_rank integer NOT NULL, name text NOT NULL PRIMARY KEY, version text NOT NULL, sha256 text NOT NULL, applied_at $ts NOT NULL, execution_ms bigint NOT NULL, applied_by text NOT NULL);
CREATE TABLE a (id integer);
INSERT INTO reckon_migrations VALUES (1, '001_a.sql', '001', '$(sha256sum <"$M/001_a.sql" | cut -c1-64)', '2025-01-10T12:00:00Z', 3, 'app');
EOF
	has_token_col() {
		if [ "$BACKEND" = pg ]; then
			[ "$(sql "select count(*) from information_schema.columns where table_name = 'reckon_migrations' and column_name = 'token_hash'")" = 1 ]
		else
			[ "$(sql "select count(*) from pragma_table_info('reckon_migrations') where name = 'token_hash'")" = 1 ]
		fi
	}
	rk detect --json
	jqe '.detected[0].framework == "reckon"'
	# only a byte hash is known: even a comment counts as drift
	mig 001_a.sql "-- a comment
CREATE TABLE a (id integer);"
	rk status --json
	expect_rc 0
	jqe '.migrations[0].state == "modified" and .migrations[0].cosmetic == false'
	check "status added no column" ! has_token_col
	save_dump
	rk run
	expect_rc 3
	expect_unchanged
	check "refused run added no column" ! has_token_col
	rk repair 001_a.sql
	expect_rc 0
	check "the first write added the column" has_token_col
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["002_b.sql"]'
	check "new row has a token hash" test \
		"$(sql "select count(*) from reckon_migrations where token_hash is not null")" = 2
	mig 002_b.sql "CREATE TABLE b (id integer); -- now cosmetic"
	rk status --json
	jqe '.migrations[1].cosmetic == true'
}

# a record the framework marked failed blocks too (Flyway success = false)
test_gate_failed_record_blocks() {
	mig V1__a.sql "CREATE TABLE a (id integer);"
	mig V2__b.sql "CREATE TABLE b (id integer);"
	if [ "$BACKEND" = pg ]; then
		gate_ddl <<'EOF'
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
INSERT INTO "public"."flyway_schema_history" VALUES
 (1, '1', 'a', 'SQL', 'V1__a.sql', NULL, 'app', now(), 5, false);
EOF
	else
		gate_ddl <<'EOF'
CREATE TABLE "flyway_schema_history" (
    "installed_rank" INT NOT NULL PRIMARY KEY,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INT,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    "execution_time" INT NOT NULL,
    "success" BOOLEAN NOT NULL
);
CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success");
INSERT INTO flyway_schema_history VALUES
 (1, '1', 'a', 'SQL', 'V1__a.sql', NULL, '', '2025-01-10 12:00:00.000', 5, 0);
EOF
	fi
	rk status --json
	jqe '.framework == "flyway" and .migrations[0].state == "failed"'
	save_dump
	rk run
	expect_rc 3
	expect_err "'V1__a.sql' (failed or dirty)"
	expect_err "reckon repair"
	expect_unchanged
	check "b not created" ! table_exists b
	rk run --allow-drift --json
	expect_rc 0
	jqe '[.applied[].name] == ["V2__b.sql"]'
	# as Flyway's repair: the failed row goes, the file is pending again
	rk repair V1__a.sql
	expect_rc 0
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["V1__a.sql"]'
}

# frameworks without a checksum: the token hash lives in the sidecar
test_gate_sidecar_cosmetic() {
	echo "CREATE TABLE schema_migrations (version varchar(128) NOT NULL PRIMARY KEY);" | gate_ddl
	mig 20240101000000_a.sql "-- migrate:up
CREATE TABLE a (id integer);
-- migrate:down
DROP TABLE a;"
	rk run
	expect_rc 0
	mig 20240101000000_a.sql "-- migrate:up
-- the users' table
CREATE TABLE a (id integer);

-- migrate:down
DROP TABLE a;"
	mig 20240102000000_b.sql "-- migrate:up
CREATE TABLE b (id integer);"
	rk status --json
	jqe '.framework == "dbmate" and .migrations[0].state == "modified" and .migrations[0].cosmetic == true'
	# without the sidecar only the byte hash is known
	save_dump
	rk --no-sidecar run
	expect_rc 3
	expect_unchanged
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["20240102000000_b.sql"]'
	rk repair --all
	rk status --json
	jqe '.migrations[0].state == "applied"'
}
