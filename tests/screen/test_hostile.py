"""Screen tests with hostile documents: gloss must show them, never obey them.

The documents come from tools/gen-hostile.py (the source of truth), written
at test time into a temporary directory; the 32 MB and 100 MB lines are
never committed.  For each one, gloss runs from a shell in tmux at 80x24
with a private database and HOME, and is driven through G, g, a search and
n, c, v + movements + s, the list (L), and q.  Then the database is
exported as CSV and JSON Lines and read back with Python's csv and json.

What must hold, for every document:
- gloss exits with status 0 (read from the shell) and no sanitizer report;
- nothing the document holds reaches the terminal: tmux's pane title,
  window name and pane path (OSC 7) keep the values the test gave them, no
  paste buffer appears (OSC 52 with set-clipboard on would make one), the
  alternate screen stays on, insert and origin modes stay off, the pane's
  title line is never cleared or overwritten, no bidi control is on screen,
  the controls show as ^X, <XX> or U+FFFD, in the titles too, and a full
  redraw (Ctrl-L) changes nothing, so tmux's screen is the one curses thinks it drew;
- every export is valid UTF-8, parses, and each quote is the text between
  its offsets in the document decoded as Python's errors="replace" does;
- gloss list and gloss docs, printed on the terminal, leak nothing either.
"""
import csv
import glob
import hashlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import GLOSS, Failure, Screen, check, hostile_generator, run, scratch, test  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
gen = hostile_generator()

TMP = scratch("gloss-hostile-")

DOCS = gen.generate(os.path.join(TMP, "docs"))

SENTINEL = "sentinel-title"
WIDTH, HEIGHT = 80, 24
BIDI = set(chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)) +
           [0x200E, 0x200F, 0x061C])


class Spec:
    """What one document shows: title (start of the pane's title line),
    visible (strings on the first screen), search (a word it holds, or None
    when the search must report nothing found), and big (fewer steps)."""

    def __init__(self, title, visible=(), search="needle", big=False):
        self.title = title
        self.visible = list(visible)
        self.search = search
        self.big = big


FFFD = "\ufffd"
SPECS = {
    "invalid-utf8.txt": Spec("Invalid UTF-8 sampler", [
        "needle: lone continuation bytes [%s] [%s] [%s]" % (FFFD, FFFD, FFFD * 3),
        "truncated two-byte at the end of a line: %s" % FFFD,
        "surrogates: [%s] [%s]" % (FFFD * 3, FFFD * 3),
        "FE and FF: [%s] [%s] [%s]" % (FFFD, FFFD, FFFD * 2),
        "[%sA] [%sAB]" % (FFFD, FFFD),
    ]),
    "nul.txt": Spec("NUL bytes", ["needle^@after a NUL and ^@^@^@ three", "a^@b^@c^@d"]),
    "csi.txt": Spec("CSI title ^[[2J^[[H still the title", [
        "clear screen: ^[[2J^[[3J^[[H needle",
        "^[[?1049l leave the alternate screen",
        "alignment test: ^[#8 fills",
        "reports: ^[[6n",
        "resets: ^[c full reset",
        "bell^G backspace^H",
    ]),
    "osc.txt": Spec("OSC title ^[]0;PWNED-TITLE-0^G here", [
        "OSC title ^[]0;PWNED-TITLE-0^G here",
        "^[]2;PWNED-TITLE-2^[\\",
        "clipboard: ^[]52;c;" + gen.CLIP + "^G",
        "hyperlinks: ^[]8;;https://evil.example/^[\\click me^[]8;;^[\\",
        "unterminated title ^[]2;PWNED-UNTERMINATED and the text after it",
    ]),
    "dcs.txt": Spec("DCS title ^[P$q\"p^[\\ here", [
        "tmux passthrough: ^[Ptmux;^[^[]0;PWNED-PASSTHROUGH^G^[\\ needle",
        "sixel: ^[Pq#0",
        "^[_Gf=100,a=T;AAAA^[\\",
        "screen's title: ^[kPWNED-SCREEN-TITLE^[\\",
    ]),
    "c1.txt": Spec("C1 controls title <9B>2J here", [
        "as UTF-8: <80> <81> <82>",
        "<9E> <9F>",
        "as single bytes: %s %s %s" % (FFFD, FFFD, FFFD),
        "8-bit CSI clear: <9B>2J<9B>H needle and bytes %s2J%sH" % (FFFD, FFFD),
        "8-bit OSC title: <9D>0;PWNED-C1-TITLE<9C>",
        "next line U+0085 inside<85>this line",
    ]),
    "bidi.txt": Spec("Bidi title", [
        "Bidi title <U+202E>evil<U+202C> here",
        "every control: LRE[<U+202A>] RLE[<U+202B>]",
        "line separator<U+2028>inside",
    ]),
    "combining.txt": Spec("Combining title a\u0301", ["needle: one base with 500 acute"]),
    "emoji.txt": Spec("Emoji title \U0001F469", ["flags: \U0001F1FA\U0001F1F8"]),
    "binary.bin": Spec("^?ELF", ["looks like a binary file"]),
    "empty.txt": Spec("empty.txt", [], search=None),
    "empty-lines.txt": Spec("empty-lines.txt", [], search=None),
    "line-ends.txt": Spec("Line ends title", ["lone^MCR^Minside^Mone line", "a CRLF line with a needle"]),
    "tabs.txt": Spec("Tabs", ["a       b       c       d", "tab^[[2J        escape^@between^?tabs"]),
    gen.BAD_NAME: Spec("name-%s]0;PWNED-NAME%s%s[2J.txt" % (FFFD, FFFD, FFFD), [], search=None),
    "long-nobreak.txt": Spec("Nobreak", [], big=True),
    "long-words.txt": Spec("Words", [], big=True),
}


