# Round trips with the real frameworks that Debian packages (Alembic,
# Django, yoyo, Sqitch): the framework makes its database and applies two
# of three migrations with its own command; reckon detects it, reads the
# states, sees drift in a copy of the files, then runs or marks the third;
# and the framework's own status command has the last word. The projects
# are under tests/real/; scripts/real-deps-debian.sh installs the
# frameworks. A framework that is not installed is skipped, saying so.
# Debian's Python packages import only under /usr/bin/python3.

REAL=$RECKON_ROOT/tests/real
PY=/usr/bin/python3

# real_need WHAT PACKAGE: is WHAT ("py:module" or a command) there? If not,
# say that this test skips and why.
real_need() {
	local ok=1
	case $1 in
	py:*) "$PY" -c "import ${1#py:}" 2>/dev/null || ok=0 ;;
	*) command -v "$1" >/dev/null 2>&1 || ok=0 ;;
	esac
	[ $ok = 1 ] && return 0
	echo "  skip [$CUR] $2 is not installed (scripts/real-deps-debian.sh installs it)"
	return 1
}

# fw WHAT COMMAND...: run a framework's command; its output lands in
# $FW (stdout and stderr). A failure is a test failure, with the output.
fw() {
	local what=$1
	shift
	"$@" >"$T/fw.out" 2>&1
	FW_RC=$?
	FW=$(cat "$T/fw.out")
	if [ $FW_RC = 0 ]; then pass; else
		fail "$what exited $FW_RC: $(tail -15 "$T/fw.out")"
	fi
	return $FW_RC
}

# The test database as a SQLAlchemy / yoyo URL.
real_url() {
	if [ "$BACKEND" = pg ]; then
		echo "postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDB"
	else
		echo "sqlite:///$SQLITE_FILE"
	fi
}

# expect_states JSON: status --json's states by name are exactly these
expect_states() {
	jqe "([.migrations[] | {key: .name, value: .state}] | from_entries) == $1"
}

# ---- Alembic ----

alembic_() { (cd "$T/al" && ALEMBIC_URL=$(real_url) "$PY" -m alembic "$@"); }

test_real_alembic() {
	real_need py:alembic python3-alembic || return 0
	cp -r "$REAL/alembic" "$T/al"
	fw "alembic upgrade b2000000002" alembic_ upgrade b2000000002 || return
	M=$T/al/versions
	rk detect --json
	jqe '.detected[0].framework == "alembic"'
	rk status --json
	expect_rc 0
	expect_states '{"a1000000001_users.py": "applied",
		"b2000000002_posts.py": "applied", "c3000000003_tags.py": "pending"}'
	jqe '.summary.applied == 2 and .summary.pending == 1'

	# Drift: alembic_version keeps only the head and no content hash,
	# and reckon recorded nothing itself, so the edit to a1 cannot
	# show; the head's file gone is an orphan.
	cp -r "$T/al/versions" "$T/drift"
	echo '# edited' >>"$T/drift/a1000000001_users.py"
	rm "$T/drift/b2000000002_posts.py"
	M=$T/drift
	rk status --json
	jqe '[.migrations[] | select(.state == "orphaned") | .name] == ["b2000000002"]'
	# under a head without a file, nothing can be placed: unknown,
	# never pending (t_alembic.sh has the rest)
	expect_states '{"a1000000001_users.py": "unknown",
		"c3000000003_tags.py": "unknown", "b2000000002": "orphaned"}'
	save_dump
	rk mark-applied a1000000001_users.py
	expect_rc 3
	expect_err "it is unknown"
	expect_unchanged

	M=$T/al/versions
	rk mark-applied c3000000003_tags.py
	expect_rc 0
	fw "alembic current" alembic_ current || return
	local cur=$FW
	fw "alembic heads" alembic_ heads || return
	if [ "$cur" = "$FW" ] && grep -q '^c3000000003 (head)$' <<<"$cur"; then pass; else
		fail "alembic current '$cur' is not alembic heads '$FW'"
	fi
	rk status --check
	expect_rc 0
	# reckon recorded c3's hash in its sidecar: an edit now shows
	echo '# edited' >>"$M/c3000000003_tags.py"
	rk status --json
	jqe '[.migrations[] | select(.state == "modified") | .name] == ["c3000000003_tags.py"]'
}

