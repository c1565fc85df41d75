# Delegated execution: code migrations (Alembic revisions, Django
# migrations, node-pg-migrate .cjs files, Knex .js files) run through the
# framework's own tool, SQL files through reckon, in one run, in order;
# the framework's own status command agrees afterwards. The frameworks are
# installed as t_real_py.sh and t_real_node.sh install them (Debian's
# python3-alembic and python3-django; the npm lock in tests/real/node),
# and a test whose framework is missing skips, saying so. t_real_py.sh's
# helpers (real_need, fw, real_url) and t_real_node.sh's (rn_env) are used.

# dg_alembic: the Alembic round-trip project in $T/al with only a1 applied
# (by alembic itself); $M its versions directory. Its env.py reads
# ALEMBIC_URL, which reckon is told to set with --runner-env.
dg_alembic() {
	real_need py:alembic python3-alembic || return 1
	cp -r "$REAL/alembic" "$T/al"
	fw "alembic upgrade a1000000001" alembic_ upgrade a1000000001 || return 1
	M=$T/al/versions
	AL_ENV=(--runner-env 'ALEMBIC_URL={url}')
	return 0
}


# A fresh database beside an Alembic project (no alembic_version yet): the
# directory's shape (versions/ beside env.py) chooses Alembic, so status
# lists its revisions pending instead of "No migrations found", and run
# applies them through alembic, which then agrees.
test_delegate_alembic_fresh() {
	real_need py:alembic python3-alembic || return 0
	cp -r "$REAL/alembic" "$T/al"
	M=$T/al/versions
	rk detect
	expect_rc 0
	expect_out "No migration tracking table yet; the directory is alembic's: versions/ beside Alembic's env.py."
	rk status --json
	expect_rc 0
	jqe '.framework == "alembic" and ([.migrations[] | .state] == ["pending", "pending", "pending"])'
	# the same revisions without env.py beside them are no evidence:
	# reckon's table takes SQL only, so they are listed as ignored, with
	# the reason
	mkdir "$T/bare"
	cp -r "$M" "$T/bare/versions"
	M=$T/bare/versions rk status
	expect_no_err "No migrations found"
	expect_out "ignored   a1000000001_users.py"
	expect_out "a code migration this framework does not read; name its framework with --framework"
	rk --runner-env 'ALEMBIC_URL={url}' run --json
	expect_rc 0
	jqe '[.applied[].name] == ["a1000000001_users.py", "b2000000002_posts.py", "c3000000003_tags.py"]'
	fw "alembic current" alembic_ current || return
	grep -q '^c3000000003 (head)$' <<<"$FW" && pass || fail "alembic current: $FW"
}

test_delegate_alembic() {
	dg_alembic || return 0
	rk status --json
	expect_rc 0
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["b2000000002_posts.py", "c3000000003_tags.py"]'

	rk "${AL_ENV[@]}" check
	expect_out "/usr/bin/python3 -m alembic upgrade b2000000002"

	save_dump
	rk "${AL_ENV[@]}" run --dry-run
	expect_rc 0
	expect_out "b2000000002_posts.py: would run: /usr/bin/python3 -m alembic upgrade b2000000002"
	expect_out "c3000000003_tags.py: would run: /usr/bin/python3 -m alembic upgrade c3000000003"
	expect_unchanged

	rk "${AL_ENV[@]}" run --json
	expect_rc 0
	jqe '[.applied[] | {name, ran_by}] == [
		{"name": "b2000000002_posts.py", "ran_by": "/usr/bin/python3 -m alembic upgrade b2000000002"},
		{"name": "c3000000003_tags.py", "ran_by": "/usr/bin/python3 -m alembic upgrade c3000000003"}]'
	jqe '[.outcomes[].outcome] == ["committed", "committed"]'
	jqe '.same_database | test("alembic current.* agrees: 1 applied")'
	# the password reached alembic in its environment only: never in
	# what reckon shows of the command
	jqe '[.outcomes[].ran_by | test("ALEMBIC|postgres")] == [false, false]'
	table_exists tags && pass || fail "c3 did not run"
	fw "alembic current" alembic_ current || return
	grep -q '^c3000000003 (head)$' <<<"$FW" && pass || fail "alembic current: $FW"
	rk status --check
	expect_rc 0
	rk "${AL_ENV[@]}" run
	expect_rc 0
	expect_out "Nothing to apply"

	# down: the head steps back through alembic downgrade -1
	rk "${AL_ENV[@]}" down --json
	expect_rc 0
	jqe '[.reverted[] | {name, ran_by}] == [{"name": "c3000000003_tags.py", "ran_by": "/usr/bin/python3 -m alembic downgrade -1"}]'
	table_exists tags && fail "tags is still there" || pass
	fw "alembic current" alembic_ current || return
	grep -q '^b2000000002$' <<<"$FW" && pass || fail "alembic current after down: $FW"
	# more than the one step alembic downgrade -1 takes: refused, naming
	# the revisions that cannot be undone otherwise
	save_dump
	rk "${AL_ENV[@]}" down --steps 2
	expect_rc 3
	expect_err "2 of the 2 migration(s) to undo cannot be undone: 'b2000000002_posts.py' (code, not SQL), 'a1000000001_users.py' (code, not SQL)"
	expect_unchanged
}

