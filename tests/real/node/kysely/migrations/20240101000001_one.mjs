export async function up(db) {
	await db.schema
		.createTable('ones')
		.addColumn('id', 'integer', (c) => c.primaryKey())
		.addColumn('label', 'text')
		.execute();
}

export async function down(db) {
	await db.schema.dropTable('ones').execute();
}
