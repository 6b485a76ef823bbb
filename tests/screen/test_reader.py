"""Screen tests of the reader: panes, titles, movement, search, resize."""
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (GLOSS, Failure, Screen, Skip, check, hold_lock, let_go,  # noqa: E402
                     linked_statically, run, scratch, sql, test, write)

TMP = scratch("gloss-reader-")

ALPHA = (
    "Harbour fire closes the old quay\n"
    "PORTVEL, March 3 — A fire at the old quay burned for six hours, "
    "the harbour master said on Tuesday.\n"
    "Nobody was hurt, according to the fire service.\n"
    + "".join("Alpha paragraph %d tells what the witnesses saw at the quay.\n" % i
              for i in range(1, 60))
    + "The last line of alpha.\n"
)
BETA = (
    "\n\nQuay blaze: what we know\n"
    "PORTVEL — Flames reached the warehouse roof, Ms. Ødegård told reporters.\n"
    + "".join("Beta line %d.\n" % i for i in range(1, 40))
    + "Beta ends here.\n"
)
GAMMA = "".join("Gamma %d says the ÉCLAIR café on Rue Ŝtelo stayed open.\n" % i
                for i in range(1, 30))

A = write(TMP, "alpha.txt", ALPHA)
B = write(TMP, "beta.txt", BETA)
C = write(TMP, "gamma.txt", GAMMA)


def search_to(sc, pattern, to, what):
    """Search for pattern and wait for the cursor at to (x, y)."""
    sc.keys("/")
    sc.type(pattern)
    sc.press("Enter", to=to, what=what)


def title_row(sc):
    return sc.lines()[0]


@test
def three_panes_with_titles():
    with Screen([A, B, C], width=120, height=20) as sc:
        sc.wait_text("Harbour fire closes the old quay")
        top = title_row(sc)
        check("Quay blaze: what we know" in top, "second title: %r" % top)
        # gamma's first line is its title
        check("Gamma 1 says the ÉCLAIR" in top, "third title: %r" % top)
        check(re.search(r"\d+%", top), "percentage in title: %r" % top)
        # equal widths with one-column separators
        row = sc.lines()[2]
        check(row.count("│") == 2, "two separators: %r" % row)
        status = sc.lines()[-2]
        check("alpha.txt" in status and "[1/3]" in status, "status: %r" % status)


@test
def separator_is_a_line_under_a_terminal_description_not_its_own():
    # TERM=xterm-256color inside tmux: that description's line drawing
    # (SO, then 'x') is not tmux's, and showed as a column of x
    with Screen([A, B], width=100, height=12, env={"TERM": "xterm-256color"}) as sc:
        sc.wait_text("[1/2]")
        rows = sc.lines()[1:10]
        check(all(r.count("\u2502") == 1 and "x" not in r[45:55] for r in rows),
              "a line between the panes:\n%s" % "\n".join(rows))


@test
def tab_moves_focus():
    with Screen([A, B, C], width=120, height=20) as sc:
        sc.wait_text("[1/3]")
        x0, _ = sc.cursor()
        check(x0 < 40, "cursor starts in the first pane: %d" % x0)
        sc.keys("Tab")
        sc.wait_text("[2/3]")
        sc.wait(lambda s: 40 <= s.cursor()[0] < 80, "cursor in the second pane")
        sc.keys("BTab")
        sc.wait_text("[1/3]")
        sc.keys("3")
        sc.wait_text("[3/3]")
        sc.wait(lambda s: s.cursor()[0] >= 80, "cursor in the third pane")


@test
def tab_brings_hidden_panes_into_view():
    with Screen([A, B, C], width=70, height=20) as sc:
        sc.wait_text("Harbour fire")
        check("Gamma" not in sc.text(), "only two panes fit in 70 columns")
        sc.keys("3")
        sc.wait(lambda s: "Gamma 1 says" in s.lines()[0], "third pane shown")
        check("Harbour fire" not in sc.lines()[0], "first pane scrolled away")


@test
def G_shows_last_line_and_g_goes_back():
    with Screen([A], width=80, height=20) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("G")
        sc.wait_text("The last line of alpha.")
        lines = sc.lines()
        check("The last line of alpha." in lines[-3], "last line at the bottom: %r" % lines[-3])
        check("100%" in lines[0], "100%% at the end: %r" % lines[0])
        x, y = sc.cursor()
        check(y == 18, "cursor on the last line: %d" % y)
        sc.press("g", to=(0, 1), what="cursor back at the start")
        check("Harbour fire closes" in sc.lines()[1], "top shown")


@test
def j_k_and_pages():
    with Screen([A], width=80, height=12) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("j", "j")
        sc.wait(lambda s: s.cursor()[1] == 3, "cursor two rows down")
        sc.keys("k")
        sc.wait(lambda s: s.cursor()[1] == 2, "cursor one row up")
        first = lambda s: s.lines()[1]
        sc.keys("Space")
        sc.wait(lambda s: "Alpha paragraph 5 " in first(s), "a page down (rows - 2)")
        sc.keys("C-b")
        sc.wait(lambda s: "Harbour fire closes" in first(s), "a page up")
        sc.keys("C-d")
        sc.wait(lambda s: "Alpha paragraph 2 " in first(s), "half a page down")
        sc.keys("C-u")
        sc.wait(lambda s: "Harbour fire closes" in first(s), "half a page up")


@test
def h_l_move_by_grapheme():
    text = "e\u0301te\u0301 caf\u00e9 \u4e2d\u6587 end\n"
    path = write(TMP, "graphemes.txt", text)
    with Screen([path], width=40, height=6) as sc:
        sc.wait_text("end")
        sc.wait(lambda s: s.cursor() == (0, 1), "cursor at start")
        sc.press("l", to=(1, 1), what="one cell right after a combining pair")
        sc.keys("l", "l", "l", "l", "l", "l", "l", "l")
        # é t é space c a f é space 中 -> column of 中 is 9
        sc.wait(lambda s: s.cursor() == (9, 1), "on the wide character")
        sc.press("l", to=(11, 1), what="wide character takes two cells")
        sc.press("h", to=(9, 1), what="back onto the wide character")


@test
def search_highlights_and_wraps():
    with Screen([A, B], width=120, height=20) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("/")
        sc.type("WITNESSES")
        sc.keys("Enter")
        sc.wait_text("pattern not found: WITNESSES")
        sc.keys("/")
        sc.type("witnesses")
        sc.keys("Enter")
        sc.wait(lambda s: s.cursor()[1] > 1, "cursor moved to a match")
        colours = sc.text(colours=True)
        lit = re.findall(r"\x1b\[[0-9;]*43m(?:\x1b\[[0-9;]*m)*witnesses", colours)
        shown = sc.text().count("witnesses")
        check(shown > 5 and len(lit) == shown, "every match highlighted: %d of %d" % (len(lit), shown))
        sc.keys("G", "n")
        sc.wait_text("search hit BOTTOM, continuing at TOP")
        sc.keys("N")
        sc.wait_text("search hit TOP, continuing at BOTTOM")


