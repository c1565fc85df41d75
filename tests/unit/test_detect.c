/*
 * Detection is pure column matching over the catalog (detector_match):
 * tables that share a name are told apart by their columns and companion
 * tables, and a table with the right name but other columns is never
 * claimed. Catalog lists are built here by hand; no database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "reckon/db/db.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/util.h"

/* Add schema.name with the given columns (NULL-terminated) to l. */
static void
add_table(struct db_table_list *l, const char *schema, const char *name,
	  const char *const *cols)
{
	struct db_table *t;
	size_t n = 0;

	while (cols[n])
		n++;
	rk_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	t = &l->v[l->n++];
	memset(t, 0, sizeof(*t));
	t->schema = xstrdup(schema);
	t->name = xstrdup(name);
	t->cols = xcalloc(n + 1, sizeof(*t->cols));
	t->ncols = n;
	for (size_t i = 0; i < n; i++) {
		t->cols[i].name = xstrdup(cols[i]);
		t->cols[i].type = xstrdup("text");
	}
}

/* The detections' names, best first, space-separated. */
static void
detect(const struct db_table_list *l, int sqlite, char *out, size_t cap)
{
	struct detection_list d = DETECTION_LIST_INIT;

	detector_match(l, db_dialect_for(sqlite ? DB_SQLITE : DB_PG), &d);
	out[0] = '\0';
	for (size_t i = 0; i < d.n; i++) {
		strncat(out, i ? " " : "", cap - strlen(out) - 1);
		strncat(out, d.v[i].det->name, cap - strlen(out) - 1);
	}
	detection_list_release(&d);
}

static const char *const end[] = { NULL };

/* Expect exactly `want` from one table (plus optional companion). */
static void
expect_one(const char *table, const char *const *cols, const char *companion,
	   int sqlite, const char *want)
{
	struct db_table_list l = DB_TABLE_LIST_INIT;
	char got[256];

	add_table(&l, "public", table, cols);
	if (companion)
		add_table(&l, "public", companion, end);
	detect(&l, sqlite, got, sizeof(got));
	assert_string_equal(got, want);
	db_table_list_release(&l);
}

static void
test_schema_migrations_told_apart(void **state)
{
	static const char *const golang[] = { "version", "dirty", NULL };
	static const char *const bare[] = { "version", NULL };
	static const char *const ecto[] = { "version", "inserted_at", NULL };

	(void)state;
	expect_one("schema_migrations", golang, NULL, 0, "golang-migrate");
	expect_one("schema_migrations", bare, NULL, 0, "dbmate");
	expect_one("schema_migrations", bare, "ar_internal_metadata", 0,
		   "rails");
	expect_one("schema_migrations", ecto, NULL, 0, "ecto");
	expect_one("schema_migrations", ecto, NULL, 1, "ecto");
}

static void
test_migrations_told_apart(void **state)
{
	static const char *const laravel[] = { "id", "migration", "batch",
					       NULL };
	static const char *const typeorm[] = { "id", "timestamp", "name",
					       NULL };
	static const char *const dbmig[] = { "id", "name", "run_on", NULL };

	(void)state;
	expect_one("migrations", laravel, NULL, 0, "laravel");
	expect_one("migrations", typeorm, NULL, 0, "typeorm");
	expect_one("migrations", dbmig, NULL, 0, "db-migrate");
	expect_one("pgmigrations", dbmig, NULL, 0, "node-pg-migrate");
	/* node-pg-migrate is PostgreSQL only */
	expect_one("pgmigrations", dbmig, NULL, 1, "");
}

static void
test_wrong_columns_not_claimed(void **state)
{
	static const char *const odd[] = { "id", "foo", NULL };
	static const char *const extra[] = { "version", "dirty", "note", NULL };
	static const char *const half[] = { "id", "name", NULL };

	(void)state;
	expect_one("schema_migrations", odd, NULL, 0, "");
	expect_one("schema_migrations", extra, NULL, 0, "");
	expect_one("migrations", half, NULL, 0, "");
	expect_one("flyway_schema_history", half, NULL, 0, "");
	expect_one("users", half, NULL, 0, "");
}

static void
test_sequelize_not_umzug(void **state)
{
	static const char *const meta[] = { "name", NULL };

	(void)state;
	/* identical tables: reported as sequelize; umzug only by name */
	expect_one("SequelizeMeta", meta, NULL, 0, "sequelize");
	assert_non_null(detector_find("umzug"));
}

static void
test_every_detector_finds_its_own_table(void **state)
{
	(void)state;
	for (size_t k = 0; detectors[k]; k++) {
		const struct detector *d = detectors[k];
		struct db_table_list l = DB_TABLE_LIST_INIT;
		struct detection_list dl = DETECTION_LIST_INIT;
		int sqlite = (d->flags & DET_PG_ONLY) == 0;

		if (d->flags & DET_EXPLICIT)
			continue;
		add_table(&l, d->schema ? d->schema : "main", d->table,
			  d->columns);
		for (const char *const *c = d->companions; c && *c; c++)
			add_table(&l, d->schema ? d->schema : "main", *c, end);
		detector_match(&l, db_dialect_for(sqlite ? DB_SQLITE : DB_PG),
			       &dl);
		assert_true(dl.n >= 1);
		assert_string_equal(dl.v[0].det->name, d->name);
		detection_list_release(&dl);
		db_table_list_release(&l);
	}
}

/* A detector that records can delete its records: its own unrecord, or
 * the generic delete by id_column. */
static void
test_every_writer_can_unrecord(void **state)
{
	(void)state;
	for (size_t i = 0; detectors[i]; i++)
		if (detectors[i]->record && !detectors[i]->unrecord &&
		    !detectors[i]->id_column)
			fail_msg("%s: no unrecord and no id_column",
				 detectors[i]->name);
}

static void
test_several_frameworks_all_reported(void **state)
{
	static const char *const knex[] = { "id", "name", "batch",
					    "migration_time", NULL };
	static const char *const bare[] = { "version", NULL };
	struct db_table_list l = DB_TABLE_LIST_INIT;
	char got[256];

	(void)state;
	add_table(&l, "public", "knex_migrations", knex);
	add_table(&l, "public", "knex_migrations_lock", end);
	add_table(&l, "app", "schema_migrations", bare);
	detect(&l, 0, got, sizeof(got));
	/* knex scores higher: its companion lock table is there */
	assert_string_equal(got, "knex dbmate");
	db_table_list_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_migrations_told_apart),
		cmocka_unit_test(test_migrations_told_apart),
		cmocka_unit_test(test_wrong_columns_not_claimed),
		cmocka_unit_test(test_sequelize_not_umzug),
		cmocka_unit_test(test_every_detector_finds_its_own_table),
		cmocka_unit_test(test_every_writer_can_unrecord),
		cmocka_unit_test(test_several_frameworks_all_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
