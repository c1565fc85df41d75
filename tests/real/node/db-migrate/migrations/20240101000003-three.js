'use strict';

exports.up = (db) =>
	db.createTable('threes', {
		id: { type: 'int', primaryKey: true },
		label: 'text',
	});

exports.down = (db) => db.dropTable('threes');
