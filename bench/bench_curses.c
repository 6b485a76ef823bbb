/*
 * bench_curses: the least a curses program does to show the start of a
 * file, for bench/run to time beside gloss and less: the locale, the file
 * mapped, newterm, the modes gloss sets, the first lines of the file put on
 * the screen one row each, one refresh.  q quits.
 *
 *   bench_curses FILE
 *
 * It is linked as gloss is, so the difference from gloss is what gloss does
 * beyond curses (its database, its layout, its annotations).
 */
#include <curses.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat sb;
	const char *p, *end, *nl;
	int fd, y;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_curses FILE\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size == 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror(argv[1]);
		return 1;
	}
	end = p + sb.st_size;
	if (!newterm(NULL, stdout, stdin))
		return 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	for (y = 0; y < LINES - 1 && p < end; y++) {
		/* a row's worth of bytes at most: a longer line is cut */
		size_t room = (size_t)(end - p) < (size_t)COLS * 4 ? (size_t)(end - p) : (size_t)COLS * 4;
		int n;
		nl = memchr(p, '\n', room);
		n = (int)((nl ? nl : p + room) - p);
		mvaddnstr(y, 0, p, n);
		clrtoeol();
		p += n + (nl != NULL);
	}
	refresh();
	while (getch() != 'q')
		;
	endwin();
	return 0;
}
