/*
 * paint.c: the first screen sent to the terminal before curses is started.
 *
 * Starting curses costs more than what less does before its first screen:
 * newterm makes three pictures of the screen, and its first drawing works
 * out every cell.  When nothing the database holds can change the first
 * screen, ui_open draws it here instead, through the same drawing code
 * (ui_painting() sends each piece here rather than to curses): the
 * terminal's description is read as less reads it, the pieces become
 * escape sequences in one buffer, and the buffer goes out in one write.
 * Curses starts afterwards; its first drawing (sent without the switch to
 * the alternate screen, which this one made) clears and draws the same
 * screen again, and from then on curses alone draws.  Until that drawing,
 * a key that only moves the cursor is answered by painting the screen
 * again (ui_paint_again).
 */
#include <langinfo.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "gloss/util.h"
#include "internal.h"

/* The smallest screen painted (see ui_paint_begin). */
#define UI_PAINT_MIN_ROWS 8
#define UI_PAINT_MIN_COLS 40

/* What a painting needs of the terminal's description: pointers into it,
 * good until ui_paint_end lets it go. */
struct ui_caps {
	const char *cup, *sgr0, *bold, *smul, *rev, *setaf, *setab, *civis, *cnorm, *clear;
	bool colour;
	bool last_cell; /* the bottom right cell can be written without scrolling */
};

static struct {
	bool on;
	int rows, cols;
	struct ui_caps caps;
	char *buf;
	size_t len, cap;
	int cy, cx;       /* where the terminal's cursor is; -1: not known */
	attr_t attr;      /* the attributes in force */
	bool hidden;      /* the last painting hid the cursor */
	bool own;         /* caps point into the description ui_paint_begin
			   * read (cur_term), kept until ui_paint_close */
	bool stale;       /* caps point nowhere: read them again (from
			   * curses' description, once curses has started) */
} ui_pt;

/* Leaving the painting's alternate screen, for a way out before curses has
 * taken the terminal: set by ui_paint_begin, kept after ui_paint_end. */
static char ui_unpaint_seq[256];
static size_t ui_unpaint_len;
static char ui_unpaint_cnorm[64]; /* shows the cursor again, when a painting hid it */
static size_t ui_unpaint_cnorm_len;

static void ui_pt_add(const char *s, size_t n)
{
	if (ui_pt.len + n > ui_pt.cap) {
		while (ui_pt.len + n > ui_pt.cap)
			ui_pt.cap = ui_pt.cap ? 2 * ui_pt.cap : 16384;
		ui_pt.buf = util_realloc(ui_pt.buf, ui_pt.cap);
	}
	memcpy(ui_pt.buf + ui_pt.len, s, n);
	ui_pt.len += n;
}

static void ui_pt_puts(const char *s)
{
	if (s)
		ui_pt_add(s, strlen(s));
}

/* A string capability, or NULL when the terminal lacks it. */
static const char *ui_pt_cap(const char *name)
{
	const char *s = tigetstr(name);

	return s && s != (const char *)-1 && *s ? s : NULL;
}

/* The capabilities a painting uses, from the current description. */
static void ui_pt_caps(struct ui_caps *c)
{
	memset(c, 0, sizeof *c);
	c->clear = ui_pt_cap("clear");
	c->cup = ui_pt_cap("cup");
	c->sgr0 = ui_pt_cap("sgr0");
	c->bold = ui_pt_cap("bold");
	c->smul = ui_pt_cap("smul");
	c->rev = ui_pt_cap("rev");
	c->setaf = ui_pt_cap("setaf");
	c->setab = ui_pt_cap("setab");
	c->civis = ui_pt_cap("civis");
	c->cnorm = ui_pt_cap("cnorm");
	/* as curses decides it: a terminal that wraps at the last column
	 * scrolls when that cell is written, unless it waits for the next
	 * character to wrap (xenl) */
	c->last_cell = tigetflag("am") <= 0 || tigetflag("xenl") > 0;
}

