// The test's database: RN_URL (PostgreSQL) or RN_FILE (SQLite, through
// the sqlite3 module); migrations in RN_MIGRATIONS.
const migrations = { directory: process.env.RN_MIGRATIONS };

module.exports = process.env.RN_FILE
	? {
			client: 'sqlite3',
			connection: { filename: process.env.RN_FILE },
			useNullAsDefault: true,
			migrations,
		}
	: { client: 'pg', connection: process.env.RN_URL, migrations };
