/*
 * ui.c: taking the terminal, the key loop and its one dispatcher, pane
 * geometry, the status line, and giving the terminal back on every way out
 * (q, SIGTERM, SIGHUP, SIGQUIT; Ctrl-Z is curses' own, wrapped for the SGR mouse).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "gloss/doc.h"
#include "gloss/edit.h"
#include "gloss/search.h"
#include "gloss/spans.h"
#include "gloss/store.h"
#include "gloss/ui.h"
#include "gloss/util.h"
#include "gloss/view.h"
#include "internal.h"

#define UI_MIN_PANE 30
/* Small enough that a key typed during a step waits well under a
 * millisecond (SHA-256 runs at some 300 MB/s in portable C, 1.5 GB/s with
 * the SHA instructions), large enough that looking for a key between steps
 * costs little of the hashing. */
#define UI_HASH_STEP (128u << 10)

static volatile sig_atomic_t ui_stop_signal;

static volatile sig_atomic_t ui_interrupt;

/* Asking for xterm's SGR mouse reports and taking the request back; curses
 * sends only the mode 1000 that they go with (see ui_sgr_start). */
static const char ui_sgr_on[] = "\033[?1006h", ui_sgr_off[] = "\033[?1006l";
/* Where a signal handler says ui_sgr_off: curses' terminal, -1 while the
 * reports are not asked for. */
static volatile sig_atomic_t ui_sgr_fd = -1;
/* curses' own Ctrl-Z handler, which ui_on_tstp wraps */
static void (*ui_curses_tstp)(int);
/* curses' own handler of a new size, which ui_on_winch wraps; and whether
 * a new size came that curses may not have read yet (see ui_update) */
static void (*ui_curses_winch)(int);
static volatile sig_atomic_t ui_winch;
/* While curses draws into the frame file: its descriptor, and the
 * terminal's, to point it back at from a signal handler; else -1. */
static volatile sig_atomic_t ui_frame_out = -1, ui_frame_term = -1;
/* While curses draws into memory (the static binary, see __wrap_write):
 * the descriptor whose writes are taken, else -1; and what they wrote. */
static volatile sig_atomic_t ui_take_fd = -1;
static char *ui_taken;
static size_t ui_taken_len, ui_taken_cap;

/*
 * Every write() of the static binary comes here first (the link's
 * --wrap=write, the Makefile): curses writes a drawing a piece at a time,
 * and while it draws (ui_hold), what it writes to the terminal is kept
 * here, to be sent in one write (ui_frame_flush).  Anything else goes
 * straight to the kernel.  A binary linked with shared libraries never
 * calls this for curses' writes, nor for gloss's own: it uses the frame
 * file.
 */
ssize_t __wrap_write(int fd, const void *p, size_t n)
{
	if (fd < 0 && n == 0)
		return 0; /* the question of ui_frame_open */
	if (fd < 0 || fd != ui_take_fd)
		return syscall(SYS_write, fd, p, n);
	if (n > ui_taken_cap - ui_taken_len) {
		ui_taken_cap = ui_taken_len + n > 2 * ui_taken_cap ? ui_taken_len + n : 2 * ui_taken_cap;
		ui_taken = util_realloc(ui_taken, ui_taken_cap);
	}
	memcpy(ui_taken + ui_taken_len, p, n);
	ui_taken_len += n;
	return (ssize_t)n;
}

static void ui_sgr_say(const char *seq, size_t n)
{
	int fd = ui_sgr_fd;

	if (fd >= 0 && write(fd, seq, n) < 0)
		return;
}

/* Ctrl-Z: the shell gets the terminal without SGR reports, as it was;
 * back in gloss after curses has redrawn, they are asked for again. */
static void ui_on_tstp(int sig)
{
	ui_sgr_say(ui_sgr_off, sizeof ui_sgr_off - 1);
	ui_curses_tstp(sig);
	ui_sgr_say(ui_sgr_on, sizeof ui_sgr_on - 1);
}

static void ui_on_winch(int sig)
{
	ui_winch = 1;
	ui_curses_winch(sig);
}

static void ui_on_stop(int sig)
{
	ui_stop_signal = sig;
}

/* A mapped document cut short by another program faults when read past its
 * new end: what is past it reads as zeros from then on (doc_fault), and
 * the pane says the file changed on disk.  Any other fault ends gloss
 * cleanly. */
static void ui_on_bus(int sig, siginfo_t *si, void *ctx)
{
	static const char msg[] = "gloss: a document was truncated while it was open\n";
	(void)sig;
	(void)ctx;
	if (doc_fault(si->si_addr))
		return;
	ui_take_fd = -1;
	if (ui_frame_out >= 0)
		dup2(ui_frame_term, ui_frame_out);
	ui_sgr_say(ui_sgr_off, sizeof ui_sgr_off - 1);
	endwin();
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
		_exit(1);
	_exit(1);
}

static void ui_on_interrupt(int sig)
{
	(void)sig;
	ui_interrupt = 1;
}

bool ui_stopping(void)
{
	return ui_stop_signal != 0;
}

bool ui_interrupted(void)
{
	return ui_interrupt != 0;
}

bool ui_interrupted_clear(void)
{
	bool was = ui_interrupt != 0;
	ui_interrupt = 0;
	return was;
}

void ui_message(struct ui *u, bool error, const char *fmt, ...)
{
	va_list ap;

	/* At start-up each pane may have something to say; what went wrong
	 * with one outlasts what went well with another. */
	if (u->msg_keep && u->msg_error && u->msg[0] && !error)
		return;
	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof u->msg, fmt, ap);
	va_end(ap);
	u->msg_error = error;
}

/* The next character of s[*i..n) as the terminal should get it: ill-formed
 * bytes and controls as U+FFFD.  Its cells in *w. */
static wchar_t ui_next_wc(const char *s, size_t n, size_t *i, int *w)
{
	uint32_t cp;
	int valid;

	*i += (size_t)util_utf8_decode(s + *i, n - *i, &cp, &valid);
	/* Names and quotes come from outside (a file name may hold anything): no
	 * controls, nothing that would reorder the rest of the line. */
	if (!valid || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || util_cp_disruptive(cp) ||
	    wcwidth((wchar_t)cp) < 0)
		cp = 0xFFFD;
	*w = wcwidth((wchar_t)cp);
	if (*w < 0)
		*w = 1;
	return (wchar_t)cp;
}

int ui_text_width(const char *s)
{
	size_t n = strlen(s), i = 0;
	int w = 0, cw;

	while (i < n) {
		ui_next_wc(s, n, &i, &cw);
		w += cw;
	}
	return w;
}

const char *ui_text_tail(const char *s, int w)
{
	size_t n = strlen(s), i = 0;
	int total = ui_text_width(s), cw;

	/* one pass, whatever the length: a full prompt is 1 KiB */
	while (i < n && total > w) {
		ui_next_wc(s, n, &i, &cw);
		total -= cw;
	}
	return s + i;
}

size_t ui_text_fit(const char *s, int w)
{
	size_t n = strlen(s), i = 0, blank = 0;
	int used = 0, cw;

	while (i < n) {
		size_t at = i;
		ui_next_wc(s, n, &i, &cw);
		if (used + cw > w)
			return blank ? blank : at ? at : i;
		used += cw;
		if (s[at] == ' ')
			blank = at;
	}
	return n;
}