# The framework's configuration reads another database (env.py follows
# ALEMBIC_URL, which points elsewhere, and reckon is not told to set it):
# refused before anything runs.
BACKENDS_delegate_other_db=pg
test_delegate_other_db() {
	dg_alembic || return 0
	local other="rk_other_$NDB"
	dropdb --if-exists "$other" >/dev/null 2>&1
	createdb "$other"
	(cd "$T/al" && ALEMBIC_URL="postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$other" \
		"$PY" -m alembic upgrade b2000000002) >/dev/null 2>&1
	save_dump
	ALEMBIC_URL="postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$other" rk run
	expect_rc 2
	expect_err "the framework's configuration points at another database"
	expect_err "says applied b2000000002"
	expect_unchanged
	[ "$(psql -X -At -d "$other" -c 'select version_num from alembic_version')" = b2000000002 ] &&
		pass || fail "the other database changed"
	dropdb --if-exists "$other" >/dev/null 2>&1
}

# A revision that fails: the run stops there, says what committed and shows
# alembic's output; fixed, the next run resumes from the table.
BACKENDS_delegate_failure=pg
test_delegate_failure() {
	dg_alembic || return 0
	sed -i 's/CREATE TABLE tags (id integer PRIMARY KEY, label text)/SELECT no_such_function_here()/' \
		"$M/c3000000003_tags.py"
	rk "${AL_ENV[@]}" run
	expect_rc 1
	expect_err "committed    b2000000002_posts.py (by /usr/bin/python3 -m alembic upgrade b2000000002)"
	expect_err "FAILED       c3000000003_tags.py: '/usr/bin/python3 -m alembic upgrade c3000000003' failed; not recorded"
	expect_err "no_such_function_here"
	expect_err "Migration failed in c3000000003_tags.py: 1 committed and recorded (b2000000002_posts.py); c3000000003_tags.py failed"
	[ "$(sql 'select version_num from alembic_version')" = b2000000002 ] && pass ||
		fail "alembic_version: $(sql 'select version_num from alembic_version')"
	rk "${AL_ENV[@]}" run --json
	expect_rc 1
	jqe '[.outcomes[] | {name, outcome}] == [{"name": "c3000000003_tags.py", "outcome": "failed"}]'
	jqe '.outcomes[0].output | test("no_such_function_here")'
	sed -i 's/SELECT no_such_function_here()/CREATE TABLE tags (id integer PRIMARY KEY, label text)/' \
		"$M/c3000000003_tags.py"
	rk "${AL_ENV[@]}" run --json
	expect_rc 0
	jqe '[.applied[].name] == ["c3000000003_tags.py"]'
	fw "alembic current" alembic_ current || return
	grep -q '^c3000000003 (head)$' <<<"$FW" && pass || fail "alembic current: $FW"
}

