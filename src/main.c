/*
 * main.c: the command line.  Opens every document first, so that a missing
 * or unreadable one is reported before the screen is taken, then hands them
 * to the ui.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gloss/doc.h"
#include "gloss/ui.h"
#include "gloss/util.h"

#define GLOSS_VERSION "0.1.0"
#define GLOSS_MAX_DOCS 9

static void main_usage(FILE *f)
{
	fprintf(f, "usage: gloss FILE...         read documents side by side (\"-\" reads stdin)\n"
		   "       gloss --help | --version\n"
		   "Up to %d documents; press ? in gloss for the keys.\n",
		GLOSS_MAX_DOCS);
}

/* $XDG_CACHE_HOME/gloss/sha256, else ~/.cache/gloss/sha256; NULL when neither is known. */
static char *main_hash_cache(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *p;
	size_t n;

	if (x && *x == '/') {
		n = strlen(x) + sizeof "/gloss/sha256";
		p = util_malloc(n);
		snprintf(p, n, "%s/gloss/sha256", x);
		return p;
	}
	if (home && *home) {
		n = strlen(home) + sizeof "/.cache/gloss/sha256";
		p = util_malloc(n);
		snprintf(p, n, "%s/.cache/gloss/sha256", home);
		return p;
	}
	return NULL;
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
	char *cache;
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

	cache = main_hash_cache();
	for (i = 0; i < nfile; i++) {
		docs[i] = doc_open(files[i], cache);
		if (!docs[i]) {
			fprintf(stderr, "gloss: %s\n", util_errmsg());
			while (i-- > 0)
				doc_free(docs[i]);
			free(cache);
			return 1;
		}
	}
	rc = ui_run(docs, nfile);
	for (i = 0; i < nfile; i++)
		doc_free(docs[i]);
	free(cache);
	return rc;
}
