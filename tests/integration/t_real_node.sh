# Real npm migration frameworks (tests/real/node, pinned in its
# package-lock.json, installed outside the clone by scripts/real-deps-npm.sh):
# the framework makes the database and applies two of three migrations
# itself; reckon detects it, reads 2 applied and 1 pending, sees drift in a
# copy of the directory, applies (or marks) the third; then the framework's
# own status is asked a question that fails if reckon recorded it wrongly.
# Skipped, with the reason printed, when the frameworks cannot be installed.

# rn_env FW: the project tests/real/node/FW copied to $P, node_modules
# linked beside it and beside $M (migrations that require() a package);
# $NB the frameworks' bin dir, $RN_URL the PostgreSQL URL.
# Returns 1 after printing why when the npm frameworks are not there.
rn_env() {
	if [ -z "${RN_DIR+x}" ]; then
		RN_DIR=$("$RECKON_ROOT/scripts/real-deps-npm.sh" 2>"$T/npm.err") || {
			RN_DIR=
			RN_WHY=$(tail -3 "$T/npm.err" | tr '\n' ' ')
		}
	fi
	if [ -z "$RN_DIR" ]; then
		echo "  skip $CUR: npm frameworks not installed: $RN_WHY"
		return 1
	fi
	P=$T/$1
	cp -r "$RECKON_ROOT/tests/real/node/$1" "$P"
	ln -s "$RN_DIR/node_modules" "$P/node_modules"
	ln -s "$RN_DIR/node_modules" "$T/node_modules"
	NB=$RN_DIR/node_modules/.bin
	RN_URL=
	[ "$BACKEND" = pg ] &&
		RN_URL="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDB"
	return 0
}

# rn_stage SRC N: the first N files of SRC (sorted) into $M
rn_stage() {
	local f
	for f in $(cd "$1" && find . -maxdepth 1 -type f | sort | head -n "$2"); do
		cp "$1/$f" "$M/"
	done
}

# rn_framework_ran WHAT COMMAND...: run a framework command, which must succeed
rn_framework_ran() {
	local what=$1
	shift
	if "$@" >"$T/fw.out" 2>&1; then pass; else
		fail "$what failed: $(tail -15 "$T/fw.out")"
	fi
}

# rn_framework_sees_pending WHAT PATTERN COMMAND...: before reckon acts, the
# framework's status command must see the third migration pending (its
# output matches PATTERN; its exit code is not asked, some fail then), so
# that the same question asked afterwards is one that can fail
rn_framework_sees_pending() {
	local what=$1 pat=$2
	shift 2
	"$@" >"$T/fw.out" 2>&1
	if grep -q -- "$pat" "$T/fw.out"; then pass; else
		fail "$what does not see the pending migration: $(tail -15 "$T/fw.out")"
	fi
}

# rn_in DIR COMMAND...: run COMMAND in DIR
rn_in() { (cd "$1" && shift && "$@"); }

# rn_two_of_three FW PENDING: detect and status see FW's table with two
# applied migrations and PENDING pending
rn_two_of_three() {
	rk detect --json
	expect_rc 0
	jqe ".detected[0].framework == \"$1\""
	rk status --json
	expect_rc 0
	jqe ".framework == \"$1\""
	jqe '.summary | {applied, pending, modified, orphaned, failed} == {"applied": 2, "pending": 1, "modified": 0, "orphaned": 0, "failed": 0}'
	jqe "[.migrations[] | select(.state == \"pending\") | .name] == [\"$2\"]"
}

# rn_drift FIRST SECOND THIRD FIRST_STATE ORPHAN: a copy of $M with FIRST
# and THIRD edited and SECOND deleted ($RN_DELETE, if set, deletes it: a
# command run in the copy with the name); status must read FIRST as
# FIRST_STATE (modified where the framework stores a checksum, applied
# where nothing records the content), THIRD, recorded by reckon, modified,
# and SECOND's row as the one orphan, whose id is ORPHAN.
rn_drift() {
	local saved=$M
	rm -rf "$T/drift"
	cp -r "$M" "$T/drift"
	M=$T/drift
	sed -i 's/label/title/' "$M/$1" "$M/$3"
	if [ -n "${RN_DELETE:-}" ]; then
		(cd "$M" && $RN_DELETE "$2")
	else
		rm "$M/$2"
	fi
	rk status --json
	M=$saved
	jqe "[.migrations[] | {key: (if .state == \"orphaned\" then .id else .name end), value: .state}] | from_entries == {\"$1\": \"$4\", \"$5\": \"orphaned\", \"$3\": \"modified\"}"
}