test_real_alembic_merge() {
	real_need py:alembic python3-alembic || return 0
	cp -r "$REAL/alembic" "$T/al"
	rm -r "$T/al/versions"
	mv "$T/al/merge" "$T/al/versions"
	# two heads: both branches applied, the merge not yet
	fw "alembic upgrade x2000000002" alembic_ upgrade x2000000002 || return
	fw "alembic upgrade y2000000002" alembic_ upgrade y2000000002 || return
	M=$T/al/versions
	rk status --json
	expect_rc 0
	expect_states '{"r1000000001_root.py": "applied",
		"x2000000002_left.py": "applied", "y2000000002_right.py": "applied",
		"m3000000003_merge.py": "pending"}'
	rk mark-applied m3000000003_merge.py
	expect_rc 0
	if [ "$(sql 'select version_num from alembic_version')" = m3000000003 ]; then pass; else
		fail "the merge left heads: $(sql 'select version_num from alembic_version')"
	fi
	fw "alembic current" alembic_ current || return
	local cur=$FW
	fw "alembic heads" alembic_ heads || return
	# (current adds "(mergepoint)"; the revisions must be the same)
	if [ "${cur%% *}" = "${FW%% *}" ] && [ "${FW%% *}" = m3000000003 ] &&
		[ "$(wc -l <<<"$cur")" = 1 ]; then pass; else
		fail "alembic current '$cur' is not alembic heads '$FW'"
	fi
	rk status --check
	expect_rc 0
}

# ---- Django ----

django_() {
	(cd "$T/dj" && if [ "$BACKEND" = pg ]; then
		DJANGO_PGDB=$PGDB "$PY" manage.py "$@"
	else
		DJANGO_SQLITE=$SQLITE_FILE "$PY" manage.py "$@"
	fi)
}

# Two apps: store's AppConfig calls it "shop" (its rows say app = 'shop'),
# blog is called what its package is; contenttypes keeps rows of its own.
test_real_django() {
	real_need py:django python3-django || return 0
	cp -r "$REAL/django" "$T/dj"
	fw "migrate contenttypes" django_ migrate contenttypes || return
	fw "migrate shop 0002" django_ migrate shop 0002 || return
	fw "migrate blog 0002" django_ migrate blog 0002 || return
	local types
	types=$(sql 'select app_label, model from django_content_type order by id')
	for app in store blog; do
		M=$T/dj/$app/migrations
		rk detect --json
		jqe '.detected[0].framework == "django"'
		rk status --json
		expect_rc 0
		jqe '[.migrations[].state] == ["applied", "applied", "pending"]'
	done

	# Drift: django_migrations keeps no hash, so the edit cannot show;
	# the deleted file's row is an orphan. (In a copy named after the
	# package, as Django finds it: the files left say nothing of the app.)
	mkdir -p "$T/drift/blog"
	cp -r "$T/dj/blog/migrations" "$T/drift/blog/"
	M=$T/drift/blog/migrations
	echo '# edited' >>"$M/0001_initial.py"
	rm "$M/0002_title.py"
	rk status --json
	expect_states '{"0001_initial.py": "applied", "0002_title": "orphaned",
		"0003_tag.py": "pending"}'

	# Evidence split evenly between two apps, and no package to break
	# the tie: refuse to guess
	mkdir -p "$T/odd"
	cp "$T/dj/blog/migrations/0001_initial.py" "$T/odd/"
	sed 's/(.blog., .0001_initial.)/("shop", "0001_initial"), ("blog", "0001_initial")/' \
		"$T/dj/blog/migrations/0002_title.py" >"$T/odd/0002_both.py"
	M=$T/odd
	rk status
	expect_rc 2
	expect_err "cannot tell the Django app label"
	expect_err "'shop', 'blog'"
	expect_err "--django-app LABEL"
	# --django-app names it: blog's rows are read, and its 0001 is applied
	rk --django-app blog status --json
	expect_rc 0
	expect_states '{"0001_initial.py": "applied", "0002_both.py": "pending",
		"0002_title": "orphaned"}'
	# and so does reckon.yaml's django_app
	printf 'django_app: shop\n' >"$T/rk.yaml"
	rk --config "$T/rk.yaml" status --json
	expect_rc 0
	expect_states '{"0001_initial.py": "applied", "0002_both.py": "pending",
		"0002_price": "orphaned"}'

	M=$T/dj/store/migrations
	rk --config "$T/rk.yaml" mark-applied 0003_stock.py
	expect_rc 0
	M=$T/dj/blog/migrations
	rk --django-app blog mark-applied 0003_tag.py
	expect_rc 0
	fw "migrate --check" django_ migrate --check
	fw "showmigrations" django_ showmigrations shop blog || return
	if [ "$(grep -c '\[X\]' <<<"$FW")" = 6 ] && ! grep -q '\[ \]' <<<"$FW"; then pass; else
		fail "showmigrations: $FW"
	fi
	[ "$(sql "select count(*) from django_migrations where app = 'contenttypes'")" = 2 ] &&
		pass || fail "contenttypes rows changed"
	[ "$(sql 'select app_label, model from django_content_type order by id')" = "$types" ] &&
		pass || fail "django_content_type changed"
	rk status --check
	expect_rc 0
}

