/*
 * Detectors: one struct detector per migration framework (one file per
 * framework in detectors/), all listed in detectors/registry.c. A detector
 * knows its tracking table's column signature, how to read applied rows, how a
 * file maps to a row, and how to write a row exactly as its framework would.
 * Detection itself is one catalog query (db_tables) and pure column matching
 * (detector_match). Not here: comparing files with rows (reconcile.h) or
 * running SQL (runner.h).
 */
#ifndef RECKON_DETECTOR_H
#define RECKON_DETECTOR_H

#include <stddef.h>

#include "reckon/base/arena.h"
#include "reckon/db/db.h"
#include "reckon/parsers/migname.h"

struct db;
struct db_table_list;
struct mig_file;
struct rk_buf;
struct rk_err;

/* One applied row, normalised; its strings are in its set's arena. */
struct applied {
	char *id;	   /* what the table stores to name the migration */
	char *version;	   /* the version, or NULL where none is kept */
	char *applied_at;  /* ISO 8601 UTC "2025-01-10T12:00:00Z", or NULL */
	char *stored_hash; /* the stored checksum as text, or NULL */
	char *applied_by;  /* or NULL */
	char *token_hash;  /* reckon's hash of the file's tokens when it was
			    * recorded (drift.h), or NULL where only a byte
			    * checksum is known */
	long exec_ms;	   /* execution time in ms, -1 if unknown */
	int failed;	   /* recorded as failed or dirty */
};

struct applied_set {
	struct applied *v; /* owned, in the order applied */
	size_t n;
	size_t cap;
	struct rk_arena strings; /* the rows' strings: a string set on a
				  * row later comes from applied_str() */
};
#define APPLIED_SET_INIT                                                       \
	{                                                                      \
		NULL, 0, 0, RK_ARENA_INIT                                      \
	}
void applied_set_release(struct applied_set *s);
/* s copied into s's arena, for a row of it; NULL stays NULL. */
char *applied_str(struct applied_set *set, const char *s);
/* Room for n rows in all (a table's row count, before they are added). */
void applied_reserve(struct applied_set *s, size_t n);
/* Append a row; strings are copied (NULL stays NULL). */
struct applied *applied_add(struct applied_set *s, const char *id,
			    const char *version, const char *applied_at,
			    const char *stored_hash);

/* A tracking table found in (or chosen for) the database. */
struct tracked {
	const struct detector *det;
	char *schema;	    /* owned; NULL on SQLite */
	char *table;	    /* owned */
	int exists;	    /* 0: not created yet (first write creates it) */
	const char *actor;  /* borrowed: who applies, for applied_by; NULL:
			     * the database user */
	const char *dir;    /* borrowed: the migrations directory */
	const char *label;  /* borrowed: the app label the user gave
			     * (--django-app), or NULL */
	int sidecar;	    /* keep file hashes in reckon_file_hashes */
	int sidecar_exists; /* reckon_file_hashes is there already */
	long run_batch;	    /* per-run state for record(): a batch number
			     * (Knex, Laravel) once computed, else 0 */
	long next_rank;	    /* per-run state: next installed_rank, or 0 */
	int token_col;	    /* reckon_migrations has its token_hash column */
	int bytes_col;	    /* reckon_migrations has applied_zlib */
	int side_tok_col;   /* reckon_file_hashes has token_hash */
};
void tracked_release(struct tracked *t);
/* Append schema.table (or just table) quoted for t's database. */
void tracked_qualified(struct db *db, const struct tracked *t,
		       struct rk_buf *out);
/*
 * Delete the record of row from t's table as t->det's framework would:
 * its unrecord, or (NULL) the generic delete by id_column. Errors as the
 * database reports them (RK_DB).
 */
int tracked_unrecord(struct db *db, const struct tracked *t,
		     const struct applied *row, struct rk_err *err);
/* Append schema.table for display (unquoted). */
void tracked_display(const struct tracked *t, struct rk_buf *out);
/* Append the quoted name of another table in t's schema (companions,
 * the sidecar). */
void tracked_sibling(struct db *db, const struct tracked *t, const char *table,
		     struct rk_buf *out);