# --- dbmate (its binary ships in the npm package @dbmate/linux-x64) ---

test_real_node_dbmate() {
	rn_env dbmate || return 0
	local dbmate=$RN_DIR/node_modules/@dbmate/linux-x64/bin/dbmate url
	if [ ! -x "$dbmate" ]; then
		echo "  skip $CUR: no dbmate binary for $(uname -m) in the npm cache"
		return 0
	fi
	url=$RN_URL?sslmode=disable
	[ "$BACKEND" = sqlite ] && url=sqlite:$SQLITE_FILE
	rn_stage "$P/migrations" 2
	rn_framework_ran "dbmate up" "$dbmate" --url "$url" -d "$M" --no-dump-schema up
	cp "$P/migrations/20240101000003_three.sql" "$M/"
	rn_framework_sees_pending "dbmate status" '^\[ \] 20240101000003' \
		"$dbmate" --url "$url" -d "$M" status
	"$dbmate" --url "$url" -d "$M" status --exit-code >/dev/null 2>&1 &&
		fail "dbmate status --exit-code passes with a migration pending"
	rn_two_of_three dbmate 20240101000003_three.sql
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["20240101000003_three.sql"]'
	# dbmate keeps versions only: an edit to a file it applied is invisible
	rn_drift 20240101000001_one.sql 20240101000002_two.sql \
		20240101000003_three.sql applied 20240101000002
	rn_framework_ran "dbmate status --exit-code (nothing pending)" \
		"$dbmate" --url "$url" -d "$M" status --exit-code
	grep -q '^\[X\] 20240101000003_three.sql' "$T/fw.out" && pass ||
		fail "dbmate status does not list three as applied: $(cat "$T/fw.out")"
}

# --- node-pg-migrate (PostgreSQL only), .sql migrations ---

BACKENDS_real_node_pg_migrate=pg
test_real_node_pg_migrate() {
	rn_env node-pg-migrate || return 0
	rn_stage "$P/migrations" 2
	rn_framework_ran "node-pg-migrate up" env DATABASE_URL="$RN_URL" \
		"$NB/node-pg-migrate" -m "$M" up
	cp "$P/migrations/1704067200003_three.sql" "$M/"
	rn_framework_sees_pending "node-pg-migrate up --dry-run" '> Migrating files:' \
		env DATABASE_URL="$RN_URL" "$NB/node-pg-migrate" -m "$M" up --dry-run
	rn_two_of_three node-pg-migrate 1704067200003_three.sql
	# the up section runs, the down section does not
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["1704067200003_three.sql"]'
	[ "$(sql "select to_regclass('public.threes') is not null")" = t ] && pass ||
		fail "the up section did not run"
	[ "$(sql "select name from pgmigrations order by id desc limit 1")" = \
		1704067200003_three ] && pass || fail "pgmigrations lacks 1704067200003_three"
	rn_drift 1704067200001_one.sql 1704067200002_two.sql \
		1704067200003_three.sql applied 1704067200002_two
	rn_framework_ran "node-pg-migrate up --dry-run" env DATABASE_URL="$RN_URL" \
		"$NB/node-pg-migrate" -m "$M" up --dry-run
	grep -q 'No migrations to run' "$T/fw.out" && pass ||
		fail "node-pg-migrate would still run something: $(cat "$T/fw.out")"
}

# --- Knex (.js migrations: reckon marks, Knex runs code) ---

test_real_node_knex() {
	rn_env knex || return 0
	local knex=("$NB/knex" --knexfile "$P/knexfile.js" --cwd "$P")
	export RN_MIGRATIONS=$M RN_URL RN_FILE=
	[ "$BACKEND" = sqlite ] && RN_FILE=$SQLITE_FILE
	rn_stage "$P/migrations" 2
	rn_framework_ran "knex migrate:latest" "${knex[@]}" migrate:latest
	cp "$P/migrations/20240101000003_three.js" "$M/"
	rn_framework_sees_pending "knex migrate:list" 'Found 1 Pending' "${knex[@]}" migrate:list
	rn_two_of_three knex 20240101000003_three.js
	rk mark-applied 20240101000003_three.js --json
	expect_rc 0
	rn_drift 20240101000001_one.js 20240101000002_two.js \
		20240101000003_three.js applied 20240101000002_two.js
	rn_framework_ran "knex migrate:list" "${knex[@]}" migrate:list
	grep -q 'Found 3 Completed Migration' "$T/fw.out" &&
		grep -q 'No Pending Migration files Found' "$T/fw.out" && pass ||
		fail "knex migrate:list disagrees: $(cat "$T/fw.out")"
	unset RN_MIGRATIONS RN_FILE
}