# ---- yoyo ----

yoyo_() { "$PY" -m yoyo "$@" --batch --no-config-file --database "$(real_url)" "$M"; }

test_real_yoyo() {
	real_need py:yoyo python3-yoyo || return 0
	cp -r "$REAL/yoyo" "$T/yo"
	M=$T/yo
	fw "yoyo apply -r 0002_posts" yoyo_ apply -r 0002_posts || return
	rk detect --json
	jqe '.detected[0].framework == "yoyo"'
	rk status --json
	expect_rc 0
	expect_states '{"0001_users.sql": "applied", "0002_posts.sql": "applied",
		"0003_tags.sql": "pending"}'

	# Drift: yoyo's migration_hash is of the id, not the content, so
	# the edit cannot show; the deleted file's row is an orphan
	cp -r "$T/yo" "$T/drift"
	echo '-- edited' >>"$T/drift/0001_users.sql"
	rm "$T/drift/0002_posts.sql" "$T/drift/0002_posts.rollback.sql"
	M=$T/drift
	rk status --json
	expect_states '{"0001_users.sql": "applied", "0002_posts": "orphaned",
		"0003_tags.sql": "pending"}'

	M=$T/yo
	rk run
	expect_rc 0
	table_exists tags && pass || fail "tags was not created"
	fw "yoyo list" "$PY" -m yoyo list --no-config-file --database "$(real_url)" "$M" || return
	if grep -q '^A *0003_tags' <<<"$FW" && ! grep -q '^U ' <<<"$FW"; then pass; else
		fail "yoyo list: $FW"
	fi
	fw "yoyo apply" yoyo_ apply
	rk status --check
	expect_rc 0
	# reckon recorded 0003's hash in its sidecar: an edit now shows
	echo '-- edited' >>"$M/0003_tags.sql"
	rk status --json
	jqe '[.migrations[] | select(.state == "modified") | .name] == ["0003_tags.sql"]'
}

# ---- Sqitch ----

sqitch_() {
	(cd "$T/sq" && SQITCH_FULLNAME="Dee Ployer" SQITCH_EMAIL=dee@example.com \
		sqitch "$@")
}

