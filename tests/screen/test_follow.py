"""Screen tests of annotations following their document: the file is edited
between two runs of gloss, moved, and deleted.  What gloss saved is read back
with the sqlite3 program and `gloss export`, read with Python's csv module."""
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (GLOSS, Screen, check, hold_lock, let_go, run, scratch, sql, test,  # noqa: E402
                     write)

TMP = scratch("gloss-follow-")

P1 = "Harbour fees will double next spring, the port authority said on Friday."
P2 = "Fishers say the rise will cost each boat 4,000 euros a year."
P3 = "A spokesperson for the minister declined to comment."
OLD = "Port fees to double\n\n%s\n\n%s %s\n" % (P1, P2, P3)
# a correction at the top, one word changed inside a quote, one sentence gone
NEW = ("Port fees to double\n\nCorrection: an earlier version gave the wrong month.\n\n"
       "%s\n\n%s\n" % (P1, P2.replace("each boat", "every boat")))



def gloss(db, *args):
    env = dict(os.environ, LC_ALL="C.UTF-8", HOME=TMP)
    return subprocess.run([GLOSS, "--db", db] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env)


def export(db):
    r = gloss(db, "export")
    check(r.returncode == 0, r.stderr.decode())
    return list(csv.DictReader(io.StringIO(r.stdout.decode("utf-8"), newline="")))


def screen(db, *args, **kw):
    return Screen(["--db", db, "--author", "tester"] + list(args), **kw)


def port():
    """A directory of its own holding OLD as port.txt: (directory, file, database)."""
    d = tempfile.mkdtemp(dir=TMP)
    return d, write(d, "port.txt", OLD.encode()), os.path.join(d, "notes.db")


def tag_three(db, doc):
    """Tag the three sentences as claims, the first one found by search."""
    with screen(db, doc, width=100, height=16) as sc:
        sc.wait_text("Port fees")
        for words in ["Harbour fees", "Fishers say", "A spokesperson"]:
            sc.keys("/")
            sc.type(words)
            sc.keys("Enter")
            sc.keys("c")
            sc.wait(lambda s, w=words: w in sql(db, "SELECT group_concat(quote) FROM annotations"),
                    "%r tagged" % words)


@test
def r_re_attaches_the_orphan_chosen_though_the_list_changes_under_it():
    """r records the focused document first when it is new to the database
    (here: its record met another process's lock at the start), which
    follows its earlier version, adds its orphan to the list and moves the
    others down: the orphan chosen is still the one re-attached."""
    d = tempfile.mkdtemp(dir=TMP)
    db = os.path.join(d, "notes.db")
    f = write(d, "f.txt", "F title\nGone sentence here. Fresh words stay here.\n")
    o = write(d, "o.txt", "O title\nA spokesperson said so. Zebras ran away. Third stays.\n")
    with screen(db, f, o, width=160, height=16) as sc:
        sc.wait_text("F title")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys("2", "j", "c")
        sc.wait_text("tagged as claim")
        sc.keys(")", "c")
        sc.wait(lambda s: sql(db, "SELECT count(*) FROM annotations") == "3", "three claims")
    write(d, "f.txt", "F title\nFresh words stay here.\n")
    write(d, "o.txt", "O title\nThird stays.\n")
    with screen(db, o, width=160, height=16) as sc:
        sc.wait_text("2 orphaned")
    zebras = sql(db, "SELECT id FROM annotations WHERE quote = 'Zebras ran away.'")
    holder = hold_lock(db)
    try:
        with screen(db, f, o, width=160, height=16) as sc:
            sc.wait_text("Fresh words")
            # the list: o.txt's two orphans; the last one chosen
            sc.keys("j", "v", "e", "L")
            sc.wait_text("Zebras ran away")
            sc.keys("Down", "Down")
            sc.wait_text("r re-attaches to the selection")
            let_go(holder)
            holder = None
            sc.keys("r")
            sc.wait_text("re-attached to \"Fresh\"")
    finally:
        if holder:
            let_go(holder)
    check(sql(db, "SELECT quote, start IS NOT NULL FROM annotations WHERE id = %s" % zebras) == "Fresh|1",
          "the orphan chosen: %r" % sql(db, "SELECT id, quote, start FROM annotations"))
    check(sql(db, "SELECT start IS NULL FROM annotations WHERE quote = 'A spokesperson said so.'") == "1",
          "the other one stays an orphan")


