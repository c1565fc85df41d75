// Kysely's own Migrator on the test's database (PostgreSQL):
// node migrate.mjs URL DIR. Runs migrateToLatest and prints what ran and
// how many migrations it still sees as pending: {"ran": [...], "pending": N}.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';

const [url, migrationFolder] = process.argv.slice(2);
const db = new Kysely({
	dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }),
});
const migrator = new Migrator({
	db,
	provider: new FileMigrationProvider({ fs, path, migrationFolder }),
});
try {
	const { error, results } = await migrator.migrateToLatest();
	if (error) throw error;
	const all = await migrator.getMigrations();
	console.log(
		JSON.stringify({
			ran: results.map((r) => r.migrationName),
			pending: all.filter((m) => !m.executedAt).length,
		}),
	);
} catch (e) {
	console.error(`kysely: ${e.message}`);
	process.exitCode = 1;
} finally {
	await db.destroy();
}
