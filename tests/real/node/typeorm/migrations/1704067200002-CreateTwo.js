module.exports = class CreateTwo1704067200002 {
	async up(queryRunner) {
		await queryRunner.query(
			'CREATE TABLE twos (id integer PRIMARY KEY, label text)',
		);
	}

	async down(queryRunner) {
		await queryRunner.query('DROP TABLE twos');
	}
};