@test
def a_file_written_while_open_is_not_recorded():
    # The file is rewritten in place (as "cat new > port.txt" does) while
    # gloss shows it: what the pane shows may be neither version, so tagging
    # is refused and nothing is recorded under the sum of the old bytes.
    d, doc, db = port()
    with screen(db, doc, width=100, height=16) as sc:
        sc.wait_text("Port fees")
        with open(doc, "r+b") as f:
            f.write(NEW.encode())
        sc.wait_text("changed on disk after gloss opened it")
        sc.keys("/")
        sc.type("Fishers")
        sc.keys("Enter", "c")
        sc.wait_text("not saved: '%s' changed on disk" % doc)
    check(sql(db, "SELECT count(*) FROM annotations") == "0", "no annotation saved")
    old = hashlib.sha256(OLD.encode()).hexdigest()
    for sha, text in [r.split("|", 1) for r in
                      sql(db, "SELECT sha256, hex(text) FROM documents").split("\n") if r]:
        check(not text or hashlib.sha256(bytes.fromhex(text)).hexdigest() == sha,
              "a text kept under another sum: %s" % sha)
        check(sha in (old, ""), "an unknown sum recorded: %s" % sha)
    # opened again, the new version is a document like any other
    with screen(db, doc, width=100, height=16) as sc:
        sc.wait_text("Correction")
        sc.keys("/")
        sc.type("Fishers")
        sc.keys("Enter", "c")
        sc.wait_text("tagged as claim")


@test
def one_message_says_what_every_changed_file_did():
    # two files changed: the second's message used to replace the first's
    d, doc, db = port()
    doc2 = write(d, "port2.txt", ("Second edition\n\n" + OLD).encode())
    tag_three(db, doc)
    tag_three(db, doc2)
    write(d, "port.txt", NEW.encode())
    write(d, "port2.txt", ("Correction: the date was wrong.\n\nSecond edition\n\n" + OLD).encode())
    with screen(db, doc, doc2, width=160, height=16) as sc:
        sc.wait_text("2 files changed: 5 annotations followed (4 shifted, 1 found by text);"
                     " 1 orphaned (L lists them)")


@test
def annotations_follow_an_edited_file():
    d, doc, db = port()
    tag_three(db, doc)
    before = {r["quote"]: r for r in export(db)}
    check(sorted(before) == sorted([P1, P2, P3]), "three whole sentences: %r" % sorted(before))

    write(d, "port.txt", NEW.encode())
    with screen(db, doc, width=120, height=16) as sc:
        sc.wait_text("port.txt changed: 2 annotations followed")
        sc.wait_text("1 orphaned (L lists them)")
        sc.wait(lambda s: "2 claims" in s.lines()[0], "title counts the two placed")
        # the list shows the orphan under its own heading
        sc.keys("L")
        sc.wait_text("orphaned claim")
        check(P3[:30] in sc.text(), "the orphan's quote is listed")
        sc.keys("Escape")
        sc.wait_gone("orphaned claim")

    text = NEW
    rows = {r["id"]: r for r in export(db)}
    new_sha = hashlib.sha256(NEW.encode()).hexdigest()
    old_sha = hashlib.sha256(OLD.encode()).hexdigest()
    placed = [r for r in rows.values() if r["start"]]
    check(len(placed) == 2, "two placed: %r" % rows)
    for r in placed:
        check(text[int(r["start"]):int(r["end"])] == r["quote"], "offsets slice the new text: %r" % r)
        check(r["sha256"] == new_sha, "on the new version")
        check(r["id"] == before[P1]["id"] or r["id"] == before[P2]["id"], "same ids")
    moved = rows[before[P2]["id"]]
    check(moved["quote"] == P2.replace("each boat", "every boat"), "the changed quote: %r" % moved)
    orphan = rows[before[P3]["id"]]
    check(orphan["start"] == "" and orphan["end"] == "", "orphan has no offsets: %r" % orphan)
    check(orphan["sha256"] == old_sha and orphan["quote"] == P3, "orphan keeps its last version")
    # history keeps the old quote
    check(sql(db, "SELECT quote FROM history WHERE uuid = '%s'" % before[P2]["id"]) == P2,
          "history keeps the old quote")
    # gloss list --orphans names it
    r = gloss(db, "list", "--orphans")
    check(r.returncode == 0 and r.stdout.decode().count("\n") == 1 and P3 in r.stdout.decode()
          and "(orphaned)" in r.stdout.decode(), r.stdout)

    # select new text, r on the orphan in the list: re-attached there, undoable
    with screen(db, doc, width=100, height=16) as sc:
        sc.wait_text("Port fees")
        sc.keys("/")
        sc.type("Correction")
        sc.keys("Enter")
        sc.keys("v", "e")
        sc.keys("L")
        sc.wait_text("orphaned claim")
        for _ in range(4):
            sc.keys("Down")
        sc.wait_text("r re-attaches to the selection")
        sc.keys("r")
        sc.wait_text("re-attached to \"Correction\"")
        sc.wait(lambda s: "3 claims" in s.lines()[0], "three claims again")
        check(sql(db, "SELECT quote, start IS NOT NULL FROM annotations WHERE uuid = '%s'"
                  % before[P3]["id"]) == "Correction|1", "stored")
        sc.keys("u")
        sc.wait_text("undone: re-attaching")
        sc.wait(lambda s: "2 claims" in s.lines()[0], "an orphan again")
    check(sql(db, "SELECT quote(start) FROM annotations WHERE uuid = '%s'" % before[P3]["id"])
          == "NULL", "undone in the database")