# node-pg-migrate with .cjs and .sql files mixed: one run, in version
# order, the .sql ones by reckon, the .cjs ones by node-pg-migrate.
BACKENDS_delegate_node_pg_migrate=pg
test_delegate_node_pg_migrate() {
	rn_env node-pg-migrate || return 0
	cp "$P/migrations/1704067200001_one.sql" "$M/"
	rn_framework_ran "node-pg-migrate up" env DATABASE_URL="$RN_URL" \
		"$NB/node-pg-migrate" -m "$M" up
	cat >"$M/1704067200002_two.cjs" <<'EOF'
exports.up = (pgm) => {
  pgm.createTable("twos", { id: "id", label: "text" });
};
exports.down = (pgm) => {
  pgm.dropTable("twos");
};
EOF
	cp "$P/migrations/1704067200003_three.sql" "$M/"
	cat >"$M/1704067200004_four.cjs" <<'EOF'
exports.up = (pgm) => {
  pgm.sql("INSERT INTO threes (id, label) VALUES (4, 'four')");
  pgm.addColumn("twos", { extra: { type: "text" } });
};
EOF
	rk status --json
	expect_rc 0
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["1704067200002_two.cjs", "1704067200003_three.sql", "1704067200004_four.cjs"]'
	rk check
	expect_out "node-pg-migrate up 1 -m"
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["1704067200002_two.cjs", "1704067200003_three.sql", "1704067200004_four.cjs"]'
	jqe '[.applied[].ran_by | test("^/.*/node_modules/.bin/node-pg-migrate up 1 -m /.* -t pgmigrations$")] == [true, false, true]'
	jqe '.applied[1].ran_by == "reckon"'
	jqe '.same_database | test("agrees: 3 pending")'
	[ "$(sql 'select name from pgmigrations order by id')" = "1704067200001_one
1704067200002_two
1704067200003_three
1704067200004_four" ] && pass || fail "pgmigrations: $(sql 'select name from pgmigrations order by id')"
	[ "$(sql 'select label from threes where id = 4')" = four ] && pass || fail "four did not run after three"
	rn_framework_ran "node-pg-migrate up --dry-run" env DATABASE_URL="$RN_URL" \
		"$NB/node-pg-migrate" -m "$M" up --dry-run
	grep -q 'No migrations to run' "$T/fw.out" && pass ||
		fail "node-pg-migrate would still run something: $(cat "$T/fw.out")"
	rk status --check
	expect_rc 0

	# down: the newest (.cjs) through node-pg-migrate down 1
	sed -i 's/^};$/};\nexports.down = (pgm) => { pgm.sql("DELETE FROM threes WHERE id = 4"); pgm.dropColumn("twos", "extra"); };/' \
		"$M/1704067200004_four.cjs"
	rk down --json
	expect_rc 0
	jqe '[.reverted[] | .ran_by | test("node-pg-migrate down 1 -m ")] == [true]'
	[ "$(sql 'select count(*) from threes where id = 4')" = 0 ] && pass || fail "four was not undone"
	[ "$(sql 'select name from pgmigrations order by id desc limit 1')" = 1704067200003_three ] && pass ||
		fail "pgmigrations: $(sql 'select name from pgmigrations order by id')"
}

# Django, two apps: each app's directory runs through manage.py migrate
# <app> <name>; showmigrations agrees.
BACKENDS_delegate_django=pg
test_delegate_django() {
	real_need py:django python3-django || return 0
	cp -r "$REAL/django" "$T/dj"
	fw "migrate contenttypes" django_ migrate contenttypes || return
	fw "migrate shop 0001" django_ migrate shop 0001 || return
	fw "migrate blog 0001" django_ migrate blog 0001 || return
	local env=(--runner-env "DJANGO_PGDB=$PGDB")
	M=$T/dj/store/migrations
	rk status --json
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["0002_price.py", "0003_stock.py"]'
	rk "${env[@]}" check
	expect_out "manage.py migrate shop 0002_price"
	rk "${env[@]}" run --json
	expect_rc 0
	jqe '[.applied[] | .ran_by | sub(".*/python3 "; "")] == ["manage.py migrate shop 0002_price", "manage.py migrate shop 0003_stock"]'
	jqe '.same_database | test("showmigrations shop.* agrees: 1 applied")'
	M=$T/dj/blog/migrations
	rk "${env[@]}" run --json
	expect_rc 0
	jqe '[.applied[] | .ran_by | sub(".*/python3 "; "")] == ["manage.py migrate blog 0002_title", "manage.py migrate blog 0003_tag"]'
	fw "showmigrations" django_ showmigrations shop blog || return
	if [ "$(grep -c '\[X\]' <<<"$FW")" = 6 ] && ! grep -q '\[ \]' <<<"$FW"; then pass; else
		fail "showmigrations: $FW"
	fi
	rk status --check
	expect_rc 0

	# down two steps: migrate blog 0002_title, then migrate blog 0001_initial
	rk "${env[@]}" down --steps 2 --json
	expect_rc 0
	jqe '[.reverted[] | .ran_by | sub(".*/python3 "; "")] == ["manage.py migrate blog 0002_title", "manage.py migrate blog 0001_initial"]'
	fw "showmigrations blog" django_ showmigrations blog || return
	[ "$(grep -c '\[X\]' <<<"$FW")" = 1 ] && grep -q '\[X\] 0001_initial' <<<"$FW" && pass ||
		fail "showmigrations blog after down: $FW"
}

# Knex: .js migrations through knex migrate:up <name>; migrate:list agrees.
test_delegate_knex() {
	rn_env knex || return 0
	export RN_MIGRATIONS=$M RN_URL RN_FILE=
	[ "$BACKEND" = sqlite ] && RN_FILE=$SQLITE_FILE
	local knex=("$NB/knex" --knexfile "$P/knexfile.js" --cwd "$P")
	rn_stage "$P/migrations" 1
	rn_framework_ran "knex migrate:latest" "${knex[@]}" migrate:latest
	cp "$P/migrations/20240101000002_two.js" "$P/migrations/20240101000003_three.js" "$M/"
	rk --runner "$NB/knex --knexfile $P/knexfile.js --cwd $P" check
	expect_out "knex --knexfile"
	rk --runner "$NB/knex --knexfile $P/knexfile.js --cwd $P" run --json
	expect_rc 0
	jqe '[.applied[].name] == ["20240101000002_two.js", "20240101000003_three.js"]'
	jqe '[.applied[].ran_by | test("knex --knexfile .* migrate:up 2024010100000[23]_(two|three).js$")] == [true, true]'
	rn_framework_ran "knex migrate:list" "${knex[@]}" migrate:list
	grep -q 'Found 3 Completed Migration' "$T/fw.out" &&
		grep -q 'No Pending Migration files Found' "$T/fw.out" && pass ||
		fail "knex migrate:list disagrees: $(cat "$T/fw.out")"
	unset RN_MIGRATIONS RN_FILE
}

# A fresh database beside a Knex project: the knexfile next to the
# migrations directory chooses Knex (no knex_migrations yet), and run
# applies every file through knex, which then agrees.
test_delegate_knex_fresh() {
	rn_env knex || return 0
	M=$P/migrations
	export RN_MIGRATIONS=$M RN_URL RN_FILE=
	[ "$BACKEND" = sqlite ] && RN_FILE=$SQLITE_FILE
	rk detect
	expect_rc 0
	expect_out "No migration tracking table yet; the directory is knex's: knexfile.js is beside it."
	rk status --json
	expect_rc 0
	jqe '.framework == "knex" and ([.migrations[] | .state] == ["pending", "pending", "pending"])'
	rk run --json
	expect_rc 0
	jqe '[.applied[].name] == ["20240101000001_one.js", "20240101000002_two.js", "20240101000003_three.js"]'
	rn_framework_ran "knex migrate:list" "$NB/knex" --knexfile "$P/knexfile.js" --cwd "$P" migrate:list
	grep -q 'Found 3 Completed Migration' "$T/fw.out" &&
		grep -q 'No Pending Migration files Found' "$T/fw.out" && pass ||
		fail "knex migrate:list disagrees: $(cat "$T/fw.out")"
	unset RN_MIGRATIONS RN_FILE
}

# Rails: .rb migrations through bin/rails db:migrate:up VERSION=<v> (the
# project's bin/rails drives ActiveRecord's own migrator, as
# tests/real/rails/bin/rails says); db:migrate:status agrees.
test_delegate_rails() {
	real_need ruby ruby || return 0
	if ! ruby -e 'require "active_record"; require "pg"; require "sqlite3"' 2>/dev/null; then
		echo "  skip [$CUR] ruby-activerecord, ruby-pg or ruby-sqlite3 is not installed (scripts/real-deps-debian.sh installs them)"
		return 0
	fi
	cp -r "$REAL/rails" "$T/rails"
	M=$T/rails/db/migrate
	fw "migrate up to 20250101000001" ar_ up 20250101000001 || return
	rk status --json
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["20250101000002_create_posts.rb", "20250101000003_create_tags.rb"]'
	rk check
	expect_out "20250101000002_create_posts.rb runs through: $T/rails/bin/rails db:migrate:up VERSION=20250101000002"
	rk run
	expect_rc 0
	expect_out "20250101000003_create_tags.rb"
	expect_out "ran by $T/rails/bin/rails db:migrate:up VERSION=20250101000003"
	expect_out "db:migrate:status' agrees: 1 applied"
	table_exists tags && pass || fail "tags was not created"
	local url="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDB"
	[ "$BACKEND" = sqlite ] && url="sqlite3:$SQLITE_FILE"
	fw "migrate status" env DATABASE_URL="$url" "$T/rails/bin/rails" db:migrate:status || return
	[ "$(grep -c '^ *up ' <<<"$FW")" = 3 ] && pass || fail "bin/rails db:migrate:status: $FW"
	fw "abort if pending migrations" ar_ check
	rk status --check
	expect_rc 0
}

# Sequelize: sequelize-cli db:migrate --to <file>; its config reads
# DATABASE_URL (use_env_variable), which reckon sets.
BACKENDS_delegate_sequelize=pg
test_delegate_sequelize() {
	rn_env sequelize || return 0
	printf '%s\n' "module.exports = { config: require('path').resolve(__dirname, 'config.js') };" \
		>"$P/.sequelizerc"
	printf '%s\n' "module.exports = { development: { use_env_variable: 'DATABASE_URL', dialect: 'postgres' } };" \
		>"$P/config.js"
	M=$P/migrations
	local seq=("$NB/sequelize-cli" --migrations-path "$M")
	mkdir -p "$T/first"
	cp "$M/20240101000001-one.js" "$T/first/"
	rn_framework_ran "sequelize db:migrate" rn_in "$P" env DATABASE_URL="$RN_URL" \
		"$NB/sequelize-cli" --migrations-path "$T/first" db:migrate
	rk status --json
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["20240101000002-two.js", "20240101000003-three.js"]'
	rk run --json
	expect_rc 0
	jqe '[.applied[].ran_by | test("sequelize-cli db:migrate --to 2024010100000[23]-(two|three).js --migrations-path ")] == [true, true]'
	jqe '.same_database | test("db:migrate:status.* agrees: 1 applied")'
	rn_framework_ran "sequelize db:migrate:status" rn_in "$P" env DATABASE_URL="$RN_URL" "${seq[@]}" db:migrate:status
	[ "$(grep -c '^up ' "$T/fw.out")" = 3 ] && ! grep -q '^down ' "$T/fw.out" && pass ||
		fail "sequelize db:migrate:status: $(cat "$T/fw.out")"
}

# Django's order is its dependency graph, not the listing: store's
# 0004_alpha needs 0004_zeta, which needs blog's 0002_title (another app).
# Each step is manage.py migrate shop <name>, which applies what the
# migration needs first; reckon expects exactly that set in django_migrations.
BACKENDS_delegate_django_order=pg
test_delegate_django_order() {
	real_need py:django python3-django || return 0
	cp -r "$REAL/django" "$T/dj"
	fw "migrate contenttypes" django_ migrate contenttypes || return
	fw "migrate shop 0001" django_ migrate shop 0001 || return
	fw "migrate blog 0001" django_ migrate blog 0001 || return
	M=$T/dj/store/migrations
	cat >"$M/0004_alpha.py" <<'PY'
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_zeta"),
    ]
    operations = [migrations.RunSQL("UPDATE shop_item SET zcol = 1", "SELECT 1")]
PY
	cat >"$M/0004_zeta.py" <<'PY'
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_stock"),
        ("blog", "0002_title"),
    ]
    operations = [migrations.RunSQL("ALTER TABLE shop_item ADD COLUMN zcol integer", "ALTER TABLE shop_item DROP COLUMN zcol")]
