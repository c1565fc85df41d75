// The test's database: RN_URL (PostgreSQL) or RN_FILE (SQLite through
// sql.js, the SQLite driver TypeORM 1.x ships without a native module);
// migrations in RN_MIGRATIONS.
const { DataSource } = require('typeorm');

const migrations = [`${process.env.RN_MIGRATIONS}/*.js`];

module.exports = new DataSource(
	process.env.RN_FILE
		? {
				type: 'sqljs',
				location: process.env.RN_FILE,
				autoSave: true,
				migrations,
			}
		: { type: 'postgres', url: process.env.RN_URL, migrations },
);