def at_cursor(sc):
    x, y = sc.cursor()
    return sc.lines()[y][x:]


def leave_at_cost_each(db, doc, tag=None):
    """Open doc, tag the title with key tag when given, and quit with the
    cursor on "cost each"."""
    with screen(db, doc, width=100, height=16) as sc:
        sc.wait_text("Port fees")
        if tag:
            sc.keys(tag)
            sc.wait(lambda s: "1 claim" in s.lines()[0], "the title tagged")
        sc.keys("/")
        sc.type("cost each")
        sc.keys("Enter")
        sc.wait(lambda s: at_cursor(s).startswith("cost each boat"), "the cursor on the match")


@test
def the_reader_comes_back_to_their_place_in_an_edited_file():
    d, doc, db = port()
    leave_at_cost_each(db, doc, "c")
    # a correction above it and a word changed after it
    write(d, "port.txt", NEW.encode())
    with screen(db, doc, width=100, height=16) as sc:
        sc.wait_text("port.txt changed")
        sc.wait(lambda s: at_cursor(s).startswith("cost every boat"),
                "the cursor where the reader left it")
    check(sql(db, "SELECT c.position FROM cursors c JOIN documents d ON d.id = c.document"
              " WHERE d.sha256 = '%s'" % hashlib.sha256(NEW.encode()).hexdigest())
          == str(NEW.encode().index(b"cost every")), "saved for the new version")


@test
def the_reader_comes_back_to_their_place_in_an_edited_file_with_no_annotations():
    # no annotations, so no text kept: the bytes saved around the place
    # find it (those after it changed, "each" to "every": by those before)
    d, doc, db = port()
    leave_at_cost_each(db, doc)
    check(sql(db, "SELECT count(*) FROM annotations") == "0", "nothing tagged")
    write(d, "port.txt", NEW.encode())
    with screen(db, doc, width=100, height=16) as sc:
        sc.wait(lambda s: at_cursor(s).startswith("cost every boat"),
                "the cursor where the reader left it")


@test
def a_warning_at_start_is_not_replaced_by_another_pane_s_news():
    d, doc, db = port()
    tag_three(db, doc)
    write(d, "port.txt", ("Correction: a month was wrong.\n\n" + OLD).encode())
    blob = write(d, "blob.bin", bytes(range(256)) * 8)
    with screen(db, blob, doc, width=120, height=16) as sc:
        sc.wait(lambda s: "3 claims" in s.lines()[0], "the second pane's annotations followed")
        check(sql(db, "SELECT count(DISTINCT document) FROM annotations") == "1"
              and sql(db, "SELECT count(*) FROM history") == "3", "all three moved")
        check("looks like a binary file" in sc.text(), "the warning stays: %r" % sc.lines()[-2])
        # the next key clears it, as any message
        sc.keys("j")
        sc.wait_gone("looks like a binary file")


@test
def a_moved_file_keeps_its_annotations_and_a_deleted_one_opens_from_the_database():
    d, doc, db = port()
    tag_three(db, doc)
    moved = os.path.join(d, "renamed.txt")
    shutil.move(doc, moved)
    with screen(db, moved, width=100, height=16) as sc:
        sc.wait(lambda s: "3 claims" in s.lines()[0], "known by its content")
    # read from standard input: the same, by its content
    with Screen([], width=100, height=16, shell=True) as sc:
        sc.type("cat '%s' | '%s' --db '%s' -" % (moved, GLOSS, db))
        sc.keys("Enter")
        sc.wait(lambda s: "3 claims" in s.lines()[0], "known from standard input")
        sc.keys("q")
    os.unlink(moved)
    check(len(export(db)) == 3, "exported without its file")
    sha = hashlib.sha256(OLD.encode()).hexdigest()
    with screen(db, "--doc", sha[:8], width=100, height=16) as sc:
        sc.wait_text("Harbour fees will double")
        sc.wait(lambda s: "3 claims" in s.lines()[0], "with its annotations")
    r = gloss(db, "--doc", "0000")
    check(r.returncode == 1 and b"gloss: no document in" in r.stderr, r.stderr)


if __name__ == "__main__":
    sys.exit(run())
