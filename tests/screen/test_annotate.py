"""Screen tests of annotating: tag, select, link, note, delete, undo, reopen.

What gloss saved is read back with the sqlite3 program, not through gloss.
"""
import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (GLOSS, Screen, check, hold_lock, let_go, run, scratch, sql, test,  # noqa: E402
                     write)

TMP = scratch("gloss-annotate-")

S1 = "RIVERTON, Oct. 7 \u2014 The U.S. Army Corps of Engineers approved the repair on Monday."
S2 = "\u201cThe bridge is safe,\u201d said Dr. Ana Ruiz."
S3 = "The cost rose to 2.5 million dollars, according to the city budget office."
ONE = "Council says the bridge will reopen\n%s %s %s\nMr. J. R. Moss disagreed. Was he right?\n" % (S1, S2, S3)
TWO = ("Budget office: repair cost 2.5 million\n"
       "The city budget office published its figures on Tuesday. Ms. Lund signed them.\n")


def files():
    d = tempfile.mkdtemp(dir=TMP)
    return d, write(d, "one.txt", ONE), write(d, "two.txt", TWO), os.path.join(d, "notes.db")



def rows(db, query):
    out = sql(db, query)
    return [line.split("|") for line in out.split("\n")] if out else []


TAGGED = ("SELECT t.name, a.quote FROM annotations a JOIN tags t ON t.id = a.tag "
          "ORDER BY a.document, a.start, a.\"end\" DESC")

NOTES = ("SELECT t.name, a.note FROM annotations a JOIN tags t ON t.id = a.tag "
         "ORDER BY a.id")


def screen(db, *docs, **kw):
    return Screen(["--db", db, "--author", "tester"] + list(docs), **kw)


