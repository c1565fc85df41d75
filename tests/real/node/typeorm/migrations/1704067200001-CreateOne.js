module.exports = class CreateOne1704067200001 {
	async up(queryRunner) {
		await queryRunner.query(
			'CREATE TABLE ones (id integer PRIMARY KEY, label text)',
		);
	}

	async down(queryRunner) {
		await queryRunner.query('DROP TABLE ones');
	}
};