def glossenv(sc):
    """The environment of a gloss command run beside the screen: same HOME, and
    sanitizer reports where Screen.close() looks for them."""
    return dict(os.environ, LC_ALL="C.UTF-8", HOME=sc.tmp,
                XDG_CACHE_HOME=os.path.join(sc.tmp, "cache"),
                XDG_DATA_HOME=os.path.join(sc.tmp, "data"),
                ASAN_OPTIONS="log_path=%s/san:abort_on_error=0" % sc.tmp,
                UBSAN_OPTIONS="log_path=%s/san:print_stacktrace=1" % sc.tmp)


def sql(db, query):
    r = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", "-batch", "-noheader", db, query],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(r.returncode == 0, "sqlite3 %r: %s" % (query, r.stderr))
    return r.stdout.strip()


class Session:
    """gloss run from a shell in tmux, with the terminal state watched."""

    def __init__(self, sc, spec, height=HEIGHT):
        self.sc = sc
        self.spec = spec
        self.sync = False
        self.height = height

    def prepare(self):
        sc = self.sc
        # Let every way in stay open, so that a leak would show: OSC 52 makes a
        # paste buffer, passthrough reaches tmux's terminal, titles rename.
        sc.tmux("set-option", "-s", "set-clipboard", "on")
        sc.tmux("set-option", "-g", "allow-rename", "on")
        sc.tmux("set-option", "-g", "allow-passthrough", "on", check=False)
        sc.tmux("set-option", "-g", "set-titles", "off")
        sc.tmux("select-pane", "-t", "t", "-T", SENTINEL)
        sc.tmux("rename-window", "-t", "t", SENTINEL)

    def untouched(self, where):
        """Nothing of the document has reached tmux's state."""
        sc = self.sc
        title = sc.fmt("#{pane_title}")
        check(title == SENTINEL, "%s: pane title changed to %r" % (where, title))
        name = sc.fmt("#{window_name}")
        check(name == SENTINEL, "%s: window name changed to %r" % (where, name))
        bufs = sc.tmux("list-buffers", check=False)
        check(bufs.strip() == "", "%s: a paste buffer appeared: %r" % (where, bufs))
        flags = sc.fmt("#{insert_flag}#{origin_flag}")
        check(flags == "00", "%s: insert/origin mode set: %r" % (where, flags))
        cwd = sc.fmt("#{pane_path}")
        check(cwd == "", "%s: OSC 7 set the pane's path to %r" % (where, cwd))

    def screen_sane(self, where):
        """gloss's own frame is intact: its title line, its status line, no
        DECALN fill, no bidi control on screen, still on the alternate screen."""
        sc = self.sc
        check(sc.fmt("#{alternate_on}") == "1", "%s: left the alternate screen" % where)
        lines = sc.lines()[:self.height]
        text = "\n".join(lines)
        check(lines[0].startswith(" " + self.spec.title),
              "%s: title line %r, want %r; screen:\n%s" % (where, lines[0], self.spec.title, text))
        check(lines[-1].strip(), "%s: status line empty" % where)
        check(not any(len(l) > 10 and set(l) == {"E"} for l in lines), "%s: screen filled with E" % where)
        check(not (BIDI & set(text)), "%s: a bidi control reached the screen: %r" %
              (where, [l for l in lines if BIDI & set(l)]))
        check("STATUS=" not in text, "%s: gloss is gone:\n%s" % (where, text))
        self.untouched(where)

    def barrier(self):
        """Wait until gloss has handled every key sent so far: = toggles a
        message, keys are read in order."""
        self.sync = not self.sync
        want = "synchronized scrolling %s" % ("on" if self.sync else "off")
        self.sc.keys("=")
        self.sc.wait(lambda s: want in s.lines()[self.height - 1], want)

    def redraw_same(self, where):
        """What tmux shows is what curses thinks it shows: a full redraw
        (Ctrl-L) changes no row but the status line.  A document whose bytes
        moved tmux's cursor or changed its modes would fail this."""
        self.barrier()
        before = self.sc.lines()[:self.height - 1]
        cur = self.sc.cursor()
        self.sc.keys("C-l")
        self.barrier()
        after = self.sc.lines()[:self.height - 1]
        check(before == after, "%s: a redraw changed the screen:\n%s\n---\n%s" %
              (where, "\n".join(before), "\n".join(after)))
        check(self.sc.cursor() == cur, "%s: a redraw moved the cursor" % where)

    def wait_status(self, *msgs):
        """The status line shows one of msgs; the one shown."""
        got = []

        def shown(s):
            row = s.lines()[self.height - 1]
            got[:] = [m for m in msgs if m in row]
            return bool(got)
        self.sc.wait(shown, " or ".join(repr(m) for m in msgs))
        return got[0]