int ui_put(int y, int x, int w, const char *s, attr_t a)
{
	wchar_t buf[512];
	size_t n = strlen(s), i = 0, nb = 0;
	int used = 0, cw;

	if (w <= 0)
		return 0;
	while (i < n && nb < sizeof buf / sizeof *buf - 2) {
		size_t at = i;
		wchar_t wc = ui_next_wc(s, n, &i, &cw);
		if (used + cw > w) {
			i = at;
			break;
		}
		if (nb == 0 && cw == 0)
			buf[nb++] = L' ', used++; /* never start with a combining mark */
		buf[nb++] = wc;
		used += cw;
	}
	buf[nb] = 0;
	if (ui_painting()) {
		ui_paint_wstr(y, x, buf, nb, a);
		return used;
	}
	attron(a);
	mvaddnwstr(y, x, buf, (int)nb);
	attroff(a);
	return used;
}

void ui_fill(int y, int x, int n, attr_t a)
{
	if (ui_painting()) {
		ui_paint_fill(y, x, n, a);
		return;
	}
	static const wchar_t space[] = { L' ', 0 };
	cchar_t cc;

	if (n > 0 && setcchar(&cc, space, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL) == OK)
		mvhline_set(y, x, &cc, n);
}

void ui_place_panes(struct ui *u)
{
	size_t fit, i;
	int x, w, text_rows;

	/* a painting has set the size (ui_paint_begin) */
	if (!ui_painting())
		getmaxyx(stdscr, u->rows, u->cols);
	fit = (size_t)((u->cols + 1) / (UI_MIN_PANE + 1));
	if (fit < 1)
		fit = 1;
	u->nshown = u->npane < fit ? u->npane : fit;
	if (u->focus < u->first)
		u->first = u->focus;
	if (u->focus >= u->first + u->nshown)
		u->first = u->focus + 1 - u->nshown;
	if (u->first + u->nshown > u->npane)
		u->first = u->npane - u->nshown;
	w = (u->cols - (int)(u->nshown - 1)) / (int)u->nshown;
	text_rows = u->rows - 2;
	x = 0;
	for (i = 0; i < u->npane; i++) {
		struct ui_pane *p = &u->panes[i];
		if (i < u->first || i >= u->first + u->nshown) {
			p->w = 0;
			continue;
		}
		p->x = x;
		p->w = (i + 1 == u->first + u->nshown) ? u->cols - x : w;
		if (p->w < 1)
			p->w = 1;
		x += p->w + 1;
		view_resize(p->view, p->w, text_rows > 0 ? text_rows : 1);
	}
}

void ui_focus(struct ui *u, size_t i)
{
	if (i >= u->npane)
		return;
	u->focus = i;
	ui_place_panes(u);
}

/*
 * The status line, unless it would show what it shows (after a key that
 * only moved the cursor, most often): all, the screen was erased.
 */
static void ui_draw_status(struct ui *u, bool all)
{
	int y = u->rows - 1;
	char where[64];
	struct ui_pane *p = &u->panes[u->focus];
	struct ui_status s;

	if (y < 0)
		return;
	memset(&s, 0, sizeof s); /* all of it is compared, past the strings too */
	s.known = true;
	s.a = s.la = ui_attr(UI_STATUS);
	s.cols = u->cols;
	if (u->mode == UI_MODE_PROMPT) {
		ui_fill(y, 0, u->cols, s.a);
		ui_prompt_draw(u, y);
		u->status.known = false;
		return;
	}
	if (u->msg[0]) {
		snprintf(s.left, sizeof s.left, "%s", u->msg);
		if (u->msg_error)
			s.la = ui_attr(UI_ERROR);
	} else if (u->mode == UI_MODE_READ && u->link_from) {
		snprintf(s.left, sizeof s.left, " linking: go to another annotation (any pane), Enter links, Esc cancels");
	} else if (u->mode == UI_MODE_READ) {
		ui_annot_describe(u, s.left, sizeof s.left);
	}
	if (!s.left[0]) {
		snprintf(where, sizeof where, "%s", u->sync ? "  =sync" : "");
		if (u->npane > 1)
			snprintf(where, sizeof where, "  [%zu/%zu]%s", u->focus + 1, u->npane,
				 u->sync ? "  =sync" : "");
		snprintf(s.left, sizeof s.left, " %s%s", doc_path(p->doc), where);
		snprintf(s.right, sizeof s.right, "/ search  Tab pane  ? help  q quit ");
		s.rw = ui_text_width(s.right);
		/* The keys matter more than the directories: fall back to the file's name. */
		if (ui_text_width(s.left) + s.rw + 2 > u->cols)
			snprintf(s.left, sizeof s.left, " %s%s", doc_name(p->doc), where);
		if (ui_text_width(s.left) + s.rw + 2 > u->cols)
			s.rw = 0;
	}
	if (!all && !ui_painting() && memcmp(&s, &u->status, sizeof s) == 0)
		return;
	memcpy(&u->status, &s, sizeof s); /* padding too: it is compared */
	ui_fill(y, 0, u->cols, s.a);
	if (s.rw)
		ui_put(y, u->cols - s.rw, s.rw, s.right, s.a);
	ui_put(y, 0, u->cols - s.rw, s.left, s.la);
}

bool ui_panes_only(enum ui_mode m)
{
	return m == UI_MODE_READ || m == UI_MODE_PROMPT;
}

/* Whether pane i must be drawn: the screen shows something else of it. */
static bool ui_pane_stale(struct ui *u, size_t i, bool all)
{
	struct ui_pane *p = &u->panes[i];
	struct ui_pane_drawn d;

	memset(&d, 0, sizeof d);
	d.top = view_top(p->view);
	d.x = p->x;
	d.w = p->w;
	d.height = u->rows - 1;
	d.percent = view_percent(p->view);
	d.focus = i == u->focus;
	d.sel = ui_selection(u, i, &d.sa, &d.sb);
	if (!d.sel)
		d.sa = d.sb = 0;
	d.claims = p->claims;
	d.sources = p->sources;
	d.unsourced = p->unsourced;
	d.gen = u->gen;
	d.pane_gen = p->gen;
	if (!all && memcmp(&d, &p->drawn, sizeof d) == 0)
		return false;
	memcpy(&p->drawn, &d, sizeof d); /* padding too: it is compared */
	return true;
}

/*
 * The line between two panes, as U+2502 itself rather than the terminal's
 * line-drawing set: gloss runs in a UTF-8 locale, and a terminal whose
 * description is not its own (TERM=xterm-256color inside tmux, a common
 * setting) would show that set's 'x' instead.
 */
static void ui_draw_separator(int x, int rows)
{
	static const wchar_t bar[] = { 0x2502, 0 };
	attr_t a = ui_attr(UI_SEP);
	cchar_t cc;

	if (ui_painting()) {
		for (int y = 0; y < rows; y++)
			ui_paint_cell(y, x, bar, a);
		return;
	}
	if (rows > 0 && setcchar(&cc, bar, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL) == OK)
		mvvline_set(0, x, &cc, rows);
}

/* The screen into curses' picture of it, nothing sent yet; true with the
 * cursor's place in *y, *x when the cursor shows. */