@test
def search_finds_a_phrase_across_a_line_end():
    text = ("Ministry approves plan\n"
            "Officials said on Tuesday that the ministry had approved the\n"
            "plan in March, according to two people briefed on the talks.\n")
    path = write(TMP, "wrapped.txt", text)
    with Screen([path], width=80, height=10) as sc:
        sc.wait_text("Ministry approves plan")
        search_to(sc, "approved the plan", (48, 2), "cursor on the match")
        colours = sc.text(colours=True).split("\n")
        # tmux carries the colour from the row before: "plan" is lit until the reset after it
        check(re.search(r"\x1b\[[0-9;]*43m(?:\x1b\[[0-9;]*m)*approved the$", colours[2]) and
              re.match(r"(?:\x1b\[[0-9;]*43m)?plan\x1b\[39m", colours[3]),
              "the match lit on both rows:\n%s" % "\n".join(colours[1:4]))


@test
def search_steps_over_a_match_that_starts_at_a_line_end():
    # " the" is found at the line end before "the end": the cursor shows on
    # "the", and n goes on from that match (it used to find it again)
    path = write(TMP, "blank-first.txt", "one two\nthree the four\nthe end and the rest\n")
    with Screen([path], width=60, height=8) as sc:
        sc.wait_text("the end and the rest")
        search_to(sc, " the", (5, 2), "the first match")
        sc.press("n", to=(0, 3), what="the match at the line end, on its text")
        sc.press("n", to=(11, 3), what="the match after it")
        sc.press("n", to=(5, 2), what="around to the first")
        sc.wait_text("search hit BOTTOM, continuing at TOP")
        sc.press("N", to=(11, 3), what="back around to the last")
        sc.press("N", to=(0, 3), what="back to the match at the line end")
        sc.press("N", to=(5, 2), what="back to the first")
        # an empty pattern repeats it, from the cursor
        sc.keys("/")
        sc.press("Enter", to=(0, 3), what="an empty pattern repeats the search")
    with Screen([path], width=60, height=8) as sc:
        sc.wait_text("the end and the rest")
        sc.keys("/", "Enter")
        sc.wait_text("no previous search")


@test
def the_search_line_edits_at_its_cursor():
    # Left, Right, Home, End move in what is typed; typing goes in at the
    # cursor; Ctrl-U deletes what is before it
    with Screen([A], width=100, height=12) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("/")
        sc.type("service")
        sc.keys("Home")
        sc.type("firX")
        sc.keys("BSpace")
        sc.type("e ")
        sc.wait(lambda s: s.lines()[11].startswith("/fire service"), "typed at the cursor")
        sc.wait(lambda s: s.cursor() == (6, 11), "the cursor after 'fire '")
        sc.keys("End", "Left", "Left", "Right")
        sc.wait(lambda s: s.cursor() == (12, 11), "moved back and forth")
        sc.press("Enter", to=(34, 3), what="the match of 'fire service'")
        sc.keys("/")
        sc.type("nothing here")
        sc.keys("Left", "Left", "Left", "Left", "C-u")
        sc.wait(lambda s: s.lines()[11].rstrip() == "/here", "what was before the cursor deleted")
        sc.wait(lambda s: s.cursor() == (1, 11), "the cursor at the start")
        # a long line keeps the cursor in view
        sc.keys("C-u")
        sc.type("x" * 150)
        sc.keys("Home")
        sc.wait(lambda s: s.lines()[11].startswith("/xxx") and s.cursor() == (1, 11), "the start shown")
        sc.keys("End")
        sc.wait(lambda s: s.cursor() == (99, 11), "the end shown, the cursor on the last column")


@test
def search_with_long_white_space_wraps_and_lights_from_above():
    # n finds again the one match, though its white space runs past the
    # cursor by more than the pattern's length
    path = write(TMP, "spaced.txt", "intro\nthe ministry approved the\n\n\n" + " " * 300 + "plan today\n")
    with Screen([path], width=80, height=10) as sc:
        sc.wait_text("intro")
        search_to(sc, "approved the plan", (13, 2), "cursor on the match")
        sc.keys("n")
        sc.wait_text("search hit BOTTOM, continuing at TOP")
    # a match that starts above the screen is lit on its first row
    rest = "".join("line %d of the rest\n" % i for i in range(40))
    path = write(TMP, "above.txt", "the ministry approved the\nplan today\n" + rest)
    with Screen([path], width=80, height=10) as sc:
        sc.wait_text("plan today")
        search_to(sc, "approved the plan", (13, 1), "cursor on the match")
        sc.keys(*["j"] * 8)
        sc.wait(lambda s: s.lines()[1].startswith("plan today"), "the second line at the top")
        row = sc.text(colours=True).split("\n")[1]
        check(re.match(r"(?:\x1b\[[0-9;]*m)*\x1b\[[0-9;]*43m(?:\x1b\[[0-9;]*m)*plan\x1b", row),
              "plan lit at the top: %r" % row)


@test
def search_folds_unicode_case():
    with Screen([C], width=80, height=10) as sc:
        sc.wait_text("Gamma 1")
        search_to(sc, "éclair", (17, 1), "found ÉCLAIR")
        search_to(sc, "ŝtelo", (36, 1), "found Ŝtelo")
        sc.press("n", to=(36, 2), what="next Ŝtelo")


@test
def resize_keeps_cursor_on_its_text():
    with Screen([A, B], width=120, height=20) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("/")
        sc.type("paragraph 30 ")
        sc.keys("Enter")
        sc.wait(lambda s: s.cursor()[1] > 1, "cursor on a match")
        sc.resize(50, 15)
        sc.wait(lambda s: len(s.lines()[0].rstrip()) <= 50, "narrower screen")
        x, y = sc.cursor()
        row = sc.lines()[y]
        check(row[x:].startswith("paragraph 30 "), "cursor on its text: %r at %d" % (row, x))
        for w, h in ((1, 1), (2, 2), (5, 3), (400, 120), (30, 5)):
            sc.resize(w, h)
            sc.wait(lambda s: s.fmt("#{window_width}") == str(w), "width %d" % w)
            check(not sc.dead(), "alive at %dx%d" % (w, h))
        sc.resize(100, 20)
        sc.keys("j")
        sc.wait_text("alpha.txt")
        check(not sc.dead(), "alive after all sizes")


@test
def a_resize_that_comes_with_a_key_is_never_lost():
    # The new size comes while gloss answers the key; curses reads it when
    # it next draws.  It once read it from where the drawing was gathered,
    # not the terminal, kept the old size and never said KEY_RESIZE.
    long = write(TMP, "long.txt", "".join("Line %d of a long file, to page through.\n" % i
                                          for i in range(6000)))
    with Screen([long, long, long], width=200, height=50) as sc:
        sc.wait_text("[1/3]")
        for i in range(12):
            w, h = 100 + (i * 37) % 100, 20 + (i * 13) % 30
            sc.tmux("send-keys", "-t", "t", "Space", ";", "resize-window", "-t", "t",
                    "-x", str(w), "-y", str(h))
            sc.wait(lambda s: len(s.lines()) > h - 1 and "[1/3]" in s.lines()[h - 1],
                    "the status line on the last row at %dx%d" % (w, h))