PY
	local env=(--runner-env "DJANGO_PGDB=$PGDB")
	rk status --json
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["0002_price.py", "0003_stock.py", "0004_alpha.py", "0004_zeta.py"]'
	# check names the runners in the order run applies them (the graph)
	rk "${env[@]}" check --json
	jqe '[.delegated[] | .command | sub(".*/python3 "; "")] == ["manage.py migrate shop 0002_price", "manage.py migrate shop 0003_stock", "manage.py migrate shop 0004_zeta", "manage.py migrate shop 0004_alpha"]'
	rk "${env[@]}" run --dry-run
	expect_rc 0
	rk "${env[@]}" run --json
	expect_rc 0
	jqe '[.applied[] | .ran_by | sub(".*/python3 "; "")] == ["manage.py migrate shop 0002_price", "manage.py migrate shop 0003_stock", "manage.py migrate shop 0004_zeta", "manage.py migrate shop 0004_alpha"]'
	# 0004_zeta's step applied blog's 0002_title too: reckon expected it
	# in django_migrations and says so
	jqe '[.outcomes[] | {name, also_applied}] == [{"name": "0002_price.py", "also_applied": null}, {"name": "0003_stock.py", "also_applied": null}, {"name": "0004_zeta.py", "also_applied": "blog/0002_title"}, {"name": "0004_alpha.py", "also_applied": null}]'
	[ "$(sql "select count(*) from django_migrations where app = 'blog' and name = '0002_title'")" = 1 ] && pass ||
		fail "blog 0002_title is not recorded"
	[ "$(sql 'select count(*) from shop_item where zcol is not null')" = 0 ] && pass ||
		fail "zcol: $(sql 'select zcol from shop_item')"
	fw "showmigrations" django_ showmigrations shop blog || return
	grep -q '\[X\] 0004_alpha' <<<"$FW" && grep -q '\[X\] 0002_title' <<<"$FW" &&
		grep -q '\[ \] 0003_tag' <<<"$FW" && pass || fail "showmigrations: $FW"

	# one migration named: its command applies what it needs too, and
	# reckon says so
	fw "migrate shop 0003" django_ migrate shop 0003 || return
	rk "${env[@]}" run 0004_alpha.py
	expect_rc 0
	expect_out "which also applied 0004_zeta.py"
	fw "migrate shop 0003" django_ migrate shop 0003 || return
	rk "${env[@]}" run --json 0004_alpha.py
	expect_rc 0
	jqe '[.outcomes[] | {name, outcome, also_applied}] == [{"name": "0004_alpha.py", "outcome": "committed", "also_applied": "0004_zeta.py"}]'
	rk "${env[@]}" run 0004_alpha.py
	expect_out "Nothing to apply"
	rk status --check
	expect_rc 0
}

