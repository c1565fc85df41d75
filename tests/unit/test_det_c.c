/*
 * Unit tests for the JavaScript/TypeScript migration frameworks' detectors
 * (detectors/knex.c, sequelize.c, umzug.c, typeorm.c, kysely.c,
 * mikro_orm.c): which file names each takes for a migration and what it
 * stores for them, TypeORM's class name read from real file text, and the
 * column signatures detection matches them by (Sequelize and Umzug share
 * one table, which detection reports once). None of these frameworks
 * stores a checksum, so there are no vectors to check, only that none is
 * claimed. Reading and writing rows is the integration fixtures' job.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

extern const struct detector det_knex;
extern const struct detector det_kysely;
extern const struct detector det_mikro_orm;
extern const struct detector det_sequelize;
extern const struct detector det_typeorm;
extern const struct detector det_umzug;

/* One name a detector takes, and what it must parse to. */
struct good {
	const char *name;
	const char *version;
	const char *desc;
};

static void
check_good(const struct detector *d, const struct good *g)
{
	struct migname mn;

	if (d->parse_name(g->name, &mn) != 0)
		fail_msg("%s: '%s' was rejected", d->name, g->name);
	if (mn.kind != MIG_UP || !mn.code)
		fail_msg("%s: '%s' is not an up code migration", d->name,
			 g->name);
	if (strcmp(mn.version, g->version) != 0)
		fail_msg("%s: '%s': version '%s', want '%s'", d->name, g->name,
			 mn.version, g->version);
	if (strcmp(mn.desc, g->desc) != 0)
		fail_msg("%s: '%s': desc '%s', want '%s'", d->name, g->name,
			 mn.desc, g->desc);
}

static void
check_bad(const struct detector *d, const char *name)
{
	struct migname mn;

	if (d->parse_name(name, &mn) != -1)
		fail_msg("%s: '%s' was accepted (version '%s')", d->name, name,
			 mn.version);
}

/* The identifier d stores for a file called name. */
static char *
id_of(const struct detector *d, const char *name)
{
	struct mig_file f;
	struct rk_buf b = RK_BUF_INIT;

	memset(&f, 0, sizeof(f));
	f.name = (char *)name;
	if (d->file_id)
		d->file_id(&f, &b);
	else
		rk_buf_adds(&b, name);
	return rk_buf_detach(&b, NULL);
}

static void
check_id(const struct detector *d, const char *name, const char *want)
{
	char *got = id_of(d, name);

	if (strcmp(got, want) != 0)
		fail_msg("%s: id of '%s' is '%s', want '%s'", d->name, name,
			 got, want);
	free(got);
}

static void
test_no_checksums(void **state)
{
	const struct detector *all[] = { &det_knex,	 &det_kysely,
					 &det_mikro_orm, &det_sequelize,
					 &det_typeorm,	 &det_umzug };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		assert_null(all[i]->checksum);
		assert_null(all[i]->repair);
		assert_non_null(all[i]->kind_note);
		assert_non_null(all[i]->record);
		assert_non_null(all[i]->ensure);
		assert_int_equal(all[i]->flags & (DET_PG_ONLY | DET_NO_WRITE),
				 0);
	}
}

