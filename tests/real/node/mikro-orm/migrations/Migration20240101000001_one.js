'use strict';
const { Migration } = require('@mikro-orm/migrations');

class Migration20240101000001_one extends Migration {
	async up() {
		this.addSql('create table ones (id integer primary key, label text);');
	}

	async down() {
		this.addSql('drop table ones;');
	}
}
exports.Migration20240101000001_one = Migration20240101000001_one;