BACKENDS_real_sqitch=pg
test_real_sqitch() {
	real_need sqitch sqitch || return 0
	cp -r "$REAL/sqitch" "$T/sq"
	local target="db:pg:$PGDB"
	fw "sqitch deploy --to posts" sqitch_ deploy --to posts "$target" || return
	M=$T/sq
	rk detect --json
	jqe '.detected[0].framework == "sqitch"'
	rk status --json
	expect_rc 0
	expect_states '{"deploy/users.sql": "applied", "deploy/posts.sql": "applied",
		"deploy/tags.sql": "pending"}'

	# Drift: changes.script_hash is the deploy script's SHA-1, so the
	# edit shows, and the run refuses
	cp -r "$T/sq" "$T/drift"
	echo '-- edited' >>"$T/drift/deploy/users.sql"
	rm "$T/drift/deploy/posts.sql"
	M=$T/drift
	rk status --json
	expect_states '{"deploy/users.sql": "modified", "posts": "orphaned",
		"deploy/tags.sql": "pending"}'
	rk run
	expect_rc 3

	M=$T/sq
	rk run
	expect_rc 0
	fw "sqitch status" sqitch_ status "$target" || return
	grep -q 'Nothing to deploy (up-to-date)' <<<"$FW" && pass || fail "sqitch status: $FW"
	fw "sqitch verify" sqitch_ verify "$target"
	fw "sqitch log" sqitch_ log "$target" || return
	grep -q 'Name: *tags' <<<"$FW" && pass || fail "sqitch log lacks tags: $FW"
	rk status --check
	expect_rc 0
	# reckon's down logs the revert as sqitch revert does
	rk down --steps 1
	expect_rc 0
	fw "sqitch status" sqitch_ status "$target" || return
	grep -q 'Undeployed change' <<<"$FW" && grep -q '\* tags' <<<"$FW" && pass ||
		fail "sqitch status after reckon down: $FW"
	[ "$(sql "SELECT count(*) FROM sqitch.events WHERE event = 'revert'
		AND change = 'tags' AND requires = '{posts}'")" = 1 ] && pass ||
		fail "no revert event: $(sql 'SELECT * FROM sqitch.events')"
	fw "sqitch deploy" sqitch_ deploy "$target" || return
	rk status --check
	expect_rc 0
}

# Sqitch on SQLite keeps its registry in a file of its own, sqitch.db
# beside the database: reckon attaches it (read-only when it only reads)
# and writes there as sqitch deploy and revert do.
BACKENDS_real_sqitch_sqlite=sqlite
test_real_sqitch_sqlite() {
	real_need sqitch sqitch || return 0
	cp -r "$REAL/sqitch" "$T/sq"
	printf '[core]\n\tengine = sqlite\n' >"$T/sq/sqitch.conf"
	local target="db:sqlite:$SQLITE_FILE" reg h
	reg="$(dirname "$SQLITE_FILE")/sqitch.db"
	fw "sqitch deploy --to posts" sqitch_ deploy --to posts "$target" || return
	[ -f "$reg" ] && pass || fail "no sqitch.db beside the database"
	M=$T/sq
	rk detect --json
	jqe '.detected[0].framework == "sqitch" and .detected[0].schema == "sqitch"
		and .detected[0].rows == 2'
	h=$(sha256sum <"$reg")
	rk status --json
	expect_rc 0
	expect_states '{"deploy/users.sql": "applied", "deploy/posts.sql": "applied",
		"deploy/tags.sql": "pending"}'
	[ "$(sha256sum <"$reg")" = "$h" ] && pass || fail "status wrote to sqitch.db"
	# a database file not made yet: the registry beside it is still
	# read, through a read-only attach, and neither file is written
	DB="sqlite:$T/not-yet.db" rk status --json
	expect_rc 0
	jqe '.summary.applied == 2'
	[ ! -e "$T/not-yet.db" ] && [ "$(sha256sum <"$reg")" = "$h" ] && pass ||
		fail "status on a missing database wrote a file"

	# Drift: script_hash is the deploy script's SHA-1 there too
	cp -r "$T/sq" "$T/drift"
	echo '-- edited' >>"$T/drift/deploy/users.sql"
	rm "$T/drift/deploy/posts.sql"
	M=$T/drift
	rk status --json
	expect_states '{"deploy/users.sql": "modified", "posts": "orphaned",
		"deploy/tags.sql": "pending"}'

	M=$T/sq
	rk run --no-backup
	expect_rc 0
	table_exists tags && pass || fail "tags was not created"
	fw "sqitch status" sqitch_ status "$target" || return
	grep -q 'Nothing to deploy (up-to-date)' <<<"$FW" && pass || fail "sqitch status: $FW"
	fw "sqitch verify" sqitch_ verify "$target"
	fw "sqitch log" sqitch_ log "$target" || return
	grep -q 'Name: *tags' <<<"$FW" && pass || fail "sqitch log lacks tags: $FW"
	# the rows are Sqitch's own spelling: times as sqlite.pm writes them,
	# requires as _log_requires_param joins them
	[ "$(sqlite3 "$reg" "SELECT requires || '|' || planned_at FROM events
		WHERE change = 'tags'")" = "posts|2025-01-12 12:00:00" ] && pass ||
		fail "events row: $(sqlite3 "$reg" "SELECT * FROM events WHERE change = 'tags'")"
	sqlite3 "$reg" "SELECT committed_at FROM changes WHERE change = 'tags'" |
		grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3}$' && pass ||
		fail "committed_at is not sqlite.pm's format"
	rk status --check
	expect_rc 0

	# reckon's down reverts as sqitch revert logs it; Sqitch agrees and
	# deploys the change again
	rk down --steps 1
	expect_rc 0
	fw "sqitch status" sqitch_ status "$target" || return
	grep -q 'Undeployed change' <<<"$FW" && grep -q '\* tags' <<<"$FW" && pass ||
		fail "sqitch status after reckon down: $FW"
	fw "sqitch deploy" sqitch_ deploy "$target" || return
	rk status --check
	expect_rc 0
}