# Alembic with a branch and its merge (tests/real/alembic/merge): the run
# follows the revision graph, both branches before the merge; alembic current
# then agrees. Named alone, the merge's step is alembic upgrade <merge>,
# which applies both branches first: reckon expects all three rows.
test_delegate_alembic_merge() {
	real_need py:alembic python3-alembic || return 0
	cp -r "$REAL/alembic" "$T/al"
	rm -r "$T/al/versions"
	mv "$T/al/merge" "$T/al/versions"
	M=$T/al/versions
	local env=(--runner-env 'ALEMBIC_URL={url}')
	fw "alembic upgrade r1000000001" alembic_ upgrade r1000000001 || return
	rk "${env[@]}" check --json
	jqe '[.delegated[] | .command | sub(".* -m alembic "; "")] == ["upgrade x2000000002", "upgrade y2000000002", "upgrade m3000000003"]'
	rk "${env[@]}" run --json
	expect_rc 0
	jqe '[.applied[] | {name, ran_by: (.ran_by | sub(".* -m alembic "; ""))}] == [
		{"name": "x2000000002_left.py", "ran_by": "upgrade x2000000002"},
		{"name": "y2000000002_right.py", "ran_by": "upgrade y2000000002"},
		{"name": "m3000000003_merge.py", "ran_by": "upgrade m3000000003"}]'
	table_exists merged_t && pass || fail "the merge did not run"
	fw "alembic current" alembic_ current || return
	[ "$FW" = "m3000000003 (head) (mergepoint)" ] && pass || fail "alembic current: $FW"
	rk status --check
	expect_rc 0

	# back to the root, then the merge alone
	fw "alembic downgrade r1000000001" alembic_ downgrade r1000000001 || return
	# (the fixture's downgrades leave their tables)
	sql 'DROP TABLE merged_t'
	sql 'DROP TABLE left_t'
	sql 'DROP TABLE right_t'
	rk "${env[@]}" run --json m3000000003_merge.py
	expect_rc 0
	jqe '[.outcomes[] | {name, outcome, also_applied}] == [{"name": "m3000000003_merge.py", "outcome": "committed", "also_applied": "x2000000002_left.py, y2000000002_right.py"}]'
	rk "${env[@]}" run m3000000003_merge.py
	expect_out "Nothing to apply"
	fw "alembic current" alembic_ current || return
	[ "$FW" = "m3000000003 (head) (mergepoint)" ] && pass || fail "alembic current after the merge alone: $FW"
}

