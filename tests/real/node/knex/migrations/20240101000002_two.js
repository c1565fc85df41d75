exports.up = (knex) =>
	knex.schema.createTable('twos', (t) => {
		t.integer('id').primary();
		t.text('label');
	});

exports.down = (knex) => knex.schema.dropTable('twos');
