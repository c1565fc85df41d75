exports.up = (knex) =>
	knex.schema.createTable('ones', (t) => {
		t.integer('id').primary();
		t.text('label');
	});

exports.down = (knex) => knex.schema.dropTable('ones');
