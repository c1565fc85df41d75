// Kysely's own Migrator on the test's database:
//   node migrate.mjs pg URL DIR | node migrate.mjs sqlite FILE DIR
// Runs migrateToLatest and prints what ran and how many migrations it
// still sees as pending: {"ran": [...], "pending": N}.
//
// SQLite: Kysely's SqliteDialect drives better-sqlite3, a native module
// this suite does not build (it compiles SQLite itself); Kysely's own
// SQLite adapter, query compiler and introspector are used here with a
// small driver over the sqlite3 module the suite already has (Kysely's
// documented way to bring a driver: a Dialect of four parts).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
	CompiledQuery,
	Kysely,
	PostgresDialect,
	SqliteAdapter,
	SqliteIntrospector,
	SqliteQueryCompiler,
} from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';
import sqlite3 from 'sqlite3';

// One connection, handed to one user at a time (as Kysely's SqliteDriver).
class Sqlite3Driver {
	constructor(file) {
		this.file = file;
		this.queue = Promise.resolve();
	}
	async init() {
		this.db = await new Promise((resolve, reject) => {
			const db = new sqlite3.Database(this.file, (e) => (e ? reject(e) : resolve(db)));
		});
		const db = this.db;
		this.conn = {
			executeQuery: (q) =>
				new Promise((resolve, reject) =>
					db.all(q.sql, q.parameters, (e, rows) => (e ? reject(e) : resolve({ rows }))),
				),
			streamQuery: () => {
				throw new Error('streaming is not supported by this driver');
			},
		};
	}
	async acquireConnection() {
		let release;
		const turn = new Promise((r) => (release = r));
		const before = this.queue;
		this.queue = before.then(() => turn);
		await before;
		this.release = release;
		return this.conn;
	}
	async beginTransaction(c) {
		await c.executeQuery(CompiledQuery.raw('begin'));
	}
	async commitTransaction(c) {
		await c.executeQuery(CompiledQuery.raw('commit'));
	}
	async rollbackTransaction(c) {
		await c.executeQuery(CompiledQuery.raw('rollback'));
	}
	async releaseConnection() {
		this.release();
	}
	async destroy() {
		await new Promise((resolve) => this.db.close(resolve));
	}
}

const sqlite3Dialect = (file) => ({
	createAdapter: () => new SqliteAdapter(),
	createDriver: () => new Sqlite3Driver(file),
	createQueryCompiler: () => new SqliteQueryCompiler(),
	createIntrospector: (db) => new SqliteIntrospector(db),
});

const [kind, target, migrationFolder] = process.argv.slice(2);
const db = new Kysely({
	dialect:
		kind === 'pg'
			? new PostgresDialect({ pool: new pg.Pool({ connectionString: target }) })
			: sqlite3Dialect(target),
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
