"""Two readers and a running import on one database: nothing shown as saved
is lost, no raw SQLite error reaches the screen, and each reader shows the
others' changes without a restart."""
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import GLOSS, Screen, check, run, scratch, sql, test, write  # noqa: E402

TMP = scratch("gloss-concurrent-")
TEXT = "Three at once\n" + " ".join(
    "Sentence %d says the ferry fare went up by %d cents." % (i, i + 5) for i in range(40)) + "\n"
ROWS = int(os.environ.get("GLOSS_CONCURRENT_ROWS", "150000"))
RAW = re.compile(r"SQLITE_|sqlite3|disk I/O error|unable to open|malformed|\(\d+\)")



def counts(sc):
    m = re.search(r"(\d+) claims? (\d+) sources? ", sc.lines()[0])
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def no_raw_error(sc):
    status = "\n".join(sc.lines()[-2:])
    check(not RAW.search(status), "a raw error on the status line: %r" % status)


@test
def two_readers_and_an_import():
    d = tempfile.mkdtemp(dir=TMP)
    doc = write(d, "fares.txt", TEXT)
    db = os.path.join(d, "notes.db")
    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    start = TEXT.index("Sentence 39")
    quote = TEXT[start:start + 11]
    lines = ["id,document,sha256,tag,start,end,quote,note,links,author,created,updated"]
    for i in range(ROWS):
        lines.append("00000000-0000-4000-8000-%012d,%s,%s,source,%d,%d,%s,,,importer,"
                     "2026-11-22T10:00:00Z,2026-11-22T10:00:00Z" % (i, doc, sha, start, start + 11, quote))
    src = write(d, "many.csv", ("\r\n".join(lines) + "\r\n").encode())
    env = dict(os.environ, LC_ALL="C.UTF-8", HOME=d)

    with Screen(["--db", db, "--author", "one", doc], width=120, height=10) as one, \
            Screen(["--db", db, "--author", "two", doc], width=120, height=10) as two:
        one.wait_text("Three at once")
        two.wait_text("Three at once")
        one.keys("j")
        two.keys("j", ")", ")")
        imp = subprocess.Popen([GLOSS, "--db", db, "import", src], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        saved = 0
        # while the import holds the write lock: a change waits, then is
        # either saved or refused with a plain message, never shown falsely
        # (the count alone does not tell: the tag may load the other's claim
        # first, when it is what records the document)
        for sc in (one, two):
            sc.keys("c")
            sc.wait(lambda s: "tagged as claim" in s.text() or "not saved: database is locked" in s.text(),
                    "saved or refused")
            no_raw_error(sc)
            if "tagged as claim" in sc.text():
                saved += 1
            sc.keys(")")
        out, err = imp.communicate(timeout=120)
        check(imp.returncode == 0, err.decode())
        # each reader shows the import's sources, and the other's claims
        for sc in (one, two):
            sc.wait(lambda s: counts(s)[1] == ROWS, "the import shows", deadline=20)
            sc.wait(lambda s: counts(s)[0] == saved, "the other's claims show", deadline=20)
        # now nothing holds the lock: both save, and see each other's at once
        for sc, other in ((one, two), (two, one)):
            want = counts(sc)[0] + 1
            sc.keys("c")
            sc.wait(lambda s: counts(s)[0] == want, "saved")
            saved += 1
            other.wait(lambda s: counts(s)[0] == want, "shown in the other reader within a second",
                       deadline=5)
            no_raw_error(sc)
            sc.keys(")")
    check(sql(db, "SELECT count(*) FROM annotations WHERE author = 'importer';") == str(ROWS),
          "every imported row")
    check(sql(db, "SELECT count(*) FROM annotations WHERE author IN ('one', 'two');") == str(saved),
          "every change shown as saved, and nothing else")
    check(sql(db, "PRAGMA integrity_check;") == "ok", "intact")


@test
def the_log_is_made_ready_as_the_first_screen_shows():
    """A session's first change would wait for three syncs of a new log (its
    file, its directory, its header): gloss makes the log ready with a commit
    that changes nothing as soon as it has nothing left to do after its
    first screen, on its own thread, without waiting for a pause."""
    d = tempfile.mkdtemp(dir=TMP)
    doc = write(d, "fares.txt", TEXT)
    db = os.path.join(d, "notes.db")
    wal = db + "-wal"
    # a first session records the document; the last to close removes the log
    with Screen(["--db", db, doc], width=80, height=10) as sc:
        sc.wait_text("Three at once")
        sc.wait(lambda s: sql(db, "SELECT count(*) FROM documents;") == "1", "the document recorded")
        sc.keys("q")
        sc.wait_dead()
    check(not os.path.exists(wal), "no log left after the first session")
    version = sql(db, "PRAGMA user_version;")
    frame = 24 + int(sql(db, "PRAGMA page_size;"))
    with Screen(["--db", db, doc], width=80, height=10) as sc:
        sc.wait_text("Three at once")
        # the header and one frame, with j typed at every look: gloss is
        # never left the half second without a key after which it would
        # checkpoint and start the log anyway
        def ready(s):
            s.keys("j")
            return os.path.exists(wal) and os.path.getsize(wal) == 32 + frame
        sc.wait(ready, "a log of one frame")
        check(sql(db, "PRAGMA user_version;") == version, "the schema version unchanged")
        sc.keys("q")
        sc.wait_dead()
    check(sql(db, "PRAGMA integrity_check;") == "ok", "intact")


if __name__ == "__main__":
    sys.exit(run())