/* The screen's size from fd, when it is one a painting draws on. */
static bool ui_pt_size(int fd, int *rows, int *cols)
{
	struct winsize ws;

	/* On a screen this small, curses' buffer is too small to keep its
	 * switch to the alternate screen until ui_run (it writes it at
	 * once), and nothing is slow to draw anyway. */
	if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row < UI_PAINT_MIN_ROWS || ws.ws_col < UI_PAINT_MIN_COLS)
		return false;
	ui_pt.rows = *rows = ws.ws_row;
	ui_pt.cols = *cols = ws.ws_col;
	return true;
}

/* A painting under way, after what its buffer holds: attributes off, the
 * screen cleared. */
static void ui_pt_start(void)
{
	ui_pt.on = true;
	ui_pt.cy = ui_pt.cx = -1;
	ui_pt_puts(ui_pt.caps.sgr0);
	ui_pt_puts(ui_pt.caps.clear);
	ui_pt.attr = A_NORMAL;
}

bool ui_painting(void)
{
	return ui_pt.on;
}

bool ui_paint_begin(int fd, int *rows, int *cols)
{
	const char *smcup, *rmcup, *env_rows = getenv("LINES"), *env_cols = getenv("COLUMNS");
	struct ui_caps *c = &ui_pt.caps;
	int err;

	/* Where curses would take a size other than the terminal's, or write
	 * other than UTF-8, curses draws the first screen too. */
	if ((env_rows && *env_rows) || (env_cols && *env_cols) || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		return false;
	/* Started in the background: the terminal is the shell's (curses
	 * waits for it, stopped by SIGTTOU). */
	if (tcgetpgrp(fd) != getpgrp())
		return false;
	if (!ui_pt_size(fd, rows, cols))
		return false;
	if (setupterm(NULL, fd, &err) != OK)
		return false;
	ui_pt_caps(c);
	smcup = ui_pt_cap("smcup");
	rmcup = ui_pt_cap("rmcup");
	/* Without a way back from the alternate screen, a refused database
	 * could not leave the terminal as it was. */
	if (!smcup || !rmcup || !c->clear || !c->cup || !c->sgr0 || !c->bold || !c->smul || !c->rev ||
	    strlen(c->sgr0) + strlen(rmcup) > sizeof ui_unpaint_seq) {
		del_curterm(cur_term);
		return false;
	}
	c->colour = ui_theme_choose(tigetnum("colors") >= 8 && c->setaf && c->setab);
	ui_unpaint_cnorm_len = c->cnorm && strlen(c->cnorm) < sizeof ui_unpaint_cnorm ? strlen(c->cnorm) : 0;
	memcpy(ui_unpaint_cnorm, c->cnorm ? c->cnorm : "", ui_unpaint_cnorm_len);
	memcpy(ui_unpaint_seq, c->sgr0, strlen(c->sgr0));
	memcpy(ui_unpaint_seq + strlen(c->sgr0), rmcup, strlen(rmcup));
	ui_unpaint_len = strlen(c->sgr0) + strlen(rmcup);
	ui_pt.own = true;
	ui_pt.stale = false;
	ui_pt.hidden = false;
	ui_pt.len = 0;
	ui_pt_puts(smcup);
	ui_pt_start();
	return true;
}

bool ui_paint_again(int fd, int *rows, int *cols)
{
	if (!ui_pt_size(fd, rows, cols))
		return false;
	if (ui_pt.stale) {
		/* what curses read of the same terminal: a description of
		 * one's own beside it would share its state */
		if (!cur_term)
			return false;
		bool colour = ui_pt.caps.colour;
		ui_pt_caps(&ui_pt.caps);
		ui_pt.caps.colour = colour;
		ui_pt.stale = false;
	}
	ui_pt_start();
	return true;
}

void ui_paint_close(void)
{
	if (ui_pt.own)
		del_curterm(cur_term);
	ui_pt.own = false;
	ui_pt.stale = true;
}

static void ui_pt_attr(attr_t a)
{
	const struct ui_caps *c = &ui_pt.caps;
	short fg, bg;

	a &= A_BOLD | A_UNDERLINE | A_REVERSE | A_COLOR;
	if (ui_pt.attr == a)
		return;
	ui_pt_puts(c->sgr0);
	if (a & A_BOLD)
		ui_pt_puts(c->bold);
	if (a & A_UNDERLINE)
		ui_pt_puts(c->smul);
	if (a & A_REVERSE)
		ui_pt_puts(c->rev);
	if (c->colour && PAIR_NUMBER(a) && ui_theme_pair((short)PAIR_NUMBER(a), &fg, &bg)) {
		if (fg >= 0)
			ui_pt_puts(tiparm(c->setaf, fg));
		if (bg >= 0)
			ui_pt_puts(tiparm(c->setab, bg));
	}
	ui_pt.attr = a;
}

/* The characters wc[0..n) (a base and its combining marks) in one cell or
 * two (width) at y, x, where they fit and cannot scroll the screen. */
static void ui_pt_glyph(int y, int x, const wchar_t *wc, size_t n, int width, attr_t a)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;

	if (y < 0 || y >= ui_pt.rows || x < 0 || x + width > ui_pt.cols)
		return;
	if (y == ui_pt.rows - 1 && x + width == ui_pt.cols && !ui_pt.caps.last_cell)
		return;
	if (ui_pt.cy != y || ui_pt.cx != x)
		ui_pt_puts(tiparm(ui_pt.caps.cup, y, x));
	ui_pt_attr(a);
	memset(&st, 0, sizeof st);
	for (size_t i = 0; i < n; i++) {
		size_t k = wcrtomb(mb, wc[i], &st);
		if (k == (size_t)-1) {
			mb[0] = '?';
			k = 1;
			memset(&st, 0, sizeof st);
		}
		ui_pt_add(mb, k);
	}
	ui_pt.cy = y;
	ui_pt.cx = x + width < ui_pt.cols ? x + width : -1; /* at the margin: may wrap */
}