# TypeORM: typeorm migration:run applies every pending class at once, so
# the first step's set is all of them and the others are its too;
# migration:show then agrees, and down is migration:revert. The CLI needs
# its data source named (-d), so the runner command says it.
# FORCE_COLOR=1 makes migration:show underline its lines (as it did under
# a CI environment): reckon reads the text without the escapes.
BACKENDS_delegate_typeorm=pg
test_delegate_typeorm() {
	rn_env typeorm || return 0
	local run=(--runner "$NB/typeorm -d $P/datasource.js"
		--runner-env "RN_URL={url} RN_MIGRATIONS=$M FORCE_COLOR=1")
	local typeorm=(env RN_URL="$RN_URL" RN_MIGRATIONS="$M" "$NB/typeorm" -d "$P/datasource.js")
	rn_stage "$P/migrations" 1
	rn_framework_ran "typeorm migration:run" rn_in "$P" "${typeorm[@]}" migration:run
	rn_framework_ran "typeorm migration:show" rn_in "$P" env FORCE_COLOR=1 "${typeorm[@]}" migration:show
	grep -q $'\e\\[4m\\[X\\] 1 CreateOne1704067200001' "$T/fw.out" && pass ||
		fail "FORCE_COLOR=1 typeorm migration:show printed no escapes: $(cat -v "$T/fw.out")"
	cp "$P/migrations/1704067200002-CreateTwo.js" "$P/migrations/1704067200003-CreateThree.js" "$M/"
	rk "${run[@]}" check
	expect_out "typeorm -d $P/datasource.js migration:run"
	# migration:run cannot stop short of the last pending: --steps 1,
	# --to the first or naming it alone is refused before anything runs
	save_dump
	rk "${run[@]}" run --steps 1
	expect_rc 2
	expect_err "the step for '1704067200002-CreateTwo.js' ('$NB/typeorm -d $P/datasource.js migration:run') applies every pending migration at once, also '1704067200003-CreateThree.js', which the run leaves out"
	expect_err "run all typeorm pending migrations (without --steps, --to or names)"
	rk "${run[@]}" run --to 1704067200002-CreateTwo.js
	expect_rc 2
	expect_err "also '1704067200003-CreateThree.js', which the run leaves out"
	rk "${run[@]}" run 1704067200002-CreateTwo.js
	expect_rc 2
	expect_unchanged
	# the last one named applies the whole set: all of it is asked for
	rk "${run[@]}" run --dry-run --to 1704067200003-CreateThree.js
	expect_rc 0
	rk "${run[@]}" run --json
	expect_rc 0
	jqe '[.applied[] | {name, ran_by: (.ran_by | sub(".*/typeorm "; ""))}] == [
		{"name": "1704067200002-CreateTwo.js", "ran_by": "-d '"$P"'/datasource.js migration:run"},
		{"name": "1704067200003-CreateThree.js", "ran_by": "-d '"$P"'/datasource.js migration:run"}]'
	jqe '.same_database | test("migration:show.* agrees: 1 applied")'
	jqe '[.outcomes[] | .applied_with] == [null, "1704067200002-CreateTwo.js"]'
	table_exists threes && pass || fail "CreateThree did not run"
	rn_framework_ran "typeorm migration:show" rn_in "$P" "${typeorm[@]}" migration:show
	[ "$(grep -c '\[X\]' "$T/fw.out")" = 3 ] && ! grep -q '\[ \]' "$T/fw.out" && pass ||
		fail "typeorm migration:show disagrees: $(cat "$T/fw.out")"
	rk status --check
	expect_rc 0

	rk "${run[@]}" down --json
	expect_rc 0
	jqe '[.reverted[] | {name, ran_by: (.ran_by | sub(".*/typeorm "; ""))}] == [{"name": "1704067200003-CreateThree.js", "ran_by": "-d '"$P"'/datasource.js migration:revert"}]'
	table_exists threes && fail "threes is still there" || pass
}

