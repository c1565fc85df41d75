'use strict';
const { Migration } = require('@mikro-orm/migrations');

class Migration20240101000002_two extends Migration {
	async up() {
		this.addSql('create table twos (id integer primary key, label text);');
	}

	async down() {
		this.addSql('drop table twos;');
	}
}
exports.Migration20240101000002_two = Migration20240101000002_two;
