'use strict';

module.exports = {
	up: (queryInterface, Sequelize) =>
		queryInterface.createTable('twos', {
			id: { type: Sequelize.INTEGER, primaryKey: true },
			label: { type: Sequelize.TEXT },
		}),
	down: (queryInterface) => queryInterface.dropTable('twos'),
};
