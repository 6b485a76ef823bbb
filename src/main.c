/*
 * main.c: the command line.  Opens every document first, so that a missing
 * or unreadable one is reported before the screen is taken, then hands them
 * to the ui.
 */
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gloss/doc.h"
#include "gloss/store.h"
#include "gloss/ui.h"
#include "gloss/util.h"

#define GLOSS_VERSION "0.1.0"
#define GLOSS_MAX_DOCS 9

static void main_usage(FILE *f)
{
	fprintf(f, "usage: gloss [--db PATH] [--author NAME] FILE...   read and annotate (\"-\" reads stdin)\n"
		   "       gloss --help | --version\n"
		   "Up to %d documents; press ? in gloss for the keys.\n",
		GLOSS_MAX_DOCS);
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

/* --author, else $GLOSS_AUTHOR, else the login name. */
static const char *main_author(const char *opt)
{
	const struct passwd *pw;
	const char *login;

	if (opt)
		return opt;
	if (main_env("GLOSS_AUTHOR"))
		return main_env("GLOSS_AUTHOR");
	if ((login = getlogin()) && *login)
		return login;
	pw = getpwuid(geteuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown";
}

/* $XDG_CACHE_HOME/gloss/sha256, else ~/.cache/gloss/sha256; NULL when neither is known. */
static char *main_hash_cache(void)
{
	char *p = main_join(main_env("XDG_CACHE_HOME"), "gloss/sha256");
	return p ? p : main_join(main_env("HOME"), ".cache/gloss/sha256");
}

/* Wide characters and their widths need a UTF-8 locale; take C.UTF-8 if the user's is not. */
static void main_locale(void)
{
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "en_US.UTF-8");
}

int main(int argc, char **argv)
{
	const char *files[GLOSS_MAX_DOCS + 1];
	struct doc *docs[GLOSS_MAX_DOCS];
	size_t nfile = 0, i;
	bool opts = true, stdin_used = false;
	const char *db_opt = NULL, *author_opt = NULL;
	struct store *st;
	char *cache, *db;
	int rc;

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
		} else if (opts && (strcmp(arg, "--db") == 0 || strcmp(arg, "--author") == 0)) {
			if (a + 1 >= argc || !*argv[a + 1]) {
				fprintf(stderr, "gloss: option '%s' needs a value\n", arg);
				main_usage(stderr);
				return 2;
			}
			*(arg[2] == 'd' ? &db_opt : &author_opt) = argv[++a];
		} else if (opts && (strncmp(arg, "--db=", 5) == 0 || strncmp(arg, "--author=", 9) == 0)) {
			const char *v = strchr(arg, '=') + 1;
			if (!*v) {
				fprintf(stderr, "gloss: option '%.*s' needs a value\n", (int)(v - arg - 1), arg);
				return 2;
			}
			*(arg[2] == 'd' ? &db_opt : &author_opt) = v;
		} else if (opts && arg[0] == '-' && arg[1] != '\0') {
			fprintf(stderr, "gloss: unknown option '%s'\n", arg);
			main_usage(stderr);
			return 2;
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
	cache = main_hash_cache();
	for (i = 0; i < nfile; i++) {
		docs[i] = doc_open(files[i], cache);
		if (!docs[i]) {
			fprintf(stderr, "gloss: %s\n", util_errmsg());
			while (i-- > 0)
				doc_free(docs[i]);
			free(cache);
			free(db);
			return 1;
		}
	}
	st = store_open(db, main_author(author_opt));
	if (!st) {
		fprintf(stderr, "gloss: %s\n", util_errmsg());
		rc = 1;
	} else {
		rc = ui_run(docs, nfile, st);
		store_close(st);
	}
	for (i = 0; i < nfile; i++)
		doc_free(docs[i]);
	free(cache);
	free(db);
	return rc;
}