# --- sequelize-cli (.js migrations, SequelizeMeta) ---

test_real_node_sequelize() {
	rn_env sequelize || return 0
	local url=$RN_URL seq
	[ "$BACKEND" = sqlite ] && url=sqlite:$SQLITE_FILE
	seq=("$NB/sequelize-cli" --url "$url" --migrations-path "$M")
	rn_stage "$P/migrations" 2
	rn_framework_ran "sequelize db:migrate" rn_in "$P" "${seq[@]}" db:migrate
	cp "$P/migrations/20240101000003-three.js" "$M/"
	rn_framework_sees_pending "sequelize db:migrate:status" '^down 20240101000003' \
		rn_in "$P" "${seq[@]}" db:migrate:status
	rn_two_of_three sequelize 20240101000003-three.js
	rk mark-applied 20240101000003-three.js --json
	expect_rc 0
	rn_drift 20240101000001-one.js 20240101000002-two.js \
		20240101000003-three.js applied 20240101000002-two.js
	rn_framework_ran "sequelize db:migrate:status" rn_in "$P" "${seq[@]}" \
		db:migrate:status
	[ "$(grep -c '^up ' "$T/fw.out")" = 3 ] && ! grep -q '^down ' "$T/fw.out" && pass ||
		fail "sequelize db:migrate:status disagrees: $(cat "$T/fw.out")"
}

# --- Postgrator (MD5 of each file in schemaversion) ---

test_real_node_postgrator() {
	rn_env postgrator || return 0
	local target=$RN_URL
	[ "$BACKEND" = sqlite ] && target=$SQLITE_FILE
	cp "$P"/migrations/00[12].* "$M/"
	rn_framework_ran "postgrator migrate" node "$P/migrate.mjs" "$BACKEND" "$target" "$M"
	cp "$P"/migrations/003.* "$M/"
	rn_two_of_three postgrator 003.do.three.sql
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["003.do.three.sql"]'
	# 002.undo.two.sql stays: an undo file never stands for its version
	rn_drift 001.do.one.sql 002.do.two.sql 003.do.three.sql modified 2
	# migrate() validates every applied file's md5 before doing nothing
	rn_framework_ran "postgrator migrate (nothing to do)" node "$P/migrate.mjs" \
		"$BACKEND" "$target" "$M"
	OUT=$(tail -1 "$T/fw.out")
	jqe '. == {"ran": [], "version": 3, "max": 3}'
}

# --- Drizzle (drizzle-kit's journal; rows keep hash and the journal's when) ---

# rn_drizzle_delete TAG.sql: the migration gone, journal entry and file
rn_drizzle_delete() {
	local tag=${1%.sql}
	rm "$1"
	jq --arg t "$tag" '.entries |= map(select(.tag != $t))' meta/_journal.json \
		>meta/j && mv meta/j meta/_journal.json
}

test_real_node_drizzle() {
	rn_env drizzle || return 0
	local target=$RN_URL src
	[ "$BACKEND" = sqlite ] && target=$SQLITE_FILE
	src=$P/$BACKEND
	# the first two: journal and files as drizzle-kit wrote them then
	mkdir -p "$M/meta"
	cp "$src/0000_one.sql" "$src/0001_two.sql" "$M/"
	jq '.entries |= .[:2]' "$src/meta/_journal.json" >"$M/meta/_journal.json"
	cp "$src"/meta/000[01]_snapshot.json "$M/meta/"
	rn_framework_ran "drizzle migrate" node "$P/migrate.mjs" "$BACKEND" "$target" "$M"
	cp "$src/0002_three.sql" "$src/meta/_journal.json" "$M/"
	mv "$M/_journal.json" "$M/meta/"
	cp "$src/meta/0002_snapshot.json" "$M/meta/"
	rn_two_of_three drizzle 0002_three.sql
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["0002_three.sql"]'
	RN_DELETE=rn_drizzle_delete rn_drift 0000_one.sql 0001_two.sql \
		0002_three.sql modified "$(jq -r '.entries[1].when' "$M/meta/_journal.json")"
	rn_framework_ran "drizzle migrate (nothing to do)" node "$P/migrate.mjs" \
		"$BACKEND" "$target" "$M"
	OUT=$(tail -1 "$T/fw.out")
	jqe '. == {"before": 3, "after": 3}'
}

