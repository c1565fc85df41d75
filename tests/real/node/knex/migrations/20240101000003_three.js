exports.up = (knex) =>
	knex.schema.createTable('threes', (t) => {
		t.integer('id').primary();
		t.text('label');
	});

exports.down = (knex) => knex.schema.dropTable('threes');