# The registry sqitch.conf names: engine.sqlite.registry "reg" gives
# reg.db beside test.db (sqlite.pm keeps the database file's extension).
BACKENDS_real_sqitch_sqlite_registry=sqlite
test_real_sqitch_sqlite_registry() {
	real_need sqitch sqitch || return 0
	cp -r "$REAL/sqitch" "$T/sq"
	printf '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\tregistry = reg  # named\n' \
		>"$T/sq/sqitch.conf"
	local target="db:sqlite:$SQLITE_FILE"
	fw "sqitch deploy --to users" sqitch_ deploy --to users "$target" || return
	[ -f "$(dirname "$SQLITE_FILE")/reg.db" ] && pass || fail "no reg.db: $FW"
	M=$T/sq
	rk status --json
	expect_states '{"deploy/users.sql": "applied", "deploy/posts.sql": "pending",
		"deploy/tags.sql": "pending"}'
	rk run --no-backup
	expect_rc 0
	fw "sqitch status" sqitch_ status "$target" || return
	grep -q 'Nothing to deploy (up-to-date)' <<<"$FW" && pass || fail "sqitch status: $FW"
	fw "sqitch verify" sqitch_ verify "$target"
	# without the setting, reckon looks for sqitch.db, finds none and
	# refuses to write a registry of its own making
	printf '[core]\n\tengine = sqlite\n' >"$T/sq/sqitch.conf"
	save_dump
	rk --framework sqitch run --no-backup
	expect_rc 2
	expect_err "let sqitch create its table first"
	expect_unchanged
}