# --- TypeORM (.js migration classes; SQLite through sql.js) ---

test_real_node_typeorm() {
	rn_env typeorm || return 0
	local typeorm=("$NB/typeorm" -d "$P/datasource.js")
	export RN_MIGRATIONS=$M RN_URL RN_FILE=
	[ "$BACKEND" = sqlite ] && RN_FILE=$SQLITE_FILE
	rn_stage "$P/migrations" 2
	rn_framework_ran "typeorm migration:run" rn_in "$P" "${typeorm[@]}" migration:run
	cp "$P/migrations/1704067200003-CreateThree.js" "$M/"
	rn_framework_sees_pending "typeorm migration:show" '\[ \] CreateThree' \
		rn_in "$P" "${typeorm[@]}" migration:show
	rn_two_of_three typeorm 1704067200003-CreateThree.js
	rk mark-applied 1704067200003-CreateThree.js --json
	expect_rc 0
	rn_drift 1704067200001-CreateOne.js 1704067200002-CreateTwo.js \
		1704067200003-CreateThree.js applied CreateTwo1704067200002
	rn_framework_ran "typeorm migration:show" rn_in "$P" "${typeorm[@]}" migration:show
	[ "$(grep -c '\[X\]' "$T/fw.out")" = 3 ] && ! grep -q '\[ \]' "$T/fw.out" && pass ||
		fail "typeorm migration:show disagrees: $(cat "$T/fw.out")"
	unset RN_MIGRATIONS RN_FILE
}

# --- db-migrate (+ db-migrate-pg, db-migrate-sqlite3) ---

test_real_node_db_migrate() {
	rn_env db-migrate || return 0
	local dbm=("$NB/db-migrate" --config "$P/database.json" -m "$M" -e "$BACKEND")
	export RN_URL RN_FILE=
	[ "$BACKEND" = sqlite ] && RN_FILE=$SQLITE_FILE
	rn_stage "$P/migrations" 2
	rn_framework_ran "db-migrate up" rn_in "$P" "${dbm[@]}" up
	cp "$P/migrations/20240101000003-three.js" "$M/"
	rn_framework_sees_pending "db-migrate check" 'Migrations to run: \[.*three' \
		rn_in "$P" "${dbm[@]}" check
	rn_two_of_three db-migrate 20240101000003-three.js
	rk mark-applied 20240101000003-three.js --json
	expect_rc 0
	rn_drift 20240101000001-one.js 20240101000002-two.js \
		20240101000003-three.js applied /20240101000002-two
	rn_framework_ran "db-migrate check" rn_in "$P" "${dbm[@]}" check
	grep -qF 'Migrations to run: []' "$T/fw.out" && pass ||
		fail "db-migrate check would run something: $(cat "$T/fw.out")"
	unset RN_FILE
}

# --- Kysely's Migrator ---

# (SQLite through a driver over sqlite3: see kysely/migrate.mjs)
test_real_node_kysely() {
	rn_env kysely || return 0
	local target=$RN_URL
	[ "$BACKEND" = sqlite ] && target=$SQLITE_FILE
	rn_stage "$P/migrations" 2
	rn_framework_ran "kysely migrateToLatest" node "$P/migrate.mjs" "$BACKEND" "$target" "$M"
	cp "$P/migrations/20240101000003_three.mjs" "$M/"
	rn_two_of_three kysely 20240101000003_three.mjs
	rk mark-applied 20240101000003_three.mjs --json
	expect_rc 0
	rn_drift 20240101000001_one.mjs 20240101000002_two.mjs \
		20240101000003_three.mjs applied 20240101000002_two
	rn_framework_ran "kysely migrateToLatest (nothing to do)" node "$P/migrate.mjs" \
		"$BACKEND" "$target" "$M"
	OUT=$(tail -1 "$T/fw.out")
	jqe '. == {"ran": [], "pending": 0}'
}

# --- graphile-migrate (PostgreSQL only; committed/ from its own commit) ---

