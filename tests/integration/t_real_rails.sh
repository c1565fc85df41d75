# Round trip with ActiveRecord as Debian packages it (ruby-activerecord,
# ruby-pg, ruby-sqlite3), driven through its MigrationContext by
# tests/real/rails/ar.rb (a whole Rails application is not needed to
# migrate). Helpers (real_need, fw, expect_states) are in t_real_py.sh.

ar_() {
	local url
	if [ "$BACKEND" = pg ]; then
		url="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDB"
	else
		url="sqlite3:$SQLITE_FILE"
	fi
	DATABASE_URL=$url ruby "$T/rails/ar.rb" "$@"
}

test_real_rails() {
	real_need ruby ruby || return 0
	if ! ruby -e 'require "active_record"; require "pg"; require "sqlite3"' 2>/dev/null; then
		echo "  skip [$CUR] ruby-activerecord, ruby-pg or ruby-sqlite3 is not installed (scripts/real-deps-debian.sh installs them)"
		return 0
	fi
	cp -r "$REAL/rails" "$T/rails"
	M=$T/rails/db/migrate
	fw "migrate up to 20250101000002" ar_ up 20250101000002 || return
	rk detect --json
	jqe '.detected[0].framework == "rails"'
	rk status --json
	expect_rc 0
	expect_states '{"20250101000001_create_users.rb": "applied",
		"20250101000002_create_posts.rb": "applied",
		"20250101000003_create_tags.rb": "pending"}'

	# Drift: schema_migrations keeps only the version, so the edit
	# cannot show; the deleted file's row is an orphan
	cp -r "$M" "$T/drift"
	echo '# edited' >>"$T/drift/20250101000001_create_users.rb"
	rm "$T/drift/20250101000002_create_posts.rb"
	M=$T/drift
	rk status --json
	expect_states '{"20250101000001_create_users.rb": "applied",
		"20250101000002": "orphaned",
		"20250101000003_create_tags.rb": "pending"}'

	M=$T/rails/db/migrate
	rk mark-applied 20250101000003_create_tags.rb
	expect_rc 0
	fw "abort if pending migrations" ar_ check
	fw "migrate status" ar_ status || return
	if [ "$(grep -c '^up ' <<<"$FW")" = 3 ] && ! grep -q '^down ' <<<"$FW"; then pass; else
		fail "migrate status: $FW"
	fi
	rk status --check
	expect_rc 0
}
