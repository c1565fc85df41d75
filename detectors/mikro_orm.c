/*
 * MikroORM's migrator: mikro_orm_migrations(id, name, executed_at). A row
 * names its file without a .js/.ts extension (Migration20240101120000, or
 * Migration20240101120000_users when created with a name); versions that
 * stored the extension are still read as MikroORM reads them. executed_at
 * comes from the column default, whose form depends on the major version
 * that created the table (6.x: UTC text on SQLite; 7.x: epoch ms), so
 * reckon leaves it to the default as MikroORM does. Migrations are
 * TypeScript or JavaScript classes: read, reconciled and marked, never run.
 * The .snapshot-<db>.json files beside them are dot files, never scanned.
 *
 * Checked against mikro-orm/mikro-orm:
 * - packages/migrations/src/MigrationStorage.ts: getMigrationName() strips
 *   /\.[jt]s$/, logMigration() inserts {name} only, unlogMigration()
 *   deletes the name with and without .js/.ts, executed rows are read
 *   ordered by id, the table (id autoincrement primary key, name varchar,
 *   executed_at datetime default current timestamp);
 * - packages/core/src/utils/Configuration.ts: tableName mikro_orm_migrations,
 *   glob '!(*.d).{js,ts,cjs}', fileName Migration<timestamp>[_<name>];
 * - frameworks.md §29 (the 6.x DDL through Knex's schema builder, confirmed
 *   with MikroORM 6.6.16, PG and SQLite).
 */
#include <string.h>

#include "reckon/base/buf.h"
#include "reckon/db/db.h"
#include "reckon/detectors/detcommon.h"
#include "reckon/detectors/detector.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/base/banned.h"

static const char *const mikro_cols[] = { "id", "name", "executed_at", NULL };
static const char *const mikro_exts[] = { ".ts", ".js", ".cjs", NULL };

/* Length of name without a trailing ".js" or ".ts", as MikroORM names. */
static size_t
name_len(const char *name)
{
	size_t n = strlen(name);

	if (n > 3 && name[n - 3] == '.' &&
	    (name[n - 2] == 'j' || name[n - 2] == 't') && name[n - 1] == 's')
		return n - 3;
	return n;
}

/* Fill version ("20240101120000" from Migration20240101120000[_x], else
 * the whole name) and desc from a name of length n. */
static void
split_name(const char *s, size_t n, struct migname *out)
{
	size_t d = 9, e;

	if (n > d && strncmp(s, "Migration", 9) == 0 && s[d] >= '0' &&
	    s[d] <= '9') {
		for (e = d; e < n && s[e] >= '0' && s[e] <= '9';)
			e++;
		memcpy(out->version, s + d, e - d);
		if (e < n && s[e] == '_')
			memcpy(out->desc, s + e + 1, n - e - 1);
		return;
	}
	memcpy(out->version, s, n);
	memcpy(out->desc, s, n);
}

static int
mikro_parse_name(const char *relpath, struct migname *out)
{
	const char *dot = strrchr(relpath, '.');
	size_t n = dot ? (size_t)(dot - relpath) : 0;
	int known = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; dot && mikro_exts[i]; i++)
		known |= strcmp(dot, mikro_exts[i]) == 0;
	if (!known || strchr(relpath, '/') || n == 0 ||
	    n >= sizeof(out->version) ||
	    (n >= 2 && strncmp(dot - 2, ".d", 2) == 0))
		return -1;
	split_name(relpath, n, out);
	out->kind = MIG_UP;
	out->conv = CONV_PLAIN;
	out->code = 1;
	return 0;
}

static void
mikro_file_id(const struct mig_file *m, struct rk_buf *out)
{
	rk_buf_add(out, m->name, name_len(m->name));
}

static int
mikro_read(struct db *db, const struct tracked *t, struct applied_set *out,
	   struct rk_err *err)
{
	struct db_rows rows = DB_ROWS_INIT;
	struct rk_buf id = RK_BUF_INIT;

	if (det_select(db, t, "name, executed_at", "id", &rows, err) < 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *name = db_rows_get(&rows, i, 0);
		struct migname mn;
		char iso[32];

		if (!name)
			continue;
		rk_buf_reset(&id);
		rk_buf_add(&id, name, name_len(name));
		memset(&mn, 0, sizeof(mn));
		if (id.len < sizeof(mn.version))
			split_name(id.s, id.len, &mn);
		applied_add(out, id.s, *mn.version ? mn.version : NULL,
			    det_iso_time(db_rows_get(&rows, i, 1), iso), NULL);
	}
	rk_buf_release(&id);
	db_rows_release(&rows);
	return 0;
}

/* the table as MikroORM creates it on each engine */
static const char *const mikro_ddl[DB_NKINDS] = {
	[DB_PG] = "CREATE TABLE %T (\"id\" serial primary key, "
		  "\"name\" varchar(255), \"executed_at\" "
		  "timestamptz default current_timestamp)",
	[DB_SQLITE] = "CREATE TABLE %T (`id` integer not null "
		      "primary key autoincrement, `name` "
		      "varchar(255), `executed_at` datetime default "
		      "current_timestamp)",
};

static int
mikro_ensure(struct db *db, struct tracked *t, struct rk_err *err)
{
	/* MikroORM 6.x, whose rows reckon writes the same way as 7.x's */
	if (det_exec_ddl(db, t, mikro_ddl, err) < 0)
		return -1;
	t->exists = 1;
	return 0;
}

static int
mikro_record(struct db *db, struct tracked *t, const struct mig_file *m,
	     long exec_ms, struct rk_err *err)
{
	struct rk_buf id = RK_BUF_INIT;
	const char *params[1];
	int rc;

	(void)exec_ms;
	mikro_file_id(m, &id);
	params[0] = id.s;
	rc = det_insert(db, t, "name", "$1", params, 1, err);
	rk_buf_release(&id);
	return rc;
}

static int
mikro_unrecord(struct db *db, const struct tracked *t,
	       const struct applied *row, struct rk_err *err)
{
	struct rk_buf sql = RK_BUF_INIT, js = RK_BUF_INIT, ts = RK_BUF_INIT;
	const char *params[3];
	int rc;

	/* the name as read, and as versions that kept the extension */
	rk_buf_addf(&js, "%s.js", row->id);
	rk_buf_addf(&ts, "%s.ts", row->id);
	params[0] = row->id;
	params[1] = js.s;
	params[2] = ts.s;
	rk_buf_adds(&sql, "DELETE FROM ");
	tracked_qualified(db, t, &sql);
	rk_buf_adds(&sql, " WHERE name IN ($1, $2, $3)");
	rc = db_query(db, sql.s, params, 3, NULL, err);
	rk_buf_release(&ts);
	rk_buf_release(&js);
	rk_buf_release(&sql);
	return rc;
}

const struct detector det_mikro_orm = {
	.name = "mikro-orm",
	.table = "mikro_orm_migrations",
	.columns = mikro_cols,
	.kind_note = "MikroORM migrations are TypeScript classes",
	.parse_name = mikro_parse_name,
	.file_id = mikro_file_id,
	.read = mikro_read,
	.ensure = mikro_ensure,
	.record = mikro_record,
	.unrecord = mikro_unrecord,
};