/*
 * Detector flags:
 * DET_HEAD            rows hold only the current version(s): every file up
 *                     to one is applied (golang-migrate, Tern, Alembic)
 * DET_PG_ONLY         the framework never used SQLite
 * DET_SQLITE_ONLY     the framework only uses SQLite
 * DET_NO_WRITE        reckon reads the table but cannot record migrations
 *                     the way the framework does
 * DET_NEEDS_COMPANION matches only with a companion table beside it
 *                     (Rails: ar_internal_metadata)
 * DET_OWN_SHA256      rows keep the file's SHA-256 themselves (reckon's
 *                     own table): no sidecar is needed beside it
 * DET_NEW_EPOCH       'new' versions are Unix seconds, as the framework's
 *                     own generator writes them (TrailBase)
 * DET_EXPLICIT        never detected, only chosen with --framework (Umzug
 *                     writes exactly Sequelize's table)
 * DET_INSPECT_OUTSIDE inspect() reads more than the file (Sqitch: the
 *                     plan), so its facts are never taken from the hash
 *                     cache, which knows only the file's stat data
 */
#define DET_HEAD	    0x1u
#define DET_PG_ONLY	    0x2u
#define DET_SQLITE_ONLY	    0x4u
#define DET_NO_WRITE	    0x8u
#define DET_NEEDS_COMPANION 0x10u
#define DET_EXPLICIT	    0x20u
#define DET_OWN_SHA256	    0x40u
#define DET_NEW_EPOCH	    0x80u
#define DET_INSPECT_OUTSIDE 0x100u

/*
 * A framework's section markers: comment lines ("--", optional blanks,
 * then the marker, matched without regard to case, alone or followed by
 * a blank) that split one file into the part that migrates up and the
 * part that undoes it (migfile.h: mig_up_section).
 */
struct det_sections {
	const char *const *up;	 /* NULL-terminated; the up part follows
				  * the first; NULL: it starts at the top */
	const char *const *down; /* NULL-terminated; the down part follows
				  * the first after the up marker */
	const char *new_text;	 /* what 'new' writes into a file in this
				  * style: a format with one %s, the name */
	int loose;		 /* read markers as node-pg-migrate's
				  * pattern ^\s*--[\s-]*up\s+migration
				  * does: blanks before "--", blanks and
				  * dashes after it, any run of blanks for
				  * each blank of the marker, and anything
				  * after it */
};

/*
 * How a framework's own tool applies its code migrations (run_delegate.c
 * runs it; never through a shell). Arguments are templates, each element
 * one argv entry, where {id} is the identifier the row stores for the file
 * (Alembic's revision, Django's and node-pg-migrate's module name), {name}
 * the file name, {version} its version, {prev} the identifier of the file
 * before it ("zero" for the first), {app} the Django app label, {dir}
 * the migrations directory and {table} the tracking table's name.
 */
enum det_tool {
	DET_TOOL_BIN,	  /* a program: node_modules/.bin, then PATH */
	DET_TOOL_PYMOD,	  /* python -m <tool> (the project's virtualenv) */
	DET_TOOL_PYFILE,  /* python <tool>, a file of the project */
	DET_TOOL_PROJECT, /* <tool>, a program of the project ("bin/rails") */
};

struct det_runner {
	const char *tool;	      /* "alembic", "manage.py", "bin/rails" */
	enum det_tool how;	      /* how tool is found and started */
	const char *const *roots;     /* files that mark the project (the
				       * migrations directory and upwards):
				       * the tool runs there; NULL-terminated */
	const char *const *up;	      /* applies exactly the one file (and
				       * what it needs), or, with
				       * up_all, every pending one */
	int up_all;		      /* up applies all pending at once
				       * (TypeORM's migration:run) */
	const char *const *down;      /* undoes the newest applied, or NULL */
	const char *const *down_plan; /* prints what down would undo,
				       * undoing nothing, or NULL */
	const char *const *status;    /* asks what it has applied, or NULL */
	int status_pending;	    /* status names the pending ones instead */
	const char *no_status;	    /* without status: why not */
	const char *const *url_env; /* variables that get the database URL */
	const char *sqlite_url;	    /* what comes before a SQLite file's
				     * absolute path in that URL; NULL:
				     * "sqlite:///" (SQLAlchemy's and
				     * dj-database-url's sqlite:////abs) */
	/* The identifiers status's output names (stdout, then stderr),
	 * one per line into out; app: the {app} value or NULL. */
	void (*parse_status)(const char *s, size_t n, const char *app,
			     struct rk_buf *out);
	/* The rows of the table's other apps (a Django step may apply
	 * another app's migration it depends on), "app/name" lines into
	 * out. NULL: the table holds only the directory's own. */
	int (*others)(struct db *db, const struct tracked *t,
		      struct rk_buf *out, struct rk_err *err);
	/* The other apps' rows that down_plan's output says down undoes
	 * too (they depend on the one undone), "app/name" lines into out;
	 * app: the {app} value. */
	void (*parse_plan)(const char *s, size_t n, const char *app,
			   struct rk_buf *out);
	/* {app}: Django's label for the directory's app. NULL: none. */
	int (*app)(struct db *db, const struct tracked *t, struct rk_buf *out,
		   struct rk_err *err);
};

