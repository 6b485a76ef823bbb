"""Crash safety: gloss killed with SIGKILL at any moment loses nothing it showed.

The contract (DESIGN.md, Database): every change is its own transaction,
committed before the screen shows it.  This test drives the real binary in
tmux, keeps a model of what the screen has confirmed (the status line's
"tagged as claim: ...", "note saved", "linked", "deleted the ...",
"undone: ...", and each pane's title counts), kills gloss with SIGKILL at
random moments, and then asks the sqlite3 program whether the database is
sound and holds exactly what was shown.

Why tmux and not a Python pty: tmux is a real terminal emulator, so the
screen read back is the one a user saw, and it keeps that screen after the
process dies (remain-on-exit, with an empty remain-on-exit-format so that no
"Pane is dead" line scrolls it).  The last screen of a killed gloss is then
evidence: a change it shows must be in the database.  The kill itself is
os.kill on the pane's pid, which is gloss (env execs it), so its timing is
ours to choose to the sub-millisecond; a pty would add nothing there and
would need a terminal emulator of our own to read the screen.

Each trial starts gloss on a database that earlier trials of the same
episode left behind (a fresh one every 1 to 4 trials), checks that gloss
shows what the model holds (title counts; every few trials the L list too),
does a few random changes, and kills gloss at one of these moments:

  startup  a random delay after launch, possibly before the first screen
  idle     a random delay after the last change was shown, or the moment
           the database file changes when gloss, idle, checkpoints the log
  prep     in the middle of the keys that lead up to a change: while typing
           a search, a note (before Enter), a selection, or a link's target
  commit   around the key that makes a change (c, s, Enter, x, u,
           Ctrl-R): 0 to 40 ms from just before it is sent, so before gloss
           reads it, while it commits, or after the result is shown

After each kill: PRAGMA integrity_check is "ok", PRAGMA foreign_key_check is
empty, and the annotations (tag, offsets, quote, note, author, uuid once
known) and links are exactly the model's; after a "commit" kill they may
also be the model's plus that one change, and must be when the last screen
shows it.  Half the checks run on a copy of the files, so that the next
gloss, not sqlite3, recovers the write-ahead log.

Environment: GLOSS_CRASH_TRIALS (default 24), GLOSS_CRASH_SEED (default
random, printed first).  Episodes are independent (each has its own database
and random numbers), so GLOSS_CRASH_EPISODE=N with the same seed and trials
runs episode N alone.  A failure names them, and lists the keys sent, the
changes they made and when the kill came.  The choices replay exactly; the
timing of gloss against the kill does not, so a rare failure may need the
episode run a few times.
"""
import copy
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Failure, Screen, check, run, test  # noqa: E402

TRIALS = int(os.environ.get("GLOSS_CRASH_TRIALS", "24"))
EPISODE = int(os.environ.get("GLOSS_CRASH_EPISODE", "0"))  # only this one, to replay it
SEED = int(os.environ.get("GLOSS_CRASH_SEED") or random.SystemRandom().randrange(1 << 31))
WIDTH, HEIGHT = 200, 50
PANE_X = (0, 100)    # two panes at 200 columns: 99 and 100 cells, a separator between
AUTHOR = "tester"

# ---- the documents: short lines (no wrapping, nothing scrolls), unique sentences ----

DOCS = [
    ("harbour.txt", [
        ["Harbour plan wins council vote"],
        ["Mayor Inès Ferreira said the harbour works start in spring.", "Critics called it rushed."],
        ["\u201cThe budget is safe,\u201d said treasurer Zoë Ångström.",
         "She put the cost at €4.5 million."],
        ["Fishermen in São Miguel fear the dredging will harm the catch.", "Their union wants a delay."],
        ["Engineers from Øresund Consult reviewed the seabed survey.", "They found no serious risk."],
        ["The council meets again next Thursday."],
    ]),
    ("quay.txt", [
        ["Dredging doubts on the east quay"],
        ["Local divers reported murky water near the east quay.", "Nobody from the port called back."],
        ["Björn Eklund said a naïve reading of the survey misses the winter storms."],
        ["He has fished there for thirty years, he added."],
        ["Documents seen by this paper show the survey took two days.", "The port says that was enough."],
        ["Ferreira declined to comment on the divers\u2019 claims."],
    ]),
]