BACKENDS_real_node_graphile_migrate=pg
test_real_node_graphile_migrate() {
	rn_env graphile-migrate || return 0
	# status wants a shadow database named, though it never connects to it
	local gm=(env DATABASE_URL="$RN_URL" SHADOW_DATABASE_URL="${RN_URL}_shadow"
		"$NB/graphile-migrate")
	cp "$P/.gmrc" "$T/"
	mkdir -p "$M/committed"
	cp "$P/migrations/current.sql" "$M/"
	cp "$P"/migrations/committed/00000[12]-*.sql "$M/committed/"
	rn_framework_ran "graphile-migrate migrate" rn_in "$T" "${gm[@]}" migrate
	cp "$P/migrations/committed/000003-three.sql" "$M/committed/"
	rn_in "$T" "${gm[@]}" status >"$T/fw.out" 2>&1 &&
		fail "graphile-migrate status is content with 000003 unapplied: $(cat "$T/fw.out")"
	rn_two_of_three graphile-migrate committed/000003-three.sql
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["committed/000003-three.sql"]'
	rn_drift committed/000001-one.sql committed/000002-two.sql \
		committed/000003-three.sql modified 000002.sql
	# status exits non-zero while a committed migration is unapplied (as
	# it did above)
	rn_framework_ran "graphile-migrate status" rn_in "$T" "${gm[@]}" status
	rn_framework_ran "graphile-migrate migrate (nothing to do)" rn_in "$T" \
		"${gm[@]}" migrate
	grep -q 'Already up to date' "$T/fw.out" && pass ||
		fail "graphile-migrate would still run something: $(cat "$T/fw.out")"
}

# --- MikroORM 6 (.js migration classes, its Migrator through the API) ---

test_real_node_mikro_orm() {
	rn_env mikro-orm || return 0
	local target=$RN_URL
	[ "$BACKEND" = sqlite ] && target=$SQLITE_FILE
	rn_stage "$P/migrations" 2
	rn_framework_ran "mikro-orm migrator up" node "$P/migrate.js" "$BACKEND" "$target" "$M"
	cp "$P/migrations/Migration20240101000003_three.js" "$M/"
	rn_two_of_three mikro-orm Migration20240101000003_three.js
	rk mark-applied Migration20240101000003_three.js --json
	expect_rc 0
	rn_drift Migration20240101000001_one.js Migration20240101000002_two.js \
		Migration20240101000003_three.js applied Migration20240101000002_two
	rn_framework_ran "mikro-orm migrator up (nothing to do)" node "$P/migrate.js" \
		"$BACKEND" "$target" "$M"
	OUT=$(tail -1 "$T/fw.out")
	jqe '. == {"ran": [], "pending": 0}'
}

# --- Umzug (SequelizeStorage: the table sequelize-cli keeps) ---

# Umzug driven as an application drives it (umzug/migrate.js), on
# sequelize-cli style migrations. Nothing in the table tells Umzug from
# sequelize-cli, so detect reports sequelize and --framework umzug picks
# Umzug; after reckon marks the third, Umzug itself has nothing pending.
test_real_node_umzug() {
	rn_env umzug || return 0
	local target=$RN_URL src=$RECKON_ROOT/tests/real/node/sequelize/migrations
	[ "$BACKEND" = sqlite ] && target=$SQLITE_FILE
	local uz=(node "$P/migrate.js" "$BACKEND" "$target" "$M")
	rn_stage "$src" 2
	rn_framework_ran "umzug up" "${uz[@]}" up
	cp "$src/20240101000003-three.js" "$M/"
	rn_framework_ran "umzug pending" "${uz[@]}" pending
	OUT=$(tail -1 "$T/fw.out")
	jqe '. == ["20240101000003-three.js"]'
	rk detect --json
	expect_rc 0
	jqe '.detected[0].framework == "sequelize"'
	rk --framework umzug status --json
	expect_rc 0
	jqe '.framework == "umzug"'
	jqe '.summary | {applied, pending, modified, orphaned} == {"applied": 2, "pending": 1, "modified": 0, "orphaned": 0}'
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["20240101000003-three.js"]'
	rk --framework umzug mark-applied 20240101000003-three.js --json
	expect_rc 0
	rn_framework_ran "umzug pending (nothing)" "${uz[@]}" pending
	OUT=$(tail -1 "$T/fw.out")
	jqe '. == []'
	rn_framework_ran "umzug executed" "${uz[@]}" executed
	OUT=$(tail -1 "$T/fw.out")
	jqe '. == ["20240101000001-one.js", "20240101000002-two.js", "20240101000003-three.js"]'
	# a deleted applied file: its row is the orphan
	rm "$M/20240101000002-two.js"
	rk --framework umzug status --json
	jqe '[.migrations[] | select(.state == "orphaned") | .id] == ["20240101000002-two.js"]'
}

# --- Prisma: not installable here ---

BACKENDS_real_node_prisma=pg
test_real_node_prisma() {
	echo "  skip $CUR: prisma downloads its query and schema engines from outside the npm registry at install time, which this machine cannot reach"
}