struct detector {
	const char *name;	       /* "flyway": --framework, output */
	const char *table;	       /* default tracking table name */
	const char *schema;	       /* PG schema it creates for itself
					* ("drizzle"), or NULL: current */
	const char *const *columns;    /* required columns, NULL-terminated */
	const char *const *optional;   /* further columns the table may have;
					* any other column rules it out */
	const char *const *companions; /* tables that confirm it (same
					* schema); NULL-terminated or NULL */
	const char *const *excluders;  /* tables whose presence rules it
					* out; NULL-terminated or NULL */
	unsigned flags;		       /* DET_* */
	const char *kind_note;	       /* why code files cannot run, e.g.
					* "Alembic revisions are Python" */
	const struct det_sections *sections; /* up/down markers in its
					      * files; NULL: the directory
					      * conventions, every
					      * detector's markers */
	const char *no_tx_marker;	 /* text that, in a file's first 4 KiB,
					  * runs it outside the batch transaction
					  * (dbmate's "transaction:false"); NULL:
					  * the directory conventions, every
					  * detector's marker */
	const struct det_runner *runner; /* its own tool for code
					  * migrations, or NULL: they
					  * cannot run */
	const char *id_column;		 /* the column read() takes a row's
					  * id from, as SQL ("\"name\"" where
					  * the framework quotes it); what a
					  * NULL unrecord deletes by */
	/* Is relpath (relative to the migrations dir, "a/b.sql" for files
	 * one directory down) an up migration? Fill out, return 0; -1 if
	 * not. Down scripts return 0 with kind MIG_DOWN. NULL:
	 * migname_parse (flat .sql files). */
	int (*parse_name)(const char *relpath, struct migname *out);
	/* Read what the framework keeps inside a file (Alembic revision,
	 * TypeORM class name) into f->id / f->parent. NULL: nothing. */
	void (*inspect)(struct mig_file *f, const char *s, size_t n);
	/* The checksum the framework stores for a file with these bytes, as
	 * the text read() returns it; NULL: none stored (the sidecar's
	 * SHA-256 is compared instead). */
	void (*checksum)(const char *s, size_t n, struct rk_buf *out);
	/* Append the identifier a row stores for file m; NULL: m->id if
	 * set, else m->name. */
	void (*file_id)(const struct mig_file *m, struct rk_buf *out);
	/* Append to up the name 'new' gives the file of a migration with
	 * version ver and description desc, and to down its down script's
	 * name where the framework pairs one (else down stays empty).
	 * NULL: "<ver>_<desc>.sql" alone. */
	void (*new_name)(const char *ver, const char *desc, struct rk_buf *up,
			 struct rk_buf *down);
	/* Read every applied row of t into out, in the order applied. Rows
	 * the framework keeps for itself (Django's own apps, Postgrator's
	 * version 0) are left out. */
	int (*read)(struct db *db, const struct tracked *t,
		    struct applied_set *out, struct rk_err *err);
	/* Create the tracking table as the framework would (inside the
	 * run's transaction). Called only while t->exists is 0: the caller
	 * (op_prepare_tables) checks. NULL: reckon cannot create it. */
	int (*ensure)(struct db *db, struct tracked *t, struct rk_err *err);
	/* Record m as applied, as the framework would: m->text holds the
	 * bytes that ran, and m->sha256 and m->checksum are theirs; a
	 * detector never reads the file again. */
	int (*record)(struct db *db, struct tracked *t,
		      const struct mig_file *m, long exec_ms,
		      struct rk_err *err);
	/* Record m as failed partway (a no-transaction file whose first
	 * statements committed), as the framework records a failure: Flyway
	 * success = false, golang-migrate dirty = true. NULL: the framework
	 * keeps no failure records, and reckon writes none. */
	int (*record_failed)(struct db *db, struct tracked *t,
			     const struct mig_file *m, long exec_ms,
			     struct rk_err *err);
	/* Delete the record of row. NULL: delete the rows whose id_column
	 * is row->id (tracked_unrecord). */
	int (*unrecord)(struct db *db, const struct tracked *t,
			const struct applied *row, struct rk_err *err);
	/* Rows an earlier reckon wrote under a label it guessed (Django: an
	 * app named after the directory's package when the evidence names
	 * another): each with id the migration's name and version the label
	 * it sits under. NULL: the framework has no such rows. */
	int (*strays)(struct db *db, const struct tracked *t,
		      struct applied_set *out, struct rk_err *err);
	/* Delete a row strays() returned. */
	int (*unstray)(struct db *db, const struct tracked *t,
		       const struct applied *row, struct rk_err *err);
	/* Store m's current checksum for row and clear its failed or dirty
	 * marker. NULL: only the sidecar is rewritten. */
	int (*repair)(struct db *db, const struct tracked *t,
		      const struct mig_file *m, const struct applied *row,
		      struct rk_err *err);
	/* Attach the database file the framework keeps its tables in when
	 * that is not the database itself (Sqitch's registry on SQLite), so
	 * that detection and every later query see them (db_attach); 0
	 * doing nothing where there is no such file. dir: --dir. Called
	 * before each catalog look-up: attaching again does nothing. NULL:
	 * its tables live in the database. */
	int (*attach)(struct db *db, const char *dir, struct rk_err *err);
	/* Is dir, by a shape reckon's own format never has, this
	 * framework's (TrailBase's migrations/main, Diesel's
	 * <version>_<name>/up.sql, sqitch.plan)? Append the evidence to why
	 * ("sqitch.plan is there") and return 1; else 0. What reckon's
	 * format also allows (V1__x.sql, .up.sql, -- migrate:up) is no such
	 * evidence. NULL: the directory never tells. */
	int (*dir_evidence)(const char *dir, struct rk_buf *why);
};

