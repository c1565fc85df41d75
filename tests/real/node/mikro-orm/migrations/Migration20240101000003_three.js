'use strict';
const { Migration } = require('@mikro-orm/migrations');

class Migration20240101000003_three extends Migration {
	async up() {
		this.addSql('create table threes (id integer primary key, label text);');
	}

	async down() {
		this.addSql('drop table threes;');
	}
}
exports.Migration20240101000003_three = Migration20240101000003_three;