def start(sc, path, db):
    # A name may hold escapes: the shell finds it by a pattern, never typed.
    d, name = os.path.split(path)
    arg = shlex.quote(d) + "/" + (shlex.quote(name) if name.isprintable() else "name-*")
    sc.type("%s --db %s --author tester %s; echo STATUS=$?\n" % (shlex.quote(GLOSS), shlex.quote(db), arg))


def exercise(name):
    spec = SPECS[name]
    path = DOCS[name]
    with open(path, "rb") as f:
        data = f.read()
    with Screen([], width=WIDTH, height=HEIGHT, shell=True) as sc:
        s = Session(sc, spec)
        s.prepare()
        db = os.path.join(sc.tmp, "db", "gloss.db")
        try:
            steps(sc, s, spec, path, db, data)
        except Failure as e:
            # Say first what reached tmux or what a sanitizer saw, if anything:
            # it explains the rest.
            for f in glob.glob(os.path.join(sc.tmp, "san.*")):
                with open(f, errors="replace") as fh:
                    raise Failure("sanitizer report:\n%s\n(%s)" % (fh.read()[:3000], e))
            try:
                s.untouched("when the test failed")
            except Failure as leak:
                raise Failure("%s\n(%s)" % (leak, e))
            raise
        check_exports(sc, db, path, data, int(sql(db, "SELECT count(*) FROM annotations")))
        list_on_terminal(sc, s, db)