void ui_paint_cell(int y, int x, const wchar_t *wc, attr_t a)
{
	size_t n = wcslen(wc);
	int w;

	if (n == 0)
		return;
	w = wcwidth(wc[0]);
	ui_pt_glyph(y, x, wc, n, w < 1 ? 1 : w, a);
}

void ui_paint_wstr(int y, int x, const wchar_t *s, size_t n, attr_t a)
{
	size_t i = 0;

	while (i < n) {
		size_t k = 1;
		int w = wcwidth(s[i]);
		/* a base with the marks that follow it */
		while (i + k < n && wcwidth(s[i + k]) == 0)
			k++;
		if (w < 1)
			w = 1;
		ui_pt_glyph(y, x, s + i, k, w, a);
		x += w;
		i += k;
	}
}

void ui_paint_fill(int y, int x, int n, attr_t a)
{
	static const wchar_t space[] = { L' ', 0 };

	for (int i = 0; i < n; i++)
		ui_pt_glyph(y, x + i, space, 1, 1, a);
}

bool ui_paint_end(int fd, bool cursor, int y, int x)
{
	bool sent = false;

	if (!ui_pt.on)
		return false;
	ui_pt_attr(A_NORMAL);
	if (cursor && y >= 0 && y < ui_pt.rows && x >= 0 && x < ui_pt.cols) {
		ui_pt_puts(tiparm(ui_pt.caps.cup, y, x));
		if (ui_pt.hidden)
			ui_pt_puts(ui_pt.caps.cnorm);
		ui_pt.hidden = false;
	} else if (!ui_pt.hidden) {
		ui_pt_puts(ui_pt.caps.civis); /* as curses will */
		ui_pt.hidden = true;
	}
	ui_pt.on = false;
	sent = ui_send(fd, ui_pt.buf, ui_pt.len);
	free(ui_pt.buf);
	ui_pt.buf = NULL;
	ui_pt.len = ui_pt.cap = 0;
	if (sent)
		ui_give_way();
	return sent;
}

void ui_unpaint(int fd)
{
	if (ui_pt.hidden)
		ui_send(fd, ui_unpaint_cnorm, ui_unpaint_cnorm_len);
	ui_send(fd, ui_unpaint_seq, ui_unpaint_len);
}