@test
def sentences_tagged_whole_as_claims():
    d, one, two, db = files()
    with screen(db, one, two, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys(")", "c")
        sc.wait(lambda s: len(rows(db, TAGGED)) == 2, "second claim saved")
        sc.keys(")", "c")
        sc.wait(lambda s: len(rows(db, TAGGED)) == 3, "third claim saved")
        sc.keys("}", "c")  # "Mr. J. R. Moss disagreed."
        sc.wait(lambda s: len(rows(db, TAGGED)) == 4, "fourth claim saved")
        got = [q for _, q in rows(db, TAGGED)]
        check(got == [S1, S2, S3, "Mr. J. R. Moss disagreed."], "quotes: %r" % got)
        sc.wait(lambda s: "4 claims 0 sources 4 unsourced" in s.lines()[0], "title counts")
        sc.keys("c")
        sc.wait_text("already tagged as claim")
        check(len(rows(db, TAGGED)) == 4, "no duplicate")
    check(sql(db, "SELECT DISTINCT author FROM annotations") == "tester", "author")
    check(sql(db, "SELECT count(*) FROM documents WHERE text IS NOT NULL") == "1", "text kept")
    check(sql(db, "SELECT length(uuid) FROM annotations LIMIT 1") == "36", "uuid")
    pre, suf = rows(db, "SELECT prefix, suffix FROM annotations a WHERE quote = '%s'" % S2.replace("'", "''"))[0]
    check(pre == S1[-31:] + " " and len(suf) == 32, "32 code points of context: %r %r" % (pre, suf))


WRAP_1 = "Officials said on Tuesday that the ministry had approved the"
WRAP_2 = "plan in March, according to two people briefed on the talks."


@test
def a_sentence_wrapped_over_lines_is_tagged_whole():
    d = tempfile.mkdtemp(dir=TMP)
    doc = write(d, "wrapped.txt", "Ministry approved plan\nBy Ana Lopez\n%s\n%s\nThe minister denied it.\n"
                % (WRAP_1, WRAP_2))
    db = os.path.join(d, "notes.db")
    with screen(db, doc, width=80, height=12) as sc:
        sc.wait_text("By Ana Lopez")
        sc.keys("j", "j", "j", "w", "c")  # on "in", the line the wrapper began
        sc.wait(lambda s: sql(db, "SELECT count(*) FROM annotations") == "1", "claim saved")
        sc.keys("g", "j", "c")  # the byline keeps its line end
        sc.wait(lambda s: sql(db, "SELECT count(*) FROM annotations") == "2", "second claim saved")
    out = subprocess.run([GLOSS, "--db", db, "export"], stdout=subprocess.PIPE, check=True).stdout
    table = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    quotes = [r[table[0].index("quote")] for r in table[1:]]
    check(sorted(quotes) == sorted(["By Ana Lopez", WRAP_1 + "\n" + WRAP_2]), "quotes: %r" % quotes)


@test
def selection_as_source_and_link_across_panes():
    d, one, two, db = files()
    with screen(db, one, two, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("Tab", "j", "v")
        sc.wait_text("selecting")
        sc.keys("e", "e", "e", "e", "s")
        sc.wait_text("tagged as source")
        check(rows(db, TAGGED) == [["source", "The city budget office"]], rows(db, TAGGED))
        # a claim in the first pane, linked to that source
        sc.keys("1", "j", ")", ")", "c")
        sc.wait(lambda s: len(rows(db, TAGGED)) == 2, "claim saved")
        sc.keys("a")
        sc.wait_text("linking")
        sc.keys("2")
        sc.wait(lambda s: s.cursor()[0] >= 80, "the second pane focused")
        sc.wait_text("linking")
        sc.keys("Enter")
        sc.wait_text("linked")
        link = rows(db, "SELECT fa.quote, ta.quote FROM links l JOIN annotations fa ON fa.id = l.\"from\" "
                        "JOIN annotations ta ON ta.id = l.\"to\"")
        check(link == [[S3, "The city budget office"]], "claim -> source: %r" % link)
        sc.wait(lambda s: "1 claim 0 sources 0 unsourced" in s.lines()[0], "no unsourced claim left")
        # from the source to a second claim: stored claim -> source all the same
        sc.keys("1", "k", "c")
        sc.wait(lambda s: len(rows(db, TAGGED)) == 3, "second claim saved")
        sc.keys("2", "a")
        sc.wait_text("linking")
        sc.keys("1", "Enter")
        sc.wait_text("linked")
        dirs = rows(db, "SELECT ft.name, tt.name FROM links l JOIN annotations f ON f.id = l.\"from\" "
                        "JOIN tags ft ON ft.id = f.tag JOIN annotations t ON t.id = l.\"to\" "
                        "JOIN tags tt ON tt.id = t.tag")
        check(dirs == [["claim", "source"], ["claim", "source"]], "direction: %r" % dirs)
        # the source says what links to it, here and in the list
        sc.keys("2")
        sc.wait(lambda s: "source  0 links, linked from 2  by tester" in s.lines()[-2], "the source described")
        sc.keys("L")
        sc.wait_text("annotations: 3 of 3")
        check(any(l.rstrip().endswith("\u201cThe city budget office\u201d  0 links, linked from 2")
                  for l in sc.lines()), "the list: %r" % sc.lines())


@test
def note_delete_undo_redo():
    d, one, two, db = files()
    with screen(db, one, width=120, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys("i")
        sc.wait_text("Enter saves")
        sc.type("Check the PDF \u2014 page 4 \u2713")
        sc.keys("C-j")
        sc.type("second line")
        sc.keys("Enter")
        sc.wait_text("note saved")
        check(sql(db, "SELECT note FROM annotations") == "Check the PDF \u2014 page 4 \u2713\nsecond line",
              sql(db, "SELECT note FROM annotations"))
        sc.keys("C-l")  # a key clears the message: the status describes the claim
        sc.wait_text("claim: Check the PDF")
        uuid = sql(db, "SELECT uuid || created FROM annotations")
        sc.keys("x")
        sc.wait_text("deleted the claim")
        check(sql(db, "SELECT count(*) FROM annotations") == "0", "deleted")
        sc.keys("u")
        sc.wait_text("undone")
        check(sql(db, "SELECT uuid || created FROM annotations") == uuid, "same uuid and time back")
        check(sql(db, "SELECT note FROM annotations").startswith("Check the PDF"), "note back")
        sc.keys("C-r")
        sc.wait_text("redone")
        check(sql(db, "SELECT count(*) FROM annotations") == "0", "deleted again")
        sc.keys("u", "u")
        sc.wait(lambda s: sql(db, "SELECT note FROM annotations") == "", "note undone too")
        sc.keys("i")
        sc.wait_text("Enter saves")
        sc.type("dropped")
        sc.keys("Escape")
        sc.wait_text("note not changed")
        check(sql(db, "SELECT note FROM annotations") == "", "Esc saves nothing")
        # Esc with a wheel report hard on its heels (an SGR report starts
        # with Esc too) is still Esc alone, not Alt and a key
        sc.keys("i")
        sc.wait_text("Enter saves")
        sc.type("also dropped")
        sc.tmux("send-keys", "-t", "t", "-H", *["%02x" % b for b in b"\x1b\x1b[<65;5;3M"])
        sc.wait_gone("Enter saves")  # the wheel then clears the message
        check("also dropped" not in sc.text(), "the editor closed")
        check(sql(db, "SELECT note FROM annotations") == "", "Esc saves nothing")


@test
def quit_and_reopen_shows_annotations_and_cursor():
    d, one, two, db = files()
    with screen(db, one, two, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("j", ")", "c")
        sc.wait_text("tagged as claim")
        sc.keys("w", "w")
        sc.wait(lambda s: s.cursor()[0] > 10, "moved")
        where = sc.cursor()
        sc.keys("q")
        sc.wait_dead()
    with screen(db, one, two, width=160, height=20) as sc:
        sc.wait(lambda s: "1 claim 0 sources 1 unsourced" in s.lines()[0], "annotation shown again")
        sc.wait(lambda s: s.cursor() == where, "cursor back where it was")


@test
def a_known_document_shows_its_text_where_it_was_left_before_its_annotations():
    """The first screen goes out before the annotations are read, already at
    the place the reader left: in what gloss writes to the terminal, the
    text there comes before the title's counts, and the top of the document
    never shows at all."""
    d = tempfile.mkdtemp(dir=TMP)
    lines = ["Opening headline", "Line 2, near the top: TOPWORD."] + [
        "Line %d of the filler text." % n for n in range(3, 80)]
    lines[59] = "The mayor said the bridge would open in May, ZEBRAFINAL noted."
    doc = write(d, "long.txt", "\n".join(lines) + "\n")
    db = os.path.join(d, "notes.db")
    with screen(db, doc, width=100, height=20) as sc:
        sc.wait_text("TOPWORD")
        sc.keys("/")
        sc.type("ZEBRAFINAL")
        sc.keys("Enter")
        sc.wait_gone("TOPWORD")
        sc.keys("c")
        sc.wait_text("tagged as claim")
        sc.keys("q")
        sc.wait_dead()
    log = os.path.join(d, "terminal.log")
    with Screen([], width=100, height=20, shell=True) as sc:
        sc.tmux("pipe-pane", "-t", "t", "cat >> '%s'" % log)
        sc.type("'%s' --db '%s' '%s'" % (GLOSS, db, doc))
        sc.keys("Enter")
        sc.wait(lambda s: "1 claim 0 sources 1 unsourced" in s.text(), "the claim counted")
        sc.wait_text("ZEBRAFINAL")
        with open(log, "rb") as f:
            out = f.read()
        check(b"TOPWORD" not in out, "the top of the document was drawn first")
        check(out.find(b"ZEBRAFINAL") < out.find(b"unsourced"),
              "the counts came before the text: %r" % out[:300])
        sc.keys("q")


def cached_paths(sc):
    """The paths the hash cache of sc's gloss holds a sum for."""
    try:
        with open(os.path.join(sc.tmp, "cache", "gloss", "sha256")) as f:
            return {line.rstrip("\n").split(" ", 6)[-1] for line in f.readlines()[1:]}
    except OSError:
        return set()


@test
def new_documents_recorded_after_the_first_screen_and_on_a_quick_quit():
    d, one, two, db = files()
    past = time.time() - 3600   # old enough for the hash cache to take their sums
    for p in (one, two):
        os.utime(p, (past, past))
    want = {os.path.realpath(one), os.path.realpath(two)}
    with screen(db, one, two, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.wait(lambda s: sql(db, "SELECT count(*) FROM documents") == "2", "both recorded")
        sc.wait(lambda s: cached_paths(s) == want, "both sums cached")
    # q typed before gloss has had a moment without keys: recorded on the way out
    db2 = os.path.join(d, "quick.db")
    sc = screen(db2, one, two, width=160, height=20)
    try:
        sc.keys("q")
        sc.wait_dead()
        check(sql(db2, "SELECT count(*) FROM documents") == "2", sql(db2, "SELECT path FROM documents"))
    finally:
        sc.close()


@test
def a_new_document_is_recorded_only_once_nobody_types():
    """Recording a document commits with an fsync: keys never wait for it.
    It comes once no key has come for a while (half a second), not between
    two keys."""
    d, one, two, db = files()
    with screen(db, one, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("j")
        sc.wait(lambda s: s.cursor()[1] == 2, "j handled")
        check(sql(db, "SELECT count(*) FROM documents") == "0", "recorded between keys")
        sc.wait(lambda s: sql(db, "SELECT count(*) FROM documents") == "1", "recorded once idle")


@test
def custom_tags_menu_and_keys():
    d, one, two, db = files()
    with screen(db, one, width=120, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys(":")
        sc.type("tag doubt q")
        sc.keys("Enter")
        sc.wait_text("key 'q' is taken")
        sc.keys(":")
        sc.type("tag doubt c")
        sc.keys("Enter")
        sc.wait_text("key 'c' is taken")
        sc.keys(":")
        sc.type("tag doubt d red")
        sc.keys("Enter")
        sc.wait_text("tag 'doubt' on key d")
        sc.keys("j", "d")
        sc.wait_text("tagged as doubt")
        sc.keys(")", "t")
        sc.wait_text("tag with")
        sc.keys("j", "Enter")  # the second tag: source
        sc.wait_text("tagged as source")
        sc.keys("?")
        sc.wait_text("gloss keys")
        sc.keys("G")
        sc.wait_text("doubt (red)")
    check(rows(db, TAGGED) == [["doubt", S1], ["source", S2]], rows(db, TAGGED))
    check(sql(db, "SELECT key, colour FROM tags WHERE name = 'doubt'") == "d|red", "tag kept")


@test
def nested_annotations_all_reachable():
    d, one, two, db = files()
    with screen(db, one, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys("w", "w", "w", "w", "v", "e", "e", "e", "s")  # "The U.S." inside it, from "The"
        sc.wait_text("tagged as source")
        sc.keys("g", "]")
        sc.wait(lambda s: s.cursor() == (0, 2), "first annotation")
        sc.wait_text(" claim")
        sc.keys("]")
        sc.wait(lambda s: s.cursor()[0] > 0, "the nested one")
        sc.wait_text(" source")
        sc.keys("[")
        sc.wait(lambda s: s.cursor() == (0, 2), "back to the outer")
        colours = sc.text(colours=True)
        check("\x1b[4m" in colours or ";4m" in colours or "4;" in colours, "overlap underlined")


@test
def same_span_with_two_tags():
    # a claim and a source on one sentence: i, ] and [, and x reach each,
    # and the one chosen stays chosen after a change reloads the pane
    d, one, two, db = files()
    with screen(db, one, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys("s")
        sc.wait_text("tagged as source")
        # i writes the note of what was just tagged
        sc.keys("i")
        sc.wait_text("note")
        sc.type("src note")
        sc.keys("Enter")
        sc.wait(lambda s: rows(db, NOTES) == [["claim", ""], ["source", "src note"]],
                "the note on the source")
        sc.keys("g", "]")
        sc.wait(lambda s: s.lines()[19].startswith(" claim"), "] reaches the claim")
        sc.keys("]")
        sc.wait(lambda s: s.lines()[19].startswith(" source"), "] reaches the source on the same span")
        sc.keys("]")
        sc.wait_text("no annotation after this one")
        sc.keys("[")
        sc.wait(lambda s: s.lines()[19].startswith(" claim"), "[ goes back to the claim")
        sc.keys("]")
        sc.wait(lambda s: s.lines()[19].startswith(" source"), "and ] to the source again")
        sc.keys("i")
        sc.wait_text("note")
        sc.type(" more")
        sc.keys("Enter")
        sc.wait(lambda s: rows(db, NOTES) == [["claim", ""], ["source", "src note more"]],
                "the note edited")
        sc.keys("x")
        sc.wait_text("deleted the source")
    check(rows(db, NOTES) == [["claim", ""]], rows(db, NOTES))


@test
def moving_away_and_back_forgets_what_was_just_tagged():
    # a source around a claim that starts where it does: i right after
    # tagging writes the source's note; once a key has moved the cursor,
    # even back onto the same character, the claim (the innermost) is
    # under the cursor again
    d, one, two, db = files()
    with screen(db, one, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("j", "v", "e", "c")  # "RIVERTON"
        sc.wait_text("tagged as claim")
        sc.keys("(", "s")  # back to the sentence's start, and the sentence
        sc.wait_text("tagged as source")
        for moves, note, want, what in (
                ([], "on the source", [["claim", ""], ["source", "on the source"]],
                 "the note of what was just tagged"),
                (["l", "h"], "on the claim", [["claim", "on the claim"], ["source", "on the source"]],
                 "the note of the innermost")):
            if moves:
                sc.keys(*moves)
            sc.wait(lambda s: s.cursor() == (0, 2), "the cursor at the start of both")
            sc.keys("i")
            sc.wait_text("note: Enter")
            sc.type(note)
            sc.keys("Enter")
            sc.wait(lambda s, want=want: rows(db, NOTES) == want, what)


@test
def v_ends_a_selection_and_esc_drops_it():
    d, one, two, db = files()
    with screen(db, one, width=160, height=20) as sc:
        sc.wait_text("Council says")
        # v at "The", to the last full stop of "U.S.", v ends it there:
        # moving on leaves it as it is, and s tags it, not the sentence
        sc.keys("/")
        sc.type("The U.S.")
        sc.keys("Enter", "v", *["l"] * 7, "v")
        sc.wait_text("selection ended")
        sc.keys("j", "w", "s")
        sc.wait_text("tagged as source")
        # Esc drops a selection: c then tags the sentence
        sc.keys("k", "0", "v", "e", "Escape", "c")
        sc.wait(lambda s: len(rows(db, TAGGED)) == 2, "two annotations")
        # v after an ended selection starts a new one at the cursor
        sc.keys("g", "v", "e", "v", "w", "v", "e", "t")
        sc.wait_text("tag with")
        sc.keys("j", "Enter")
        sc.wait(lambda s: len(rows(db, TAGGED)) == 3, "three annotations")
    check(rows(db, TAGGED) == [["source", "says"], ["claim", S1], ["source", "The U.S."]],
          rows(db, TAGGED))


@test
def list_filters_and_jumps():
    d, one, two, db = files()
    with screen(db, one, two, width=160, height=20) as sc:
        sc.wait_text("Council says")
        sc.keys("j", "c", ")", ")", "c", "Tab", "j", "s")
        sc.wait(lambda s: len(rows(db, TAGGED)) == 3, "three annotations")
        sc.keys("L")
        sc.wait_text("annotations: 3 of 3")
        sc.type("million")
        sc.wait_text("annotations: 1 of 3")
        sc.keys("Enter")
        sc.wait(lambda s: s.cursor()[0] < 80, "the first pane focused")
        sc.wait_text(" claim")
        x, y = sc.cursor()
        check(sc.lines()[y][x:].startswith("The cost rose"), "jumped to the claim: %r" % sc.lines()[y])
        # the wheel moves through the list: down to the last (the source in
        # the second pane), then up to the first
        wheel = lambda b: sc.tmux("send-keys", "-t", "t", "-H",
                                  *["%02x" % c for c in b"\x1b[<%d;5;5M" % b])
        sc.keys("L")
        sc.wait_text("annotations: 3 of 3")
        wheel(65)
        sc.keys("Enter")
        sc.wait(lambda s: s.cursor()[0] >= 80, "the second pane focused")
        sc.keys("L")
        sc.wait_text("annotations: 3 of 3")
        wheel(65)
        wheel(64)
        sc.keys("Enter")
        sc.wait(lambda s: s.cursor()[0] < 80, "the first pane focused again")
        # the filter reads the whole quote, past what the line shows, and
        # not what the line adds ("0 links")
        sc.keys("L")
        sc.wait_text("annotations: 3 of 3")
        sc.type("on Monday")
        sc.wait_text("annotations: 1 of 3")
        sc.keys(*["BSpace"] * 9)
        sc.wait_text("annotations: 3 of 3")
        sc.type("links")
        sc.wait_text("annotations: 0 of 3")


@test
def ill_formed_bytes_show_as_replacement_characters_on_one_line():
    # the status line and L show an ill-formed byte as the pane does
    d, one, two, db = files()
    bad = write(d, "bad.txt", b"Intro line\nThe caf\xff rose 5 percent.\n")
    with screen(db, bad, width=100, height=10) as sc:
        sc.wait_text("Intro line")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim: \"The caf\ufffd rose 5 percent.\"")
        sc.keys("L")
        sc.wait_text("\u201cThe caf\ufffd rose 5 percent.\u201d")


@test
def list_columns_line_up():
    # a long tag, a tag with a non-ASCII letter and two document names of
    # different lengths: every quote starts in the same column
    d, one, two, db = files()
    longer = write(d, "a-much-longer-name.txt", TWO)
    with screen(db, one, longer, width=200, height=20) as sc:
        sc.wait_text("Council says")
        for cmd in ("tag contested-figure d", "tag r\u00e9fut\u00e9 r"):
            sc.keys(":")
            sc.type(cmd)
            sc.keys("Enter")
            sc.wait_text("on key")
        sc.keys("j", "c", ")", "d", "Tab", "j", "r")
        sc.wait(lambda s: len(rows(db, TAGGED)) == 3, "three annotations")
        sc.keys("L")
        sc.wait_text("annotations: 3 of 3")
        items = [l for l in sc.lines()[1:4]]
        starts = [l.find("\u201c") for l in items]
        check(len(set(starts)) == 1 and starts[0] > 0, "quotes in one column: %r" % items)
        check(any(l.startswith(" contested-figure one.txt ") for l in items), items)


@test
def two_processes_see_each_other():
    d, one, two, db = files()
    with screen(db, one, width=120, height=12) as a, screen(db, one, width=120, height=12) as b:
        a.wait_text("Council says")
        b.wait_text("Council says")
        a.keys("j", "c")
        a.wait_text("tagged as claim")
        b.wait(lambda s: "1 claim" in s.lines()[0], "the other process shows it", deadline=3)
        b.keys("j", "x")
        b.wait_text("deleted the claim")
        a.wait(lambda s: "claim" not in s.lines()[0], "and the deletion", deadline=3)


@test
def an_open_list_follows_the_other_process():
    """L open while another gloss deletes one of its annotations: the list is
    made again (it pointed at annotations that were replaced), and Enter
    jumps to one that is still there."""
    d, one, two, db = files()
    with screen(db, one, width=120, height=12) as a, screen(db, one, width=120, height=12) as b:
        a.wait_text("Council says")
        b.wait_text("Council says")
        a.keys("j", "c")
        a.wait_text("tagged as claim")
        a.keys(")", "c")
        a.wait(lambda s: "2 claims" in s.lines()[0], "two claims")
        a.keys("L")
        a.wait_text("annotations: 2 of 2")
        b.wait(lambda s: "2 claims" in s.lines()[0], "the other process shows them", deadline=3)
        b.keys("j", "x")
        b.wait_text("deleted the claim")
        a.wait_text("annotations: 1 of 1", deadline=3)
        check(S2[:20] in a.text() and S1[:20] not in a.text(), "the one left: %r" % a.text())
        a.keys("Enter")
        a.wait(lambda s: "1 claim" in s.lines()[0], "back to the text")
        check(not a.dead(), "gloss still running")


@test
def a_lock_held_elsewhere_holds_back_neither_the_first_screen_nor_quitting():
    """gloss writes what nobody asked for (a changed file recorded, new
    documents recorded on the way out) without waiting long on another
    process's lock: the first screen comes at once, and q waits for one
    record at most (2 s), not one per document."""
    d, one, two, db = files()
    with screen(db, one, width=120, height=12) as sc:
        sc.wait_text("Council says")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
    with open(one, "a", encoding="utf-8") as f:
        f.write("A line added later.\n")
    three = write(d, "three.txt", "Third one\nNothing here yet.\n")
    four = write(d, "four.txt", "Fourth one\nNothing here either.\n")
    holder = hold_lock(db)
    try:
        t0 = time.monotonic()
        with screen(db, one, two, three, four, width=160, height=12) as sc:
            sc.wait_text("A line added later", deadline=1.5)
            check(time.monotonic() - t0 < 1.5, "the first screen waited for the lock")
            t0 = time.monotonic()
            sc.keys("q")
            sc.wait_dead(deadline=3.5)
    finally:
        let_go(holder)
    # the changed file is recorded, its claim followed, once gloss runs again
    with screen(db, one, width=120, height=12) as sc:
        sc.wait(lambda s: "1 claim" in s.lines()[0], "the claim followed")


@test
def locked_database_says_so_and_saves_nothing():
    d, one, two, db = files()
    with screen(db, one, width=120, height=12) as sc:
        sc.wait_text("Council says")
        holder = hold_lock(db)
        try:
            # the document is new too: recording it is refused the same way
            sc.keys("j", "c")
            sc.wait_text("not saved: database is locked")
            check("1 claim" not in sc.lines()[0], "not shown as done")
            # The user pauses (an input, not a wait for gloss): gloss then tries
            # to record the document without waiting for the lock, so a key
            # typed meanwhile is answered at once, not after the 2 s timeout.
            time.sleep(0.8)
            y = sc.cursor()[1]
            sc.keys("k")
            sc.wait(lambda s: s.cursor()[1] == y - 1, "k answered while the lock is held", deadline=1.0)
        finally:
            let_go(holder)
        check(sql(db, "SELECT count(*) FROM annotations") == "0", "nothing saved")
        # the document is recorded at the next pause, with no key to ask for it
        sc.wait(lambda s: sql(db, "SELECT count(*) FROM documents") == "1", "recorded once the lock went")
        sc.keys("c")
        sc.wait_text("tagged as claim")


def claim_and_note(sc):
    """The second line's sentence tagged as a claim, and its note opened."""
    sc.keys("j", "c")
    sc.wait_text("tagged as claim")
    sc.keys("i")
    sc.wait_text("note: Enter")


@contextlib.contextmanager
def small_note(text):
    """gloss at 20x5 with a claim's note open and text typed into it:
    (the screen, the database)."""
    d, one, two, db = files()
    with screen(db, one, width=20, height=5) as sc:
        sc.wait_text("Council")
        claim_and_note(sc)
        sc.type(text)
        sc.wait_text(text)
        yield sc, db


@test
def note_editor_at_tiny_sizes():
    with small_note("tiny note") as (sc, db):
        x, y = sc.cursor()
        check(sc.lines()[y][:x].endswith("tiny note"), "cursor after the text: %r" % sc.lines()[y])
        # Down to one cell, still taking keys, and drawn where the cursor is.
        # At 1x1 the cell is the terminal's last, which curses does not
        # write: what was typed there shows at the next size.
        for (w, h), ch, shown in (((3, 3), "@", "@"), ((2, 2), "#", "#"), ((1, 1), "~", None),
                                  ((1, 3), "^", "~\n^"), ((3, 1), "$", "$"), ((2, 3), "%", "$%")):
            sc.resize(w, h)
            sc.wait(lambda s: s.fmt("#{window_width} #{window_height}") == "%d %d" % (w, h),
                    "resized to %dx%d" % (w, h))
            sc.type(ch)
            if shown:
                sc.wait(lambda s: shown in "\n".join(l.rstrip() for l in s.lines()),
                        "%r at %dx%d" % (shown, w, h))
            check(not sc.dead(), "alive at %dx%d" % (w, h))
        sc.resize(20, 5)
        sc.wait_text("tiny note@#~^$%")
        sc.keys("Enter")
        sc.wait_text("note saved")
    check(sql(db, "SELECT note FROM annotations") == "tiny note@#~^$%", sql(db, "SELECT note FROM annotations"))


@test
def a_note_typed_into_one_column_wide():
    # One column wide, each keystroke's drawing shows the two last
    # characters on the two rows of text, with the one before on top.
    with small_note("abc") as (sc, db):
        sc.resize(1, 3)

        def shows(top, below):
            sc.wait(lambda s: [l.rstrip() for l in s.lines()][:2] == [top, below],
                    "%r over %r at 1x3" % (top, below))
        shows("b", "c")
        for before, ch in zip("cde", "def"):
            sc.type(ch)
            shows(before, ch)
        sc.resize(20, 5)
        sc.wait_text("abcdef")


@test
def tab_is_typed_into_a_note():
    d, one, two, db = files()
    with screen(db, one, width=120, height=20) as sc:
        sc.wait_text("Council says")
        claim_and_note(sc)
        sc.type("a")
        sc.keys("Tab")
        sc.type("b")
        sc.wait_text("a       b")  # expanded to the next multiple of 8
        sc.keys("Enter")
        sc.wait_text("note saved")
        sc.keys("1")  # Tab and the panes are as before once the note is closed
        sc.wait_gone("note saved")
    check(sql(db, "SELECT hex(note) FROM annotations") == "610962", sql(db, "SELECT note FROM annotations"))
    out = subprocess.run([GLOSS, "--db", db, "export"], stdout=subprocess.PIPE, check=True).stdout
    table = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    check(table[1][table[0].index("note")] == "a\tb", "exported: %r" % table)


@test
def command_line_words_are_quoted_as_in_a_shell():
    d, one, two, db = files()
    with screen(db, one, width=120, height=20, cwd=d) as sc:
        sc.wait_text("Council says")
        sc.keys("j", "c")
        sc.wait_text("tagged as claim")
        sc.keys(":")
        sc.type('export "a b.csv"')
        sc.keys("Enter")
        sc.wait_text("exported 1 annotation to 'a b.csv'")
        with open(os.path.join(d, "a b.csv"), newline="", encoding="utf-8") as f:
            table = list(csv.reader(f))
        check(table[0][:4] == ["id", "document", "sha256", "tag"] and table[1][3] == "claim",
              "the CSV: %r" % table)
        sc.keys(":")
        sc.type("export my\\ notes.jsonl --format 'json'l")
        sc.keys("Enter")
        sc.wait_text("exported 1 annotation to 'my notes.jsonl'")
        with open(os.path.join(d, "my notes.jsonl"), encoding="utf-8") as f:
            check(json.loads(f.readline())["tag"] == "claim", "JSON Lines written")
        sc.keys(":")
        sc.type('export "open.csv')
        sc.keys("Enter")
        sc.wait_text('the " quote is not closed: nothing done')
        # never over a document shown here, nor over the database
        text = open(one, "rb").read()
        sc.keys(":")
        sc.type("export one.txt")
        sc.keys("Enter")
        sc.wait_text("'one.txt' is a document open here: an export does not replace it")
        check(open(one, "rb").read() == text, "the document untouched")
        sc.keys(":")
        sc.type("export notes.db")
        sc.keys("Enter")
        sc.wait_text("'notes.db' is the database: an export never replaces it")
        check(sorted(os.listdir(d)) == ["a b.csv", "my notes.jsonl", "notes.db", "notes.db-shm",
                                        "notes.db-wal", "one.txt", "two.txt"],
              "nothing else written: %r" % os.listdir(d))
        # :tag splits its words with the same rules.
        sc.keys(":")
        sc.type("tag 'big doubt' d \"red\"")
        sc.keys("Enter")
        sc.wait_text("tag 'big doubt' on key d, in red")
    check(sql(db, "SELECT key, colour FROM tags WHERE name = 'big doubt'") == "d|red",
          sql(db, "SELECT name, key, colour FROM tags"))


if __name__ == "__main__":
    sys.exit(run())
