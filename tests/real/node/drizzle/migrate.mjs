// drizzle-orm's own migrator on the test's database: node migrate.mjs pg
// URL FOLDER | sqlite FILE FOLDER (SQLite through sql.js: the file is
// loaded, migrated and written back). Prints how many rows
// __drizzle_migrations holds before and after: {"before": N, "after": N}.
import fs from 'node:fs';

const [kind, target, migrationsFolder] = process.argv.slice(2);

async function pgMigrate() {
	const { default: pg } = await import('pg');
	const { drizzle } = await import('drizzle-orm/node-postgres');
	const { migrate } = await import('drizzle-orm/node-postgres/migrator');
	const client = new pg.Client({ connectionString: target });
	await client.connect();
	const count = async () => {
		const r = await client.query(
			"SELECT to_regclass('drizzle.__drizzle_migrations') AS t",
		);
		if (!r.rows[0].t) return 0;
		const c = await client.query(
			'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
		);
		return c.rows[0].n;
	};
	try {
		const before = await count();
		await migrate(drizzle(client), { migrationsFolder });
		return { before, after: await count() };
	} finally {
		await client.end();
	}
}

async function sqliteMigrate() {
	const { default: initSqlJs } = await import('sql.js');
	const { drizzle } = await import('drizzle-orm/sql-js');
	const { migrate } = await import('drizzle-orm/sql-js/migrator');
	const SQL = await initSqlJs();
	const raw = new SQL.Database(
		fs.existsSync(target) ? fs.readFileSync(target) : undefined,
	);
	const count = () => {
		const t = raw.exec(
			"SELECT 1 FROM sqlite_master WHERE name = '__drizzle_migrations'",
		);
		if (!t.length) return 0;
		return raw.exec('SELECT count(*) FROM __drizzle_migrations')[0]
			.values[0][0];
	};
	const before = count();
	await migrate(drizzle(raw), { migrationsFolder });
	const after = count();
	fs.writeFileSync(target, Buffer.from(raw.export()));
	raw.close();
	return { before, after };
}

try {
	const r = kind === 'pg' ? await pgMigrate() : await sqliteMigrate();
	console.log(JSON.stringify(r));
} catch (e) {
	console.error(`drizzle: ${e.message}`);
	process.exitCode = 1;
}