# runner_env as a mapping in reckon.yaml: ALEMBIC_URL gets the database's
# URL, and a value with a blank reaches alembic whole (env.py stores it in
# a table, so the framework's own run shows what it was given).
test_delegate_runner_env_mapping() {
	dg_alembic || return 0
	sed -i 's/^def upgrade():$/def upgrade():\n    import os; op.execute("CREATE TABLE seen (v text)"); op.get_bind().exec_driver_sql("INSERT INTO seen VALUES (%s)" % repr(os.environ.get("RK_NOTE", "")))/' \
		"$M/b2000000002_posts.py"
	cat >"$T/reckon.yaml" <<'YAML'
runner_env:
  ALEMBIC_URL: '{url}'
  RK_NOTE: two words
YAML
	rk --config "$T/reckon.yaml" run --json
	expect_rc 0
	jqe '[.applied[].name] == ["b2000000002_posts.py", "c3000000003_tags.py"]'
	[ "$(sql 'select v from seen')" = "two words" ] && pass || fail "seen: $(sql 'select v from seen')"
	fw "alembic current" alembic_ current || return
	grep -q '^c3000000003 (head)$' <<<"$FW" && pass || fail "alembic current: $FW"

	# a name that is no variable: refused with its line, nothing runs
	printf 'runner_env:\n  ALEMBIC_URL: x\n  BAD-NAME: y\n' >"$T/reckon.yaml"
	save_dump
	rk --config "$T/reckon.yaml" down
	expect_rc 2
	expect_err "reckon.yaml:3: key 'runner_env': 'BAD-NAME' is not a variable name"
	expect_unchanged
}

