/*
 * Unit tests for the group-d detectors (alembic, django, rails, laravel,
 * ecto, doctrine, ef-core, phinx, sqitch): their file-name conventions,
 * what they read from inside files (Alembic revisions, PHP namespaces,
 * Sqitch plans), the identifiers rows store, Sqitch's SHA-1 script hash
 * against frameworks.md Appendix A, and Alembic's multiple heads through
 * the real scanner and reconciler. Files are written to a fresh directory
 * under /tmp that each test removes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reckon/base/buf.h"
#include "reckon/detectors/detector.h"
#include "reckon/base/err.h"
#include "reckon/detectors/migfile.h"
#include "reckon/parsers/migname.h"
#include "reckon/core/reconcile.h"
#include "reckon/base/util.h"

#include "reckon/base/banned.h"

extern const struct detector det_alembic;
extern const struct detector det_django;
extern const struct detector det_doctrine;
extern const struct detector det_ecto;
extern const struct detector det_ef_core;
extern const struct detector det_laravel;
extern const struct detector det_phinx;
extern const struct detector det_rails;
extern const struct detector det_sqitch;

/* parse_name on relpath must accept it with this version and code flag. */
static void
accepts(const struct detector *d, const char *relpath, const char *version,
	enum mig_kind kind)
{
	struct migname mn;

	if (d->parse_name(relpath, &mn) != 0)
		fail_msg("%s rejects '%s'", d->name, relpath);
	assert_string_equal(mn.version, version);
	assert_int_equal(mn.kind, kind);
	assert_int_equal(mn.code, d != &det_sqitch);
}

static void
rejects(const struct detector *d, const char *relpath)
{
	struct migname mn;

	if (d->parse_name(relpath, &mn) == 0)
		fail_msg("%s accepts '%s'", d->name, relpath);
}

/* A mig_file as the scanner makes it, for file_id and inspect. */
static struct mig_file
file_of(const struct detector *d, const char *name)
{
	struct mig_file f;
	struct migname mn;

	memset(&f, 0, sizeof(f));
	assert_int_equal(d->parse_name(name, &mn), 0);
	f.name = xstrdup(name);
	f.path = xstrdup(name);
	f.version = xstrdup(mn.version);
	f.desc = xstrdup(mn.desc);
	f.kind = mn.kind;
	f.code = mn.code;
	return f;
}

static void
file_free(struct mig_file *f)
{
	free(f->name);
	free(f->path);
	free(f->version);
	free(f->desc);
	free(f->id);
	free(f->parent);
	free(f->checksum);
}

/* The id a row stores for file name (after inspecting text, if any). */
static void
check_id(const struct detector *d, const char *name, const char *text,
	 const char *want)
{
	struct mig_file f = file_of(d, name);
	struct rk_buf id = RK_BUF_INIT;

	if (text && d->inspect)
		d->inspect(&f, text, strlen(text));
	if (d->file_id)
		d->file_id(&f, &id);
	else
		rk_buf_adds(&id, f.id ? f.id : f.name);
	assert_string_equal(id.s, want);
	rk_buf_release(&id);
	file_free(&f);
}

/* ---- temporary directories ---- */

static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];
	struct stat st;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			(void)unlink(path);
	}
	closedir(d);
	(void)rmdir(dir);
}

