'use strict';

exports.up = (db) =>
	db.createTable('ones', {
		id: { type: 'int', primaryKey: true },
		label: 'text',
	});

exports.down = (db) => db.dropTable('ones');
