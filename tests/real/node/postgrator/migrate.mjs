// Postgrator's own migrate() on the test's database: node migrate.mjs
// pg URL DIR | sqlite FILE DIR. Prints what it ran and the versions it
// sees: {"ran": [...], "version": N, "max": N}.
import Postgrator from 'postgrator';
import pg from 'pg';
import sqlite3 from 'sqlite3';

const [kind, target, dir] = process.argv.slice(2);
let execQuery, end;
if (kind === 'pg') {
	const client = new pg.Client({ connectionString: target });
	await client.connect();
	execQuery = (q) => client.query(q);
	end = () => client.end();
} else {
	const db = new sqlite3.Database(target);
	execQuery = (q) =>
		new Promise((resolve, reject) =>
			db.all(q, (e, rows) => (e ? reject(e) : resolve({ rows }))),
		);
	end = () => new Promise((resolve) => db.close(resolve));
}
const p = new Postgrator({
	migrationPattern: `${dir}/*`,
	driver: kind === 'pg' ? 'pg' : 'sqlite3',
	execQuery,
});
try {
	const ran = await p.migrate();
	console.log(
		JSON.stringify({
			ran: ran.map((m) => m.version),
			version: Number(await p.getDatabaseVersion()),
			max: Number(await p.getMaxVersion()),
		}),
	);
} catch (e) {
	console.error(`postgrator: ${e.message}`);
	process.exitCode = 1;
} finally {
	await end();
}
