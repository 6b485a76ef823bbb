"""Screen tests that abuse the terminal gloss runs in, not its documents.

Resize storms (through tmux, and straight at the terminal with
TIOCSWINSZ, since tmux hands on at most one size per 250 ms) and every size
from 1x1 to 12x8, Ctrl-Z and fg, SIGTERM and SIGHUP from outside, and a
reader that closes the pipe an export writes into.  After each, gloss must
still answer a key and draw what a fresh gloss draws (and what a full
redraw draws), or have left the terminal sane (echo and icanon back, the
shell prompt working) and the database closed and intact.  gloss runs from
a shell in tmux, so that its exit status is the shell's $?.
"""
import csv
import fcntl
import hashlib
import os
import random
import re
import shlex
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import GLOSS, Screen, check, hostile_generator, run, scratch, test, write  # noqa: E402

gen = hostile_generator()

TMP = scratch("gloss-abuse-")

HOSTILE = gen.generate(os.path.join(TMP, "hostile"), small_only=True)

PLAIN = write(TMP, "plain.txt", "Harbour fire closes the old quay\n" + "".join(
    "Paragraph %d: the harbour master said on Tuesday that the fire, according to "
    "witnesses, started near the warehouse. Nobody was hurt.\n" % i for i in range(1, 80)))
DOCS = [PLAIN, HOSTILE["emoji.txt"], HOSTILE["combining.txt"]]
TITLE = "Harbour fire closes the old quay"


def command(db, docs, tail="; echo STATUS=$?"):
    return "%s --db %s --author tester %s%s\n" % (
        shlex.quote(GLOSS), shlex.quote(db), " ".join(shlex.quote(d) for d in docs), tail)


def children(pid):
    try:
        with open("/proc/%s/task/%s/children" % (pid, pid)) as f:
            return f.read().split()
    except OSError:
        return []


def gloss_pid(sc):
    """The pid of gloss, the child of the pane's shell."""
    found = []

    def look(s):
        for kid in children(s.fmt("#{pane_pid}")):
            try:
                with open("/proc/%s/comm" % kid) as f:
                    if f.read().strip() == "gloss":
                        found[:] = [int(kid)]
                        return True
            except OSError:
                pass
        return False
    sc.wait(look, "gloss's pid")
    return found[0]


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def status(sc, name="STATUS"):
    """Wait for the shell to print NAME=n; n."""
    pat = re.compile(r"(?:^|[#$] )%s=(\d+)$" % name, re.M)
    sc.wait(lambda s: pat.search(s.text()), name, deadline=20)
    return int(pat.findall(sc.text())[-1])


class Barrier:
    """= toggles a message: once it shows, every key sent before it was handled."""

    def __init__(self, sc):
        self.sc = sc
        self.on = False

    def __call__(self):
        self.on = not self.on
        want = "synchronized scrolling %s" % ("on" if self.on else "off")
        self.sc.keys("=")
        self.sc.wait(lambda s: want in s.text(), want)


def pty_size(pid):
    """(columns, rows) of the terminal gloss writes to, as the kernel has it."""
    fd = os.open("/proc/%d/fd/1" % pid, os.O_RDONLY | os.O_NOCTTY)
    try:
        rows, cols = struct.unpack("hhhh", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))[:2]
    finally:
        os.close(fd)
    return cols, rows


def set_pty_size(pid, w, h):
    """Resize gloss's terminal behind tmux's back: the kernel sends SIGWINCH at once."""
    fd = os.open("/proc/%d/fd/1" % pid, os.O_RDONLY | os.O_NOCTTY)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("hhhh", h, w, 0, 0))
    finally:
        os.close(fd)


def sized(sc, pid, w, h):
    """tmux's window is w x h and so is gloss's terminal.  tmux passes a new
    size on to the pane's terminal up to 250 ms later (it coalesces resizes),
    so the window's size alone does not say that gloss has had its SIGWINCH."""
    want = "%dx%d" % (w, h)
    sc.wait(lambda s: s.fmt("#{window_width}x#{window_height}") == want, "window " + want)
    sc.wait(lambda s: pty_size(pid) == (w, h), "terminal " + want)