/*
 * The framework a directory is strong evidence of (dir_evidence), for a
 * database with no tracking table yet: the one detector whose evidence is
 * there and that runs on engine (NULL: any engine), with the evidence in
 * why ("the directory is trailbase's: ..."). NULL when none is, or when
 * several are: why then names them ("... alike; reckon's own table").
 */
const struct detector *detector_of_dir(const char *dir,
				       const struct db_dialect *engine,
				       struct rk_buf *why);

/*
 * Start working out detector_of_dir(dir, engine of kind) on a thread of
 * its own (reading the directory while the connection opens); the first
 * detector_of_dir() asking the same takes that answer, once. Every call
 * is matched by detector_of_dir_ahead_end(), which waits for the thread.
 */
void detector_of_dir_ahead(const char *dir, enum db_kind kind);
void detector_of_dir_ahead_end(void);

/* The registry: every detector, NULL-terminated (detectors/registry.c). */
extern const struct detector *const detectors[];
/* reckon's native table: used when no other framework's is found. */
extern const struct detector det_reckon;
/*
 * The bytes reckon applied (or marked) for the row called name in its
 * native table, into out, *known = 1; *known = 0 when only the hash is
 * kept (another framework's table, an older row, a large file).
 */
int reckon_applied_bytes(struct db *db, const struct tracked *t,
			 const char *name, struct rk_buf *out, int *known,
			 struct rk_err *err);
/* text[0..n) as reckon's table keeps the bytes applied (compressed,
 * base64; thread-safe), into out; 0, or -1 when it is too large to keep. */
int reckon_bytes_encode(const char *text, size_t n, struct rk_buf *out);
/* The detector called name, or NULL. */
const struct detector *detector_find(const char *name);
/*
 * The framework whose file names follow convention c (migname.h), whose
 * new_name 'new' asks when no tracking table says whose directory it is:
 * Flyway's V<ver>__, golang-migrate's .up.sql/.down.sql pairs; NULL for
 * plain <ver>_<desc>.sql, which is nobody's in particular.
 */
const struct detector *detector_of_conv(enum mig_conv c);

/*
 * Every table name detection looks at: each detector's table, companions
 * and excluders, then each of extra (NULL-terminated, may be NULL). The
 * array is the caller's to free (the strings are borrowed).
 */
const char **detector_table_names(const char *const *extra);

/* One match of a detector against a table in the catalog. */
struct detection {
	const struct detector *det;
	char *schema;	/* owned; NULL on SQLite */
	char *table;	/* owned */
	size_t matched; /* score: required columns, +10 per companion */
	int companion;	/* a companion table was found */
};

struct detection_list {
	struct detection *v; /* owned, best first */
	size_t n;
	size_t cap;
};
#define DETECTION_LIST_INIT                                                    \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void detection_list_release(struct detection_list *l);

/*
 * Pure: match every detector's signature against the tables in tl. A table
 * matches a detector when its name is the detector's table, it has every
 * required column and no column outside required + optional, no excluder
 * table sits beside it, and the framework supports engine (DET_PG_ONLY,
 * DET_SQLITE_ONLY). Companion tables beside it add to the score. Results are
 * ordered best first: score, then name.
 */
void detector_match(const struct db_table_list *tl,
		    const struct db_dialect *engine,
		    struct detection_list *out);

#endif
