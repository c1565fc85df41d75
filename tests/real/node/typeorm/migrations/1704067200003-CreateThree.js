module.exports = class CreateThree1704067200003 {
	async up(queryRunner) {
		await queryRunner.query(
			'CREATE TABLE threes (id integer PRIMARY KEY, label text)',
		);
	}

	async down(queryRunner) {
		await queryRunner.query('DROP TABLE threes');
	}
};