@test
def escape_sequences_never_reach_the_terminal():
    nasty = (b"Hostile document\n"
             b"\x1b]0;HACKED-TITLE\x07\x1b]2;HACKED-TITLE\x1b\\"
             b"\x1b[2J\x1b[31mRED\x1b[0m \x1b[?1049l \x1bc\n"
             b"C1: \xc2\x9b31m and \xc2\x9d0;HACKED-TITLE\xc2\x9c\n"
             b"bad bytes: \xff\xfe \xc3 end\n"
             b"nul: a\x00b tab:\tX bell:\x07 cr-lf line\r\n"
             b"lone\rcr and del \x7f\n")
    path = write(TMP, "nasty.txt", nasty)
    with Screen([path], width=100, height=12) as sc:
        sc.tmux("select-pane", "-t", "t", "-T", "original-title")
        sc.tmux("set-option", "-g", "allow-rename", "on")
        sc.tmux("rename-window", "-t", "t", "original-name")
        sc.wait_text("Hostile document")
        text = sc.text()
        check("^[]0;HACKED-TITLE^G" in text, "OSC shown as text: %r" % text)
        check("^[[31mRED^[[0m" in text, "CSI shown as text")
        check("<9B>" in text or "<U+009B>" in text, "C1 shown visibly")
        check("\ufffd\ufffd" in text, "invalid bytes as U+FFFD")
        check("a^@b" in text, "NUL shown")
        check("nul: a^@b tab:  X bell:^G" in text, "tab expanded to the next stop of 8")
        check("cr-lf line" in text and "line^M" not in text, "CRLF ends a line")
        check("lone^Mcr" in text, "lone CR shown")
        check("^?" in text, "DEL shown")
        check(sc.fmt("#{pane_title}") == "original-title", "pane title untouched: %r" % sc.fmt("#{pane_title}"))
        check(sc.fmt("#{window_name}") == "original-name", "window name untouched")
        check(sc.fmt("#{alternate_on}") == "1", "still on the alternate screen")
        colours = sc.text(colours=True)
        check("\x1b[35m" in colours or "\x1b[1m" in colours, "controls in their own colour")


@test
def help_comes_from_the_key_table():
    with Screen([], width=100, height=40, shell=True) as sc:
        sc.type("%s %s; echo STATUS=$?\n" % (os.environ.get("GLOSS", "gloss"), A))
        sc.wait_text("Harbour fire")
        sc.keys("?")
        sc.wait_text("gloss keys")
        text = sc.text()
        for k in ("Tab", "Shift-Tab", "j Down", "w", "(", "{", "Space PgDn Ctrl-f", "g Home",
                  "G End", "/", "n", "N", "=", "q"):
            check(k in text, "help names %r" % k)
        # at its end: the keys of the lines one types, then the mouse
        sc.keys("Space", "Space", "Space")
        sc.wait_text("/ : and i lines     Left Right Home (Ctrl-A) End (Ctrl-E) move")
        sc.wait_text("wheel scrolls the pane")
        sc.keys("q")
        sc.wait_gone("gloss keys")
        check("Harbour fire" in sc.text(), "q closes help, not gloss")
        sc.keys("q")
        sc.wait_text("STATUS=0")


@test
def synchronized_scrolling():
    with Screen([A, B], width=100, height=12) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("=")
        sc.wait_text("synchronized scrolling on")
        sc.keys("C-d")
        sc.wait_gone("Harbour fire closes the old quay\n")
        sc.wait(lambda s: "PORTVEL — Flames" not in s.text(), "second pane followed")
        sc.keys("=")
        sc.wait_text("synchronized scrolling off")
        before = sc.lines()[5][51:]
        sc.keys("C-d")
        sc.wait(lambda s: s.lines()[5][:50] != "", "first pane moved")
        check(sc.lines()[5][51:] == before, "second pane stays when off")


@test
def no_color_uses_attributes():
    with Screen([A], width=80, height=10, env={"NO_COLOR": "1"}) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("/")
        sc.type("quay")
        sc.keys("Enter")
        sc.wait(lambda s: s.cursor()[1] >= 1, "search done")
        colours = sc.text(colours=True)
        check(not re.search(r"\x1b\[(3|4)[0-7]m", colours), "no colour codes: %r" % colours[:300])
        check(re.search(r"\x1b\[[0-9;]*[14][;m]", colours), "attributes used")
        # a match is reversed, which no tag's look is (a selection is, but
        # not underlined as well)
        m = re.search(r"((?:\x1b\[[0-9;]*m)+)quay", colours)
        codes = set(re.findall(r"\d+", m.group(1))) if m else set()
        check({"4", "7"} <= codes, "the match reversed and underlined: %r" % (m and m.group(0)))


@test
def reads_standard_input():
    with Screen([], width=80, height=10, shell=True) as sc:
        sc.type("printf 'piped title\\nsecond line\\n' | %s -; echo EXIT=$?\n" % os.environ.get("GLOSS", "gloss"))
        sc.wait(lambda s: s.lines()[0].startswith(" piped title"), "the title read from stdin")
        check(sc.lines()[2].startswith("second line"), "and the text")
        sc.keys("q")
        sc.wait_text("EXIT=0")


@test
def suspend_and_resume():
    with Screen([], width=80, height=10, shell=True) as sc:
        sc.type("%s %s\n" % (os.environ.get("GLOSS", "gloss"), A))
        sc.wait_text("Harbour fire")
        sc.keys("C-z")
        sc.wait_gone("Harbour fire")
        sc.type("fg\n")
        sc.wait_text("Harbour fire")
        sc.keys("q")
        sc.wait_gone("Harbour fire")


def mouse(sc, button, x, y):
    """An X10 mouse report, as a terminal sends it (curses asked for this mode)."""
    sc.tmux("send-keys", "-t", "t", "-H", "1b", "5b", "4d",
            "%x" % (32 + button), "%x" % (33 + x), "%x" % (33 + y))


def frame_writes(log):
    """How many writes went to the file in memory that holds a drawing."""
    with open(log, encoding="utf-8", errors="replace") as f:
        return sum(1 for line in f if re.search(r'write\(\d+</memfd:gloss-frame', line))


def terminal_writes(log):
    """What gloss wrote to its terminal, one string per write, from an
    strace -y -s log (the strings as strace escapes them)."""
    out = []
    for line in open(log, encoding="utf-8", errors="replace"):
        m = re.search(r'write\(\d+</dev/pts/\d+>, "(.*)"(\.\.\.)?, \d+\) = ', line)
        if m:
            out.append(m.group(1))
    return out


