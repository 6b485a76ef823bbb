/*
 * main.c: the command line.  Opens every document first, so that a missing
 * or unreadable one is reported before the screen is taken, then hands them
 * to the ui.
 */
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gloss/doc.h"
#include "gloss/export.h"
#include "gloss/store.h"
#include "gloss/ui.h"
#include "gloss/util.h"

#define GLOSS_VERSION "0.1.0"
#define GLOSS_MAX_DOCS 9

static void main_usage(FILE *f)
{
	fprintf(f, "usage: gloss [--db PATH] [--author NAME] FILE...   read and annotate (\"-\" reads stdin)\n"
		   "       gloss [--db PATH] --doc SHA256-PREFIX|PATH ...  a document as the database keeps it\n"
		   "       gloss [--db PATH] export [--format csv|jsonl|w3c] [--safe] [FILTER...] [--force] [-o FILE]\n"
		   "       gloss [--db PATH] import FILE             CSV or JSONL as written by export\n"
		   "       gloss [--db PATH] list [FILTER...]\n"
		   "       gloss [--db PATH] docs [FILTER...]\n"
		   "       gloss --help | --version\n"
		   "FILTER: --tag TAG, --doc FILE or SHA-256 prefix, --author NAME, --since DATE, --orphans.\n"
		   "Up to %d documents; press ? in gloss for the keys.\n",
		GLOSS_MAX_DOCS);
}

/*
 * Option name at argv[*a] with its value, as "--name VALUE" or
 * "--name=VALUE": true and *val set when it is that option.  A missing value
 * is a usage error (*bad set).
 */
static bool main_opt(int argc, char **argv, int *a, const char *name, const char **val, bool *bad)
{
	const char *arg = argv[*a];
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
		return false;
	if (arg[n] == '=') {
		*val = arg + n + 1;
	} else if (*a + 1 < argc) {
		*val = argv[++*a];
	} else {
		*val = NULL;
	}
	if (!*val || !**val) {
		fprintf(stderr, "gloss: option '%s' needs a value\n", name);
		*bad = true;
	}
	return true;
}

/* A string of the environment, or NULL when unset or empty. */
static const char *main_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* dir + "/" + tail, or NULL when dir is not absolute. */
static char *main_join(const char *dir, const char *tail)
{
	size_t n;
	char *p;

	if (!dir || *dir != '/')
		return NULL;
	n = strlen(dir) + strlen(tail) + 2;
	p = util_malloc(n);
	snprintf(p, n, "%s/%s", dir, tail);
	return p;
}

/* --db, else $GLOSS_DB, else $XDG_DATA_HOME/gloss/gloss.db, else ~/.local/share/gloss/gloss.db. */
static char *main_db_path(const char *opt)
{
	char *p;

	if (opt)
		return util_strdup(opt);
	if (main_env("GLOSS_DB"))
		return util_strdup(main_env("GLOSS_DB"));
	if ((p = main_join(main_env("XDG_DATA_HOME"), "gloss/gloss.db")))
		return p;
	return main_join(main_env("HOME"), ".local/share/gloss/gloss.db");
}

/* --author, else $GLOSS_AUTHOR, else NULL: the store asks for the login
 * name when it first needs one, which a start need not wait for. */
static const char *main_author(const char *opt)
{
	if (opt)
		return opt;
	return main_env("GLOSS_AUTHOR");
}

/* $XDG_CACHE_HOME/gloss/sha256, else ~/.cache/gloss/sha256; NULL when neither is known. */
static char *main_hash_cache(void)
{
	char *p = main_join(main_env("XDG_CACHE_HOME"), "gloss/sha256");
	return p ? p : main_join(main_env("HOME"), ".cache/gloss/sha256");
}

/*
 * Wide characters and their widths need a UTF-8 locale; take C.UTF-8 if the
 * user's is not.  Only the character type is taken from the environment:
 * numbers and messages stay as the contract writes them, and loading the
 * other categories would cost every start.
 */
static void main_locale(void)
{
	setlocale(LC_CTYPE, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "en_US.UTF-8");
}

/* export, import, list, docs: argv[0] is the command's name. */
static int main_command(int argc, char **argv, const char *db_opt)
{
	const char *cmd = argv[0], *out = NULL, *file = NULL;
	struct export_opts o;
	struct store *st;
	bool is_export = strcmp(cmd, "export") == 0, is_import = strcmp(cmd, "import") == 0;
	char *db;
	long n;

	memset(&o, 0, sizeof o);
	if (is_import) {
		if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
			fprintf(stderr, "gloss: import takes one file\n");
			main_usage(stderr);
			return 2;
		}
		file = argv[1];
	} else if (export_args(argc - 1, argv + 1, is_export, false, &o, &out) < 0) {
		fprintf(stderr, "gloss: %s: %s\n", cmd, util_errmsg());
		main_usage(stderr);
		return 2;
	}
	db = main_db_path(db_opt);
	if (!db) {
		fprintf(stderr, "gloss: no place for the database: set --db, GLOSS_DB or HOME\n");
		return 1;
	}
	st = store_open(db, main_author(NULL));
	free(db);
	if (!st) {
		fprintf(stderr, "gloss: %s\n", util_errmsg());
		return 1;
	}
	o.progress = true;
	o.on_signal = true;
	if (is_export)
		n = export_to(st, &o, out);
	else if (is_import)
		n = export_import(st, file, stderr);
	else if (strcmp(cmd, "list") == 0)
		n = export_list(st, &o.filter, stdout);
	else
		n = export_docs(st, &o.filter, stdout);
	if (n < 0 && is_import)
		fprintf(stderr, "gloss: %s\n", util_errmsg());
	else if (n < 0)
		fprintf(stderr, "gloss: %s: %s\n", cmd, util_errmsg());
	else if (is_import)
		printf("%ld annotation%s added or replaced from '%s'\n", n, n == 1 ? "" : "s", file);
	store_close(st);
	return n < 0 ? 1 : 0;
}

