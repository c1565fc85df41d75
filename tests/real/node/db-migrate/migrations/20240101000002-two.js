'use strict';

exports.up = (db) =>
	db.createTable('twos', {
		id: { type: 'int', primaryKey: true },
		label: 'text',
	});

exports.down = (db) => db.dropTable('twos');