# redo of a code migration: alembic downgrade -1, then alembic upgrade
# <rev>, each committing on its own; alembic current agrees after.
test_delegate_redo() {
	dg_alembic || return 0
	rk "${AL_ENV[@]}" run
	expect_rc 0
	rk "${AL_ENV[@]}" redo --dry-run --json
	expect_rc 0
	jqe '[.outcomes[] | .ran_by | gsub("/usr/bin/python3 -m "; "")] == ["alembic downgrade -1, then alembic upgrade c3000000003"]'
	rk "${AL_ENV[@]}" redo --json
	expect_rc 0
	jqe '[.redone[] | {name, ran_by: (.ran_by | gsub("/usr/bin/python3 -m "; ""))}] == [{"name": "c3000000003_tags.py", "ran_by": "alembic downgrade -1, then alembic upgrade c3000000003"}]'
	table_exists tags && pass || fail "tags is not there after the redo"
	fw "alembic current" alembic_ current || return
	grep -q '^c3000000003 (head)$' <<<"$FW" && pass || fail "alembic current: $FW"
	rk status --check
	expect_rc 0
	# an up that fails after the down committed: the report says the
	# down committed and the migration is no longer applied
	sed -i 's/op.execute("CREATE TABLE tags/raise RuntimeError("no"); op.execute("CREATE TABLE tags/' \
		"$M/c3000000003_tags.py"
	rk "${AL_ENV[@]}" redo --json
	expect_rc 1
	jqe '.outcomes[0].outcome == "failed" and (.outcomes[0].undone_by | test("alembic downgrade -1$"))'
	jqe '.summary | test("after its down .* had committed: c3000000003_tags.py is no longer applied")'
	rk "${AL_ENV[@]}" status --json
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["c3000000003_tags.py"]'
	table_exists tags && fail "tags is still there after the down" || pass
	fw "alembic current" alembic_ current || return
	grep -q '^b2000000002$' <<<"$FW" && pass || fail "alembic current: $FW"
}

# down of a Django migration that another app's migration depends on:
# manage.py migrate shop 0002_price unapplies blog's 0004_priced first.
# reckon asks Django's plan (migrate --plan) which other rows go, accepts
# exactly those and says so; showmigrations agrees.
BACKENDS_delegate_django_down=pg
test_delegate_django_down() {
	real_need py:django python3-django || return 0
	cp -r "$REAL/django" "$T/dj"
	cat >"$T/dj/blog/migrations/0004_priced.py" <<'PY'
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0003_tag"),
        ("shop", "0003_stock"),
    ]
    operations = [migrations.RunSQL("CREATE TABLE blog_priced (id integer PRIMARY KEY)", "DROP TABLE blog_priced")]
PY
	fw "migrate" django_ migrate || return
	local env=(--runner-env "DJANGO_PGDB=$PGDB")
	M=$T/dj/store/migrations
	rk "${env[@]}" down --dry-run
	expect_rc 0
	rk "${env[@]}" down --json
	expect_rc 0
	jqe '[.reverted[] | .ran_by | sub(".*/python3 "; "")] == ["manage.py migrate shop 0002_price"]'
	jqe '[.outcomes[] | {name, outcome, also_reverted}] == [{"name": "0003_stock.py", "outcome": "committed", "also_reverted": "blog/0004_priced"}]'
	table_exists blog_priced && fail "blog_priced is still there" || pass
	table_exists shop_stock && fail "shop_stock is still there" || pass
	fw "showmigrations" django_ showmigrations shop blog || return
	grep -q '\[ \] 0003_stock' <<<"$FW" && grep -q '\[ \] 0004_priced' <<<"$FW" &&
		grep -q '\[X\] 0003_tag' <<<"$FW" && grep -q '\[X\] 0002_price' <<<"$FW" &&
		[ "$(grep -c '\[ \]' <<<"$FW")" = 2 ] && pass || fail "showmigrations after down: $FW"
	[ "$(sql "select count(*) from django_migrations where app = 'blog'")" = 3 ] && pass ||
		fail "blog rows: $(sql "select name from django_migrations where app = 'blog'")"

	# the text report names it; nothing else of blog's depends on 0002_price
	fw "migrate" django_ migrate || return
	rk "${env[@]}" down
	expect_rc 0
	expect_out "which also reverted blog/0004_priced"
	rk "${env[@]}" down
	expect_rc 0
	grep -q "which also reverted" <<<"$OUT" && fail "a down of 0002_price names another app's row: $OUT" || pass
	rk "${env[@]}" status --json
	jqe '[.migrations[] | select(.state == "pending") | .name] == ["0002_price.py", "0003_stock.py"]'

	# the rows change otherwise than the plan says (here: the down also
	# unrecords a row of blog's, which the plan did not name): refused
	# after the step, showing what differs
	fw "migrate" django_ migrate || return
	sed -i 's/"DROP TABLE blog_priced"/"DROP TABLE blog_priced; DELETE FROM django_migrations WHERE app = '"'"'blog'"'"' AND name = '"'"'0001_initial'"'"'"/' \
		"$T/dj/blog/migrations/0004_priced.py"
	rk "${env[@]}" down
	expect_rc 1
	expect_err "blog/0001_initial was unrecorded too"
}
