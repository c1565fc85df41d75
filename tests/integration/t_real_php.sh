# Round trip with Laravel as Debian packages it (php-laravel-framework,
# php-pgsql, php-sqlite3), driven by tests/real/php/laravel.php through
# the classes "artisan migrate" uses (Capsule Manager, Migrator,
# DatabaseMigrationRepository); a whole Laravel application is not needed
# to migrate. Helpers (real_need, fw, expect_states) are in t_real_py.sh.

lv_() {
	if [ "$BACKEND" = pg ]; then
		DB_CONNECTION=pgsql DB_DATABASE=$PGDB php "$T/php/laravel.php" "$@"
	else
		# (Laravel refuses a SQLite database file that does not exist)
		touch "$SQLITE_FILE"
		DB_CONNECTION=sqlite DB_DATABASE=$SQLITE_FILE php "$T/php/laravel.php" "$@"
	fi
}

# lv_need: are PHP, Laravel's Illuminate Database and the PDO driver of
# this backend there? If not, say that this test skips and why.
lv_need() {
	real_need php php-cli || return 1
	local drv=sqlite
	[ "$BACKEND" = pg ] && drv=pgsql
	if php -r 'require "Illuminate/Database/autoload.php";' 2>/dev/null &&
		php -r "exit(in_array('$drv', PDO::getAvailableDrivers()) ? 0 : 1);"; then
		return 0
	fi
	echo "  skip [$CUR] php-laravel-framework or the PDO $drv driver is not installed (scripts/real-deps-debian.sh installs them)"
	return 1
}

test_real_laravel() {
	lv_need || return 0
	cp -r "$REAL/php" "$T/php"
	M=$T/php/database/migrations
	local u=2024_01_01_000001_create_users_table
	local p=2024_01_01_000002_create_posts_table
	local t=2024_01_01_000003_create_tags_table
	# two runs, two batches
	fw "migrate up to $u" lv_ up $u || return
	fw "migrate up to $p" lv_ up $p || return
	rk detect --json
	jqe '.detected[0].framework == "laravel"'
	rk status --json
	expect_rc 0
	expect_states "{\"$u.php\": \"applied\", \"$p.php\": \"applied\",
		\"$t.php\": \"pending\"}"
	jqe '.summary.applied == 2 and .summary.pending == 1'

	# Drift: the migrations table keeps only the name and the batch, so
	# the edit cannot show; the deleted file's row is an orphan
	cp -r "$M" "$T/drift"
	echo '// edited' >>"$T/drift/$u.php"
	rm "$T/drift/$p.php"
	M=$T/drift
	rk status --json
	expect_states "{\"$u.php\": \"applied\", \"$p\": \"orphaned\",
		\"$t.php\": \"pending\"}"

	M=$T/php/database/migrations
	# the question asked at the end can fail: it does while one is pending
	lv_ check >/dev/null 2>&1
	check "pending check exits 1 before mark-applied" [ $? = 1 ]
	fw "next batch" lv_ next-batch || return
	local next=$FW
	rk mark-applied "$t.php"
	expect_rc 0
	# the row reckon wrote is the one Laravel's log() would write
	if [ "$next" = 3 ] &&
		[ "$(sql "select batch from migrations where migration = '$t'")" = "$next" ]; then pass; else
		fail "reckon wrote batch '$(sql "select batch from migrations where migration = '$t'")', Laravel would write '$next'"
	fi
	fw "pending check" lv_ check
	fw "migrate status" lv_ status || return
	if [ "$FW" = "ran $u 1
ran $p 2
ran $t 3" ]; then pass; else
		fail "migrate status: $FW"
	fi
	rk status --check
	expect_rc 0
	# reckon cannot undo PHP: the advice is Laravel's, not a down script
	save_dump
	rk down --yes
	expect_rc 3
	expect_err "cannot be undone: '$t.php' (code, not SQL)"
	expect_err "undo them with laravel's own tool (Laravel migrations are PHP)"
	expect_unchanged
	# and Laravel's rollback takes back the batch reckon wrote, alone
	fw "migrate:rollback" lv_ rollback || return
	rk status --json
	expect_states "{\"$u.php\": \"applied\", \"$p.php\": \"applied\",
		\"$t.php\": \"pending\"}"
}

# A fresh database beside a Laravel directory: the file names choose
# Laravel's table, reckon creates it as Laravel would, and Laravel's own
# migrator then reads it and runs the rest in the next batch.
test_real_laravel_fresh() {
	lv_need || return 0
	cp -r "$REAL/php" "$T/php"
	M=$T/php/database/migrations
	local u=2024_01_01_000001_create_users_table
	local p=2024_01_01_000002_create_posts_table
	local t=2024_01_01_000003_create_tags_table
	rk detect
	expect_out "the directory is laravel's: 3 YYYY_MM_DD_HHMMSS_<name>.php files"
	expect_out "reckon will create laravel's table (migrations)"
	rk mark-applied --to $p --yes
	expect_rc 0
	fw "migrate status" lv_ status || return
	if [ "$FW" = "ran $u 1
ran $p 1
pending $t" ]; then pass; else
		fail "migrate status after reckon created the table: $FW"
	fi
	fw "migrate up to $t" lv_ up $t || return
	fw "pending check" lv_ check
	fw "migrate status" lv_ status || return
	if [ "$(tail -1 <<<"$FW")" = "ran $t 2" ]; then pass; else
		fail "migrate status: $FW"
	fi
	rk status --check
	expect_rc 0
	# reckon recorded the hash of what it marked: an edit now shows
	echo '// edited' >>"$M/$u.php"
	rk status --json
	jqe "[.migrations[] | select(.state == \"modified\") | .name] == [\"$u.php\"]"
	# and 'new' does not write a .sql file into Laravel's directory
	rk new add_things
	expect_rc 2
	expect_err "reckon cannot write a laravel migration"
}
