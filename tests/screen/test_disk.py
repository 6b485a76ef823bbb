"""Disk trouble: a change that cannot be written shows an error, is not shown
as saved, and leaves the database intact and readable.  The disk fills up by
a file size limit (ulimit -f in the shell that starts gloss), which needs no
privileges: past it a write fails with EFBIG as on a full disk."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import GLOSS, Screen, check, run, scratch, sql, test, write  # noqa: E402

TMP = scratch("gloss-disk-")
TEXT = "Sentences to tag\n" + " ".join(
    "Claim number %d says the harbour fee rose by %d euros." % (i, 3 * i) for i in range(60)) + "\n"



def new_database():
    """A directory with the document and a new, empty database of gloss:
    (directory, document, database, environment)."""
    d = tempfile.mkdtemp(dir=TMP)
    doc = write(d, "fees.txt", TEXT)
    db = os.path.join(d, "notes.db")
    env = dict(os.environ, LC_ALL="C.UTF-8", HOME=d)
    subprocess.run([GLOSS, "--db", db, "list"], env=env, check=True, stdout=subprocess.PIPE)
    return d, doc, db, env


def claims(sc):
    m = re.search(r"(\d+) claims? ", sc.lines()[0])
    return int(m.group(1)) if m else 0


@test
def a_full_disk_refuses_the_change_and_keeps_the_database():
    d, doc, db, env = new_database()
    # room for the write-ahead log to take a few changes, then no more
    limit = (os.path.getsize(db) + 48 * 1024) // 512
    with Screen([], width=200, height=12, shell=True) as sc:
        sc.type("ulimit -f %d; '%s' --db '%s' '%s'; echo STATUS=$?\n" % (limit, GLOSS, db, doc))
        sc.wait_text("Sentences to tag")
        sc.keys("j")
        shown = 0
        refused = False
        for _ in range(60):
            sc.keys("c")
            sc.wait(lambda s: claims(s) == shown + 1 or "not saved" in s.text(),
                    "the claim shown, or refused")
            if "not saved" in sc.text():
                refused = True
                break
            shown += 1
            sc.keys(")")
        check(refused, "the limit was reached after %d claims" % shown)
        check(re.search(r"not saved: database '.*': (cannot write to the disk \(full\?\)|the disk is full)", sc.text()),
              "says why: %s" % sc.lines()[-2:])
        check(shown > 0, "some changes fitted")
        check(claims(sc) == shown, "the refused claim is not shown")
        # the database holds exactly what was shown, and is whole
        check(sql(db, "SELECT count(*) FROM annotations;") == str(shown), "only what was shown")
        check(sql(db, "PRAGMA integrity_check;") == "ok", "intact")
        sc.keys("q")
        sc.wait_text("STATUS=0")
    with Screen(["--db", db, doc], width=100, height=12) as sc:
        sc.wait(lambda s: claims(s) == shown, "reopened with every claim shown before")


@test
def an_export_to_a_full_disk_leaves_nothing_behind():
    d = tempfile.mkdtemp(dir=TMP)
    doc = write(d, "fees.txt", TEXT)
    db = os.path.join(d, "notes.db")
    env = dict(os.environ, LC_ALL="C.UTF-8", HOME=d)
    rows = ["id,document,sha256,tag,start,end,quote,note,links,author,created,updated"]
    import hashlib
    import uuid
    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    for i in range(200):
        rows.append("%s,%s,%s,claim,,,quote %d,%s,,ana,2026-11-22T10:00:00Z,2026-11-22T10:00:00Z"
                    % (uuid.UUID(int=i + 1, version=4), doc, sha, i, "n" * 200))
    src = write(d, "in.csv", ("\r\n".join(rows) + "\r\n").encode())
    r = subprocess.run([GLOSS, "--db", db, "import", src], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 0, r.stderr.decode())
    out = os.path.join(d, "out.csv")
    write(d, "out.csv", b"an older export\n")
    r = subprocess.run(["sh", "-c", "ulimit -f 80; exec '%s' --db '%s' export -o '%s'" % (GLOSS, db, out)],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = r.stderr.decode()
    check(r.returncode == 1 and err.startswith("gloss: export: cannot write '%s': " % out) and
          err.count("\n") == 1, "one line, status 1: %d %r" % (r.returncode, err))
    check(open(out, "rb").read() == b"an older export\n", "the older file untouched")
    check([f for f in os.listdir(d) if ".tmp-" in f] == [], "no temporary file left")


@test
def a_database_whose_files_cannot_be_made_says_why():
    # the -shm file SQLite makes beside the database is 32 KB: past a limit
    # of 4 KB the open fails, with the system's reason, not "disk I/O error"
    d, doc, db, env = new_database()
    for f in os.listdir(d):
        if f.startswith("notes.db-"):
            os.remove(os.path.join(d, f))
    before = open(db, "rb").read()
    want = "gloss: cannot open database '%s': File too large\n" % db
    r = subprocess.run(["sh", "-c", "ulimit -f 8; exec '%s' --db '%s' list" % (GLOSS, db)],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 1 and r.stderr.decode() == want,
          "one line, status 1: %d %r" % (r.returncode, r.stderr.decode()))
    with Screen([], width=100, height=12, shell=True) as sc:
        sc.type("ulimit -f 8; '%s' --db '%s' '%s'; echo STATUS=$?\n" % (GLOSS, db, doc))
        sc.wait_text("STATUS=1")
        check(want.strip() in sc.text(), "the reader says so too: %s" % sc.lines())
    check(open(db, "rb").read() == before, "the database untouched")


@test
def a_read_only_database_shows_its_annotations_and_refuses_changes():
    d = tempfile.mkdtemp(dir=TMP)
    os.chmod(TMP, 0o755)
    os.chmod(d, 0o755)
    doc = write(d, "fees.txt", TEXT)
    os.chmod(doc, 0o644)
    db = os.path.join(d, "notes.db")
    env = dict(os.environ, LC_ALL="C.UTF-8", HOME=d)
    with Screen(["--db", db, doc], width=160, height=12) as sc:
        sc.wait_text("Sentences to tag")
        sc.keys("j", "c")
        sc.wait(lambda s: claims(s) == 1, "one claim saved")
    os.chmod(db, 0o444)
    before = open(db, "rb").read()
    # as root, permissions bind nobody: run gloss as the unprivileged user
    run_as = "setpriv --reuid=65534 --regid=65534 --clear-groups " if os.geteuid() == 0 else ""
    binary = os.path.join(d, "gloss")  # where that user can reach it
    shutil.copy(GLOSS, binary)
    os.chmod(binary, 0o755)
    with Screen([], width=160, height=12, shell=True) as sc:
        sc.type("%s'%s' --db '%s' '%s'; echo STATUS=$?\n" % (run_as, binary, db, doc))
        sc.wait_text("the database is read-only")
        sc.wait(lambda s: claims(s) == 1, "the saved claim shows")
        sc.keys(")", "c")
        sc.wait(lambda s: re.search(r"not saved: database '.*' is read-only", s.text()), "refused")
        check(claims(sc) == 1, "not shown as saved")
        sc.keys("q")
        sc.wait_text("STATUS=0")
        # the same text under another name: known by its sum, with no
        # write of where it was seen
        copy = write(d, "copy.txt", TEXT)
        os.chmod(copy, 0o644)
        sc.type("clear; %s'%s' --db '%s' '%s'; echo STATUS=$?\n" % (run_as, binary, db, copy))
        sc.wait_text("the database is read-only")
        sc.wait(lambda s: claims(s) == 1, "the claim shows under the other name too")
        check("not moved" not in sc.text(), "nothing to move: %r" % sc.lines()[-1])
        sc.keys("q")
        sc.wait_text("STATUS=0")
    check(open(db, "rb").read() == before, "the file is untouched")
    check(sql(db, "SELECT count(*) FROM annotations;") == "1", "and readable")


if __name__ == "__main__":
    sys.exit(run())