static bool main_is_command(const char *s)
{
	return strcmp(s, "export") == 0 || strcmp(s, "import") == 0 || strcmp(s, "list") == 0 ||
	       strcmp(s, "docs") == 0;
}

int main(int argc, char **argv)
{
	const char *files[GLOSS_MAX_DOCS + 1];
	struct doc *docs[GLOSS_MAX_DOCS];
	bool from_db[GLOSS_MAX_DOCS] = { false };
	size_t nfile = 0, i;
	bool opts = true, stdin_used = false, bad = false;
	const char *db_opt = NULL, *author_opt = NULL, *key;
	struct store_opening *opening;
	struct store *st;
	struct ui *u;
	char *cache, *db;
	bool early;
	int rc;

	/* Past a file size limit a write fails with EFBIG and the change is
	 * refused like any failed write, rather than the signal killing gloss. */
	signal(SIGXFSZ, SIG_IGN);
	main_locale();
	for (int a = 1; a < argc; a++) {
		const char *arg = argv[a];
		if (opts && strcmp(arg, "--") == 0) {
			opts = false;
		} else if (opts && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
			main_usage(stdout);
			return 0;
		} else if (opts && strcmp(arg, "--version") == 0) {
			printf("gloss %s\n", GLOSS_VERSION);
			return 0;
		} else if (opts && (main_opt(argc, argv, &a, "--db", &db_opt, &bad) ||
				    main_opt(argc, argv, &a, "--author", &author_opt, &bad))) {
			if (bad) {
				main_usage(stderr);
				return 2;
			}
		} else if (opts && main_opt(argc, argv, &a, "--doc", &key, &bad)) {
			/* a document from the database: its text as kept there */
			if (bad) {
				main_usage(stderr);
				return 2;
			}
			if (nfile == GLOSS_MAX_DOCS) {
				fprintf(stderr, "gloss: too many documents: at most %d\n", GLOSS_MAX_DOCS);
				return 2;
			}
			from_db[nfile] = true;
			files[nfile++] = key;
		} else if (opts && arg[0] == '-' && arg[1] != '\0') {
			fprintf(stderr, "gloss: unknown option '%s'\n", arg);
			main_usage(stderr);
			return 2;
		} else if (opts && nfile == 0 && main_is_command(arg)) {
			/* gloss [--db PATH] export ...: a file of that name is ./export. */
			return main_command(argc - a, argv + a, db_opt);
		} else {
			if (nfile == GLOSS_MAX_DOCS) {
				fprintf(stderr, "gloss: too many documents: at most %d\n", GLOSS_MAX_DOCS);
				return 2;
			}
			if (strcmp(arg, "-") == 0) {
				if (stdin_used) {
					fprintf(stderr, "gloss: standard input given twice\n");
					return 2;
				}
				stdin_used = true;
			}
			files[nfile++] = arg;
		}
	}
	if (nfile == 0) {
		if (isatty(STDIN_FILENO)) {
			main_usage(stderr);
			return 2;
		}
		files[nfile++] = "-";
	}

	db = main_db_path(db_opt);
	if (!db) {
		fprintf(stderr, "gloss: no place for the database: set --db, GLOSS_DB or HOME\n");
		return 1;
	}
	/* as vim does: "-" from a terminal reads what is typed, until Ctrl-D */
	if (stdin_used && isatty(STDIN_FILENO))
		fprintf(stderr, "gloss: reading standard input from the terminal: Ctrl-D ends it\n");
	cache = main_hash_cache();
	memset(docs, 0, sizeof docs);
	st = NULL;
	rc = 1;
	for (i = 0; i < nfile; i++) {
		if (!from_db[i] && !(docs[i] = doc_open(files[i], cache))) {
			fprintf(stderr, "gloss: %s\n", util_errmsg());
			goto out;
		}
	}
	/* The database opens on another thread while the terminal is set up
	 * (after the first screen where ui_open paints one; unless a
	 * document's text must come from it first); its error, if any, is
	 * said first, with the terminal left as it was. */
	early = true;
	for (i = 0; i < nfile; i++)
		early = early && !from_db[i];
	opening = store_open_look(db, main_author(author_opt));
	u = early ? ui_open(docs, from_db, nfile, opening) : NULL;
	if (u)
		ui_await(u, opening);
	st = store_open_end(opening);
	if (!st) {
		/* interrupted meanwhile: the interruption is the answer */
		if (!u || (rc = ui_abandon(u)) == 0) {
			fprintf(stderr, "gloss: %s\n", util_errmsg());
			rc = 1;
		}
		goto out;
	}
	for (i = 0; i < nfile; i++) {
		struct store_doctext t;
		if (!from_db[i])
			continue;
		if (store_doc_find(st, files[i], &t) != 0) {
			fprintf(stderr, "gloss: %s\n", util_errmsg());
			goto out;
		}
		docs[i] = doc_from_bytes(t.path, t.text, t.size);
		t.text = NULL;
		store_doctext_release(&t);
	}
	if (!early)
		u = ui_open(docs, from_db, nfile, NULL);
	if (!u) {
		fprintf(stderr, "gloss: %s\n", util_errmsg());
		goto out;
	}
	rc = ui_run(u, st);
out:
	if (st)
		store_close(st);
	for (i = 0; i < nfile; i++)
		doc_free(docs[i]);
	free(cache);
	free(db);
	if (rc > 128) {
		/* SIGTERM, SIGHUP or SIGQUIT, now that the database is closed */
		signal(rc - 128, SIG_DFL);
		raise(rc - 128);
	}
	return rc;
}