static bool ui_compose(struct ui *u, int *y, int *x)
{
	bool cursor = false;
	/* A key that moves one pane draws that pane: the others keep their
	 * cells, unless anything but panes was on the screen or they moved.
	 * The tag menu and the note's box, drawn over the panes, are drawn
	 * again over them as they are while they stay the same size (the
	 * note's box changes only with the screen's). */
	bool box_kept = u->mode == u->drawn_mode &&
			((u->mode == UI_MODE_MENU && u->drawn_ntags == u->ntags) || u->mode == UI_MODE_NOTE);
	bool all = ((!ui_panes_only(u->mode) || !ui_panes_only(u->drawn_mode)) && !box_kept) ||
		   u->drawn_first != u->first || u->drawn_nshown != u->nshown ||
		   u->drawn_rows != u->rows || u->drawn_cols != u->cols;

	u->drawn_ntags = u->ntags;
	u->drawn_mode = u->mode;
	u->drawn_first = u->first;
	u->drawn_nshown = u->nshown;
	u->drawn_rows = u->rows;
	u->drawn_cols = u->cols;
	/* a painting starts on a clear screen */
	if (all && !ui_painting())
		erase();
	if (u->mode == UI_MODE_HELP) {
		ui_help_draw(u);
	} else if (u->mode == UI_MODE_LIST) {
		ui_list_draw(u);
	} else {
		for (size_t i = u->first; i < u->first + u->nshown; i++) {
			struct ui_pane *p = &u->panes[i];
			if (ui_pane_stale(u, i, all))
				ui_pane_draw(u, i, 0, u->rows - 1, all);
			/* a pane draws within its columns: the line beside it
			 * stays until the screen is erased */
			if (all && i + 1 < u->first + u->nshown && p->x + p->w < u->cols)
				ui_draw_separator(p->x + p->w, u->rows - 1);
		}
		cursor = ui_pane_cursor(u, u->focus, 0, y, x);
		if (u->mode == UI_MODE_MENU)
			ui_menu_draw(u);
	}
	ui_draw_status(u, all);
	if (u->mode == UI_MODE_NOTE) {
		ui_note_draw(u);
		getyx(stdscr, *y, *x);
		cursor = true;
	}
	if (u->mode == UI_MODE_PROMPT) {
		getyx(stdscr, *y, *x);
		cursor = true;
	}
	return cursor;
}

/*
 * curses writes a drawing a piece at a time (this ncurses writes after
 * every cursor move, so a row at a time), and each write wakes the
 * terminal, which may show the screen half drawn.  So while curses draws,
 * what it writes is held, and the drawing then goes to the terminal in
 * one write.  The static binary holds it in memory (__wrap_write), a
 * write costing a copy; otherwise curses' descriptor points at a file in
 * memory, a write costing a system call.  Ctrl-Z waits meanwhile: curses'
 * handler writes too.  So does a new size: doupdate first reads the size
 * from its descriptor when one came, so a drawing after one goes to the
 * terminal directly.  With neither, curses always does.
 */
static void ui_frame_open(struct ui *u)
{
	/* nothing to no descriptor: an error, unless __wrap_write answers */
	u->wrapped = write(-1, NULL, 0) == 0;
	u->frame = u->wrapped ? -1 : memfd_create("gloss-frame", MFD_CLOEXEC);
	u->term = u->wrapped || u->frame >= 0 ? fcntl(fileno(u->out), F_DUPFD_CLOEXEC, 3) : -1;
	if (u->term < 0 && u->frame >= 0)
		close(u->frame);
	if (u->term < 0)
		u->frame = -1, u->wrapped = false;
}

/* Whether curses' writes can be held (ui_hold). */
static bool ui_frame_ready(const struct ui *u)
{
	return u->frame >= 0 || u->wrapped;
}

static bool ui_point(int from, int to)
{
	int r;

	while ((r = dup2(from, to)) < 0 && errno == EINTR)
		;
	return r >= 0;
}

bool ui_send(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };
			poll(&pf, 1, 100);
		} else if (w == 0 || errno != EINTR) {
			return false; /* the terminal is gone */
		}
	}
	return true;
}

/*
 * What the frame file holds to the terminal, and the file emptied.  After
 * a painting, curses' first words switch to the alternate screen, which
 * the painting did: sent again, xterm would save the cursor again, and put
 * the shell's cursor in the wrong place on the way out.
 */
static void ui_frame_flush(struct ui *u)
{
	const char *smcup = u->painted ? tigetstr("smcup") : NULL;
	char *buf = ui_taken;
	ssize_t r = (ssize_t)ui_taken_len;

	if (!u->wrapped) {
		off_t n = lseek(u->frame, 0, SEEK_CUR);
		if (n <= 0)
			return;
		if ((size_t)n > u->frame_cap) {
			u->frame_cap = (size_t)n;
			u->frame_buf = util_realloc(u->frame_buf, u->frame_cap);
		}
		buf = u->frame_buf;
		r = pread(u->frame, buf, (size_t)n, 0);
		lseek(u->frame, 0, SEEK_SET);
	}
	ui_taken_len = 0;
	if (r <= 0)
		return;
	if (smcup && smcup != (char *)-1 && *smcup) {
		/* near the start: some terminals' first words choose their
		 * character sets (enacs) before it */
		size_t k = strlen(smcup), look = (size_t)r < 64 + k ? (size_t)r : 64 + k;
		const char *at = memmem(buf, look, smcup, k);
		if (at) {
			memmove((char *)at, at + k, (size_t)r - (size_t)(at - buf) - k);
			r -= (ssize_t)k;
		}
	}
	u->painted = false;
	if (r > 0)
		ui_send(u->term, buf, (size_t)r);
}

/* What curses writes goes to the frame file (held), or to the terminal
 * again with what the file held sent; a signal handler that must write
 * points it back itself (ui_frame_out). */
static void ui_hold(struct ui *u)
{
	int out = fileno(u->out);

	if (u->held)
		return;
	if (u->wrapped) {
		ui_take_fd = out;
	} else {
		if (u->frame < 0 || !ui_point(u->frame, out))
			return;
		ui_frame_term = u->term;
		ui_frame_out = out;
	}
	u->held = true;
}

static void ui_unhold(struct ui *u)
{
	if (!u->held)
		return;
	if (u->wrapped)
		ui_take_fd = -1;
	else
		ui_point(u->term, fileno(u->out));
	ui_frame_out = -1;
	u->held = false;
	ui_frame_flush(u);
}

/* Wrap curses' handler of a new size (ui_run, once curses has set it);
 * without it, a new size could not be told from the frame file, which
 * then goes unused. */