def redraw_matches(sc, barrier):
    """What tmux shows is what curses thinks it shows: a full redraw (Ctrl-L)
    changes nothing.  Returns the screen's text."""
    barrier()
    before = sc.text()
    cur = sc.cursor()
    sc.keys("C-l")
    barrier()
    after = sc.text()
    strip = lambda t: t.split("\n")[:-2]  # the status line holds the barrier's message
    check(strip(before) == strip(after), "a redraw changed the screen:\n%s\n---\n%s" % (before, after))
    check(sc.cursor() == cur, "a redraw moved the cursor")
    return after


def home_all(sc, n):
    """Every pane at its start, the first focused: the state a fresh gloss starts in."""
    for i in range(n, 0, -1):
        sc.keys(str(i), "g")


def fresh_text(docs, w, h):
    """The screen of a fresh gloss at w x h, without its status line."""
    with Screen(["--db", os.path.join(tempfile.mkdtemp(dir=TMP), "fresh.db"), *docs],
                width=w, height=h) as fr:
        fr.wait_text(TITLE)
        b = Barrier(fr)
        b()
        return fr.text().split("\n")[:-2], fr.cursor()


def storm_sizes(rnd, n):
    """n sizes, 1x1, 1xN and Nx1 among them, never the final 100x30."""
    sizes = [(1, 1), (1, 40), (150, 1), (1, 2), (2, 1), (3, 3)]
    while len(sizes) < n:
        kind = rnd.random()
        if kind < 0.15:
            sizes.append((1, rnd.randint(1, 60)))
        elif kind < 0.3:
            sizes.append((rnd.randint(1, 200), 1))
        else:
            sizes.append((rnd.randint(1, 200), rnd.randint(1, 60)))
        if sizes[-1] == (100, 30):
            sizes.pop()
    rnd.shuffle(sizes)
    return sizes


