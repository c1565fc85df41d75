# Round trip with Sequel's TimestampMigrator as Debian packages it
# (ruby-sequel, ruby-pg, ruby-sqlite3), driven by tests/real/sequel/sq.rb.
# Helpers (real_need, fw, expect_states) are in t_real_py.sh.

sq_() {
	local url
	if [ "$BACKEND" = pg ]; then
		url="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDB"
	else
		url="sqlite://$SQLITE_FILE"
	fi
	DATABASE_URL=$url ruby "$T/sequel/sq.rb" "$T/sequel/migrations" "$@"
}

test_real_sequel() {
	real_need ruby ruby || return 0
	if ! ruby -e 'require "sequel"; require "pg"; require "sqlite3"' 2>/dev/null; then
		echo "  skip [$CUR] ruby-sequel, ruby-pg or ruby-sqlite3 is not installed (scripts/real-deps-debian.sh installs them)"
		return 0
	fi
	cp -r "$REAL/sequel" "$T/sequel"
	M=$T/sequel/migrations
	fw "migrate up to 20250101000002" sq_ up 20250101000002 || return
	# the question that can fail, before reckon acts: one is pending
	if sq_ current >/dev/null 2>&1; then fail "Sequel says current with one pending"; else pass; fi
	rk detect --json
	jqe '.detected[0].framework == "sequel"'
	rk status --json
	expect_rc 0
	expect_states '{"20250101000001_Create_users.rb": "applied",
		"20250101000002_Create_posts.rb": "applied",
		"20250101000003_Create_tags.rb": "pending"}'

	# Drift: the table keeps only file names, so an edit cannot show; the
	# deleted file's row is an orphan
	cp -r "$M" "$T/drift"
	echo '# edited' >>"$T/drift/20250101000001_Create_users.rb"
	rm "$T/drift/20250101000002_Create_posts.rb"
	M=$T/drift
	rk status --json
	expect_states '{"20250101000001_Create_users.rb": "applied",
		"20250101000002_create_posts.rb": "orphaned",
		"20250101000003_Create_tags.rb": "pending"}'

	M=$T/sequel/migrations
	rk mark-applied 20250101000003_Create_tags.rb
	expect_rc 0
	check "the row is the lower-cased name, as Sequel writes it" test \
		"$(sql "select count(*) from schema_migrations where filename = '20250101000003_create_tags.rb'")" = 1
	fw "Sequel::Migrator.is_current?" sq_ current
	rk status --check
	expect_rc 0
}