static void ui_frame_watch(struct ui *u)
{
	struct sigaction sa;
	struct winsize ws;

	if (!ui_frame_ready(u))
		return;
	if (sigaction(SIGWINCH, NULL, &sa) != 0 || (sa.sa_flags & SA_SIGINFO) ||
	    sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN) {
		ui_unhold(u);
		if (u->frame >= 0)
			close(u->frame);
		close(u->term);
		u->frame = u->term = -1;
		u->wrapped = false;
		return;
	}
	ui_curses_winch = sa.sa_handler;
	sa.sa_handler = ui_on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	/* one that came since newterm */
	if (ioctl(u->term, TIOCGWINSZ, &ws) == 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		ui_winch = 1;
}

static void ui_update(struct ui *u)
{
	sigset_t hold, old;

	sigemptyset(&hold);
	sigaddset(&hold, SIGTSTP);
	sigaddset(&hold, SIGWINCH);
	sigprocmask(SIG_BLOCK, &hold, &old);
	if (ui_winch) {
		ui_winch = 0;
		/* what ui_run held back first (see there), then the drawing */
		ui_unhold(u);
	} else {
		ui_hold(u);
	}
	/* One column wide, every cell is the last of its row: curses then
	 * moves by writing into the screen's last cell and going up with
	 * reverse index, which counts on where that write left the cursor,
	 * and tmux left it elsewhere (a note's text showed a row off).  A
	 * whole drawing is a few cells here. */
	if (COLS <= 1)
		clearok(curscr, TRUE);
	doupdate();
	ui_unhold(u);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void ui_draw(struct ui *u)
{
	int y = 0, x = 0;
	bool cursor = ui_compose(u, &y, &x);

	if (cursor && y < u->rows && x < u->cols) {
		move(y, x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	wnoutrefresh(stdscr);
	ui_pane_rows_done(u);
	ui_update(u);
}

/* With synchronized scrolling, the other panes follow the one that moved. */
static void ui_sync(struct ui *u, size_t moved, size_t old_top)
{
	struct view *v = u->panes[moved].view;
	long rows;
	size_t i;

	if (!u->sync || u->npane < 2 || view_top(v) == old_top)
		return;
	if (view_rows_since(v, old_top, 2L * view_height(v) + 2, &rows)) {
		for (i = 0; i < u->npane; i++)
			if (i != moved)
				view_scroll(u->panes[i].view, rows);
		return;
	}
	/* A jump: the others go to the same place in proportion. */
	size_t n = doc_size(u->panes[moved].doc);
	double f = n ? (double)view_top(v) / (double)n : 0;
	for (i = 0; i < u->npane; i++)
		if (i != moved)
			view_set_fraction(u->panes[i].view, f);
}

int ui_wheel(const struct ui *u)
{
	if (u->mouse.bstate & BUTTON4_PRESSED)
		return -3;
	return u->mouse.bstate & BUTTON5_PRESSED ? 3 : 0;
}

static void ui_mouse(struct ui *u)
{
	const MEVENT ev = u->mouse;
	size_t i;

	/* the status line belongs to no pane */
	if (ev.y >= u->rows - 1)
		return;
	for (i = u->first; i < u->first + u->nshown; i++) {
		struct ui_pane *p = &u->panes[i];
		if (ev.x < p->x || ev.x >= p->x + p->w)
			continue;
		size_t old = view_top(p->view);
		if (ui_wheel(u)) {
			view_scroll(p->view, ui_wheel(u));
		} else if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED)) {
			size_t before = view_cursor(p->view);
			bool same = u->focus == i;
			ui_focus(u, i);
			if (ev.y >= 1 && ev.y < u->rows - 1)
				view_goto(p->view, view_pos_at_cell(p->view, ev.y - 1, ev.x - p->x), false);
			/* A release away from where the button went down is a drag: select. */
			if (ev.bstate & BUTTON1_PRESSED) {
				p->selecting = false;
			} else if ((ev.bstate & BUTTON1_RELEASED) && same && !p->selecting &&
				   view_cursor(p->view) != before) {
				p->selecting = true;
				p->sel_ended = false;
				p->sel_from = before;
			}
		}
		ui_sync(u, i, old);
		return;
	}
}

static void ui_dispatch(struct ui *u, int key)
{
	if (u->mode == UI_MODE_PROMPT) {
		ui_prompt_key(u, key);
		return;
	}
	if (u->mode == UI_MODE_HELP) {
		ui_help_key(u, key);
		return;
	}
	if (u->mode == UI_MODE_MENU) {
		ui_menu_key(u, key);
		return;
	}
	if (u->mode == UI_MODE_LIST) {
		ui_list_key(u, key);
		return;
	}
	if (u->mode == UI_MODE_NOTE) {
		ui_note_key(u, key);
		return;
	}
	if (key != UI_FN(KEY_RESIZE))
		u->msg[0] = '\0';
	if (key == UI_FN(KEY_MOUSE)) {
		ui_mouse(u);
		return;
	}
	const struct ui_key *k = ui_key_bound(key);
	if (k) {
		size_t f = u->focus;
		size_t old = view_top(u->panes[f].view);
		k->fn(u, key);
		if (u->focus == f)
			ui_sync(u, f, old);
		return;
	}
	if (key != UI_FN(KEY_RESIZE) && !ui_annot_key(u, key))
		ui_message(u, false, "no command on this key; ? shows the keys");
}

/* The document still to be hashed while nobody types, or NULL; not one
 * written since it was opened, whose sum would be of neither version. */
static struct doc *ui_idle_work(struct ui *u)
{
	for (size_t i = 0; i < u->npane; i++)
		if (!doc_sha256(u->panes[i].doc) && !u->panes[i].stale)
			return u->panes[i].doc;
	return NULL;
}

/* Puts back keys read ahead (UI_FN codes and characters), in their order. */
static void ui_unread(const int *keys, size_t n)
{
	while (n-- > 0) {
		if (keys[n] >= UI_FN(0))
			ungetch(keys[n] - UI_FN(0));
		else
			unget_wch((wchar_t)keys[n]);
	}
}

/* The next key as a character or a UI_FN code; -1 when none came in time. */
static int ui_next_key(void)
{
	wint_t wc;
	int r = get_wch(&wc);

	if (r == ERR)
		return -1;
	return r == KEY_CODE_YES ? UI_FN((int)wc) : (int)wc;
}

/*
 * The rest of an SGR mouse report after its Esc, "[<b;x;y" then M (press)
 * or m (release), into *ev (bstate 0 for what gloss does not use).  False,
 * with what was read put back, when the keys after the Esc are not "[<"
 * and a digit: a person cannot type those so fast, so from there on it is
 * a report, and one cut short or malformed is dropped (the key that broke
 * it is put back).  curses has already read "[<" while it looked for a key
 * of its own, so they are there at once; the rest may come a moment later.
 */
static bool ui_read_sgr_mouse(MEVENT *ev)
{
	int keys[24], num[3] = { 0, 0, 0 };
	size_t n = 0, field = 0;
	int k = -1;

	memset(ev, 0, sizeof *ev);
	timeout(0);
	while (n < sizeof keys / sizeof *keys) {
		if (n == 2)
			timeout(50);
		k = ui_next_key();
		if (k < 0)
			break;
		keys[n++] = k;
		if (n <= 3 && k != "[<"[n - 1] && !(n == 3 && k >= '0' && k <= '9'))
			break;
		if (k >= '0' && k <= '9' && num[field] < 100000) {
			num[field] = num[field] * 10 + (k - '0');
		} else if (k == ';' && field < 2) {
			field++;
		} else if (n > 2) {
			if ((k != 'M' && k != 'm') || field != 2 || num[1] < 1 || num[2] < 1)
				break;
			ev->x = num[1] - 1;
			ev->y = num[2] - 1;
			/* 4, 8, 16: Shift, Meta, Ctrl; 32: motion, which mode 1000 does
			 * not send; 64 and 65: the wheel up and down */
			switch (num[0] & ~(4 | 8 | 16)) {
			case 0:
				ev->bstate = k == 'M' ? BUTTON1_PRESSED : BUTTON1_RELEASED;
				break;
			case 64:
				ev->bstate = k == 'M' ? BUTTON4_PRESSED : 0;
				break;
			case 65:
				ev->bstate = k == 'M' ? BUTTON5_PRESSED : 0;
				break;
			}
			return true;
		}
	}
	if (n < 3 || keys[2] < '0' || keys[2] > '9') {
		ui_unread(keys, n);
		return false;
	}
	if (k >= 0 && !(k >= '0' && k <= '9') && k != ';' && k != 'M' && k != 'm')
		ui_unread(&keys[n - 1], 1);
	return true;
}

/* What a sequence that curses did not know stands for, by its last byte
 * and its first number ("[4~", "[1;5D", "OH"); 0 for nothing gloss uses.
 * Modifiers are dropped: Ctrl-Left is Left. */
static int ui_sequence_key(int final, int num)
{
	switch (final) {
	case 'A': return UI_FN(KEY_UP);
	case 'B': return UI_FN(KEY_DOWN);
	case 'C': return UI_FN(KEY_RIGHT);
	case 'D': return UI_FN(KEY_LEFT);
	case 'H': return UI_FN(KEY_HOME);
	case 'F': return UI_FN(KEY_END);
	case '~':
		switch (num) {
		case 1: case 7: return UI_FN(KEY_HOME);
		case 4: case 8: return UI_FN(KEY_END);
		case 3: return UI_FN(KEY_DC);
		case 5: return UI_FN(KEY_PPAGE);
		case 6: return UI_FN(KEY_NPAGE);
		}
	}
	return 0;
}

/*
 * After an Esc, the rest of a key's sequence that curses did not know (an
 * arrow with Ctrl or Shift where the terminal's description has none, Home
 * in tmux under TERM=xterm-256color): "[", parameters and a final byte, or
 * "O" and one byte.  Read when the keys after the Esc are there at once
 * (curses read them with it, looking for a key of its own; a person cannot
 * type so fast): the key it stands for, or 0 for one to drop.  Else -1,
 * with what was read put back: an Esc alone, or before a key (Alt).
 */
static int ui_read_sequence(void)
{
	int keys[2], num = 0, k = -1;

	timeout(0);
	keys[0] = ui_next_key();
	if (keys[0] == 'O') {
		keys[1] = ui_next_key();
		if (keys[1] >= 0x40 && keys[1] <= 0x7e)
			return ui_sequence_key(keys[1], 0);
		ui_unread(keys, keys[1] >= 0 ? 2 : 1);
		return -1;
	}
	if (keys[0] != '[') {
		if (keys[0] >= 0)
			ui_unread(keys, 1);
		return -1;
	}
	/* parameters and intermediates, 32 at most, then the final byte; one
	 * cut short is dropped with the key that broke it.  Nothing at once
	 * after the "[": a person typed Esc, then [, within ESCDELAY. */
	for (int i = 0, first = 1; i < 33; i++) {
		if (i == 1)
			timeout(50);
		k = ui_next_key();
		if (i == 0 && k < 0) {
			ui_unread(keys, 1);
			return -1;
		}
		if (k >= 0x40 && k <= 0x7e)
			return ui_sequence_key(k, num);
		if (k < 0x20 || k > 0x3f)
			break;
		if (k >= '0' && k <= '9' && first && num < 1000)
			num = num * 10 + (k - '0');
		else
			first = 0;
	}
	return 0;
}

/* Where keys are read from. */
static int ui_keys_fd(const struct ui *u)
{
	return u->tty ? fileno(u->tty) : STDIN_FILENO;
}

/* The terminal is gone (hung up, closed) when curses has no key for us:
 * nothing will come any more, so gloss ends as on SIGHUP instead of
 * waiting for ever.  A terminal of another session, which gets no SIGHUP
 * when it goes, comes to this. */
static bool ui_terminal_gone(const struct ui *u)
{
	struct pollfd p = { ui_keys_fd(u), POLLIN, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

/* The next key, with curses waiting at most ms (negative: for ever); a
 * mouse report in u->mouse behind UI_FN(KEY_MOUSE); -1 when no key came.
 * Reports of buttons gloss does not use are passed over, as curses does. */
static int ui_read_key_in(struct ui *u, int ms)
{
	int key;

	if (u->peeked) {
		u->peeked = false;
		return u->peek;
	}
	u->ungot = false;
	for (;;) {
		timeout(ms);
		key = ui_next_key();
		if (key < 0 && ui_terminal_gone(u)) {
			ui_stop_signal = SIGHUP;
			return -1;
		}
		if (key == UI_FN(KEY_MOUSE) && getmouse(&u->mouse) != OK)
			memset(&u->mouse, 0, sizeof u->mouse);
		if (key != UI_ESC)
			return key;
		if (u->sgr_mouse && ui_read_sgr_mouse(&u->mouse)) {
			if (u->mouse.bstate)
				return UI_FN(KEY_MOUSE);
			continue;
		}
		key = ui_read_sequence();
		if (key != 0)
			return key < 0 ? UI_ESC : key;
	}
}

int ui_peek_key(struct ui *u, int ms)
{
	int key = ui_read_key_in(u, ms);

	u->peeked = key >= 0;
	u->peek = key;
	return key;
}

/* A key waits to be read: a drawing now would be drawn over at once (keys
 * typed ahead, or a key typed as a painted first screen showed, before
 * curses had started).  Drawing waits until none does, as in less and vim. */
static bool ui_input_waiting(const struct ui *u)
{
	struct pollfd pf = { .fd = ui_keys_fd(u), .events = POLLIN };

	return u->peeked || u->ungot || poll(&pf, 1, 0) > 0;
}

/* Nothing that curses wrote yet reaches the terminal, whose modes are put
 * back as they were before newterm. */
static void ui_quiet_terminal(struct ui *u)
{
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (nul >= 0) {
		dup2(nul, fileno(u->out));
		close(nul);
	}
	tcsetattr(STDOUT_FILENO, TCSADRAIN, &u->shell);
}

/*
 * curses gets the terminal through its own descriptor, a copy of standard
 * output's: until ui_run, what curses has buffered (the switch to the
 * alternate screen, colours) can then be thrown away by pointing that
 * descriptor at /dev/null (ui_abandon), and the modes newterm set are put
 * back from u->shell.  First what curses needs of the process: a terminal
 * on standard output, one to read keys from, TERM.
 */
static bool ui_check_terminal(struct ui *u)
{
	int fd;

	if (!isatty(STDOUT_FILENO) || tcgetattr(STDOUT_FILENO, &u->shell) != 0) {
		util_error("standard output is not a terminal");
		return false;
	}
	if (!isatty(STDIN_FILENO)) {
		u->tty = fopen("/dev/tty", "r");
		if (!u->tty) {
			util_error("cannot open '/dev/tty': %s", strerror(errno));
			return false;
		}
	}
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	u->out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!u->out) {
		util_error("cannot use the terminal: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
	} else if (!getenv("TERM") || !*getenv("TERM")) {
		util_error("TERM is not set: cannot use the terminal");
		fclose(u->out);
		u->out = NULL;
	}
	if (!u->out && u->tty) {
		fclose(u->tty);
		u->tty = NULL;
	}
	return u->out != NULL;
}

/*
 * curses' three pictures of the screen are a few hundred small blocks (a
 * row each): the heap is grown for them, and for what follows, in one step
 * (util_heap_ready), rather than by a page fault per 4 KiB, which made most
 * of newterm's time where faults are dear.
 */
static void ui_heap_ready(struct ui *u)
{
	struct winsize ws;
	size_t cells = 80 * 24;

	if (ioctl(fileno(u->out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		cells = (size_t)ws.ws_row * ws.ws_col;
	util_heap_ready(3 * cells * sizeof(cchar_t) + 256 * 1024);
}

/*
 * A first screen reaches the terminal through a kernel worker, and the
 * terminal has to run to show it.  Just after it, gloss is busy (starting
 * curses and opening the database on two threads after a painting, the
 * annotations after curses' first drawing); on a machine of two CPUs or
 * fewer that left the two waiting for a time slice, up to milliseconds.
 * gloss steps aside for a moment instead.
 */
void ui_give_way(void)
{
	cpu_set_t cpus;
	const struct timespec pause = { 0, 100000 };

	if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) <= 2)
		nanosleep(&pause, NULL);
}

/* curses on the terminal ui_check_terminal found. */
static bool ui_take_terminal(struct ui *u)
{
	if (!(u->screen = newterm(NULL, u->out, u->tty ? u->tty : stdin))) {
		util_error("cannot use terminal '%s'", getenv("TERM"));
	} else if (!tigetstr("cup") || tigetstr("cup") == (char *)-1) {
		/* less carries on with a warning; a pane cannot be drawn at all */
		util_error("terminal '%s' cannot move the cursor", getenv("TERM"));
		ui_quiet_terminal(u);
		delscreen(u->screen);
		u->screen = NULL;
	}
	return u->screen != NULL;
}

/* Pane i's document looked for in the store (how as for ui_annot_identify)
 * by a step nobody waits for: its record does not wait for another
 * process's lock, and a failure is said only when no retry will come. */
static void ui_identify_unasked(struct ui *u, size_t i, unsigned how)
{
	if (!ui_annot_identify(u, i, how | UI_ID_HURRY) && !u->panes[i].pending)
		ui_message(u, true, "%s", util_errmsg());
}

/* Work between keys: hash one step of a document; once nobody has typed
 * for a whole timeout, record a new document or a sum, look for another
 * process's changes.  True when there is more of the first two to do. */
static bool ui_idle(struct ui *u, bool timed_out, bool *dirty)
{
	struct doc *work = ui_idle_work(u);

	if (work) {
		if (doc_hash_step(work, UI_HASH_STEP))
			for (size_t i = 0; i < u->npane; i++)
				if (u->panes[i].doc == work && u->panes[i].docid < 0) {
					ui_identify_unasked(u, i, 0);
					*dirty = true;
				}
		return true;
	}
	/* Recording a new document or its sum writes with an fsync, which a
	 * key would wait for: that waits until nobody has typed for a while. */
	if (timed_out)
		u->resting = true;
	/* The store's thread still checkpointing (a long log): what follows
	 * would wait for it, and a key typed meanwhile with it; it comes at
	 * the next pause instead. */
	if (store_idle_running(u->store))
		return false;
	if (u->resting && ui_annot_record(u)) {
		*dirty = true;
		return true;
	}
	/* Nobody typed for the whole timeout: say once that a file was written
	 * under gloss, see whether another gloss wrote, and move the log into
	 * the database while nobody waits (on the store's thread: a key typed
	 * meanwhile is read at once). */
	for (size_t i = 0; timed_out && i < u->npane; i++)
		if (!u->panes[i].stale && ui_annot_stale(u, i))
			*dirty = true;
	if (timed_out && store_changed(u->store)) {
		ui_annot_reload(u);
		*dirty = true;
	}
	/* The first time nothing is left to do between keys (the screen and
	 * its annotations drawn, the sums worked out), the log is made ready
	 * for the first change at once, not after a whole timeout: on the
	 * store's thread, which work here using the store would wait for. */
	if (timed_out || !u->primed) {
		store_idle(u->store);
		u->primed = true;
	}
	return false;
}

/* Which of SIGTERM, SIGHUP, SIGQUIT and SIGINT were ignored when ui_open
 * began (nohup, a background job of a shell without job control): they
 * stay ignored.  Ctrl-C is still a key (it stops a search) but ends nothing. */
static sigset_t ui_ignored;

/* 128 + the signal noted since ui_open (SIGINT last); 1 for a terminal
 * gone with SIGHUP ignored since the start; else 0 */
static int ui_noted_signal(void)
{
	/* ignored, it can only be the terminal gone (a SIGHUP is then noted):
	 * gloss ends, but not of a signal it was told to ignore */
	if (ui_stop_signal)
		return sigismember(&ui_ignored, (int)ui_stop_signal) ? 1 : 128 + (int)ui_stop_signal;
	return ui_interrupted() && !sigismember(&ui_ignored, SIGINT) ? 128 + SIGINT : 0;
}

/* Ctrl-Z held back (hold) or let go: a waiting one then takes effect. */
static void ui_hold_tstp(bool hold)
{
	sigset_t tstp;

	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &tstp, NULL);
}

/* The signals gloss notes rather than dies of at once (Ctrl-\ too: the
 * terminal is given back before gloss dies of it). */
static const int ui_stops[] = { SIGTERM, SIGHUP, SIGQUIT, SIGINT };

/*
 * Signals while the terminal is taken but nothing shown (ui_open to
 * ui_run): SIGINT, SIGTERM, SIGHUP and SIGQUIT are noted (ui_run acts on them) and
 * SIGTSTP waits, since curses' handler would show its screen on fg; one of
 * the four ignored when gloss started stays ignored (ui_ignored).  Given
 * back (take false): the usual dispositions, an ignored one ignored, and a
 * waiting SIGTSTP stops the process now.
 */
static void ui_early_signals(bool take)
{
	struct sigaction sa, was;

	memset(&sa, 0, sizeof sa);
	if (!take) {
		for (size_t i = 0; i < sizeof ui_stops / sizeof *ui_stops; i++) {
			sa.sa_handler = sigismember(&ui_ignored, ui_stops[i]) ? SIG_IGN : SIG_DFL;
			sigaction(ui_stops[i], &sa, NULL);
		}
		sa.sa_handler = SIG_DFL;
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGTSTP, &sa, NULL);
		sigaction(SIGWINCH, &sa, NULL);
		ui_hold_tstp(false);
		return;
	}
	ui_hold_tstp(true);
	sigemptyset(&ui_ignored);
	for (size_t i = 0; i < sizeof ui_stops / sizeof *ui_stops; i++) {
		if (sigaction(ui_stops[i], NULL, &was) == 0 && was.sa_handler == SIG_IGN)
			sigaddset(&ui_ignored, ui_stops[i]);
		sa.sa_handler = ui_stops[i] == SIGINT ? ui_on_interrupt : ui_on_stop;
		if (ui_stops[i] == SIGINT || !sigismember(&ui_ignored, ui_stops[i]))
			sigaction(ui_stops[i], &sa, NULL);
	}
	sa.sa_handler = NULL;
	sa.sa_sigaction = ui_on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
}

/* The descriptors and streams ui_open opened for the terminal. */
static void ui_files_close(struct ui *u)
{
	if (u->frame >= 0)
		close(u->frame);
	if (u->term >= 0)
		close(u->term);
	fclose(u->out);
	if (u->tty)
		fclose(u->tty);
}

/* The panes and what each owns. */
static void ui_panes_free(struct ui *u)
{
	for (size_t i = 0; i < u->npane; i++) {
		view_free(u->panes[i].view);
		free(u->panes[i].title);
		free(u->panes[i].sums);
		store_anns_free(u->panes[i].anns, u->panes[i].nann);
		spans_free(u->panes[i].spans);
	}
	free(u->panes);
}

/* What ui_open made; the terminal given back as the user left it, or
 * (quiet) as it was before ui_open, with nothing sent to it. */
static void ui_release(struct ui *u, bool quiet)
{
	ui_panes_free(u);
	edit_free(u->prompt);
	edit_free(u->note);
	if (quiet) {
		if (u->painted)
			ui_unpaint(u->term);
		ui_quiet_terminal(u);
		ui_early_signals(false);
	} else {
		/* what curses wrote since it last drew (keys typed ahead and q
		 * before a first drawing) goes out first */
		ui_unhold(u);
		/* a Ctrl-Z now would have curses take the screen again on fg */
		ui_hold_tstp(true);
		/* With no alternate screen to leave (vt100, linux), the screen
		 * stays: its status line is wiped, as less wipes its prompt, so
		 * that the shell's prompt is not written over it. */
		const char *rmcup = tigetstr("rmcup");
		if (!rmcup || rmcup == (char *)-1) {
			move(LINES - 1, 0);
			clrtoeol();
			refresh();
		}
		ui_sgr_say(ui_sgr_off, sizeof ui_sgr_off - 1);
		endwin();
	}
	ui_sgr_fd = -1;
	free(u->frame_buf);
	free(ui_taken);
	ui_taken = NULL;
	ui_taken_len = ui_taken_cap = 0;
	delscreen(u->screen);
	ui_files_close(u);
	free(u);
}

/* The rest of an escape sequence whose Esc is seq[0], as far as it has
 * come: "[", parameters and a final byte, or "O" and a byte; or the one
 * byte after an Esc that starts none.  Its length. */
static size_t ui_early_sequence(int fd, unsigned char *seq, size_t cap)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t n = 1;

	while (n < cap && poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN) && read(fd, &seq[n], 1) == 1) {
		unsigned char c = seq[n++];
		if (n == 2 ? c != '[' && c != 'O' : seq[1] == 'O' || (c >= 0x40 && c <= 0x7e))
			break;
	}
	return n;
}

/*
 * Keys typed before curses reads them (ahead of gloss, or at the sight of
 * a painted first screen): those of one byte that only move the cursor
 * (ui_keys' moves) are done at once.  The first other key (a byte, or an
 * escape sequence as far as it has come) is kept in u->unread for ui_run
 * to give back to curses; from there on keys are left to curses.  The
 * number of keys done, or -1 when the terminal gave nothing although it
 * said it would (it is gone).
 */
static int ui_early_keys(struct ui *u)
{
	struct pollfd pf = { .fd = ui_keys_fd(u), .events = POLLIN };
	int done = 0;
	unsigned char b;
	ssize_t r = 1;

	while (!u->nunread && poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN)) {
		if ((r = read(pf.fd, &b, 1)) != 1)
			break;
		/* the key of an ASCII character (Ctrl-d among them) is that character */
		const struct ui_key *k = b < 0x7f && b != 0x1b ? ui_key_bound(b) : NULL;
		if (k && k->moves) {
			ui_dispatch(u, b);
			u->msg_keep = false;
			done++;
		} else {
			u->unread[0] = b;
			u->nunread = b == 0x1b ? ui_early_sequence(pf.fd, u->unread, sizeof u->unread) : 1;
		}
	}
	return r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN) ? -1 : done;
}