def traced_gloss(log):
    """A shell at 80x12 running gloss on alpha.txt under strace, which
    writes its writes to log; returned once the first screen shows."""
    probe = subprocess.run(["strace", "-o", os.devnull, "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or ["status %d" % probe.returncode])[-1]
        raise Skip("strace cannot trace here: %s" % why)
    sc = Screen([], width=80, height=12, shell=True)
    # (a sanitizer build's leak check cannot run under ptrace)
    sc.type("ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 "
            "strace -f -y -s 1000000 -e trace=write -o %s %s %s\n"
            % (log, os.environ.get("GLOSS", "gloss"), A))
    try:
        sc.wait(lambda s: s.lines()[-3].startswith("Alpha paragraph"), "the first screen")
    except Failure:
        sc.close()
        raise
    return sc


@test
def rows_that_scroll_are_the_rows_a_redraw_makes():
    # A row that scrolls is copied from where it showed before: the screen
    # is the one Ctrl-l makes again from the documents, colours and all.
    d = scratch("gloss-scroll-")
    # (blank lines between some: blank rows are alike wherever they show)
    rows = "".join("Row %d: cafe\u0301 \u6771\u4eac \U0001F600 a bell \x07 and a tab\there. Next sentence %d.\n%s"
                   % (i, i, "\n" if i % 4 == 0 else "") for i in range(1, 400))
    files = [write(d, "s%d.txt" % k, ("Scroll %d\n\n" % k + rows).encode()) for k in range(3)]
    with Screen(["--db", os.path.join(d, "g.db")] + files, width=150, height=20) as sc:
        sc.wait_text("Scroll 2")
        sc.type("/bell\r")
        sc.wait_text("Row 1:")
        for keys in (["j"] * 30 + ["k"] * 24 + [")"] * 12 + ["("] * 6, ["C-d", "C-d", "C-u"],
                     ["Tab"] + ["j"] * 25 + ["v"] + ["j"] * 3 + ["k"] * 10):
            for k in keys:
                before = (sc.cursor(), sc.text(colours=True))
                sc.keys(k)
                sc.wait(lambda s: (s.cursor(), s.text(colours=True)) != before, "%s answered" % k)
            # (the panes: the status line shows the prompt that says Ctrl-l was done)
            shifted = sc.text(colours=True).split("\n")[:19]
            sc.keys("C-l", ":")
            sc.wait(lambda s: s.lines()[19].startswith(":"), "Ctrl-l and : answered")
            anew = sc.text(colours=True).split("\n")[:19]
            check(anew == shifted, "the scrolled screen is the one drawn anew:\n%s\n%s"
                  % ("\n".join(shifted), "\n".join(anew)))
            sc.keys("Escape")
            sc.wait(lambda s: not s.lines()[19].startswith(":"), "the prompt left")


@test
def a_drawing_reaches_the_terminal_in_one_write():
    # curses writes a row at a time; the screen then goes out half drawn
    # in dozens of writes, each waking the terminal
    log = os.path.join(scratch("gloss-writes-"), "strace")
    with traced_gloss(log) as sc:
        rows = sc.lines()
        top, bottom = rows[1].strip(), rows[-3].strip()
        sc.keys("Space")
        sc.wait(lambda s: s.lines()[1].strip() != top, "the next page")
        sc.keys("q")
        sc.wait_gone("witnesses")
    writes = terminal_writes(log)
    shown = "the writes:\n%s" % "\n".join(w[:70] for w in writes)
    first = [i for i, w in enumerate(writes) if top in w and bottom in w and "alpha.txt" in w]
    check(first, "the first screen in one write; " + shown)
    # the page that Space shows: its rows share text with the first page's,
    # so curses writes only pieces of them, but all in one write
    page = [w for w in writes[first[0] + 1:] if "witnesses" in w]
    check(len(page) == 1, "the next page in one write; " + shown)
    # held in memory by the static binary (its write() wrapped); in a file
    # in memory otherwise, written to once per piece
    held = frame_writes(log)
    if linked_statically(GLOSS):
        check(held == 0, "a static binary writes no drawing to a file: %d writes" % held)
    else:
        check(held > 2, "the drawings went through the frame file: %d writes" % held)


def big_new_files(d, n):
    """n files too big to be hashed before their first screen, each with a
    first line of its own and text of every kind a row may hold: a tab, a
    control byte, an ill-formed byte, wide and combining characters."""
    body = ("Row %d:\tcafe\u0301 \u6771\u4eac \U0001F600 and a bell \x07 here.\n" * 1)
    paths = []
    for k in range(n):
        lines = ["Paint test %s first line\n" % "ABC"[k], "\n"]
        lines += [body % i for i in range(1, 9000)]
        data = "".join(lines).encode() + b"\xff tail\n"
        paths.append(write(d, "big%d.txt" % k, data))
    return paths


def new_database(d):
    """A gloss database made by gloss, with nothing in it."""
    db = os.path.join(d, "gloss.db")
    r = subprocess.run([GLOSS, "--db", db, "docs"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 0, "gloss docs made the database: %r" % r.stderr)
    return db


@test
def a_big_new_file_shows_while_the_database_is_locked():
    # Nothing in the database can change the first screen of files it has
    # never seen: that screen does not wait for it, and is the very screen
    # curses draws once it can (colours, separators, the status line).
    for env in ({}, {"NO_COLOR": "1"}):
        d = scratch("gloss-paint-")
        db = new_database(d)
        files = big_new_files(d, 3)
        holder = hold_lock(db, readers_too=True)
        try:
            with Screen(["--db", db] + files, width=100, height=12, env=env) as sc:
                sc.wait_text("Paint test C first line")
                sc.wait_text("big0.txt")
                painted, where = sc.text(colours=True), sc.cursor()
                check("\u2502" in painted and "^G" in painted and "\u6771" in painted,
                      "the separators, a control and a wide character shown:\n" + sc.text())
                # keys that only move the cursor are answered meanwhile,
                # painted again as they were
                sc.keys("j")
                sc.wait(lambda s: s.cursor() != where, "j answered while the database is locked")
                sc.keys("k")
                sc.wait(lambda s: s.cursor() == where, "k answered while the database is locked")
                check(sc.text(colours=True) == painted, "painted again as it was:\n%r\n%r"
                      % (painted, sc.text(colours=True)))
                let_go(holder)
                holder = None
                # then by curses, once it has drawn (it asks for the mouse)
                sc.wait(lambda s: s.fmt("#{mouse_any_flag}") == "1", "curses started")
                sc.keys("j")
                sc.wait(lambda s: s.cursor() != where, "j answered")
                sc.keys("k")
                sc.wait(lambda s: s.cursor() == where, "k answered")
                drawn = sc.text(colours=True)
                check(drawn == painted, "%s: curses' screen is the painted one:\n%r\n%r"
                      % (env or "colours", painted, drawn))
        finally:
            if holder:
                let_go(holder)


def big_file_and_locked_database():
    """A new big file, and a new database that another program keeps
    locked, readers too: their paths, and the lock's holder (let_go)."""
    d = scratch("gloss-paint-")
    db = new_database(d)
    big = big_new_files(d, 1)[0]
    return db, big, hold_lock(db, readers_too=True)


def pty_child(rows, cols, env):
    """In a child of pty.fork: its terminal's size and its environment."""
    import fcntl
    import struct
    import termios
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.environ.update(env)


@test
def a_key_that_does_more_than_move_waits_for_the_database_with_the_keys_after_it():
    db, big, holder = big_file_and_locked_database()
    try:
        with Screen(["--db", db, big], width=100, height=12) as sc:
            sc.wait_text("Paint test A first line")
            sc.keys("G")
            sc.wait_text(" tail")
            # / opens the search prompt once the database is open; the
            # keys typed after it are its text, not moves
            sc.type("/jj")
            let_go(holder)
            holder = None
            sc.wait(lambda s: s.lines()[11].startswith("/jj"), "the prompt, with what was typed after /")
            sc.keys("Escape")
            sc.wait(lambda s: not s.lines()[11].startswith("/"), "the prompt left")
            check(" tail" in sc.text(), "still at the end:\n" + sc.text())
    finally:
        if holder:
            let_go(holder)


@test
def a_terminal_gone_while_the_database_is_locked_is_not_watched_in_a_loop():
    # with SIGHUP ignored (nohup), nothing but the terminal says it is gone
    import pty
    import select
    import time
    db, big, holder = big_file_and_locked_database()
    try:
        pid, fd = pty.fork()
        if pid == 0:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            pty_child(24, 80, {"TERM": "xterm-256color", "LC_ALL": "C.UTF-8"})
            os.execv(GLOSS, [GLOSS, "--db", db, big])
        out = b""
        end = time.monotonic() + 10
        while b"Row 2:" not in out and time.monotonic() < end:
            if select.select([fd], [], [], 0.05)[0]:
                out += os.read(fd, 65536)
        check(b"Row 2:" in out, "the first screen painted: %r" % out[-300:])
        os.close(fd)
        # it waits for the lock (two seconds), then ends
        _, status, use = os.wait4(pid, 0)
        cpu = use.ru_utime + use.ru_stime
        check(cpu < 0.5, "%.2f s of CPU (status %d)" % (cpu, status))
    finally:
        let_go(holder)


def shell_with_gloss_on_a_locked_database(width, height, before=""):
    """A shell that runs gloss on a new big file with a database that
    another program keeps locked, then says STATUS=n, and SAME-MODES when
    the terminal's modes are as they were; the screen and the lock's
    holder, once the painted first screen shows (unless it never does)."""
    db, big, holder = big_file_and_locked_database()
    sc = Screen([], width=width, height=height, shell=True)
    sc.type("%sstty -g > %s/modes; %s --db %s %s; echo STATUS=$?; "
            "stty -g | cmp -s - %s/modes && echo SAME-\"\"MODES\n" % (before, sc.tmp, GLOSS, db, big, sc.tmp))
    return sc, holder


@test
def a_database_refused_after_the_first_screen_leaves_the_terminal_as_it_was():
    sc, holder = shell_with_gloss_on_a_locked_database(100, 12, "echo BEFORE; ")
    try:
        with sc:
            sc.wait_text("SAME-MODES", deadline=15)
            text = sc.text()
            check("BEFORE" in text and "database is locked" in text and "Paint test" not in text
                  and "STATUS=1" in text, "the shell's screen and the error:\n" + text)
    finally:
        let_go(holder)


def pty_run(argv, rows, cols, home, until, term="xterm-256color", typed=b""):
    """What argv wrote to a pseudo-terminal of rows x cols until the bytes
    until showed, then q was typed, until it ended; typed is typed before
    it starts."""
    import pty
    import select
    import time
    go_r, go_w = os.pipe()
    pid, fd = pty.fork()
    if pid == 0:
        os.close(go_w)
        os.read(go_r, 1)
        pty_child(rows, cols, {"TERM": term, "LC_ALL": "C.UTF-8", "HOME": home,
                               "XDG_CACHE_HOME": os.path.join(home, "cache"),
                               "XDG_DATA_HOME": os.path.join(home, "data")})
        os.execv(argv[0], argv)
    os.close(go_r)
    if typed:
        os.write(fd, typed)
    os.write(go_w, b"x")
    os.close(go_w)
    out = b""
    end = time.monotonic() + 10
    while until not in out and time.monotonic() < end:
        if select.select([fd], [], [], 0.05)[0]:
            out += os.read(fd, 65536)
    check(until in out, "%r shown: %r" % (until, out[-300:]))
    os.write(fd, b"q")
    while time.monotonic() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    return out


@test
def a_painted_first_screen_enters_the_alternate_screen_once():
    # xterm saves the cursor again on a second switch, and the shell's
    # prompt would then come back in the wrong place
    # (screen's first words choose its character sets, before the switch)
    for rows, cols, term in ((24, 80, "xterm-256color"), (24, 80, "screen-256color"),
                             (5, 30, "xterm-256color"), (3, 2, "xterm-256color")):
        d = scratch("gloss-paint-")
        big = big_new_files(d, 1)[0]
        out = pty_run([GLOSS, big], rows, cols, d, b"Paint" if cols > 20 else b"\x1b[?1006", term)
        check(out.count(b"\x1b[?1049h") == 1 and out.count(b"\x1b[?1049l") == 1,
              "%dx%d %s: one switch each way: %r" % (cols, rows, term, out.replace(b"Row", b"")[:600]))
        if rows == 24:
            # the painting came before curses' own first words (its keypad mode)
            check(0 <= out.find(b"Paint test A") < out.find(b"\x1b[?1h"),
                  "painted before curses started: %r" % out[:300])


@test
def keys_typed_ahead_of_a_start_are_answered():
    # G: the first screen shown is the end (keys that only move are done
    # before the painting); End as an escape sequence, and a character no
    # key is bound to, are left whole for curses
    # whole, as curses makes them into keys: Shift-Tab is one of the
    # terminal's own (kcbt), which gloss's reading of sequences knows not
    d = scratch("gloss-paint-")
    bigs = big_new_files(d, 2)
    for typed, until in ((b"G", b" tail"), (b"\x1b[F", b" tail"), (b"\x1b[Z", b"[2/2]"),
                         ("\u00e9".encode(), b"no command on this key")):
        files = bigs if until == b"[2/2]" else bigs[:1]
        out = pty_run([GLOSS, "--db", os.path.join(d, "%d.db" % len(typed))] + files, 24, 80, d,
                      until, typed=typed)
        if typed == b"G":
            check(b"Row 2:" not in out, "the document's start never shown: %r" % out[:400])


@test
def keys_typed_ahead_are_answered_with_one_drawing():
    # as less and vim do: no screen is drawn while more keys wait to be read
    log = os.path.join(scratch("gloss-writes-"), "strace")
    with traced_gloss(log) as sc:
        before = len(terminal_writes(log))
        sc.type("j" * 40 + "G")
        sc.wait_text("The last line of alpha.")
        sc.keys("q")
        sc.wait_gone("witnesses")
    writes = terminal_writes(log)
    after = writes[before:]
    check(len(after) <= 8, "%d writes for 41 keys typed at once and q:\n%s"
          % (len(after), "\n".join(w[:70] for w in after)))


@test
def mouse_click_focuses_and_wheel_scrolls():
    with Screen([A, B, C], width=120, height=20) as sc:
        sc.wait_text("[1/3]")
        sc.wait(lambda s: s.fmt("#{mouse_any_flag}") == "1", "mouse reporting on")
        mouse(sc, 0, 50, 5)  # press in the second pane
        mouse(sc, 3, 50, 5)  # release
        sc.wait_text("[2/3]")
        sc.wait(lambda s: s.cursor() == (50, 5), "cursor where clicked")
        # a click on the status line, below the first pane, focuses nothing
        mouse(sc, 0, 10, 19)
        mouse(sc, 3, 10, 19)
        sc.keys("l")
        sc.wait(lambda s: s.cursor() == (51, 5), "the key went to the second pane")
        check("[2/3]" in sc.text(), "still the second pane")
        sc.keys("h")
        sc.wait(lambda s: s.cursor() == (50, 5), "back where clicked")
        before = sc.lines()[1][81:]
        mouse(sc, 65, 90, 5)  # wheel down over the third pane
        sc.wait(lambda s: s.lines()[1][81:] != before, "third pane scrolled")
        check("[2/3]" in sc.text(), "the wheel does not move the focus")
        mouse(sc, 64, 90, 5)  # wheel up
        sc.wait(lambda s: s.lines()[1][81:] == before, "third pane back")


def sgr_mouse(sc, button, x, y, release=False):
    """An SGR mouse report (xterm's mode 1006), which reaches past column 223."""
    seq = "\x1b[<%d;%d;%d%s" % (button, x + 1, y + 1, "m" if release else "M")
    sc.tmux("send-keys", "-t", "t", "-H", *["%02x" % b for b in seq.encode()])


def third_pane_x(sc):
    """The first column of the third pane, where gamma's first line starts
    (no wide characters before it on that row)."""
    return sc.lines()[1].index("Gamma 1 says")


@test
def mouse_reaches_past_column_223():
    # screen-256color's mouse is the old X10 form, which gloss asks to be
    # sent as SGR; xterm-256color's is SGR already, read by curses.
    for term in ("screen-256color", "xterm-256color"):
        with Screen([A, B, C], width=300, height=20, env={"TERM": term}) as sc:
            sc.wait_text("[1/3]")
            sc.wait(lambda s: s.fmt("#{mouse_sgr_flag}") == "1", "SGR reports asked for (%s)" % term)
            x = third_pane_x(sc) + 30
            check(x > 223, "the click is past column 223")
            sgr_mouse(sc, 0, x, 5)
            sgr_mouse(sc, 0, x, 5, release=True)
            sc.wait_text("[3/3]")
            sc.wait(lambda s: s.cursor() == (x, 5), "cursor where clicked (%s)" % term)
            before = sc.lines()[1][x - 30:]
            sgr_mouse(sc, 65, x, 8)  # wheel down
            sc.wait(lambda s: s.lines()[1][x - 30:] != before, "third pane scrolled (%s)" % term)
            sgr_mouse(sc, 64, x, 8)  # wheel up
            sc.wait(lambda s: s.lines()[1][x - 30:] == before, "third pane back (%s)" % term)
            if term == "screen-256color":
                # what gloss reads itself: a report cut short is dropped (its
                # 2 would focus the second pane) and the key after it kept
                sc.tmux("send-keys", "-t", "t", "-H", *["%02x" % b for b in b"\x1b[<2;G"])
                sc.wait_text("Gamma 29 says")
                check("[3/3]" in sc.text(), "still on the third pane")
                # Esc then keys that are not a report stay keys, in order:
                # [ is the previous annotation, g the start
                sc.tmux("send-keys", "-t", "t", "-H", *["%02x" % b for b in b"\x1b[g"])
                sc.wait_text("Gamma 1 says")


@test
def help_wraps_what_a_key_does_at_80_columns():
    with Screen([A], width=80, height=60) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("?")
        sc.wait_text("gloss keys")
        lines = sc.lines()
        row = [i for i, l in enumerate(lines) if l.startswith(" /   ")]
        check(len(row) == 1, "one row for /: %r" % lines)
        words = " ".join(l[21:].strip() for l in lines[row[0]:row[0] + 3])
        check("a blank = any white space)" in words, "the whole of / shown: %r" % words)
        check(all(len(l.rstrip()) <= 80 for l in lines), "within the width")
        sc.keys("G")
        sc.wait(lambda s: "drag selects" in s.text(), "the mouse's line ends on the next row")


@test
def wheel_scrolls_the_help():
    with Screen([A], width=80, height=12) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("?")
        sc.wait_text("gloss keys")
        top = sc.lines()[0]
        sgr_mouse(sc, 65, 10, 5)
        sc.wait(lambda s: s.lines()[0] != top, "help scrolled down")
        sgr_mouse(sc, 64, 10, 5)
        sc.wait(lambda s: s.lines()[0] == top, "help back at its top")


@test
def a_long_prompt_stays_quick():
    # Each key used to measure the prompt's rest once per character it cut
    # from the front: 5,000 characters took half a minute.
    with Screen([A], width=100, height=12) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("/")
        sc.type("x" * 5000)
        sc.keys("Escape", "?")
        sc.wait_text("gloss keys")


@test
def mouse_reports_given_back_on_ctrl_z_and_quit():
    with Screen([], width=120, height=10, shell=True, env={"TERM": "screen-256color"}) as sc:
        sc.type("%s %s\n" % (os.environ.get("GLOSS", "gloss"), A))
        sc.wait_text("Harbour fire")
        flags = lambda s: s.fmt("#{mouse_any_flag} #{mouse_sgr_flag}")
        sc.wait(lambda s: flags(s) == "1 1", "mouse reports on, in SGR form")
        sc.keys("C-z")
        sc.wait_gone("Harbour fire")
        sc.wait(lambda s: flags(s) == "0 0", "mouse reports off while stopped")
        sc.type("fg\n")
        sc.wait_text("Harbour fire")
        sc.wait(lambda s: flags(s) == "1 1", "mouse reports on again after fg")
        sc.keys("q")
        sc.wait_gone("Harbour fire")
        sc.wait(lambda s: flags(s) == "0 0", "mouse reports off after q")


@test
def terminals_that_cannot_be_used_are_refused():
    # TERM=dumb cannot place a pane; no TERM at all; each: one line, exit 1,
    # and the terminal's modes as they were
    g = os.environ.get("GLOSS", "gloss")
    d = scratch("gloss-term-")
    with Screen([], width=100, height=12, shell=True) as sc:
        sc.type("stty -g > %s/before; TERM=dumb %s %s; echo rc=$?\n" % (d, g, A))
        sc.wait_text("gloss: terminal 'dumb' cannot move the cursor")
        sc.wait_text("rc=1")
        sc.type("env -u TERM %s %s; echo rc=$?\n" % (g, A))
        sc.wait_text("gloss: TERM is not set: cannot use the terminal")
        sc.type("stty -g > %s/after; cmp %s/before %s/after && echo same-modes\n" % (d, d, d))
        sc.wait_text("same-modes")
        # "-" from the terminal says what it waits for, then reads to Ctrl-D
        sc.type("clear; %s -; echo rc=$?\n" % g)
        sc.wait_text("gloss: reading standard input from the terminal: Ctrl-D ends it")
        sc.type("typed by hand\n")
        sc.keys("C-d")
        sc.wait(lambda s: s.lines()[0].startswith(" typed by hand"), "the typed text shown")
        sc.keys("q")
        sc.wait_text("rc=0")


@test
def key_sequences_the_terminal_description_lacks():
    # tmux sends Ctrl-Left as Esc [1;5D, which screen's description lacks,
    # and Home and End as Esc [1~ and [4~, which xterm-256color's lacks:
    # each is its key (modifiers dropped), never Esc and loose keys
    db = os.path.join(scratch("gloss-seq-"), "n.db")
    with Screen(["--db", db, A], width=80, height=10, env={"TERM": "screen"}) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys("i")
        sc.wait_text("Enter saves")
        sc.type("A")
        sc.keys("C-Left")
        sc.type("B")
        sc.keys("S-Left")
        sc.type("C")
        sc.keys("Enter")
        sc.wait_text("note saved")
        sc.keys("/")
        sc.type("quay")
        sc.keys("C-Left", "C-Right", "Enter")
        sc.wait(lambda s: "quay" in s.lines()[s.cursor()[1]][s.cursor()[0]:], "the search ran")
    check(sql(db, "SELECT note FROM annotations") == "CBA", sql(db, "SELECT note FROM annotations"))
    with Screen(["--db", db, A], width=80, height=10, env={"TERM": "xterm-256color"}) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("End")
        sc.wait(lambda s: s.lines()[0].rstrip().endswith("100%"), "End at the end")
        sc.keys("Home")
        sc.wait(lambda s: s.cursor() == (0, 1), "Home at the start")
        check("no command" not in sc.lines()[9], sc.lines()[9])


@test
def ctrl_s_does_not_freeze_the_screen():
    # the terminal's flow control would stop gloss's output at Ctrl-S, and
    # gloss with it, blocked writing; here it is a key that says all is saved
    # (also after a first screen painted before curses started)
    g = os.environ.get("GLOSS", "gloss")
    big = big_new_files(scratch("gloss-paint-"), 1)[0]
    for doc, first in ((A, "Harbour fire"), (big, "Paint test A")):
        with Screen([], width=80, height=10, shell=True) as sc:
            sc.type("stty -g > %s/modes; %s %s; stty -g | cmp -s - %s/modes && echo SAME-MODES\n"
                    % (sc.tmp, g, doc, sc.tmp))
            sc.wait_text(first)
            sc.keys("C-s")
            sc.wait_text("everything is saved already")
            sc.keys("j", "j")
            sc.wait(lambda s: s.cursor()[1] == 3, "keys still move the cursor")
            sc.keys("C-z")
            sc.wait_text("Stopped")
            sc.type("fg\n")
            sc.wait_text(first)
            sc.keys("C-s")
            sc.wait_text("everything is saved already")
            sc.keys("q")
            sc.wait_text("SAME-MODES")


@test
def ctrl_z_while_gloss_starts_stops_it():
    # typed while the database is still opening (here: locked a moment)
    sc, holder = shell_with_gloss_on_a_locked_database(80, 10)
    try:
        with sc:
            sc.wait_text("Paint test A")
            sc.keys("C-z")
            let_go(holder)
            holder = None
            sc.wait_text("Stopped")
            sc.type("fg\n")
            sc.wait_text("Paint test A")
            sc.keys("j")
            sc.wait(lambda s: s.cursor()[1] == 2, "keys move the cursor")
            sc.keys("q")
            sc.wait_text("SAME-MODES")
    finally:
        if holder:
            let_go(holder)


@test
def a_start_in_the_background_leaves_the_shell_s_screen_alone():
    d = scratch("gloss-paint-")
    db = new_database(d)
    big = big_new_files(d, 1)[0]
    with Screen([], width=80, height=10, shell=True) as sc:
        sc.type("%s --db %s %s & sleep 0.3; echo SHELL-HERE\n" % (GLOSS, db, big))
        sc.wait_text("SHELL-HERE")
        sc.type("jobs; echo JOBS-LISTED\n")
        sc.wait(lambda s: "Stopped" in s.text() and "JOBS-LISTED" in s.text(), "gloss stopped")
        text = sc.text()
        check("Paint test" not in text, "the shell's screen untouched:\n" + text)
        sc.type("kill -9 %1\n")


@test
def escdelay_is_the_users():
    # A Down arrow whose bytes come apart, as over a slow link: with the
    # user's ESCDELAY it is still one key
    import time
    with Screen([A], width=80, height=10, env={"ESCDELAY": "5000"}) as sc:
        sc.wait_text("Harbour fire")
        y = sc.cursor()[1]
        sc.keys("Escape")
        time.sleep(0.3)  # the gap between the bytes is the input itself
        sc.type("OB")  # kcud1 in keypad mode, as screen-256color has it
        sc.wait(lambda s: s.cursor()[1] == y + 1, "the cursor one row down")
        check("no command" not in sc.lines()[9], sc.lines()[9])
    # Esc, then [ typed within a long ESCDELAY: both still count
    with Screen([A], width=80, height=10, env={"ESCDELAY": "300", "NO_COLOR": "1"}) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("j", "v")
        sc.wait_text("selecting")
        sc.keys("l", "l")
        reversed_text = lambda s: any("7" in codes.split(";")
                                      for row in s.text(colours=True).split("\n")[1:9]
                                      for codes in re.findall(r"\x1b\[([0-9;]*)m", row))
        sc.wait(reversed_text, "the selection shown reversed")
        sc.keys("Escape")
        time.sleep(0.1)  # within the ESCDELAY, as a person types
        sc.type("[")
        sc.wait_text("no annotations in this document")
        check(not reversed_text(sc), "Esc dropped the selection")


@test
def sentences_and_paragraphs():
    text = ("The U.S. Coast Guard arrived on Oct. 7 at 2.5 knots. "
            "“It was late,” said Dr. J. R. Moss. "
            "Was it?\n"
            "\n"
            "Next paragraph here.\n")
    path = write(TMP, "sentences.txt", text)
    with Screen([path], width=200, height=8) as sc:
        sc.wait_text("Next paragraph")
        starts = [0, len("The U.S. Coast Guard arrived on Oct. 7 at 2.5 knots. "),
                  len("The U.S. Coast Guard arrived on Oct. 7 at 2.5 knots. “It was late,” said Dr. J. R. Moss. ")]
        for x in starts[1:]:
            sc.keys(")")
            sc.wait(lambda s: s.cursor() == (x, 1), "sentence at column %d" % x)
        sc.press(")", to=(0, 3), what="next sentence is on the next paragraph")
        sc.press("(", to=(starts[2], 1), what="back one sentence")
        sc.press("(", "(", to=(0, 1), what="back to the first sentence")
        sc.press("}", to=(0, 3), what="next paragraph skips the blank line")
        sc.press("{", to=(0, 1), what="previous paragraph")
        sc.press("w", "w", to=(5, 1), what="w stops at U and at the full stop")
        sc.press("e", to=(6, 1), what="e: end of the next word")
        sc.press("b", to=(5, 1), what="b: start of the previous word")


def cells(text):
    """Display cells of a captured row, as tmux lays it out."""
    import unicodedata
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return n


@test
def wide_characters_are_never_cut_at_the_pane_edge():
    wide = "".join("中文字%d😀 漢字かな交じり文、全角ＡＢＣ。" % i for i in range(8)) + "\n"
    path = write(TMP, "wide.txt", "Wide\n" + wide * 3)
    for width in (61, 62, 63):
        with Screen([path, B], width=width, height=12) as sc:
            sc.wait_text("Wide")
            seps = set()
            for row in sc.lines()[1:-2]:
                if "│" in row:
                    seps.add(cells(row.split("│")[0]))
            check(len(seps) == 1, "separator in one column at width %d: %r" % (width, seps))


@test
def emoji_flags_and_invisible_characters():
    text = ("Title\n"
            "A\U0001F469\u200d\U0001F469\u200d\U0001F467bcdef flag \U0001F1FA\U0001F1F8 x\n"
            "\ufeffBOM line zero\u200bwidth word\u2060joiner e\u0301 end\n")
    path = write(TMP, "emoji.txt", text)
    with Screen([path], width=60, height=8) as sc:
        sc.wait_text("Title")
        lines = sc.lines()
        check(lines[2].rstrip() == "A\U0001F469bcdef flag \U0001F1FA\U0001F1F8 x",
              "one emoji for the sequence, both letters of the flag, no stray joiner: %r" % lines[2])
        check(lines[3].rstrip() == "BOM line zerowidth wordjoiner e\u0301 end",
              "invisible characters show as nothing: %r" % lines[3])


@test
def ctrl_c_leaves_the_prompt_and_messages_survive_a_resize():
    with Screen([A], width=80, height=10) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("/")
        sc.type("abc")
        sc.wait_text("/abc")
        sc.keys("C-c")
        sc.wait_gone("/abc")
        sc.keys("=")
        sc.wait_text("synchronized scrolling on")
        sc.resize(70, 12)
        sc.wait(lambda s: s.fmt("#{window_width}") == "70", "resized")
        check("synchronized scrolling on" in sc.text(), "message kept over a resize: %r" % sc.text())


@test
def named_pipes_are_read_like_standard_input():
    fifo = os.path.join(TMP, "pipe")
    os.mkfifo(fifo)
    with Screen([], width=80, height=10, shell=True) as sc:
        sc.type("printf 'from a pipe\\nline two\\n' > %s & %s %s %s; echo STATUS=$?\n"
                % (fifo, os.environ.get("GLOSS", "gloss"), fifo, A))
        sc.wait(lambda s: s.lines()[0].startswith(" from a pipe"), "the pipe's title")
        check("Harbour fire" in sc.lines()[0], "beside a file: %r" % sc.lines()[0])
        sc.keys("q")
        sc.wait_text("STATUS=0")


@test
def quitting_without_an_alternate_screen_wipes_the_status_line():
    # vt100 has no alternate screen: the text stays, the status line goes,
    # so that the shell's prompt is not written over it
    g = os.environ.get("GLOSS", "gloss")
    with Screen([], width=80, height=10, shell=True, env={"TERM": "vt100"}) as sc:
        sc.type("clear; %s %s; echo STATUS=$?\n" % (g, A))
        sc.wait_text("? help")
        sc.keys("q")
        sc.wait_text("STATUS=0")
        check(not any("? help" in l for l in sc.lines()), "the status line wiped: %r" % sc.lines())
        check(any("Harbour fire" in l for l in sc.lines()), "the text stays: %r" % sc.lines())


@test
def monochrome_terminal_uses_attributes():
    with Screen([A], width=80, height=10, env={"TERM": "vt100"}) as sc:
        sc.wait_text("Harbour fire")
        sc.keys("/")
        sc.type("quay")
        sc.keys("Enter")
        sc.wait(lambda s: s.cursor()[1] >= 1, "search done")
        colours = sc.text(colours=True)
        check(not re.search(r"\x1b\[(3|4)[0-7]m", colours), "no colour codes")
        check(re.search(r"\x1b\[[0-9;]*[147][;m]", colours), "attributes used")


@test
def truncated_document_keeps_gloss_running():
    # another program cuts the file short: what was past its new end reads
    # as NUL bytes, the pane says the file changed, and gloss goes on (a
    # note being typed in another pane is not lost)
    path = write(TMP, "shrinking.txt", "".join("row %d of a file that shrinks\n" % i for i in range(200000)))
    db = os.path.join(scratch("gloss-cut-"), "n.db")
    with Screen([], width=100, height=10, shell=True) as sc:
        sc.type("%s --db %s %s %s; echo STATUS=$?\n" % (os.environ.get("GLOSS", "gloss"), db, A, path))
        sc.wait_text("row 1 of a file")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys("i")
        sc.wait_text("Enter saves")
        sc.type("typed before the cut")
        os.truncate(path, 100)
        sc.keys("Enter")
        sc.wait_text("note saved")
        sc.keys("2", "G")
        sc.wait(lambda s: "^@" in s.text(), "the bytes cut off shown as NUL")
        sc.wait_text("changed on disk after gloss opened it")
        sc.keys("g")
        sc.wait_text("row 1 of a file")
        sc.keys("q")
        sc.wait_text("STATUS=0")
        check(sc.fmt("#{alternate_on}") == "0", "terminal restored")
    check(sql(db, "SELECT note FROM annotations") == "typed before the cut", sql(db, "SELECT note FROM annotations"))


def children(pid):
    with open("/proc/%s/task/%s/children" % (pid, pid)) as f:
        return f.read().split()


@test
def sigterm_sighup_and_ctrl_backslash_restore_the_terminal():
    # Ctrl-\ is SIGQUIT: gloss dies of it, but gives the terminal back first
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        with Screen([], width=80, height=10, shell=True) as sc:
            # The marker printed last is spelt differently in the command
            # line, so waiting for it cannot match the typed command.
            sc.type("%s %s; echo DONE=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e icanon;"
                    " printf 'TTY%%s\\n' CHECKED\n" % (os.environ.get("GLOSS", "gloss"), A))
            sc.wait_text("Harbour fire")
            kids = children(sc.fmt("#{pane_pid}"))
            check(kids, "gloss has a pid")
            if sig == signal.SIGQUIT:
                sc.wait(lambda s: s.fmt("#{mouse_any_flag}") == "1", "mouse reporting on")
                sc.keys("C-\\")
            else:
                os.kill(int(kids[0]), sig)
            sc.wait_text("TTYCHECKED")
            after = sc.text().split("DONE=")[-1]
            check(after.startswith(str(128 + sig)), "died of %s: %r" % (sig.name, after[:4]))
            check("echo" in after and "icanon" in after,
                  "terminal sane after %s: %r" % (sig.name, after))
            check(sc.fmt("#{alternate_on}") == "0", "left the alternate screen")
            check(sc.fmt("#{mouse_any_flag}") == "0", "mouse reporting off")


if __name__ == "__main__":
    sys.exit(run())
