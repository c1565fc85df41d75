// MikroORM 6's own Migrator on the test's database: node migrate.js pg
// URL DIR | sqlite FILE DIR. Runs up() and prints what ran and how many
// migrations it still sees as pending: {"ran": [...], "pending": N}.
const { MikroORM } = require('@mikro-orm/core');
const { Migrator } = require('@mikro-orm/migrations');

const [kind, target, path] = process.argv.slice(2);

async function main() {
	const orm = await MikroORM.init({
		...(kind === 'pg'
			? {
					driver: require('@mikro-orm/postgresql').PostgreSqlDriver,
					clientUrl: target,
				}
			: { driver: require('@mikro-orm/sqlite').SqliteDriver, dbName: target }),
		entities: [],
		discovery: { warnWhenNoEntities: false },
		extensions: [Migrator],
		migrations: { path, glob: '!(*.d).js', snapshot: false },
	});
	try {
		const migrator = orm.getMigrator();
		const ran = await migrator.up();
		const pending = await migrator.getPendingMigrations();
		console.log(
			JSON.stringify({ ran: ran.map((m) => m.name), pending: pending.length }),
		);
	} finally {
		await orm.close(true);
	}
}

main().catch((e) => {
	console.error(`mikro-orm: ${e.message}`);
	process.exitCode = 1;
});