/*
 * What ui_early_keys kept, given back to curses (once keypad() has read
 * the terminal's keys): as the key curses makes of those bytes, or byte
 * by byte where it makes none of them (ui_read_key then reads what it
 * knows of a sequence, or a character's bytes one after the other).  A
 * byte given back is not joined with others into a key.
 */
static void ui_give_back(struct ui *u)
{
	char seq[sizeof u->unread + 1];
	int key;

	if (!u->nunread)
		return;
	memcpy(seq, u->unread, u->nunread);
	seq[u->nunread] = '\0';
	key = strlen(seq) == u->nunread ? key_defined(seq) : 0;
	if (key > 0)
		ungetch(key);
	else
		while (u->nunread > 0)
			ungetch(u->unread[--u->nunread]);
	u->nunread = 0;
	u->ungot = true;
}

/* Where keys were typed at the sight of a painted screen, before curses
 * could draw: the screen painted again. */
static void ui_paint_over(struct ui *u)
{
	int y = 0, x = 0;

	if (!ui_paint_again(fileno(u->out), &u->rows, &u->cols))
		return;
	u->drawn_rows = 0;
	ui_place_panes(u);
	bool cursor = ui_compose(u, &y, &x);
	ui_paint_end(fileno(u->out), cursor, y, x);
	/* what curses is given next is all of it */
	u->drawn_rows = 0;
}