def steps(sc, s, spec, path, db, data):
    """Drive gloss through every step, checking as it goes."""
    start(sc, path, db)
    sc.wait(lambda x: x.fmt("#{alternate_on}") == "1" and x.lines()[0].startswith(" " + spec.title),
            "gloss's first screen", deadline=30)
    for v in spec.visible:
        sc.wait(lambda x: v in x.text(), "%r shown" % v)
    s.barrier()
    s.screen_sane("first screen")
    s.redraw_same("first screen")
    colours = sc.text(colours=True)
    check(all(c not in colours for c in ("\x1b]", "\x1bP", "\x1b_", "\x1b^")),
          "no string sequence in tmux's copy of the screen")

    sc.keys("G")
    s.barrier()
    if data:
        sc.wait(lambda x: "100%" in x.lines()[0], "100% at the end", deadline=30)
    s.screen_sane("after G")
    s.redraw_same("after G")
    sc.keys("g")
    s.barrier()
    sc.wait(lambda x: x.cursor() == (0, 1), "cursor back at the start")
    s.screen_sane("after g")

    if spec.search:
        sc.keys("/")
        sc.type(spec.search)
        sc.keys("Enter")
        s.barrier()
        y = sc.cursor()[1]
        check(spec.search in sc.lines()[y], "found %r: row %r" % (spec.search, sc.lines()[y]))
        sc.keys("n")
        s.barrier()
        check("pattern not found" not in sc.text(), "n finds it again")
        s.screen_sane("after a search")
    else:
        sc.keys("/")
        sc.type("needle")
        sc.keys("Enter")
        s.wait_status("pattern not found: needle")
        sc.keys("n")
        s.wait_status("pattern not found: needle")

    tagged = 0
    sc.keys("c")
    got = s.wait_status("tagged as claim", "nothing to tag here")
    tagged += got.startswith("tagged")
    s.screen_sane("after c")
    sc.keys("v")
    s.wait_status("selecting")
    sc.keys("w", "l", "l", "l", "j", "e")
    s.barrier()
    sc.keys("s")
    got = s.wait_status("tagged as source", "nothing to tag here", "already tagged")
    tagged += got.startswith("tagged")
    s.screen_sane("after v and s")
    s.redraw_same("after tagging")

    if not spec.big:
        sc.keys("L")
        sc.wait(lambda x: x.lines()[0].startswith(" annotations: "), "the list")
        lines = sc.lines()[:HEIGHT]
        check(not (BIDI & set("".join(lines))), "no bidi control in the list")
        check(not any(l.startswith(" annotations") for l in lines[1:]), "list title once")
        sc.keys("Escape")
        sc.wait(lambda x: x.lines()[0].startswith(" " + spec.title), "back from the list")
        s.barrier()
        s.screen_sane("after the list")

    sc.keys("q")
    sc.wait(lambda x: re.search(r"^STATUS=\d+$", x.text(), re.M), "an exit status", deadline=30)
    after = re.search(r"^STATUS=(\d+)$", sc.text(), re.M).group(1)
    check(after == "0", "exit status %s; screen:\n%s" % (after, sc.text()))
    check(sc.fmt("#{alternate_on}") == "0", "left the alternate screen on q")
    s.untouched("after q")


    check(sql(db, "PRAGMA integrity_check") == "ok", "database intact")
    n = int(sql(db, "SELECT count(*) FROM annotations"))
    check(n == tagged, "%d annotations saved, %d tagged" % (n, tagged))


def list_on_terminal(sc, s, db):
    """gloss list and gloss docs print quotes and titles on the terminal too."""
    sc.type("clear; %s --db %s list; %s --db %s docs; echo LISTED=$?\n" %
            ((shlex.quote(GLOSS), shlex.quote(db)) * 2))
    sc.wait(lambda x: re.search(r"^LISTED=\d+$", x.text(), re.M), "gloss list and docs")
    text = sc.text()
    check("LISTED=0" in text, "list and docs exit 0:\n%s" % text)
    s.untouched("after gloss list and docs")
    check(not (BIDI & set(text)), "gloss list wrote a bidi control to the terminal: %r" %
          [l for l in text.split("\n") if BIDI & set(l)])