# An earlier reckon ran posts and tags as its own migrations (recorded in
# reckon_migrations, named as reckon names Sqitch's files) after sqitch
# deploy --to users made the registry; it also recorded users, which
# Sqitch has already. detect and status say so; repair --move plans
# without writing (neither the database nor the registry), then logs
# posts and tags as sqitch deploy does and drops reckon's table, after
# which Sqitch itself says nothing is left to deploy and verifies all
# three.
test_moved_real_sqitch() {
	real_need sqitch sqitch || return 0
	cp -r "$REAL/sqitch" "$T/sq"
	local target reg=/dev/null
	if [ "$BACKEND" = pg ]; then
		target="db:pg:$PGDB"
	else
		printf '[core]\n\tengine = sqlite\n' >"$T/sq/sqitch.conf"
		target="db:sqlite:$SQLITE_FILE"
		reg="$(dirname "$SQLITE_FILE")/sqitch.db"
	fi
	fw "sqitch deploy --to users" sqitch_ deploy --to users "$target" || return
	# the earlier reckon's records, as reckon writes its own table
	mkdir -p "$T/nat"
	cp "$T/sq/deploy/users.sql" "$T/nat/V1__users.sql"
	cp "$T/sq/deploy/posts.sql" "$T/nat/V2__posts.sql"
	cp "$T/sq/deploy/tags.sql" "$T/nat/V3__tags.sql"
	M=$T/nat
	rk --framework reckon mark-applied V1__users.sql
	expect_rc 0
	rk --framework reckon run --no-backup
	expect_rc 0
	sql "UPDATE reckon_migrations SET name = 'deploy/' || substr(name, 5),
		version = substr(name, 5, length(name) - 8)" >/dev/null
	M=$T/sq

	rk detect --json
	expect_rc 0
	jqe '.misplaced.framework == "sqitch" and .misplaced.table == "reckon_migrations" and .misplaced.rows == 3'
	rk status --json
	expect_rc 0
	jqe '.framework == "sqitch" and .misplaced.rows == 3'
	expect_states '{"deploy/users.sql": "applied", "deploy/posts.sql": "pending",
		"deploy/tags.sql": "pending"}'
	rk status
	expect_out "they belong in sqitch's table sqitch.changes (the one in use)"

	# the plan writes nothing, in the database or the registry
	local h
	save_dump
	h=$(sha256sum <"$reg")
	rk run --no-backup
	expect_rc 3
	expect_err "'reckon repair --move'"
	rk repair --move --json
	expect_rc 0
	jqe '.written == false and .dropped == false and .to == "sqitch.changes"'
	jqe '[.records[] | .name + ":" + .action] == ["deploy/users.sql:drop", "deploy/posts.sql:move", "deploy/tags.sql:move"]'
	rk repair --move
	expect_rc 0
	expect_out "into sqitch's table sqitch.changes:"
	expect_out "pass --yes to move them"
	expect_unchanged
	[ "$(sha256sum <"$reg")" = "$h" ] && pass || fail "the plan wrote to the registry"

	rk repair --move --yes --json
	expect_rc 0
	jqe '.written == true and .dropped == true'
	check "reckon_migrations dropped" ! table_exists reckon_migrations
	fw "sqitch status" sqitch_ status "$target" || return
	grep -q 'Nothing to deploy (up-to-date)' <<<"$FW" && pass || fail "sqitch status: $FW"
	fw "sqitch verify" sqitch_ verify "$target" || return
	grep -q 'Verify successful' <<<"$FW" && pass || fail "sqitch verify: $FW"
	fw "sqitch log" sqitch_ log "$target" || return
	[ "$(grep -c '^Deploy ' <<<"$FW")" = 3 ] && pass || fail "sqitch log: $FW"
	# two changes logged in one millisecond must not tie: Sqitch takes
	# the latest committed_at for the change deployed last
	local times
	if [ "$BACKEND" = pg ]; then
		times=$(sql "SELECT count(DISTINCT committed_at) FROM sqitch.changes")
	else
		times=$(sqlite3 "$reg" "SELECT count(DISTINCT committed_at) FROM changes")
	fi
	[ "$times" = 3 ] && pass || fail "changes share a committed_at: $times distinct"
	rk status --json
	jqe '.misplaced == null and .summary.applied == 3'
	rk status --check
	expect_rc 0
	rk repair --move
	expect_rc 0
	expect_out "Nothing to move"
}

