// Umzug 3.8.2 with its SequelizeStorage on the test's database, the way an
// application drives Umzug itself (it has no command of its own here):
//   node migrate.js pg URL DIR up|pending|executed
//   node migrate.js sqlite FILE DIR up|pending|executed
// Migrations are sequelize-cli style (up(queryInterface, Sequelize)), so
// the resolver hands them the query interface, as Umzug's documentation
// shows for sequelize-cli projects. Prints a JSON array of names.
// Umzug 3.8.2 is the one @mikro-orm/migrations 6.6.16 pins in
// ../package-lock.json (the top-level umzug is sequelize-cli's 2.x).
'use strict';
// (by its path: @mikro-orm/migrations exports no such subpath)
const { Umzug, SequelizeStorage } = require(
	require('path').join(__dirname, 'node_modules/@mikro-orm/migrations/node_modules/umzug'),
);
const { Sequelize } = require('sequelize');

const [kind, target, dir, cmd] = process.argv.slice(2);
const sequelize =
	kind === 'pg'
		? new Sequelize(target, { logging: false })
		: new Sequelize({ dialect: 'sqlite', storage: target, logging: false });
const umzug = new Umzug({
	migrations: {
		glob: `${dir}/*.js`,
		resolve: ({ name, path, context }) => {
			const m = require(path);
			return {
				name,
				up: () => m.up(context, Sequelize),
				down: () => m.down(context, Sequelize),
			};
		},
	},
	context: sequelize.getQueryInterface(),
	storage: new SequelizeStorage({ sequelize }),
	logger: undefined,
});

(async () => {
	try {
		let list;
		if (cmd === 'up') list = await umzug.up();
		else if (cmd === 'pending') list = await umzug.pending();
		else if (cmd === 'executed') list = await umzug.executed();
		else throw new Error(`unknown command '${cmd}'`);
		console.log(JSON.stringify(list.map((m) => m.name)));
	} catch (e) {
		console.error(`umzug: ${e.message}`);
		process.exitCode = 1;
	} finally {
		await sequelize.close();
	}
})();