@test
def resize_storm_then_a_key_and_a_clean_screen():
    rnd = random.Random(2024)
    keys = ["j", "Tab", "l", "G", "w", "}", "C-d", "BTab", "k", "g"]
    with Screen([], width=100, height=30, shell=True) as sc:
        db = os.path.join(sc.tmp, "gloss.db")
        sc.type(command(db, DOCS))
        sc.wait_text(TITLE)
        pid = gloss_pid(sc)
        barrier = Barrier(sc)
        # Through tmux, as a terminal emulator does it.  tmux hands gloss the
        # first size at once and then the latest every 250 ms, so gloss sees
        # a few of these.
        t0 = time.monotonic()
        for i, (w, h) in enumerate(storm_sizes(rnd, 100)):
            sc.resize(w, h)
            if i % 5 == 4:
                sc.keys(keys[(i // 5) % len(keys)])
        took = time.monotonic() - t0
        print("# 100 resizes by tmux in %.2f s" % took)
        check(alive(pid), "gloss survived 100 resizes by tmux in %.2f s" % took)
        sc.resize(100, 30)
        sized(sc, pid, 100, 30)
        barrier()
        # Behind tmux's back: each of these is a SIGWINCH that gloss gets.
        t0 = time.monotonic()
        for i, (w, h) in enumerate(storm_sizes(rnd, 100)):
            set_pty_size(pid, w, h)
            sc.keys(keys[i % len(keys)])
        took = time.monotonic() - t0
        print("# 100 SIGWINCHes, a key after each, in %.2f s" % took)
        set_pty_size(pid, 100, 30)
        check(alive(pid), "gloss survived 100 SIGWINCHes in %.2f s" % took)
        barrier()
        check(alive(pid), "gloss answers a key after the storm")
        home_all(sc, len(DOCS))
        text = redraw_matches(sc, barrier)
        want, cur = fresh_text(DOCS, 100, 30)
        got = text.split("\n")[:-2]
        check(got == want, "after the storm the screen is not a fresh one's:\n%s\n---\n%s" %
              ("\n".join(got), "\n".join(want)))
        check(sc.cursor() == cur, "cursor %r, fresh %r" % (sc.cursor(), cur))
        sc.keys("q")
        check(status(sc) == 0, "exit status 0")


NOTE_OPEN = "note: Enter saves"


@test
def every_size_up_to_12x8_with_a_key_at_each():
    # Keys that open and close every mode: prompt, help, list, menu, note editor.
    keys = ["j", "l", "c", "i", "x", "y", "Escape", "v", "w", "Escape", "/", "e", "Escape",
            "?", "Escape", "L", "Escape", "t", "Escape", "G", "Tab", "g", "BTab", "}", "C-d"]
    with Screen([], width=80, height=24, shell=True) as sc:
        db = os.path.join(sc.tmp, "gloss.db")
        sc.type(command(db, DOCS))
        sc.wait_text(TITLE)
        pid = gloss_pid(sc)
        k = 0
        for w in range(1, 13):
            for h in range(1, 9):
                sc.resize(w, h)
                sized(sc, pid, w, h)
                key = keys[k % len(keys)]
                k += 1
                sc.keys(key)
                check(alive(pid), "gloss alive at %dx%d after %r" % (w, h, key))
        sc.resize(80, 24)
        sized(sc, pid, 80, 24)
        # Esc and a key within 30 ms are Alt and that key in the note editor:
        # let the Esc be seen alone.
        sc.keys("Escape")
        sc.wait(lambda s: NOTE_OPEN not in s.text(), "every mode left")
        barrier = Barrier(sc)
        barrier()
        lines = redraw_matches(sc, barrier).split("\n")
        check(lines[0].startswith(" " + TITLE[:20]) or " Emoji title" in lines[0] or
              " Combining title" in lines[0], "title line at 80x24: %r" % lines[0])
        check(sum("│" in l for l in lines[1:23]) == 22, "two panes with a separator on every row:\n%s" %
              "\n".join(lines))
        sc.keys("q")
        check(status(sc) == 0, "exit status 0")
        out = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", db, "PRAGMA integrity_check"], stdout=subprocess.PIPE,
                             text=True).stdout.strip()
        check(out == "ok", "database intact: %r" % out)


@test
def escape_then_a_resize_still_closes_the_note():
    """The note editor takes a key within 30 ms of Esc as Alt and that key;
    a resize in that time is no key, yet it keeps the editor open and the
    Esc is lost (src/ui/note.c, ui_note_key)."""
    with Screen([], width=80, height=24, shell=True) as sc:
        db = os.path.join(sc.tmp, "gloss.db")
        sc.type(command(db, [PLAIN]))
        sc.wait_text(TITLE)
        pid = gloss_pid(sc)
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys("i")
        sc.type("draft")
        sc.wait(lambda s: NOTE_OPEN in s.text() and "draft" in s.text(), "the note editor")
        # The window changes size just after Esc: a resize is not a key typed.
        sc.keys("Escape")
        sc.resize(70, 20)
        sized(sc, pid, 70, 20)
        sc.wait(lambda s: NOTE_OPEN not in s.text(), "Esc closed the note editor", deadline=3)
        sc.keys("q")
        check(status(sc) == 0, "exit status 0")


def stty_sane(sc, marker):
    """echo and icanon are on: the terminal is back in the shell's hands."""
    sc.type("stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e icanon -e -echo -e -icanon; echo %s\n" % marker)
    sc.wait(lambda s: re.search(r"(?:^|[#$] )%s$" % marker, s.text(), re.M), marker)
    out = sc.text().split(marker)[-2].split("\n")
    got = set(l.strip() for l in out if l.strip() in ("echo", "icanon", "-echo", "-icanon"))
    check(got == {"echo", "icanon"}, "stty after %s: %r" % (marker, got))


@test
def ctrl_z_then_fg_restores_the_screen():
    with Screen([], width=100, height=24, shell=True) as sc:
        db = os.path.join(sc.tmp, "gloss.db")
        sc.type(command(db, DOCS[:2], tail=""))
        sc.wait_text(TITLE)
        pid = gloss_pid(sc)
        barrier = Barrier(sc)
        sc.keys("j", "j", "w")
        barrier()
        before, cur = sc.text(), sc.cursor()
        sc.keys("C-z")
        sc.wait(lambda s: s.fmt("#{alternate_on}") == "0", "back on the shell's screen")
        sc.wait(lambda s: "Stopped" in s.text() or "stopped" in s.text(), "the shell's word on the job")
        stty_sane(sc, "SUSPENDED")
        sc.type("fg\n")
        sc.wait(lambda s: s.fmt("#{alternate_on}") == "1" and TITLE in s.text(), "gloss back")
        sc.wait(lambda s: s.text() == before, "the same screen as before Ctrl-Z")
        check(sc.cursor() == cur, "cursor %r back at %r" % (sc.cursor(), cur))
        # In the middle of typing a search, and with a resize while stopped.
        sc.keys("/")
        sc.type("witnes")
        sc.wait_text("/witnes")
        sc.keys("C-z")
        sc.wait(lambda s: s.fmt("#{alternate_on}") == "0", "suspended in the prompt")
        sc.resize(70, 20)
        sized(sc, pid, 70, 20)
        sc.type("fg\n")
        sc.wait(lambda s: s.fmt("#{alternate_on}") == "1" and "/witnes" in s.text(), "the prompt back")
        sc.type("ses")
        sc.keys("Enter")
        sc.wait(lambda s: "witnesses" in s.lines()[s.cursor()[1]], "the search ran")
        redraw_matches(sc, barrier)
        sc.keys("q")
        sc.wait(lambda s: s.fmt("#{alternate_on}") == "0", "gloss gone")
        sc.type("echo FG=$?\n")
        check(status(sc, "FG") == 0, "exit status 0 after fg")
        stty_sane(sc, "QUIT")


def db_closed_and_intact(sc, db, want):
    r = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", db, "PRAGMA integrity_check; SELECT count(*) FROM annotations;"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(r.stdout.split() == ["ok", str(want)], "database after the signal: %r %r" % (r.stdout, r.stderr))
    # A second gloss opens it and shows what the first saved.
    sc.type(command(db, [PLAIN], tail="; echo AGAIN=$?"))
    sc.wait(lambda s: "1 claim 1 source" in s.lines()[0], "the second gloss sees both annotations")
    sc.keys("c")
    sc.wait_text("already tagged as claim")
    sc.keys("q")
    check(status(sc, "AGAIN") == 0, "the second gloss exits 0")


@test
def sigterm_and_sighup_leave_the_terminal_and_database_sane():
    left = []
    for sig, mode in ((signal.SIGTERM, "read"), (signal.SIGHUP, "read"),
                      (signal.SIGTERM, "note"), (signal.SIGHUP, "prompt")):
        with Screen([], width=100, height=24, shell=True) as sc:
            db = os.path.join(sc.tmp, "gloss.db")
            sc.type(command(db, [PLAIN]))
            sc.wait_text(TITLE)
            sc.keys("j", "c")
            sc.wait_text("tagged as claim")
            sc.keys("j", "v", "w", "w", "s")
            sc.wait_text("tagged as source")
            if mode == "note":
                sc.keys("i")
                sc.type("half a note")
                sc.wait_text("half a note")
            elif mode == "prompt":
                sc.keys("/")
                sc.type("harb")
                sc.wait_text("/harb")
            pid = gloss_pid(sc)
            os.kill(pid, sig)
            got = status(sc)
            check(got == 128 + sig, "%s: status %d, want %d (death by the signal)" % (sig.name, got, 128 + sig))
            check(sc.fmt("#{alternate_on}") == "0", "%s: left the alternate screen" % sig.name)
            stty_sane(sc, "AFTER")
            # Closed: SQLite removes the WAL file when the last connection closes.
            left += ["%s in %s mode: %s" % (sig.name, mode, os.path.basename(db + ext))
                     for ext in ("-wal", "-shm") if os.path.exists(db + ext)]
            db_closed_and_intact(sc, db, 2)
    check(not left, "the database was not closed, its journal is left: %s" % "; ".join(left))


@test
def a_resize_that_comes_with_ctrl_c_is_not_lost():
    """Stopped in the list, the menu or the note editor, gloss gets a new
    size and a Ctrl-C together: Ctrl-C closes what was open, and the new
    size is still taken."""
    for keys in (["L"], ["t"], ["j", "c", "i"]):
        # gloss alone in the pane: a shell would take the terminal back
        # when it sees its job stopped
        with Screen([PLAIN], width=100, height=24) as sc:
            sc.wait_text(TITLE)
            pid = int(sc.fmt("#{pane_pid}"))
            sc.resize(30, 8)
            sized(sc, pid, 30, 8)
            sc.keys(*keys)
            sc.wait(lambda s: s.text() and ("annotations:" in s.text() or "tag with" in s.text()
                                             or "Enter saves" in s.text()), "%s open" % keys)
            os.kill(pid, signal.SIGSTOP)
            sc.resize(100, 24)
            sized(sc, pid, 100, 24)
            os.kill(pid, signal.SIGINT)
            os.kill(pid, signal.SIGCONT)
            sc.keys("?")
            sc.wait(lambda s: "gloss keys (q closes this help)" in s.text()
                    and any(len(line.rstrip()) > 40 for line in s.lines()),
                    "the help at 100 columns after %s" % keys)
            sc.keys("q", "q")


def terminal_gone(ignore_hup):
    """gloss in a session of its own (no SIGHUP when its terminal goes), its
    terminal then gone: the status its shell saw, once gloss has ended; the
    database is checked whole and closed, with the one claim tagged."""
    with Screen([], width=100, height=24, shell=True) as sc:
        db = os.path.join(sc.tmp, "gloss.db")
        pidfile = os.path.join(sc.tmp, "pid")
        status = os.path.join(sc.tmp, "status")
        inner = "echo $$ > %s; exec %s" % (shlex.quote(pidfile), command(db, [PLAIN], tail="").strip())
        outer = "%ssh -c %s; echo $? > %s" % ("trap '' HUP; " if ignore_hup else "",
                                              shlex.quote(inner), shlex.quote(status))
        sc.type("setsid -w sh -c %s\n" % shlex.quote(outer))
        sc.wait_text(TITLE)
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        with open(pidfile) as f:
            pid = int(f.read())
        sc.tmux("kill-server", check=False)

        def ended():
            try:
                with open(status) as f:
                    return f.read().endswith("\n")
            except OSError:
                return False
        try:
            sc.wait(lambda s: ended(), "gloss to end once its terminal is gone")
        finally:
            if not ended():
                os.kill(pid, signal.SIGKILL)
        r = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", db,
                            "PRAGMA integrity_check; SELECT count(*) FROM annotations;"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(r.stdout.split() == ["ok", "1"], "database: %r %r" % (r.stdout, r.stderr))
        check(not os.path.exists(db + "-wal"), "the database was closed")
        with open(status) as f:
            return int(f.read())


@test
def a_terminal_gone_without_sighup_ends_gloss():
    """gloss in a session of its own gets no SIGHUP when its terminal goes:
    it must see the terminal gone, save and end, not wait on it for ever;
    it ends as SIGHUP would have ended it."""
    got = terminal_gone(False)
    check(got == 128 + signal.SIGHUP, "status %d, not that of SIGHUP" % got)


@test
def a_terminal_gone_under_nohup_ends_gloss_but_not_of_sighup():
    """SIGHUP ignored since the start (nohup): a terminal gone still ends
    gloss, everything saved, with status 1, not of the signal it ignores."""
    got = terminal_gone(True)
    check(got == 1, "status %d" % got)


def many_annotations(d, n):
    """A database with n annotations, made through gloss import."""
    text = "".join("Claim number %d is here, the spokesman said on Tuesday.\n" % i for i in range(n))
    doc = write(d, "many.txt", text)
    sha = hashlib.sha256(text.encode()).hexdigest()
    src = os.path.join(d, "many.csv")
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["id", "document", "sha256", "tag", "start", "end", "quote", "note", "links",
                    "author", "created", "updated"])
        pos = 0
        for i, line in enumerate(text.splitlines(True)):
            q = line[:-1]
            w.writerow([str(uuid.UUID(int=i + 1)), doc, sha, "claim", pos, pos + len(q), q,
                        "note %d" % i, "", "tester", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"])
            pos += len(line)
    db = os.path.join(d, "many.db")
    r = subprocess.run([GLOSS, "--db", db, "import", src], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, env=cli_env(d))
    check(r.returncode == 0, "import: %r" % r.stderr)
    return db


def cli_env(d):
    return dict(os.environ, LC_ALL="C.UTF-8", HOME=d, XDG_CACHE_HOME=os.path.join(d, "cache"),
                XDG_DATA_HOME=os.path.join(d, "data"),
                ASAN_OPTIONS="log_path=%s/san:abort_on_error=0" % d,
                UBSAN_OPTIONS="log_path=%s/san:print_stacktrace=1" % d)


@test
def export_into_a_closed_pipe_is_quiet():
    """gloss export | head -c 10.  What a Unix user expects of a filter: no
    noise.  With SIGPIPE at its default gloss dies of it, silently, as cat
    does (the shell says 141); where SIGPIPE is ignored it exits 1 with one
    line.  Never a crash, never a damaged database."""
    d = tempfile.mkdtemp(dir=TMP)
    db = many_annotations(d, 20000)
    err, st = os.path.join(d, "err"), os.path.join(d, "status")
    for trap in ("", "trap '' PIPE; "):
        for args in (["export"], ["export", "--format", "jsonl"], ["export", "--format", "w3c"],
                     ["list"], ["docs"]):
            script = '%s%s --db "$1" %s 2>"$2"; echo $? >"$3"' % (trap, shlex.quote(GLOSS), " ".join(args))
            r = subprocess.run(["sh", "-c", "{ %s; } | head -c 10" % script, "sh", db, err, st],
                               stdout=subprocess.PIPE, env=cli_env(d))
            what = "%s%s" % ("SIGPIPE ignored: " if trap else "", " ".join(args))
            check(len(r.stdout) == 10, "%s: head got %d bytes" % (what, len(r.stdout)))
            code = int(open(st).read())
            msg = open(err, encoding="utf-8", errors="replace").read()
            if code == 128 + signal.SIGPIPE:
                check(not trap, "%s: killed by SIGPIPE that was ignored" % what)
                check(msg == "", "%s: died of SIGPIPE but said %r" % (what, msg))
            elif code == 1:
                check(re.fullmatch(r"gloss: [^\n]*Broken pipe\n", msg), "%s: one line: %r" % (what, msg))
            else:
                check(code == 0 and msg == "", "%s: status %d, stderr %r" % (what, code, msg))
    reports = [f for f in os.listdir(d) if f.startswith("san.")]
    check(not reports, "sanitizer reports: %s" % "".join(open(os.path.join(d, f)).read() for f in reports)[:3000])
    r = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", db, "PRAGMA integrity_check; SELECT count(*) FROM annotations;"],
                       stdout=subprocess.PIPE, text=True)
    check(r.stdout.split() == ["ok", "20000"], "database intact: %r" % r.stdout)
    # In a terminal, as a user types it: only head's bytes show.
    with Screen([], width=100, height=10, shell=True) as sc:
        sc.type("%s --db %s export | head -c 10; echo; echo DONE=$?\n" % (shlex.quote(GLOSS), shlex.quote(db)))
        check(status(sc, "DONE") == 0, "head's status")
        rows = sc.text().split("\n")
        i = next(k for k, l in enumerate(rows) if l.startswith("DONE="))
        check(rows[i - 1] == "id,documen", "only head's output before DONE: %r" % rows[:i])



@test
def a_signal_during_an_export_waits_for_it():
    """SIGTERM while :export writes: the export ends whole, then gloss ends
    of the signal with the terminal given back, not in the middle of the
    file with the screen still taken.  gloss is stopped once its file is
    begun, so that the signal comes while the export runs."""
    d = tempfile.mkdtemp(dir=TMP)
    db = many_annotations(d, 50000)
    doc = os.path.join(d, "many.txt")
    out = os.path.join(d, "out.csv")
    pidfile = os.path.join(d, "pid")
    with Screen([], width=100, height=24, shell=True) as sc:
        # No job control: a shell that sees its job stopped (when it looks
        # before SIGCONT) takes the terminal back, and gloss, continued in
        # the background, then stops at its first change of the terminal's
        # modes, with its screen given back and no STATUS to read.
        sc.type("set +m\n")
        sc.type("sh -c %s; echo STATUS=$?\n" % shlex.quote(
            "echo $$ > %s; exec %s" % (shlex.quote(pidfile), command(db, [doc], tail="").strip())))
        sc.wait_text("Claim number 0")
        with open(pidfile) as f:
            pid = int(f.read())
        sc.type(":export %s" % out)
        sc.keys("Enter")
        end = time.monotonic() + 20
        while not any(f.startswith("out.csv.tmp-") for f in os.listdir(d)):
            check(not os.path.exists(out), "the export ended before it was seen under way")
            check(time.monotonic() < end, "no export under way")
            time.sleep(0.001)
        os.kill(pid, signal.SIGSTOP)
        try:
            check(not os.path.exists(out), "the export ended before gloss was stopped")
            os.kill(pid, signal.SIGTERM)
        finally:
            os.kill(pid, signal.SIGCONT)
        check(status(sc) == 128 + signal.SIGTERM, "gloss ended of SIGTERM")
        check(sc.fmt("#{alternate_on}") == "0", "the terminal given back")
    check(not [f for f in os.listdir(d) if f.startswith("out.csv.tmp-")], "no temporary file left")
    check(os.path.exists(out), "the export written")
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    check(len(rows) == 50001, "the export whole: %d rows" % len(rows))

if __name__ == "__main__":
    t0 = time.monotonic()
    rc = run()
    sys.stderr.write("# test_abuse: %.1f s\n" % (time.monotonic() - t0))
    sys.exit(rc)