def check_exports(sc, db, path, data, n):
    env = glossenv(sc)
    text = data.decode("utf-8", "replace")
    sha = hashlib.sha256(data).hexdigest()
    r = subprocess.run([GLOSS, "--db", db, "export"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    check(r.returncode == 0, "export status %d: %r" % (r.returncode, r.stderr))
    try:
        out = r.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssertionError("CSV export is not UTF-8: %s" % e)
    rows = list(csv.reader(io.StringIO(out, newline="")))
    check(rows[0] == ["id", "document", "sha256", "tag", "start", "end", "quote", "note",
                      "links", "author", "created", "updated"], "header %r" % rows[0])
    check(len(rows) == n + 1, "%d CSV rows for %d annotations" % (len(rows) - 1, n))
    for row in rows[1:]:
        rec = dict(zip(rows[0], row))
        check(rec["document"] == path, "document %r" % rec["document"])
        check(rec["sha256"] == sha, "sha256 %r" % rec["sha256"])
        check(rec["tag"] in ("claim", "source"), "tag %r" % rec["tag"])
        a, b = int(rec["start"]), int(rec["end"])
        check(text[a:b] == rec["quote"], "CSV quote %r is not text[%d:%d] %r" %
              (rec["quote"][:80], a, b, text[a:b][:80]))
    r = subprocess.run([GLOSS, "--db", db, "export", "--format", "jsonl"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    check(r.returncode == 0, "jsonl export status %d: %r" % (r.returncode, r.stderr))
    # Lines end in LF only: a quote may hold U+2028, which str.splitlines() would split on.
    lines = r.stdout.decode("utf-8").split("\n")
    check(lines[-1] == "", "the last line ends in LF")
    lines = lines[:-1]
    check(len(lines) == n, "%d JSON lines for %d annotations" % (len(lines), n))
    for line in lines:
        rec = json.loads(line)
        check(text[rec["start"]:rec["end"]] == rec["quote"], "JSON quote %r" % rec["quote"][:80])
        check(data[rec["byte_start"]:rec["byte_end"]].decode("utf-8", "replace") == rec["quote"],
              "JSON byte offsets %d..%d" % (rec["byte_start"], rec["byte_end"]))
        check(rec["sha256"] == sha, "JSON sha256")


def doc_test(name):
    def fn():
        exercise(name)
    fn.__name__ = "hostile_" + "".join(c if c.isalnum() else "_" for c in name)[:40]
    test(fn)


for _name in SPECS:
    doc_test(_name)


@test
def nine_hostile_documents_side_by_side():
    names = ["csi.txt", "osc.txt", "dcs.txt", "c1.txt", "invalid-utf8.txt", "bidi.txt",
             "combining.txt", "emoji.txt", "tabs.txt"]
    with Screen([], width=200, height=30, shell=True) as sc:
        s = Session(sc, Spec(""), height=30)
        s.prepare()
        db = os.path.join(sc.tmp, "gloss.db")
        sc.type("%s --db %s %s; echo STATUS=$?\n" % (shlex.quote(GLOSS), shlex.quote(db),
                                                   " ".join(shlex.quote(DOCS[n]) for n in names)))
        sc.wait(lambda x: x.lines()[0].startswith(" CSI title"), "nine panes")
        for i in range(9):
            sc.keys(str(i + 1), "G", "C-u", "c", "Tab", "BTab")
            s.barrier()
            check(sc.lines()[0].startswith(" ") and sc.lines()[0].strip(), "title line drawn")
            s.untouched("pane %d" % (i + 1))
        s.redraw_same("nine panes")
        sc.keys("q")
        sc.wait_text("STATUS=0", deadline=20)
        s.untouched("nine panes")
        check(sql(db, "PRAGMA integrity_check") == "ok", "database intact")


@test
def committed_copies_match_the_generator():
    data = os.path.join(ROOT, "tests", "data", "hostile")
    check(os.path.isdir(data), "tests/data/hostile exists")
    fresh = os.path.join(TMP, "small")
    gen.generate(fresh, small_only=True)
    want = sorted(os.listdir(fresh))
    have = sorted(os.listdir(data))
    check(have == want, "files %r, generator makes %r" % (have, want))
    for name in want:
        with open(os.path.join(fresh, name), "rb") as f1, open(os.path.join(data, name), "rb") as f2:
            check(f1.read() == f2.read(), "%s differs from the generator's (rerun "
                  "tools/gen-hostile.py --small tests/data/hostile)" % name)


if __name__ == "__main__":
    t0 = time.monotonic()
    rc = run()
    sys.stderr.write("# test_hostile: %.1f s\n" % (time.monotonic() - t0))
    sys.exit(rc)