# blog's migrations vendored under another package: an earlier reckon took
# the package's name for the app label and wrote 0003_tag under 'vendor',
# a row Django never reads for blog. status says so, and repair --move
# plans, then records it under blog (the files' dependencies say so) and
# deletes the stray row, after which Django's own migrate --check passes.
test_real_django_stray_label() {
	real_need py:django python3-django || return 0
	cp -r "$REAL/django" "$T/dj"
	fw "migrate contenttypes" django_ migrate contenttypes || return
	fw "migrate shop" django_ migrate shop || return
	fw "migrate blog 0002" django_ migrate blog 0002 || return
	mkdir -p "$T/vendor"
	cp -r "$T/dj/blog/migrations" "$T/vendor/"
	M=$T/vendor/migrations
	rk --django-app vendor mark-applied 0003_tag.py
	expect_rc 0
	[ "$(sql "select count(*) from django_migrations where app = 'vendor' and name = '0003_tag'")" = 1 ] &&
		pass || fail "no guessed row: $(sql 'select app, name from django_migrations')"
	django_ migrate --check >"$T/fw.out" 2>&1 &&
		fail "migrate --check passes with blog 0003 unapplied"

	rk status --json
	expect_rc 0
	expect_states '{"0001_initial.py": "applied", "0002_title.py": "applied",
		"0003_tag.py": "pending"}'
	jqe '.misplaced.framework == "django" and .misplaced.rows == 1'
	rk status
	expect_out "1 row(s) an earlier reckon wrote under the label 'vendor'"
	save_dump
	rk repair --move --json
	expect_rc 0
	jqe '.written == false and [.records[] | .name + ":" + .action] == ["0003_tag:move"]'
	expect_unchanged

	rk repair --move --yes --json
	expect_rc 0
	jqe '.written == true and .dropped == false'
	[ "$(sql "select app || ':' || name from django_migrations where name = '0003_tag'")" = blog:0003_tag ] &&
		pass || fail "rows after the move: $(sql 'select app, name from django_migrations')"
	fw "migrate --check" django_ migrate --check
	fw "showmigrations blog" django_ showmigrations blog || return
	if [ "$(grep -c '\[X\]' <<<"$FW")" = 3 ] && ! grep -q '\[ \]' <<<"$FW"; then pass; else
		fail "showmigrations: $FW"
	fi
	rk status --json
	jqe '.misplaced == null'
	rk status --check
	expect_rc 0
}

# The same guess seen from the app's own directory: the row sits under
# 'vendor', a label no app of the project has (blog and store's 'shop'
# are its apps, contenttypes is Django's own), and its name is one of
# blog's files. detect says so in text and JSON, status agrees, store's
# directory sees nothing of it, and repair --move records it under blog.
test_real_django_guessed_label() {
	real_need py:django python3-django || return 0
	cp -r "$REAL/django" "$T/dj"
	fw "migrate contenttypes" django_ migrate contenttypes || return
	fw "migrate shop" django_ migrate shop || return
	fw "migrate blog 0002" django_ migrate blog 0002 || return
	mkdir -p "$T/vendor"
	cp -r "$T/dj/blog/migrations" "$T/vendor/"
	M=$T/vendor/migrations
	rk --django-app vendor mark-applied 0003_tag.py
	expect_rc 0

	M=$T/dj/blog/migrations
	rk detect --json
	expect_rc 0
	jqe '.misplaced.framework == "django" and .misplaced.table == "django_migrations" and .misplaced.rows == 1'
	jqe '.misplaced.message | test("under the label .vendor., a guess")'
	rk detect
	expect_rc 0
	expect_out "django_migrations holds 1 row(s) an earlier reckon wrote under the label 'vendor', a guess"
	expect_out "'reckon repair --move' shows the plan"
	rk status --json
	expect_rc 0
	expect_states '{"0001_initial.py": "applied", "0002_title.py": "applied",
		"0003_tag.py": "pending"}'
	jqe '.misplaced.rows == 1'
	# not store's: its files are not what the row names
	M=$T/dj/store/migrations
	rk detect --json
	jqe '.misplaced == null'
	rk status --json
	jqe '.misplaced == null and .summary.applied == 3'

	M=$T/dj/blog/migrations
	save_dump
	rk repair --move
	expect_rc 0
	expect_out "0003_tag"
	expect_out "pass --yes to move them"
	rk repair --move --json
	jqe '.written == false and [.records[] | .name + ":" + .action] == ["0003_tag:move"]'
	expect_unchanged
	rk repair --move --yes --json
	expect_rc 0
	jqe '.written == true'
	[ "$(sql "select app || ':' || name from django_migrations where name = '0003_tag'")" = blog:0003_tag ] &&
		pass || fail "rows after the move: $(sql 'select app, name from django_migrations')"
	fw "migrate --check" django_ migrate --check
	rk detect --json
	jqe '.misplaced == null'
	rk status --check
	expect_rc 0
}