NOTE_WORDS = ["vérifier", "check PDF", "p. 4", "über alles", "source?", "ça va", "naïf",
              "año", "Ødegaard", "\u201cquote\u201d", "\u2014", "\u2713", "€ 4.5", "ask again"]


def cwidth(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cells(s):
    return sum(cwidth(c) for c in s)


def from_cell(line, x):
    """The text of a screen line from cell x on."""
    w = 0
    for i, c in enumerate(line):
        if w >= x:
            return line[i:]
        w += cwidth(c)
    return ""


def flat(s, most):
    """What gloss's ui_flat makes of s: control characters as spaces, cut with an ellipsis."""
    out = []
    for c in s[:most]:
        o = ord(c)
        out.append(" " if o < 0x20 or 0x7f <= o < 0xa0 or o in (0x2028, 0x2029) else c)
    return "".join(out) + ("\u2026" if len(s) > most else "")


class Target:
    """A span of a document that can be tagged, and how to put the cursor on it."""

    def __init__(self, doc, text, cstart, cend, kind):
        self.doc, self.kind = doc, kind
        self.quote = text[cstart:cend]
        self.cstart, self.cend = cstart, cend
        self.bstart = len(text[:cstart].encode())
        self.bend = len(text[:cend].encode())
        self.words = len(self.quote.split(" "))
        self.pattern = self.quote if kind == "phrase" else " ".join(self.quote.split(" ")[:3])
        self.start_cell = cell_of(doc, text, cstart)
        self.last_cell = cell_of(doc, text, cend - 1)

    def __deepcopy__(self, memo):
        return self  # targets never change

    def __repr__(self):
        return "%s %r" % (self.kind, self.quote)


def cell_of(doc, text, i):
    line = text[:i].count("\n")
    col = cells(text[text.rfind("\n", 0, i) + 1:i])
    return (PANE_X[doc] + col, 1 + line)


def build_docs():
    texts, targets = [], []
    for d, (name, lines) in enumerate(DOCS):
        text = "".join(" ".join(sentences) + "\n" for sentences in lines)
        texts.append(text)
        folded = text.casefold()
        at = 0
        for ln, sentences in enumerate(lines):
            assert cells(" ".join(sentences)) < 95, "a line would wrap: %r" % sentences
            for s in sentences:
                start = text.index(s, at)
                at = start + len(s)
                if ln == 0:
                    continue  # the title line
                t = Target(d, text, start, start + len(s), "sentence")
                assert text.count(t.pattern) == 1, t.pattern
                targets.append(t)
                words = s.split(" ")
                off = [start + sum(len(w) + 1 for w in words[:k]) for k in range(len(words))]
                for k in range(len(words)):
                    for n in (2, 3):
                        ws = words[k:k + n]
                        if len(ws) < n or not all(w.isalpha() and len(w) > 1 for w in ws):
                            continue
                        p = " ".join(ws)
                        # smartcase: a pattern with an uppercase letter matches exactly
                        unique = (text.count(p) == 1 if p != p.lower()
                                  else folded.count(p.casefold()) == 1)
                        if unique and p != s:
                            targets.append(Target(d, text, off[k], off[k] + len(p), "phrase"))
    return texts, targets


TEXTS, TARGETS = build_docs()

# ---- the model of what the screen has confirmed ----


class Ann:
    def __init__(self, target, tag):
        self.target, self.tag = target, tag
        self.note = ""
        self.uuid = None  # learnt from the database at the first check after it was shown

    @property
    def key(self):
        t = self.target
        return (t.doc, t.bstart, t.bend, self.tag)

    def __repr__(self):
        return "%s %r%s" % (self.tag, self.target.quote, " note %r" % self.note if self.note else "")


class Model:
    """Annotations, links (claim -> source, else first -> second), and gloss's
    undo and redo journal since it started."""

    def __init__(self):
        self.anns, self.links, self.undo, self.redo = [], set(), [], []

    def find(self, key):
        for a in self.anns:
            if a.key == key:
                return a
        raise AssertionError("no annotation %r in the model" % (key,))

    def remove(self, a):
        gone = {l for l in self.links if a in l}
        self.links -= gone
        self.anns.remove(a)
        return gone

    def restore(self, a, links):
        self.anns.append(a)
        # an undone deletion brings back the links whose other end still exists
        self.links |= {l for l in links if l[0] in self.anns and l[1] in self.anns}

    def innermost(self, doc, pos):
        """The annotation gloss takes as under the cursor at byte pos; None when two tie."""
        inside = [a for a in self.anns
                  if a.target.doc == doc and a.target.bstart <= pos < a.target.bend]
        if not inside:
            return None
        inside.sort(key=lambda a: (a.target.bend - a.target.bstart, -a.target.bstart))
        if len(inside) > 1 and inside[0].target is inside[1].target:
            return None
        return inside[0]

    def reachable(self):
        """Annotations that are the one under the cursor at their own start."""
        return [a for a in self.anns if self.innermost(a.target.doc, a.target.bstart) is a]

    def counts(self, doc):
        claims = [a for a in self.anns if a.target.doc == doc and a.tag == "claim"]
        sources = [a for a in self.anns if a.target.doc == doc and a.tag == "source"]
        unsourced = [c for c in claims
                     if not any((c in l) and any(o.tag == "source" for o in l if o is not c)
                                for l in self.links)]
        return (len(claims), len(sources), len(unsourced))

    def snapshot(self):
        anns = sorted((a.key, a.target.quote, a.note) for a in self.anns)
        links = sorted((f.key, t.key) for f, t in self.links)
        return anns, links

    # The changes.  Each takes keys, not objects, so that it can be applied
    # to a copy of the model (the state if the change in flight was saved).

    def apply(self, ch):
        kind = ch["kind"]
        if kind == "tag":
            a = Ann(ch["target"], ch["tag"])
            self.anns.append(a)
            self.push(["add", a, set()])
        elif kind == "note":
            a = self.find(ch["ann"])
            self.push(["note", a, a.note, ch["note"]])
            a.note = ch["note"]
        elif kind == "link":
            l = (self.find(ch["from"]), self.find(ch["to"]))
            self.links.add(l)
            self.push(["link", l])
        elif kind == "delete":
            a = self.find(ch["ann"])
            self.push(["delete", a, self.remove(a)])
        elif kind == "undo":
            e = self.undo.pop()
            self.step(e, False)
            self.redo.append(e)
        elif kind == "redo":
            e = self.redo.pop()
            self.step(e, True)
            self.undo.append(e)

    def push(self, entry):
        self.undo.append(entry)
        self.redo.clear()

    def step(self, e, forward):
        op = e[0]
        if op in ("add", "delete"):
            if (op == "add") == forward:
                self.restore(e[1], e[2])
            else:
                e[2] = self.remove(e[1])
        elif op == "note":
            e[1].note = e[3] if forward else e[2]
        elif op == "link":
            if forward:
                self.links.add(e[1])
            else:
                self.links.discard(e[1])

    @staticmethod
    def what(e):
        return {"add": lambda: "tag as " + e[1].tag, "delete": lambda: "deletion",
                "note": lambda: "note", "link": lambda: "link"}[e[0]]()


# ---- reading the screen ----

COUNTS_LONG = re.compile(r" (\d+) claims? (\d+) sources? (\d+) unsourced \d+% *$")
COUNTS_SHORT = re.compile(r" (\d+)c (\d+)s (\d+)\? \d+% *$")


def title_counts(lines, doc):
    """(claims, sources, unsourced) in the pane's title line; None when the title is not shown."""
    if not lines:
        return None
    row = from_cell(lines[0], PANE_X[doc])
    row = row[:99] if doc == 0 else row  # the separator is at cell 99
    title = DOCS[doc][1][0][0]
    if title not in row:
        return None
    m = COUNTS_LONG.search(row) or COUNTS_SHORT.search(row)
    if m:
        return tuple(int(g) for g in m.groups())
    return (0, 0, 0) if re.search(r" \d+% *$", row) else None


def status(lines):
    """The status line: a message or a prompt starts at its first cell, the rest with a blank."""
    return lines[HEIGHT - 1].rstrip() if len(lines) >= HEIGHT else ""


# ---- the database, through the sqlite3 program ----

def sqlite(db, query, mode="-list"):
    r = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", "-batch", mode, db, query], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Failure("sqlite3 %r: %s" % (query, r.stderr.strip()))
    return r.stdout


def rows(db, query):
    out = sqlite(db, query, "-json")
    return json.loads(out) if out.strip() else []


def db_state(db, paths):
    """integrity, foreign keys, and the annotations and links, as Model.snapshot gives them."""
    if not os.path.exists(db):
        return [], [], {}
    ic = sqlite(db, "PRAGMA integrity_check;").strip()
    check(ic == "ok", "PRAGMA integrity_check says %r" % ic)
    fk = sqlite(db, "PRAGMA foreign_key_check;").strip()
    check(fk == "", "PRAGMA foreign_key_check says %r" % fk)
    if not rows(db, "SELECT 1 FROM sqlite_master WHERE name = 'annotations'"):
        return [], [], {}  # killed before the schema was made: nothing at all
    anns = rows(db, "SELECT a.uuid, d.path, t.name AS tag, a.start, a.\"end\" AS end_, a.quote,"
                    " a.note, a.author FROM annotations a JOIN documents d ON d.id = a.document"
                    " JOIN tags t ON t.id = a.tag")
    links = rows(db, "SELECT f.uuid AS f, t.uuid AS t FROM links l"
                     " JOIN annotations f ON f.id = l.\"from\" JOIN annotations t ON t.id = l.\"to\"")
    nlinks = int(sqlite(db, "SELECT count(*) FROM links;"))
    check(nlinks == len(links), "%d links, %d with both ends" % (nlinks, len(links)))
    keys, uuids, out = {}, {}, []
    for r in anns:
        check(r["author"] == AUTHOR, "author %r" % r["author"])
        check(r["path"] in paths, "a document at an unknown path %r" % r["path"])
        key = (paths.index(r["path"]), r["start"], r["end_"], r["tag"])
        keys[r["uuid"]] = key
        uuids[key] = r["uuid"]
        out.append((key, r["quote"], r["note"]))
    return sorted(out), sorted((keys[l["f"]], keys[l["t"]]) for l in links), uuids


def describe(snap):
    anns, links = snap
    return "\n".join(["  %s %r %s..%s: %r%s" % (k[3], TEXTS[k[0]].encode()[k[1]:k[2]].decode(), k[1],
                                                k[2], q, " note %r" % n if n else "")
                      for k, q, n in anns] +
                     ["  link %s %d..%d -> %s %d..%d" % (f[3], f[1], f[2], t[3], t[1], t[2])
                      for f, t in links]) or "  (nothing)"


# ---- one trial ----

class Trial:
    def __init__(self, rng, model, db, paths, log):
        self.rng, self.model, self.db, self.paths, self.log = rng, model, db, paths, log
        self.sc = None
        self.socket = None
        self.pid = None
        self.last_status = None
        self.killed = False

    def say(self, s):
        self.log.append(s)

    def keys(self, *k):
        self.say("  keys %s" % " ".join(repr(x) for x in k))
        self.sc.keys(*k)

    def type(self, s):
        self.say("  type %r" % s)
        self.sc.type(s)

    def wait(self, cond, what):
        try:
            self.sc.wait(cond, what)
        except Failure as e:
            if not self.killed and not self.alive():
                raise Failure("gloss died by itself; %s" % e)
            raise

    def wait_shown(self, msg, model, what):
        """The status line says msg and every title counts what model holds."""
        want = [model.counts(d) for d in range(len(DOCS))]

        def shown(sc):
            lines = sc.lines()
            return ((msg is None or status(lines) == msg) and
                    [title_counts(lines, d) for d in range(len(DOCS))] == want)
        self.wait(shown, "%s: status %r, title counts %r" % (what, msg, want))
        self.last_status = msg

    def start(self, kill_at_startup):
        self.sc = Screen(["--db", self.db, "--author", AUTHOR] + self.paths,
                         width=WIDTH, height=HEIGHT)
        self.sc.tmux("set-option", "-g", "remain-on-exit-format", "")
        self.socket = self.sc.fmt("#{socket_path}")
        self.pid = int(self.sc.fmt("#{pane_pid}"))
        if kill_at_startup:
            return
        self.wait_shown(None, self.model, "gloss opened again showing the saved annotations")

    def list_check(self):
        """L lists every annotation of the open documents as the model has it."""
        m = self.model
        want = []
        for a in sorted(m.anns, key=lambda a: (a.target.doc, a.target.bstart, -a.target.bend)):
            out = sum(1 for f, t in m.links if f is a)
            into = sum(1 for f, t in m.links if t is a)
            # the columns are as wide as the longest tag (claim, source) and name
            line = "%-6s %-*s  \u201c%s\u201d" % (a.tag, max(len(d[0]) for d in DOCS),
                                               DOCS[a.target.doc][0], flat(a.target.quote, 60))
            if a.note:
                line += "  \u2014 " + flat(a.note, 40)
            line += "  %d link%s" % (out, "" if out == 1 else "s")
            want.append(line + (", linked from %d" % into if into else ""))
        self.keys("L")
        head = "annotations: %d of %d" % (len(want), len(want))
        self.wait(lambda sc: head in sc.lines()[0], head)
        got = [l[1:].rstrip() for l in self.sc.lines()[1:1 + len(want)]]
        check(got == [w.rstrip() for w in want],
              "after reopening, L lists\n%s\nnot\n%s" % ("\n".join(got), "\n".join(want)))
        self.keys("Escape")
        self.wait(lambda sc: "annotations:" not in sc.lines()[0], "the list closed")

    # -- choosing a change --

    def nav(self, target):
        """Keys that put the cursor on target's start, in its pane, and the wait for it."""
        last = self.last_status

        def there(sc):
            st = status(sc.lines())
            return sc.cursor() == target.start_cell and not st.startswith("/") and st != last
        return ([("k", str(target.doc + 1)), ("k", "/"), ("l", target.pattern), ("k", "Enter")],
                there, "cursor on %r" % target.pattern)

    def choose(self):
        """A change that the model says gloss will make, as a dict: kind, the
        preparing steps (keys and what to wait for), the key that makes it,
        and the message that shows it made."""
        m, rng = self.model, self.rng
        free = [t for t in TARGETS
                if not any(a.target is t for a in m.anns)]
        reach = m.reachable()
        choices = []
        if free:
            choices.append(("tag", 5 if len(m.anns) < 12 else 1))
        if reach:
            choices += [("note", 2), ("delete", 1.5 if len(m.anns) < 12 else 4)]
        pairs = [(a, b) for a in reach for b in reach if a is not b]
        pairs = [(a, b) for a, b in pairs if self.direct(a, b) not in m.links]
        if pairs:
            choices.append(("link", 2.5))
        if m.undo:
            choices.append(("undo", 1.5))
        if m.redo:
            choices.append(("redo", 3))
        kind = rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        if kind == "tag":
            t = rng.choice(free)
            tag = rng.choice(["claim", "source"])
            steps = [self.nav(t)]
            if t.kind == "phrase" or rng.random() < 0.2:
                # a selection: v at the start, then to its last character
                steps.append(([("k", "v")], lambda sc: status(sc.lines()).startswith("selecting:"),
                              "selecting"))
                moves = ([("k", "e")] * t.words if t.kind == "phrase"
                         else [("k", "l")] * (len(t.quote) - 1))  # e stops at punctuation
                steps.append((moves,
                              lambda sc, c=t.last_cell: sc.cursor() == c, "selection to the end"))
            return dict(kind="tag", target=t, tag=tag, steps=steps, commit=tag[0],
                        msg="tagged as %s: \"%s\"" % (tag, flat(t.quote, 40)),
                        what="tag %s %r%s" % (tag, t.quote, " (selected)" if len(steps) > 1 else ""))
        if kind == "note":
            a = rng.choice(reach)
            words = rng.sample(NOTE_WORDS, rng.randint(1, 3))
            chunk = "n%d %s" % (rng.randrange(1000, 10000), " ".join(words))
            parts = chunk.split(" ")
            cut = rng.randrange(1, len(parts)) if len(parts) > 2 and rng.random() < 0.3 else None
            lines = [" ".join(parts[:cut]), " ".join(parts[cut:])] if cut else [chunk]
            if a.note.count("\n") >= 4:
                return self.choose_delete(a)
            steps = [self.nav(a.target),
                     ([("k", "i")], lambda sc: "note: Enter saves" in sc.text(), "the note editor")]
            keys = [("k", "C-j")] if a.note else []
            for i, l in enumerate(lines):
                if i:
                    keys.append(("k", "C-j"))
                keys.append(("l", l))
            steps.append((keys, lambda sc, ls=lines: all(l in sc.text() for l in ls),
                          "the note typed"))
            new = a.note + ("\n" if a.note else "") + "\n".join(lines)
            return dict(kind="note", ann=a.key, note=new, steps=steps, commit="Enter",
                        msg="note saved", what="note %r on %r" % (new, a))
        if kind == "delete":
            return self.choose_delete(rng.choice(reach))
        if kind == "link":
            a, b = rng.choice(pairs)
            f, t = self.direct(a, b)
            steps = [self.nav(a.target),
                     ([("k", "a")], lambda sc: status(sc.lines()).startswith("linking:"), "linking")]
            last = status  # the wait for the second target: the status line may say "linking"
            n = self.nav(b.target)
            steps.append((n[0], lambda sc, c=b.target.start_cell:
                          sc.cursor() == c and not last(sc.lines()).startswith("/"), n[2]))
            return dict(kind="link", **{"from": f.key, "to": t.key}, steps=steps, commit="Enter",
                        msg="linked", what="link %r -> %r" % (f, t))
        e = m.undo[-1] if kind == "undo" else m.redo[-1]
        last = self.last_status
        steps = [([("k", "C-l")], lambda sc: status(sc.lines()) != last, "the message cleared")]
        return dict(kind=kind, steps=steps, commit="u" if kind == "undo" else "C-r",
                    msg="%s: %s" % ("undone" if kind == "undo" else "redone", Model.what(e)),
                    what="%s %s" % (kind, Model.what(e)))

    def choose_delete(self, a):
        return dict(kind="delete", ann=a.key, steps=[self.nav(a.target)], commit="x",
                    msg="deleted the %s (u undoes)" % a.tag, what="delete %r" % a)

    @staticmethod
    def direct(a, b):
        return (b, a) if a.tag == "source" and b.tag == "claim" else (a, b)

    def send(self, keys):
        for kind, k in keys:
            if kind == "l":
                self.type(k)
            else:
                self.keys(k)

    # -- running it --

    def run(self, nchanges, moment, stats):
        """Returns the change in flight at the kill (made or not), or None."""
        rng = self.rng
        self.start(moment == "startup")
        if moment == "startup":
            d = rng.choice([0, rng.uniform(0, 0.01), rng.uniform(0, 0.08)])
            self.say("kill %.1f ms after launch" % (d * 1000))
            time.sleep(d)
            return None
        for i in range(nchanges):
            ch = self.choose()
            last = i == nchanges - 1
            self.say("change %d: %s" % (i + 1, ch["what"]))
            if last and moment == "prep":
                j = rng.randrange(len(ch["steps"]))
                for keys, cond, what in ch["steps"][:j]:
                    self.send(keys)
                    self.wait(cond, what)
                keys = ch["steps"][j][0]
                # cut the step short, in the middle of a word typed
                n = rng.randint(1, len(keys))
                part = keys[:n]
                if part[-1][0] == "l" and len(part[-1][1]) > 1:
                    s = part[-1][1]
                    part = part[:-1] + [("l", s[:rng.randint(1, len(s) - 1)])]
                self.send(part)
                d = rng.choice([0, rng.uniform(0, 0.005), rng.uniform(0, 0.03)])
                self.say("kill %.1f ms into step %d of %d (%s), not committed" %
                         (d * 1000, j + 1, len(ch["steps"]), ch["steps"][j][2]))
                stats["prep"] += 1
                time.sleep(d)
                return None
            for keys, cond, what in ch["steps"]:
                self.send(keys)
                self.wait(cond, what)
            if last and moment == "commit":
                # The kill is timed from just before the key is sent, on
                # another thread, so that it can land before gloss reads
                # the key, while it writes, or after it has drawn.
                d = rng.choice([rng.uniform(0, 0.004), rng.uniform(0, 0.012),
                                rng.uniform(0, 0.04)])
                self.say("  keys %r, the kill timed %.2f ms from just before it" %
                         (ch["commit"], d * 1000))
                timer = threading.Timer(d, self.kill_now)
                timer.start()
                self.sc.tmux("send-keys", "-t", "t", ch["commit"], check=False)
                timer.join()
                return ch
            self.send([("k", ch["commit"])])
            after = copy.deepcopy(self.model)
            after.apply(ch)
            self.wait_shown(ch["msg"], after, ch["what"])
            self.model.apply(ch)
            stats["shown " + ch["kind"]] += 1
        if nchanges and rng.random() < 0.3:
            # When no key comes for a while gloss copies the write-ahead log
            # into the database file: kill it as that file changes.
            d = rng.choice([0, rng.uniform(0, 0.002)])
            seen = self.watch_db(deadline=3)
            self.say("kill %.2f ms after the database file changed (%s)" %
                     (d * 1000, "a checkpoint" if seen else "it did not change in 3 s"))
            stats["idle: at a checkpoint"] += seen
        else:
            d = rng.choice([0, rng.uniform(0, 0.005), rng.uniform(0, 0.03)])
            self.say("kill %.1f ms after the last change showed" % (d * 1000))
        time.sleep(d)
        return None

    def watch_db(self, deadline):
        """Wait until the database file itself changes; False if it does not."""
        def look():
            try:
                st = os.stat(self.db)
                return (st.st_mtime_ns, st.st_size)
            except FileNotFoundError:
                return None
        first, end = look(), time.monotonic() + deadline
        while time.monotonic() < end:
            if look() != first:
                return True
            time.sleep(0.0002)
        return False

    def close(self):
        """Close the tmux server, and remove the socket it leaves behind."""
        if self.sc:
            try:
                self.sc.close()
            finally:
                if self.socket and os.path.exists(self.socket):
                    os.unlink(self.socket)

    def alive(self):
        """Whether gloss still runs (not a zombie), as /proc says."""
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return not os.path.isdir("/proc/self")  # no /proc: cannot tell

    def kill_now(self):
        if not self.killed:
            self.killed = True
            os.kill(self.pid, signal.SIGKILL)

    def kill(self):
        """Kill gloss (unless the timer did) and return its last screen."""
        if not self.killed and not self.alive():
            raise Failure("gloss died before it was killed; screen:\n%s" % self.sc.text())
        self.kill_now()
        self.sc.wait_dead()
        return self.sc.lines()


def verify(model, pending, last_screen, db, paths, copy_first, stats, startup=False):
    """The database after a kill against the model; returns the model to go on with.
    Killed at startup, the last screen may be the first one, which shows the
    text before the annotations (and no counts)."""
    before = model
    states = [before]
    if pending:
        after = copy.deepcopy(model)
        after.apply(pending)
        states.append(after)
    # What the last screen showed is saved: its status line, its title counts.
    shown = pending is not None and status(last_screen) == pending["msg"]
    for d in range(len(DOCS)):
        c = title_counts(last_screen, d)
        if c is None or c == before.counts(d) or (startup and c == (0, 0, 0)):
            continue
        check(pending is not None and c == states[1].counts(d),
              "the last screen shows pane %d counts %r; the model has %r" % (d + 1, c,
                                                                              before.counts(d)))
        shown = True
    tmp = None
    if copy_first:
        tmp = tempfile.mkdtemp(prefix="gloss-crash-copy-")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                shutil.copy(db + suffix, os.path.join(tmp, "copy.db" + suffix))
        where = os.path.join(tmp, "copy.db") if os.path.exists(db) else db + ".absent"
    else:
        where = db
    try:
        anns, links, uuids = db_state(where, paths)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    got = (anns, links)
    match = [s for s in states if s.snapshot() == got]
    if not match:
        raise Failure("the database holds\n%s\nbut the screen had shown\n%s%s" % (
            describe(got), describe(before.snapshot()),
            "\nor, with the change in flight,\n%s" % describe(states[1].snapshot())
            if pending else ""))
    if shown:
        check(match[-1] is not before or states[0].snapshot() == states[-1].snapshot(),
              "the last screen showed %r, but the database does not hold it" % pending["what"])
    new = match[-1]
    if pending:
        stats["in flight: saved" if new is not before else "in flight: not saved"] += 1
        if shown:
            stats["in flight: shown"] += 1
    for a in new.anns:
        u = uuids[a.key]
        check(a.uuid in (None, u), "%r changed its uuid from %s to %s" % (a, a.uuid, u))
        a.uuid = u
    new.undo, new.redo = [], []  # the journal lasts as long as the process
    return new


@test
def killed_at_random_moments_loses_nothing_shown():
    print("# seed %d: GLOSS_CRASH_SEED=%d GLOSS_CRASH_TRIALS=%d replays it" % (SEED, SEED, TRIALS),
          flush=True)
    root = tempfile.mkdtemp(prefix="gloss-crash-")
    stats = {k: 0 for k in ("prep", "idle: at a checkpoint", "reopened", "listed",
                            "in flight: saved", "in flight: not saved", "in flight: shown")}
    stats.update({"shown " + k: 0 for k in ("tag", "note", "link", "delete", "undo", "redo")})
    moments = {"startup": 0, "idle": 0, "prep": 0, "commit": 0}
    began = time.monotonic()
    try:
        paths = []
        for (name, _), text in zip(DOCS, TEXTS):
            with open(os.path.join(root, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)
            paths.append(os.path.join(root, name))
        trial, episode = 0, 0
        while trial < TRIALS:
            episode += 1
            erng = random.Random("%d/%d" % (SEED, episode))
            db = os.path.join(root, "e%d.db" % episode)
            model = Model()
            ntrials = erng.randint(1, 4)
            if EPISODE and episode != EPISODE:
                # episodes are independent: each has its own database and random numbers
                trial += ntrials
                continue
            for k in range(ntrials):
                if trial >= TRIALS:
                    break
                trial += 1
                rng = random.Random("%d/%d/%d" % (SEED, episode, k))
                moment = rng.choices(["startup", "idle", "prep", "commit"], [1, 3, 3, 5])[0]
                moments[moment] += 1
                nchanges = rng.randint(1, 6)
                log = ["seed %d, episode %d, trial %d (%d of the episode): %s kill after %d change%s"
                       % (SEED, episode, trial, k + 1, moment, nchanges, "" if nchanges == 1 else "s"),
                       "replay: GLOSS_CRASH_SEED=%d GLOSS_CRASH_EPISODE=%d GLOSS_CRASH_TRIALS=%d"
                       % (SEED, episode, TRIALS),
                       "model before: " + describe(model.snapshot()).strip()]
                t = Trial(rng, model, db, paths, log)
                try:
                    try:
                        pending = t.run(nchanges, moment, stats)
                        if k > 0 and moment != "startup":
                            stats["reopened"] += 1
                        last = t.kill()
                    finally:
                        t.close()
                    model = verify(model, pending, last, db, paths, rng.random() < 0.5, stats,
                                   moment == "startup")
                    if moment != "startup" and model.anns and rng.random() < 0.35:
                        # gloss opens it again and L lists every annotation as shown
                        t2 = Trial(rng, model, db, paths, log)
                        try:
                            t2.start(False)
                            t2.list_check()
                            stats["listed"] += 1
                            t2.kill()
                        finally:
                            t2.close()
                        model = verify(model, None, [], db, paths, False, stats)
                except Failure as e:
                    raise Failure("%s\n%s" % (e, "\n".join(log)))
                except Exception:
                    raise Failure("%s\n%s" % (traceback.format_exc(), "\n".join(log)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    took = time.monotonic() - began
    print("# %d trials in %.1f s; kills: %s" % (sum(moments.values()), took, ", ".join(
        "%s %d" % kv for kv in moments.items())), flush=True)
    print("# " + ", ".join("%s %d" % kv for kv in stats.items()), flush=True)


if __name__ == "__main__":
    sys.exit(run())