void ui_await(struct ui *u, struct store_opening *op)
{
	struct pollfd pf[2] = { { .fd = store_open_wait_fd(op), .events = POLLIN },
				{ .fd = ui_keys_fd(u), .events = POLLIN } };
	sigset_t stops, old;
	int r;

	if (pf[0].fd < 0)
		return;
	/* A signal that gloss notes ends the wait: taken only inside ppoll,
	 * so that none comes between the look at it and the wait. */
	sigemptyset(&stops);
	for (size_t i = 0; i < sizeof ui_stops / sizeof *ui_stops; i++)
		sigaddset(&stops, ui_stops[i]);
	sigprocmask(SIG_BLOCK, &stops, &old);
	while (u->painted && !ui_noted_signal()) {
		/* once a key is left for curses, so are the ones after it */
		nfds_t n = u->nunread ? 1 : 2;
		if (ppoll(pf, n, NULL, &old) < 0) {
			if (errno != EINTR)
				break;
			/* a new size (curses' handler took the signal): shown now */
			struct winsize ws;
			if (ioctl(fileno(u->out), TIOCGWINSZ, &ws) == 0 &&
			    (ws.ws_row != u->rows || ws.ws_col != u->cols))
				ui_paint_over(u);
			continue;
		}
		if (pf[0].revents)
			break;
		if (n < 2 || !pf[1].revents)
			continue;
		r = pf[1].revents & (POLLHUP | POLLERR | POLLNVAL) ? -1 : ui_early_keys(u);
		if (r > 0)
			ui_paint_over(u);
		else if (r < 0)
			pf[1].fd = -1; /* the terminal is gone: curses will say */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* The first screen without curses (paint.c), when the database could not
 * change it and is expected to open: the text shows while curses starts
 * and the database opens. */
static void ui_paint_first(struct ui *u)
{
	int y = 0, x = 0;
	bool cursor;

	if (!ui_paint_begin(fileno(u->out), &u->rows, &u->cols))
		return;
	ui_place_panes(u);
	/* Keys typed from here until curses has set the modes: Ctrl-S is not
	 * the terminal's flow control (it would block gloss's next write),
	 * nothing is echoed over the screen, and each key can be read at
	 * once (ui_early_keys). */
	struct termios t = u->shell;
	t.c_iflag &= ~(tcflag_t)IXON;
	t.c_lflag &= ~(tcflag_t)(ECHO | ICANON);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(fileno(u->out), TCSANOW, &t);
	/* typed ahead: the screen they lead to is the first one shown */
	ui_early_keys(u);
	cursor = ui_compose(u, &y, &x);
	u->painted = ui_paint_end(fileno(u->out), cursor, y, x);
	if (!u->painted)
		tcsetattr(fileno(u->out), TCSANOW, &u->shell);
	/* what curses is given next is all of it */
	u->drawn_rows = 0;
}

struct ui *ui_open(struct doc **docs, const bool *from_db, size_t ndocs, struct store_opening *opening)
{
	struct ui *u = util_calloc(1, sizeof *u);
	bool paint = opening && store_opening_likely(opening);
	size_t i;

	for (i = 0; i < ndocs; i++)
		if (ui_annot_first_waits(docs[i], from_db && from_db[i]))
			paint = false;
	/* no painting to come first: the database opens beside all of this */
	if (opening && !paint)
		store_open_go(opening);

	/* before newterm, which would otherwise take SIGINT and SIGTERM for itself */
	ui_early_signals(true);
	if (!ui_check_terminal(u))
		goto fail;
	u->msg_keep = true;
	u->npane = ndocs;
	u->panes = util_calloc(ndocs, sizeof *u->panes);
	for (i = 0; i < ndocs; i++) {
		struct ui_pane *p = &u->panes[i];
		p->doc = docs[i];
		p->from_db = from_db && from_db[i];
		p->view = view_new(doc_bytes(docs[i]), doc_size(docs[i]));
		p->docid = -1;
		p->cur = -1;
		p->match_at = SIZE_MAX;
		p->title = doc_title(docs[i], 400);
		if (!p->title)
			p->title = util_strdup(doc_name(docs[i]));
		if (doc_is_binary(docs[i]) && !u->msg[0])
			ui_message(u, true, "'%s' looks like a binary file; control bytes show as ^X",
				   doc_path(docs[i]));
	}
	/* A painting needs the frame file: curses' first drawing, which
	 * follows it, must not switch to the alternate screen again. */
	ui_frame_open(u);
	if (paint && ui_frame_ready(u))
		ui_paint_first(u);
	/* Starting curses can wait for the terminal to show that screen, or
	 * the next after a key typed at the sight of it (until the end here). */
	if (u->painted)
		util_sched_patient(true);
	/* Only now: its thread, run beside the painting on a machine of two
	 * CPUs, made the first screen come a millisecond later. */
	if (opening)
		store_open_go(opening);
	ui_heap_ready(u);
	if (u->painted && ui_early_keys(u) > 0)
		ui_paint_over(u);
	ui_paint_close();
	if (!ui_take_terminal(u)) {
		if (u->painted) {
			ui_unpaint(u->term);
			tcsetattr(fileno(u->out), TCSADRAIN, &u->shell);
		}
		ui_files_close(u);
		ui_panes_free(u);
		goto fail;
	}
	/* curses took the painting's modes for the shell's, to give back on
	 * the way out: the shell's are the ones from before */
	if (u->painted) {
		struct termios t;
		if (tcgetattr(fileno(u->out), &t) == 0 &&
		    tcsetattr(fileno(u->out), TCSANOW, &u->shell) == 0) {
			def_shell_mode();
			tcsetattr(fileno(u->out), TCSANOW, &t);
		}
	}
	ui_theme_init();
	ui_place_panes(u);
	/* The panes as they show with no annotations, while the database
	 * opens: the first drawing then redraws only a pane it changed. */
	int y, x;
	ui_compose(u, &y, &x);
	/* into curses' next picture, nothing sent: reading a key would
	 * otherwise draw it, even where a key waits (ui_input_waiting) */
	wnoutrefresh(stdscr);
	ui_pane_rows_done(u);
	for (i = 0; i < ndocs; i++)
		ui_annot_hash_small(u, i);
	util_sched_patient(false);
	return u;
fail:
	util_sched_patient(false);
	free(u);
	{
		int sig = ui_noted_signal();
		ui_early_signals(false);
		/* a signal meanwhile ends gloss as it would have */
		if (sig)
			raise(sig - 128);
	}
	return NULL;
}

int ui_abandon(struct ui *u)
{
	ui_release(u, true);
	return ui_noted_signal();
}

/*
 * Mouse reports past column 223 need xterm's SGR form (mode 1006).  curses
 * reads only the older form unless the terminal's description says
 * otherwise, so where it uses the older one, gloss asks for the SGR form
 * too and reads it itself (ui_read_key); a terminal without it ignores the
 * request and goes on with the older form.  Ctrl-Z and every way out take
 * the request back.
 */
static void ui_sgr_start(struct ui *u)
{
	const char *kmous = tigetstr("kmous");
	struct sigaction sa;

	if (!kmous || kmous == (const char *)-1 || strcmp(kmous, "\033[M") != 0)
		return;
	/* curses' handler, or none when Ctrl-Z is ignored */
	if (sigaction(SIGTSTP, NULL, &sa) != 0 || (sa.sa_flags & SA_SIGINFO) ||
	    sa.sa_handler == SIG_DFL)
		return;
	ui_sgr_fd = fileno(u->out);
	if (sa.sa_handler != SIG_IGN) {
		ui_curses_tstp = sa.sa_handler;
		sa.sa_handler = ui_on_tstp;
		if (sigaction(SIGTSTP, &sa, NULL) != 0) {
			ui_sgr_fd = -1;
			return;
		}
	}
	/* straight after the mode 1000 that mousemask sent */
	ui_sgr_say(ui_sgr_on, sizeof ui_sgr_on - 1);
	u->sgr_mouse = true;
}

int ui_run(struct ui *u, struct store *st)
{
	size_t i;

	/* Interrupted or told to stop before the first screen: leave as the
	 * signal would have left before the terminal was taken. */
	if (ui_noted_signal())
		return ui_abandon(u);
	u->store = st;
	cbreak();
	noecho();
	nonl();
	/* Ctrl-S is a key here, not the terminal's flow control, which would
	 * freeze the screen with gloss blocked writing to it; curses keeps this
	 * for the return from Ctrl-Z, and gives the shell its own modes back. */
	struct termios tio;
	if (tcgetattr(fileno(u->out), &tio) == 0 && (tio.c_iflag & IXON)) {
		tio.c_iflag &= ~(tcflag_t)IXON;
		if (tcsetattr(fileno(u->out), TCSADRAIN, &tio) == 0)
			def_prog_mode();
	}
	/* After a painting, what curses sends from here to its first drawing
	 * goes to the frame file, to be sent with that drawing in one write,
	 * without its switch to the alternate screen (ui_frame_flush).  Not
	 * before: the terminal's modes are set through the same descriptor. */
	if (u->painted)
		ui_hold(u);
	keypad(stdscr, TRUE);
	ui_give_back(u);
	/* Esc alone acts at once, unless the user set how long curses waits
	 * for the rest of a key's sequence (over a slow link, say) */
	if (!getenv("ESCDELAY") || !*getenv("ESCDELAY"))
		set_escdelay(25);
	if (mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED | BUTTON4_PRESSED |
			      BUTTON5_PRESSED,
		      NULL) != 0)
		ui_sgr_start(u);
	mouseinterval(0);
	ui_frame_watch(u);

	if (store_readonly(st))
		ui_message(u, true, "the database is read-only: annotations show, changes are refused");
	for (i = 0; i < u->npane; i++)
		ui_identify_unasked(u, i, UI_ID_FIRST);
	/* The text first, where the reader left it; its annotations a moment
	 * later, on the next drawing, so that they never hold the text back. */
	/* The modes set above, then curses' own handler takes a Ctrl-Z (it
	 * writes, so not while held; and before a drawing, whose doupdate
	 * ignores the signal a moment, which would lose one waiting). */
	ui_unhold(u);
	ui_hold_tstp(false);
	if (!ui_input_waiting(u)) {
		ui_draw(u);
		if (!u->painted)
			ui_give_way();
	}
	ui_annot_settle(u);
	store_changed(u->store);

	bool dirty = true, more = true;
	while (!u->quit && !ui_stop_signal) {
		int key;
		if (dirty && !ui_input_waiting(u)) {
			ui_draw(u);
			dirty = false;
		}
		key = ui_read_key_in(u, more ? 0 : 500);
		if (ui_interrupted() && u->mode != UI_MODE_READ) {
			/* Ctrl-C leaves a prompt, a menu, the list or the note, as Esc does. */
			ui_interrupted_clear();
			ui_list_close(u);
			edit_free(u->note);
			u->note = NULL;
			u->mode = UI_MODE_READ;
			dirty = true;
			/* a key or a new size that came with it still counts */
			if (key < 0)
				continue;
		}
		ui_interrupted_clear();
		if (key < 0) {
			more = ui_idle(u, !more, &dirty);
			continue;
		}
		u->resting = false;
		if (key == UI_FN(KEY_RESIZE)) {
			ui_place_panes(u);
			/* all of it next time: a size and back again, with no
			 * drawing between, could leave curses' picture cut and
			 * padded where the rows' sums say nothing changed */
			u->drawn_rows = 0;
		} else
			u->msg_keep = false;
		ui_dispatch(u, key);
		dirty = true;
	}
	/* what a quick quit left unrecorded */
	ui_annot_leave(u);

	store_tags_free(u->tags, u->ntags);
	ui_list_close(u);
	search_free(u->search);
	ui_release(u, false);
	/* the caller closes the database, then dies of the signal */
	return ui_stop_signal ? ui_noted_signal() : 0;
}