static int
setup_dir(void **state)
{
	char *dir = xstrdup("/tmp/reckon-test-det-d-XXXXXX");

	if (!mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int
teardown_dir(void **state)
{
	remove_tree(*state);
	free(*state);
	return 0;
}

/* ---- Alembic ---- */

static void
test_alembic_names(void **state)
{
	(void)state;
	accepts(&det_alembic, "1975ea83b712_create_account_table.py",
		"1975ea83b712_create_account_table", MIG_UP);
	accepts(&det_alembic, "ae1027a6acf.py", "ae1027a6acf", MIG_UP);
	rejects(&det_alembic, "__init__.py");
	rejects(&det_alembic, ".#1975ea83b712_x.py");
	rejects(&det_alembic, "1975ea83b712_x.pyc");
	rejects(&det_alembic, "__pycache__/1975ea83b712_x.cpython-311.pyc");
	rejects(&det_alembic, "README");
}

/* The template of Alembic >= 1.11 (annotated) and the older plain one. */
static const char alembic_typed[] =
	"\"\"\"create account table\n\nRevision ID: 1975ea83b712\n"
	"Revises: ae1027a6acf\nCreate Date: 2011-11-08 11:40:27.089406\n\n"
	"\"\"\"\nfrom typing import Sequence, Union\n\nfrom alembic import op\n"
	"import sqlalchemy as sa\n\n# revision identifiers, used by Alembic.\n"
	"revision: str = '1975ea83b712'\n"
	"down_revision: Union[str, None] = 'ae1027a6acf'\n"
	"branch_labels: Union[str, Sequence[str], None] = None\n"
	"depends_on: Union[str, Sequence[str], None] = None\n\n\n"
	"def upgrade() -> None:\n    revision = 'not-this'\n    pass\n";

static const char alembic_root[] = "revision = \"ae1027a6acf\"\n"
				   "down_revision = None\n"
				   "branch_labels = None\n";

static const char alembic_merge[] =
	"\"\"\"merge\n\nRevision ID: 27c6a30d7c24\nRevises: 1975ea83b712, "
	"b3c2e9b21a35\n\"\"\"\nrevision = '27c6a30d7c24'\n"
	"down_revision = ('1975ea83b712',\n                 'b3c2e9b21a35')\n";

static void
inspected(const char *text, const char *id, const char *parent)
{
	struct mig_file f = file_of(&det_alembic, "x.py");

	det_alembic.inspect(&f, text, strlen(text));
	if (id)
		assert_string_equal(f.id, id);
	else
		assert_null(f.id);
	if (parent)
		assert_string_equal(f.parent, parent);
	else
		assert_null(f.parent);
	file_free(&f);
}

static void
test_alembic_inspect(void **state)
{
	(void)state;
	inspected(alembic_typed, "1975ea83b712", "ae1027a6acf");
	inspected(alembic_root, "ae1027a6acf", NULL);
	inspected(alembic_merge, "27c6a30d7c24", "1975ea83b712,b3c2e9b21a35");
	inspected("revision = ['a', \"b\"]\ndown_revision = [\"c\"]\n", "a,b",
		  "c");
	inspected("revision == 'x'\nrevisions = 'y'\n", NULL, NULL);
	/* the row stores the bare revision id */
	check_id(&det_alembic, "1975ea83b712_create_account_table.py",
		 alembic_typed, "1975ea83b712");
}

/* Two branches off a root, both heads in the table, and a merge that is
 * still pending: every ancestor of either head is applied. */
static void
test_alembic_two_heads(void **state)
{
	const char *dir = *state;
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list st = STATUS_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	static const char *const want[][2] = {
		{ "aa_root.py", "applied" },  { "bb_left.py", "applied" },
		{ "cc_right.py", "applied" }, { "dd_more.py", "applied" },
		{ "ee_merge.py", "pending" },
	};

	put(dir, "aa_root.py", "revision = 'aaaa'\ndown_revision = None\n");
	put(dir, "bb_left.py", "revision = 'bbbb'\ndown_revision = 'aaaa'\n");
	put(dir, "cc_right.py", "revision = 'cccc'\ndown_revision = 'aaaa'\n");
	put(dir, "dd_more.py", "revision = 'dddd'\ndown_revision = 'cccc'\n");
	put(dir, "ee_merge.py",
	    "revision = 'eeee'\ndown_revision = ('bbbb', 'dddd')\n");
	assert_int_equal(mig_scan(dir, &det_alembic, &files, &err), 0);
	assert_int_equal(files.n, 5);
	/* graph order: the root first, the merge last */
	assert_string_equal(files.v[0].name, "aa_root.py");
	assert_string_equal(files.v[4].name, "ee_merge.py");
	applied_add(&rows, "bbbb", NULL, NULL, NULL);
	applied_add(&rows, "dddd", NULL, NULL, NULL);
	reconcile(&files, &rows, NULL, &det_alembic, &st);
	/* the files' graph has one head (the merge): no warning */
	assert_null(st.heads_warning);
	assert_int_equal(st.n, 5);
	for (size_t i = 0; i < 5; i++) {
		size_t k = 0;

		while (strcmp(want[k][0], st.v[i].name) != 0)
			k++;
		assert_string_equal(mig_state_name(st.v[i].state), want[k][1]);
	}
	assert_int_equal(st.count[ST_APPLIED], 4);
	assert_int_equal(st.count[ST_ORPHANED], 0);
	status_list_release(&st);
	applied_set_release(&rows);
	mig_set_release(&files);
}

/* Two heads in the files' graph (no merge yet): a warning naming both and
 * the merge command; a recorded head without a file leaves the files no
 * other head covers unknown, never pending. */
static void
test_alembic_lost_head(void **state)
{
	const char *dir = *state;
	struct mig_set files = MIG_SET_INIT;
	struct applied_set rows = APPLIED_SET_INIT;
	struct status_list st = STATUS_LIST_INIT;
	struct rk_err err = RK_ERR_INIT;
	struct rk_buf w = RK_BUF_INIT;

	put(dir, "aa_root.py", "revision = 'aaaa'\ndown_revision = None\n");
	put(dir, "bb_left.py", "revision = 'bbbb'\ndown_revision = 'aaaa'\n");
	put(dir, "cc_right.py", "revision = 'cccc'\ndown_revision = 'aaaa'\n");
	assert_int_equal(mig_scan(dir, &det_alembic, &files, &err), 0);
	applied_add(&rows, "gone", NULL, NULL, NULL);
	reconcile(&files, &rows, NULL, &det_alembic, &st);
	assert_string_equal(st.heads_warning,
			    "multiple heads: 'bbbb', 'cccc'; merge them: "
			    "alembic merge -m '...' bbbb cccc");
	assert_int_equal(st.count[ST_UNKNOWN], 3);
	assert_int_equal(st.count[ST_PENDING], 0);
	assert_int_equal(st.count[ST_ORPHANED], 1);
	for (size_t i = 0; i < st.n; i++)
		if (st.v[i].state == ST_ORPHANED) {
			assert_int_equal(st.v[i].unplaced, 3);
			assert_int_equal(status_warning(&st.v[i], &w), 1);
			assert_non_null(strstr(w.s, "'gone' has no file"));
		}
	status_list_release(&st);
	/* with a second head that has its file, only the rest is unknown */
	applied_add(&rows, "bbbb", NULL, NULL, NULL);
	reconcile(&files, &rows, NULL, &det_alembic, &st);
	assert_int_equal(st.count[ST_APPLIED], 2);
	assert_int_equal(st.count[ST_UNKNOWN], 1);
	status_list_release(&st);
	rk_buf_release(&w);
	applied_set_release(&rows);
	mig_set_release(&files);
}

/* ---- Django ---- */

static void
test_django(void **state)
{
	(void)state;
	accepts(&det_django, "0001_initial.py", "0001_initial", MIG_UP);
	accepts(&det_django, "0002_auto_20240101_1200.py",
		"0002_auto_20240101_1200", MIG_UP);
	accepts(&det_django, "0003_squashed_0001_0002.py",
		"0003_squashed_0001_0002", MIG_UP);
	rejects(&det_django, "__init__.py");
	rejects(&det_django, "~0004_draft.py");
	rejects(&det_django, "0004.bak.py");
	rejects(&det_django, "0001_initial.pyc");
	rejects(&det_django, "__pycache__/0001_initial.cpython-311.pyc");
	check_id(&det_django, "0001_initial.py", NULL, "0001_initial");
}

/* ---- Rails ---- */

static void
test_rails(void **state)
{
	(void)state;
	accepts(&det_rails, "20240101120000_create_users.rb", "20240101120000",
		MIG_UP);
	accepts(&det_rails, "20240101120000_create_users.blog.rb",
		"20240101120000", MIG_UP);
	accepts(&det_rails, "archive/001_init.rb", "001", MIG_UP);
	rejects(&det_rails, "20240101120000_CreateUsers.rb");
	rejects(&det_rails, "20240101120000-create-users.rb");
	rejects(&det_rails, "create_users.rb");
	rejects(&det_rails, "20240101120000_create_users.sql");
	/* versions are integers: leading zeros go */
	check_id(&det_rails, "20240101120000_create_users.rb", NULL,
		 "20240101120000");
	check_id(&det_rails, "001_init.rb", NULL, "1");
	assert_true(det_rails.flags & DET_NEEDS_COMPANION);
	assert_string_equal(det_rails.companions[0], "ar_internal_metadata");
}

/* ---- Laravel ---- */

static void
test_laravel(void **state)
{
	(void)state;
	accepts(&det_laravel, "2014_10_12_000000_create_users_table.php",
		"2014_10_12_000000_create_users_table", MIG_UP);
	accepts(&det_laravel, "0001_01_01_000000_create_cache_table.php",
		"0001_01_01_000000_create_cache_table", MIG_UP);
	rejects(&det_laravel, "Kernel.php");
	rejects(&det_laravel, "2014_10_12_000000_create_users_table.sql");
	rejects(&det_laravel, "sub/2014_10_12_000000_x.php");
	check_id(&det_laravel, "2014_10_12_000000_create_users_table.php", NULL,
		 "2014_10_12_000000_create_users_table");
}

/* ---- Ecto ---- */

static void
test_ecto(void **state)
{
	(void)state;
	accepts(&det_ecto, "20240101120000_create_users.exs", "20240101120000",
		MIG_UP);
	accepts(&det_ecto, "tenant/20240101120000_create_users.exs",
		"20240101120000", MIG_UP);
	rejects(&det_ecto, "20240101120000_create_users.ex");
	rejects(&det_ecto, "20240101120000.exs");
	rejects(&det_ecto, "create_users.exs");
	check_id(&det_ecto, "20240101120000_create_users.exs", NULL,
		 "20240101120000");
	check_id(&det_ecto, "0007_add_index.exs", NULL, "7");
}

/* ---- Doctrine ---- */

static const char doctrine_file[] =
	"<?php\n\ndeclare(strict_types=1);\n\nnamespace DoctrineMigrations;\n\n"
	"use Doctrine\\DBAL\\Schema\\Schema;\n"
	"use Doctrine\\Migrations\\AbstractMigration;\n\n"
	"/**\n * Auto-generated Migration: Please modify to your needs!\n */\n"
	"final class Version20240101120000 extends AbstractMigration\n{\n"
	"    public function up(Schema $schema): void\n    {\n"
	"        $this->addSql('CREATE TABLE t (id INT)');\n    }\n}\n";

static void
test_doctrine(void **state)
{
	(void)state;
	accepts(&det_doctrine, "Version20240101120000.php",
		"Version20240101120000", MIG_UP);
	accepts(&det_doctrine, "2024/Version20240101120000.php",
		"Version20240101120000", MIG_UP);
	rejects(&det_doctrine, "Kernel.php");
	rejects(&det_doctrine, "Version20240101120000.sql");
	check_id(&det_doctrine, "Version20240101120000.php", doctrine_file,
		 "DoctrineMigrations\\Version20240101120000");
	check_id(&det_doctrine, "Version20240101120000.php",
		 "<?php\nnamespace App\\Migrations;\n\n"
		 "class Version20240101120000 extends AbstractMigration {}\n",
		 "App\\Migrations\\Version20240101120000");
	check_id(&det_doctrine, "Version1.php",
		 "<?php\nclass Version1 extends AbstractMigration {}\n",
		 "Version1");
	/* nothing to read: the stem */
	check_id(&det_doctrine, "Version2.php", "<?php\n", "Version2");
}

/* ---- EF Core ---- */

static void
test_ef_core(void **state)
{
	(void)state;
	accepts(&det_ef_core, "20240101120000_InitialCreate.cs",
		"20240101120000", MIG_UP);
	accepts(&det_ef_core, "Sub/20240101120000_AddBlogs.cs",
		"20240101120000", MIG_UP);
	rejects(&det_ef_core, "20240101120000_InitialCreate.Designer.cs");
	rejects(&det_ef_core, "AppDbContextModelSnapshot.cs");
	rejects(&det_ef_core, "20240101120000_.cs");
	check_id(&det_ef_core, "20240101120000_InitialCreate.cs", NULL,
		 "20240101120000_InitialCreate");
	assert_string_equal(det_ef_core.table, "__EFMigrationsHistory");
	assert_string_equal(det_ef_core.columns[0], "MigrationId");
}

/* ---- Phinx ---- */

static void
test_phinx(void **state)
{
	(void)state;
	accepts(&det_phinx, "20240101120000_create_user_table.php",
		"20240101120000", MIG_UP);
	accepts(&det_phinx, "20240101120000_create_user_table.PHP",
		"20240101120000", MIG_UP);
	rejects(&det_phinx, "20240101120000-create-user-table.php");
	rejects(&det_phinx, "UserSeeder.php");
	rejects(&det_phinx, "sub/20240101120000_create_user_table.php");
	check_id(&det_phinx, "20240101120000_create_user_table.php", NULL,
		 "20240101120000");
}

/* migration_name: the class name Phinx derives from the file name. */
static void
phinx_class(const char *name, const char *text, const char *want)
{
	struct mig_file f = file_of(&det_phinx, name);

	det_phinx.inspect(&f, text, strlen(text));
	assert_string_equal(f.id, want);
	file_free(&f);
}

static void
test_phinx_class(void **state)
{
	(void)state;
	phinx_class("20240101120000_create_user_table.php",
		    "<?php\nuse Phinx\\Migration\\AbstractMigration;\n\n"
		    "final class CreateUserTable extends AbstractMigration\n"
		    "{\n}\n",
		    "CreateUserTable");
	phinx_class("20240101120000_limit_resource_names_to_30_chars.php",
		    "<?php\n", "LimitResourceNamesTo30Chars");
	phinx_class("20240101120000_add_2fa_codes.php", "<?php\n",
		    "Add2faCodes");
	phinx_class("20240101120000_create_user_table.php",
		    "<?php\n\nnamespace App\\Db\\Migrations;\n\n"
		    "class CreateUserTable extends AbstractMigration {}\n",
		    "App\\Db\\Migrations\\CreateUserTable");
}

/* ---- Sqitch ---- */

static void
test_sqitch_names(void **state)
{
	(void)state;
	accepts(&det_sqitch, "deploy/users.sql", "users", MIG_UP);
	accepts(&det_sqitch, "revert/users.sql", "users", MIG_DOWN);
	rejects(&det_sqitch, "verify/users.sql");
	rejects(&det_sqitch, "users.sql");
	rejects(&det_sqitch, "deploy/users.txt");
	rejects(&det_sqitch, "deploy/schema/users.sql");
	/* SQLite too: the registry file is attached as schema sqitch */
	assert_false(det_sqitch.flags & DET_PG_ONLY);
	assert_non_null(det_sqitch.attach);
	assert_string_equal(det_sqitch.schema, "sqitch");
}

/* Appendix A: script_hash = SHA-1 hex of the deploy script's bytes. */
static void
test_sqitch_checksum(void **state)
{
	struct rk_buf sum = RK_BUF_INIT;
	static const char body[] = "CREATE TABLE t (id int);\n";

	(void)state;
	det_sqitch.checksum(body, sizeof(body) - 1, &sum);
	assert_string_equal(sum.s, "9d425143f6c0084d58f4289ec9a78d367155bf76");
	rk_buf_reset(&sum);
	det_sqitch.checksum("", 0, &sum);
	assert_string_equal(sum.s, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	rk_buf_release(&sum);
}

/* The plan orders the changes (not their names); revert scripts pair. */
static void
test_sqitch_plan_order(void **state)
{
	const char *dir = *state;
	struct mig_set files = MIG_SET_INIT;
	struct rk_err err = RK_ERR_INIT;
	char sub[512];

	put(dir, "sqitch.plan",
	    "%syntax-version=1.0.0\n%project=app\n\n"
	    "init 2024-01-01T00:00:00Z Jane Doe <jane@example.org> # Create "
	    "the first table\n"
	    "next [init] 2024-01-02T00:00:00Z Jane Doe <jane@example.org> # "
	    "Second change\n"
	    "@v1.0 2024-01-03T00:00:00Z Jane Doe <jane@example.org>\n"
	    "after [next !old] 2024-01-04T00:00:00Z Jane Doe "
	    "<jane@example.org>\n");
	for (int i = 0; i < 3; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir,
			 i == 0	  ? "deploy"
			 : i == 1 ? "revert"
				  : "verify");
		assert_int_equal(mkdir(sub, 0700), 0);
	}
	put(dir, "deploy/init.sql", "CREATE TABLE t (id int);\n");
	put(dir, "deploy/next.sql", "CREATE TABLE u (id int);\n");
	put(dir, "deploy/after.sql", "CREATE TABLE v (id int);\n");
	put(dir, "revert/next.sql", "DROP TABLE u;\n");
	put(dir, "verify/next.sql", "SELECT 1;\n");
	assert_int_equal(mig_scan(dir, &det_sqitch, &files, &err), 0);
	assert_int_equal(files.n, 3);
	assert_string_equal(files.v[0].name, "deploy/init.sql");
	assert_null(files.v[0].parent);
	assert_string_equal(files.v[1].name, "deploy/next.sql");
	assert_string_equal(files.v[1].id, "next");
	assert_string_equal(files.v[1].parent, "init");
	assert_string_equal(files.v[1].down_name, "revert/next.sql");
	assert_string_equal(files.v[2].name, "deploy/after.sql");
	assert_string_equal(files.v[2].parent, "next");
	assert_string_equal(files.v[0].checksum,
			    "9d425143f6c0084d58f4289ec9a78d367155bf76");
	mig_set_release(&files);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alembic_names),
		cmocka_unit_test(test_alembic_inspect),
		cmocka_unit_test_setup_teardown(test_alembic_lost_head,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_alembic_two_heads,
						setup_dir, teardown_dir),
		cmocka_unit_test(test_django),
		cmocka_unit_test(test_rails),
		cmocka_unit_test(test_laravel),
		cmocka_unit_test(test_ecto),
		cmocka_unit_test(test_doctrine),
		cmocka_unit_test(test_ef_core),
		cmocka_unit_test(test_phinx),
		cmocka_unit_test(test_phinx_class),
		cmocka_unit_test(test_sqitch_names),
		cmocka_unit_test(test_sqitch_checksum),
		cmocka_unit_test_setup_teardown(test_sqitch_plan_order,
						setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