# ---- sql-migrate (Debian's sql-migrate, a Go binary) ----

# sql_migrate_ ARGS...: sql-migrate with a dbconfig.yml for the test database
sql_migrate_() {
	if [ "$BACKEND" = pg ]; then
		printf 'test:\n  dialect: postgres\n  datasource: dbname=%s host=%s port=%s user=%s password=%s sslmode=disable\n  dir: %s\n' \
			"$PGDB" "$PGHOST" "$PGPORT" "$PGUSER" "$PGPASSWORD" "$M"
	else
		printf 'test:\n  dialect: sqlite3\n  datasource: %s\n  dir: %s\n' "$SQLITE_FILE" "$M"
	fi >"$T/dbconfig.yml"
	# (its lib/pq panics on PGSYSCONFDIR, which pg_virtualenv sets)
	env -u PGSYSCONFDIR sql-migrate "$1" -config "$T/dbconfig.yml" -env test "${@:2}"
}

# sql-migrate applies 2 of 3; reckon reads gorp_migrations, sees an edit
# only where its sidecar has the hash, runs the third, and sql-migrate's
# own status then lists all three applied.
test_real_sql_migrate() {
	real_need sql-migrate sql-migrate || return 0
	M=$T/sm
	mkdir -p "$M"
	local n
	for n in 1_users 2_posts 3_tags; do
		printf -- '-- +migrate Up\nCREATE TABLE %s (id integer);\n-- +migrate Down\nDROP TABLE %s;\n' \
			"${n#*_}" "${n#*_}" >"$M/$n.sql"
	done
	fw "sql-migrate up -limit 2" sql_migrate_ up -limit 2 || return
	fw "sql-migrate status" sql_migrate_ status || return
	grep -q '| 3_tags.sql *| no ' <<<"$FW" && pass ||
		fail "sql-migrate status does not see 3_tags pending: $FW"
	rk detect --json
	jqe '.detected[0].framework == "sql-migrate"'
	rk status --json
	expect_rc 0
	expect_states '{"1_users.sql": "applied", "2_posts.sql": "applied",
		"3_tags.sql": "pending"}'

	# Drift: gorp_migrations keeps no hash, so an edit to 1 cannot
	# show; the deleted 2 is an orphan
	cp -r "$M" "$T/drift"
	echo '-- edited' >>"$T/drift/1_users.sql"
	rm "$T/drift/2_posts.sql"
	M=$T/drift
	rk status --json
	expect_states '{"1_users.sql": "applied", "2_posts.sql": "orphaned",
		"3_tags.sql": "pending"}'

	M=$T/sm
	rk run --no-backup
	expect_rc 0
	table_exists tags && pass || fail "tags was not created"
	fw "sql-migrate status" sql_migrate_ status || return
	if grep -q '| 3_tags.sql *| [0-9]' <<<"$FW" && ! grep -q '| no ' <<<"$FW"; then pass; else
		fail "sql-migrate status: $FW"
	fi
	fw "sql-migrate up (nothing to do)" sql_migrate_ up || return
	grep -q 'Applied 0 migrations' <<<"$FW" && pass || fail "sql-migrate up ran something: $FW"
	rk status --check
	expect_rc 0
	# reckon recorded 3's hash in its sidecar: an edit now shows
	echo '-- edited' >>"$M/3_tags.sql"
	rk status --json
	jqe '[.migrations[] | select(.state == "modified") | .name] == ["3_tags.sql"]'
}