static void
test_knex_names(void **state)
{
	static const struct good good[] = {
		{ "20240101120000_create_users.js",
		  "20240101120000_create_users", "create_users" },
		{ "20240101120000_create_users.ts",
		  "20240101120000_create_users", "create_users" },
		{ "20240101120000_create_users.cjs",
		  "20240101120000_create_users", "create_users" },
		{ "001_init.mjs", "001_init", "init" },
		{ "initial_schema.js", "initial_schema", "initial_schema" },
		{ "20190101000000_legacy.coffee", "20190101000000_legacy",
		  "legacy" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		check_good(&det_knex, &good[i]);
	check_bad(&det_knex, "20240101120000_create_users.sql");
	check_bad(&det_knex, "knexfile.json");
	check_bad(&det_knex, "README.md");
	check_bad(&det_knex, "Makefile");
	check_bad(&det_knex, "sub/20240101120000_x.js");
	check_bad(&det_knex, ".js");
	/* the row stores the file name with its extension */
	check_id(&det_knex, "20240101120000_create_users.js",
		 "20240101120000_create_users.js");
}

static void
test_sequelize_names(void **state)
{
	static const struct good good[] = {
		{ "20240101120000-create-user.js", "20240101120000-create-user",
		  "create-user" },
		{ "20240101120000-create-user.cjs",
		  "20240101120000-create-user", "create-user" },
		{ "20240101120000-create-user.ts", "20240101120000-create-user",
		  "create-user" },
		/* Umzug's own create command */
		{ "2024.01.01T12.00.00.create-users.mjs",
		  "2024.01.01T12.00.00.create-users", "create-users" },
		{ "00_initial.js", "00_initial", "initial" },
	};
	const struct detector *both[] = { &det_sequelize, &det_umzug };

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(both); k++) {
		for (size_t i = 0; i < ARRAY_SIZE(good); i++)
			check_good(both[k], &good[i]);
		check_bad(both[k], "types.d.ts");
		check_bad(both[k], "20240101120000-x.sql");
		check_bad(both[k], "config.json");
		check_bad(both[k], "sub/20240101120000-x.js");
		check_id(both[k], "20240101120000-create-user.js",
			 "20240101120000-create-user.js");
	}
}

static void
test_typeorm_names(void **state)
{
	static const struct good good[] = {
		{ "1700000000000-CreateUsers.ts", "1700000000000",
		  "CreateUsers" },
		{ "1700000000000-create-users.js", "1700000000000",
		  "create-users" },
		{ "1700000000000-CreateUsers.mts", "1700000000000",
		  "CreateUsers" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		check_good(&det_typeorm, &good[i]);
	check_bad(&det_typeorm, "CreateUsers1700000000000.ts");
	check_bad(&det_typeorm, "1700000000000-CreateUsers.d.ts");
	check_bad(&det_typeorm, "1700000000000-CreateUsers.sql");
	check_bad(&det_typeorm, "1700000000000-CreateUsers.js.map");
	check_bad(&det_typeorm, "sub/1700000000000-CreateUsers.ts");
}

/* The id TypeORM's inspect reads from text for a file called name. */
static void
check_class(const char *name, const char *text, const char *want)
{
	struct mig_file f;
	struct migname mn;

	memset(&f, 0, sizeof(f));
	assert_int_equal(det_typeorm.parse_name(name, &mn), 0);
	f.name = (char *)name;
	f.version = mn.version;
	f.desc = mn.desc;
	det_typeorm.inspect(&f, text, strlen(text));
	assert_non_null(f.id);
	if (strcmp(f.id, want) != 0)
		fail_msg("'%s': class '%s', want '%s'", name, f.id, want);
	free(f.id);
}

static void
test_typeorm_inspect(void **state)
{
	(void)state;
	/* what migration:generate writes: a class and its name field */
	check_class("1700000000000-CreateUsers.ts",
		    "import { MigrationInterface, QueryRunner } from "
		    "\"typeorm\"\n\n"
		    "export class CreateUsers1700000000000 implements "
		    "MigrationInterface {\n"
		    "    name = 'CreateUsers1700000000000'\n\n"
		    "    public async up(queryRunner: QueryRunner): "
		    "Promise<void> {\n"
		    "        await queryRunner.query(`CREATE TABLE \"users\" "
		    "(\"id\" SERIAL NOT NULL)`)\n    }\n}\n",
		    "CreateUsers1700000000000");
	/* migration:create -o: a CommonJS class; a local `name` that is
	 * not a migration name changes nothing */
	check_class("1700000100000-create-orders.js",
		    "/**\n * @class\n * @implements {MigrationInterface}\n */\n"
		    "module.exports = class CreateOrders1700000100000 {\n"
		    "    async up(queryRunner) {\n"
		    "        const name = \"orders\"\n"
		    "        await queryRunner.query(`CREATE TABLE ${name} "
		    "(id int)`)\n    }\n}\n",
		    "CreateOrders1700000100000");
	/* tsc output: the name field becomes this.name in a constructor,
	 * and it wins over the class name */
	check_class("1700000200000-Renamed.js",
		    "class Old1700000200000 {\n"
		    "    constructor() {\n"
		    "        this.name = \"Renamed1700000200000\";\n    }\n}\n"
		    "exports.Old1700000200000 = Old1700000200000;\n",
		    "Renamed1700000200000");
	/* no class found: what migration:create names the class */
	check_class("1700000300000-add-items.ts", "export {}\n",
		    "AddItems1700000300000");
	check_class("1700000300000-AddItems.ts",
		    "// class Foo is mentioned in a comment only\n",
		    "AddItems1700000300000");
}

static void
test_kysely_names(void **state)
{
	static const struct good good[] = {
		{ "2024-01-01-create-users.ts", "2024-01-01-create-users",
		  "2024-01-01-create-users" },
		{ "0001_init.js", "0001_init", "0001_init" },
		{ "2024_01_01_users.mjs", "2024_01_01_users",
		  "2024_01_01_users" },
		{ "20240101T1200-users.cts", "20240101T1200-users",
		  "20240101T1200-users" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		check_good(&det_kysely, &good[i]);
	check_bad(&det_kysely, "types.d.ts");
	check_bad(&det_kysely, "types.d.mts");
	check_bad(&det_kysely, "2024-01-01-create-users.sql");
	check_bad(&det_kysely, "sub/2024-01-01-x.ts");
	/* the key is the file name up to its last '.' */
	check_id(&det_kysely, "2024-01-01-create-users.ts",
		 "2024-01-01-create-users");
	check_id(&det_kysely, "0001.init.js", "0001.init");
}

static void
test_mikro_orm_names(void **state)
{
	static const struct good good[] = {
		{ "Migration20240101120000.ts", "20240101120000", "" },
		{ "Migration20240102120000_orders.js", "20240102120000",
		  "orders" },
		{ "Migration20240102120000_orders.cjs", "20240102120000",
		  "orders" },
		{ "InitialSchema.ts", "InitialSchema", "InitialSchema" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		check_good(&det_mikro_orm, &good[i]);
	check_bad(&det_mikro_orm, "Migration20240101120000.d.ts");
	check_bad(&det_mikro_orm, "snapshot-app.json");
	check_bad(&det_mikro_orm, "Migration20240101120000.mjs");
	check_bad(&det_mikro_orm, "sub/Migration20240101120000.ts");
	/* getMigrationName(): only .js and .ts are stripped */
	check_id(&det_mikro_orm, "Migration20240101120000.ts",
		 "Migration20240101120000");
	check_id(&det_mikro_orm, "Migration20240102120000_orders.js",
		 "Migration20240102120000_orders");
	check_id(&det_mikro_orm, "Migration20240101120000.cjs",
		 "Migration20240101120000.cjs");
}

/* Add table name(cols...) in schema public to tl. */
static void
add_table(struct db_table_list *tl, const char *name, ...)
{
	struct db_table *t;
	const char *col;
	va_list ap;

	rk_grow((void **)&tl->v, &tl->cap, tl->n + 1, sizeof(*tl->v));
	t = &tl->v[tl->n++];
	memset(t, 0, sizeof(*t));
	t->schema = xstrdup("public");
	t->name = xstrdup(name);
	va_start(ap, name);
	while ((col = va_arg(ap, const char *)) != NULL) {
		t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof(*t->cols));
		t->cols[t->ncols].name = xstrdup(col);
		t->cols[t->ncols].type = xstrdup("text");
		t->cols[t->ncols].notnull = 0;
		t->ncols++;
	}
	va_end(ap);
}

/* The detections of tl as "name:score,..." in order. */
static char *
matches(const struct db_table_list *tl)
{
	struct detection_list dl = DETECTION_LIST_INIT;
	struct rk_buf b = RK_BUF_INIT;

	detector_match(tl, db_dialect_for(DB_PG), &dl);
	for (size_t i = 0; i < dl.n; i++)
		rk_buf_addf(&b, "%s%s:%zu", i ? "," : "", dl.v[i].det->name,
			    dl.v[i].matched);
	detection_list_release(&dl);
	return rk_buf_detach(&b, NULL);
}

static void
check_matches(struct db_table_list *tl, const char *want)
{
	char *got = matches(tl);

	if (strcmp(got, want) != 0)
		fail_msg("detected '%s', want '%s'", got, want);
	free(got);
	db_table_list_release(tl);
}

static void
test_signatures(void **state)
{
	struct db_table_list tl = DB_TABLE_LIST_INIT;
	char *got;

	(void)state;
	/* one table for two tools: reported once, as sequelize */
	add_table(&tl, "SequelizeMeta", "name", NULL);
	check_matches(&tl, "sequelize:1");
	add_table(&tl, "SequelizeMeta", "name", "createdAt", "updatedAt", NULL);
	check_matches(&tl, "sequelize:1");
	add_table(&tl, "sequelizemeta", "name", NULL);
	check_matches(&tl, "");
	add_table(&tl, "knex_migrations", "id", "name", "batch",
		  "migration_time", NULL);
	add_table(&tl, "knex_migrations_lock", "index", "is_locked", NULL);
	check_matches(&tl, "knex:14");
	add_table(&tl, "knex_migrations", "id", "name", "batch", NULL);
	check_matches(&tl, "");
	add_table(&tl, "migrations", "id", "timestamp", "name", NULL);
	check_matches(&tl, "typeorm:3");
	add_table(&tl, "migrations", "id", "migration", "batch", NULL);
	got = matches(&tl);
	assert_null(strstr(got, "typeorm"));
	free(got);
	db_table_list_release(&tl);
	add_table(&tl, "kysely_migration", "name", "timestamp", NULL);
	add_table(&tl, "kysely_migration_lock", "id", "is_locked", NULL);
	check_matches(&tl, "kysely:12");
	add_table(&tl, "mikro_orm_migrations", "id", "name", "executed_at",
		  NULL);
	check_matches(&tl, "mikro-orm:3");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_checksums),
		cmocka_unit_test(test_knex_names),
		cmocka_unit_test(test_sequelize_names),
		cmocka_unit_test(test_typeorm_names),
		cmocka_unit_test(test_typeorm_inspect),
		cmocka_unit_test(test_kysely_names),
		cmocka_unit_test(test_mikro_orm_names),
		cmocka_unit_test(test_signatures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
