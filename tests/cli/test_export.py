"""Export, import, list and docs, checked with real readers: Python's csv and
json modules and the sqlite3 program."""
import csv
import hashlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "screen"))
from harness import GLOSS, Screen, check, run, scratch, test, write  # noqa: E402

TMP = scratch("gloss-export-")
HEADER = "id,document,sha256,tag,start,end,quote,note,links,author,created,updated\r\n"

TEXT = ("Caf\u00e9 owners say the tax rose 12%, \u201cfar too much.\u201d\n"
        "The mayor\u2019s office said the rise was 2.5 points. \u4e2d\u6587 \U0001F600 emoji.\n"
        "Tabs\there, and a quote: \"yes\".\n")


def gloss(*args, db=None, stdin=subprocess.DEVNULL):
    cmd = [GLOSS] + (["--db", db] if db else []) + list(args)
    env = dict(os.environ, LC_ALL="C.UTF-8", HOME=TMP, XDG_CACHE_HOME=os.path.join(TMP, "cache"))
    return subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def fresh():
    d = tempfile.mkdtemp(dir=TMP)
    doc = os.path.join(d, "article.txt")
    with open(doc, "w", encoding="utf-8", newline="") as f:
        f.write(TEXT)
    return d, doc, os.path.join(d, "notes.db")


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def cp(s, sub, nth=0):
    """Code point offsets of the nth occurrence of sub in s."""
    i = -1
    for _ in range(nth + 1):
        i = s.index(sub, i + 1)
    return i, i + len(sub)


def row(uuid, doc, tag, quote, note="", links="", author="ana", t="2026-11-22T10:00:00Z", u=None):
    a, b = cp(TEXT, quote)
    return [uuid, doc, sha(doc), tag, str(a), str(b), quote, note, links, author, t, u or t]


def csv_bytes(rows):
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER.strip().split(","))
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode("utf-8")


U = ["00000000-0000-4000-8000-%012d" % i for i in range(10)]


def sample(doc):
    """Rows holding commas, quotes, CR, LF, tabs, emoji, CJK, a note starting with '=', links."""
    return [
        row(U[1], doc, "claim", "Caf\u00e9 owners say the tax rose 12%, \u201cfar too much.\u201d",
            note="=SUM(A1:A2), \"checked\"\r\nsecond line", links=U[2]),
        row(U[2], doc, "source", "The mayor\u2019s office", note="tab\there \u4e2d\u6587 \U0001F600"),
        row(U[3], doc, "claim", "the rise was 2.5 points", links=U[2], author="bo",
            t="2026-11-23T08:30:00Z"),
        row(U[4], doc, "doubt", "Tabs\there, and a quote: \"yes\".", note="-x"),
    ]


@test
def round_trip_gives_the_same_bytes():
    d, doc, db = fresh()
    src = write(d, "in.csv", csv_bytes(sample(doc)))
    r = gloss("import", src, db=db)
    check(r.returncode == 0, r.stderr.decode())
    check(b"4 annotations added or replaced" in r.stdout, r.stdout)
    r = gloss("export", db=db)
    check(r.returncode == 0, r.stderr.decode())
    check(r.stdout == open(src, "rb").read(), "same bytes:\n%r\n%r" % (r.stdout, open(src, "rb").read()))
    # into yet another empty database, from JSON Lines this time
    j = gloss("export", "--format", "jsonl", db=db).stdout
    jpath = write(d, "in.jsonl", j)
    db2 = os.path.join(d, "two.db")
    check(gloss("import", jpath, db=db2).returncode == 0, "jsonl import")
    check(gloss("export", db=db2).stdout == open(src, "rb").read(), "same bytes through JSONL")


@test
def an_empty_database_round_trips_in_both_formats():
    d, doc, db = fresh()
    gloss("docs", db=db)
    for fmt in ("csv", "jsonl"):
        out = gloss("export", "--format", fmt, db=db)
        check(out.returncode == 0, out.stderr.decode())
        path = write(d, "none." + fmt, out.stdout)
        db2 = os.path.join(d, "none-%s.db" % fmt)
        r = gloss("import", path, db=db2)
        check(r.returncode == 0, "%s: %r" % (fmt, r.stderr))
        check(b"0 annotations added or replaced" in r.stdout, r.stdout)
        check(gloss("export", "--format", fmt, db=db2).stdout == out.stdout, "%s: same bytes" % fmt)
    # blank lines are no rows either; a CSV without its header is still refused
    r = gloss("import", write(d, "blank.jsonl", b"\n\r\n\n"), db=db)
    check(r.returncode == 0, r.stderr)
    r = gloss("import", write(d, "spaces.jsonl", b"   \n  \t\n \r\n"), db=db)
    check(r.returncode == 0, r.stderr)
    refused(d, db, "rows.csv", csv_bytes(sample(doc)).split(b"\r\n", 1)[1],
            "line 1, column 1: not the header of a gloss export (id,document,sha256,...)")


@test
def spaces_around_link_ids_are_read_as_the_store_reads_them():
    d, doc, db = fresh()
    src = sample(doc)
    rows_ = [list(r) for r in src]
    for i, links in enumerate([U[2] + " ", "  " + U[4], "", U[2] + "  " + U[1] + " "]):
        rows_[i][8] = links
    r = gloss("import", write(d, "spaced.csv", csv_bytes(rows_)), db=db)
    check(r.returncode == 0, r.stderr.decode())
    got = {rec[0]: rec[8] for rec in csv.reader(io.StringIO(gloss("export", db=db).stdout.decode()))}
    check(got[U[1]] == U[2] and got[U[2]] == U[4] and got[U[3]] == ""
          and sorted(got[U[4]].split(" ")) == [U[1], U[2]] and "  " not in got[U[4]],
          "links written with single spaces: %r" % got)
    bad = [list(r) for r in src[:1]]
    bad[0][8] = U[2] + " x"
    refused(d, db, "badlink.csv", csv_bytes(bad), "line 2, column 9 (links): not ids separated by spaces")


@test
def nul_bytes_and_bad_utf8_in_a_document_round_trip():
    """A quote over a NUL byte keeps it; ill-formed bytes go out as U+FFFD, one
    per code point as a decoder with errors="replace" counts them, and come
    back in placed on the document's own bytes."""
    d = tempfile.mkdtemp(dir=TMP)
    raw = b"Nul\x00here, bad \xff\xe2\x80 bytes; \xe4\xb8\xad end.\n"
    doc = write(d, "odd.txt", raw)
    db = os.path.join(d, "notes.db")
    text = raw.decode("utf-8", errors="replace")
    rows = []
    for i, q in enumerate(["Nul\x00here", "bad \ufffd\ufffd bytes", "\u4e2d end."]):
        a, b = cp(text, q)
        rows.append([U[i + 1], doc, sha(doc), "claim", str(a), str(b), q, "", "", "ana",
                     "2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z"])
    src = write(d, "in.csv", csv_bytes(rows))
    r = gloss("import", src, db=db)
    check(r.returncode == 0, r.stderr.decode())
    # placed on the document's bytes: the database holds them, NUL and all
    q = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", db, "SELECT hex(quote), start, \"end\" FROM annotations"
                        " ORDER BY start;"], stdout=subprocess.PIPE).stdout.decode().split()
    check(q[0] == (raw[0:8].hex().upper() + "|0|8"), "NUL kept in the quote: %r" % q)
    check(q[1].startswith(raw[10:23].hex().upper() + "|10|23"), "raw bytes kept: %r" % q)
    out = gloss("export", db=db).stdout
    check(out == open(src, "rb").read(), "same bytes:\n%r\n%r" % (out, open(src, "rb").read()))
    for r in csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")):
        check(text[int(r["start"]):int(r["end"])] == r["quote"], "text[start:end] == quote: %r" % r)
    j = gloss("export", "--format", "jsonl", db=db).stdout
    db2 = os.path.join(d, "two.db")
    r = gloss("import", write(d, "in.jsonl", j), db=db2)
    check(r.returncode == 0, r.stderr.decode())
    check(gloss("export", db=db2).stdout == out, "same bytes through JSONL")
    check(json.loads(j.splitlines()[0])["quote"] == "Nul\x00here", "JSON keeps U+0000")
    # U+0000 where no document put it is refused, naming the column
    bad = csv_bytes([rows[0][:7] + ["a\x00note"] + rows[0][8:]])
    r = gloss("import", write(d, "bad.csv", bad), db=db2)
    check(r.returncode == 1 and b"line 2, column 8 (note): NUL byte" in r.stderr, r.stderr)


@test
def csv_is_rfc4180_and_offsets_are_code_points():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    out = gloss("export", db=db).stdout
    check(not out.startswith(b"\xef\xbb\xbf"), "no BOM")
    check(out.startswith(HEADER.encode()), "header")
    check(b"\n" not in out.replace(b"\r\n", b"").replace(b"second line", b""), "CRLF record ends")
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")))
    check(len(rows) == 4, "four rows")
    for r in rows:
        check(TEXT[int(r["start"]):int(r["end"])] == r["quote"], "text[start:end] == quote: %r" % r)
    check(rows[0]["note"] == "=SUM(A1:A2), \"checked\"\r\nsecond line", "note kept: %r" % rows[0]["note"])
    check(rows[0]["links"] == U[2], "links")
    # the sqlite3 program reads it too
    r = subprocess.run(["sqlite3", ":memory:", ".import --csv /dev/stdin t", "SELECT count(*), "
                        "sum(length(quote)) FROM t;"], input=out, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    want = "4|%d" % sum(len(x["quote"]) for x in rows)
    check(r.stdout.decode().strip() == want, "sqlite3 .import: %r" % r.stdout)


@test
def jsonl_and_w3c():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    lines = gloss("export", "--format", "jsonl", db=db).stdout.decode().splitlines()
    objs = [json.loads(x) for x in lines]
    check(len(objs) == 4, "four objects")
    raw = TEXT.encode()
    for o in objs:
        check(raw[o["byte_start"]:o["byte_end"]].decode() == o["quote"], "byte offsets: %r" % o)
        check(TEXT[o["start"]:o["end"]] == o["quote"], "code point offsets")
        check(set(o) >= {"id", "prefix", "suffix", "links", "created", "updated"}, o.keys())
    w3c = json.loads(gloss("export", "--format", "w3c", db=db).stdout)
    check(w3c["@context"] == "http://www.w3.org/ns/anno.jsonld", "context")
    items = w3c["first"]["items"]
    anns = [i for i in items if i.get("motivation") != "linking"]
    links = [i for i in items if i.get("motivation") == "linking"]
    check(len(anns) == 4 and len(links) == 2, "4 annotations and 2 links: %d %d" % (len(anns), len(links)))
    check(w3c["total"] == len(items) == 6, "total counts every item: %r" % w3c["total"])
    sel = {s["type"]: s for s in anns[0]["target"]["selector"]}
    check(sel["TextQuoteSelector"]["exact"] == objs[0]["quote"], "quote selector")
    check(sel["TextPositionSelector"]["start"] == objs[0]["start"], "position selector")
    purposes = [b["purpose"] for b in anns[0]["body"]]
    check(purposes == ["tagging", "commenting"], purposes)
    check(links[0]["target"] == "urn:uuid:" + U[1] and links[0]["body"] == "urn:uuid:" + U[2], links[0])


@test
def filters_select():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)

    def ids(*args):
        out = gloss("export", *args, db=db).stdout.decode()
        return [r["id"] for r in csv.DictReader(io.StringIO(out, newline=""))]

    check(ids("--tag", "claim") == [U[1], U[3]], "tag")
    check(ids("--author", "bo") == [U[3]], "author")
    check(ids("--since", "2026-11-23") == [U[3]], "since")
    check(ids("--doc", sha(doc)[:8]) == [U[1], U[2], U[3], U[4]], "sha prefix")
    check(ids("--doc", doc) == [U[1], U[2], U[3], U[4]], "path")
    # a typo is an error, before anything is written, not an empty export
    for args, want in [(["--doc", "nope.txt"], "no document 'nope.txt' in the database"),
                       (["--tag", "clam"], "no tag 'clam'")]:
        for cmd in ("export", "list", "docs"):
            r = gloss(cmd, *args, db=db)
            check(r.returncode == 1 and r.stdout == b"" and
                  r.stderr.decode() == "gloss: %s: %s\n" % (cmd, want), "%s %r: %r" % (cmd, args, r))
    r = gloss("export", "--since", "yesterday", db=db)
    check(r.returncode == 1 and b"bad date 'yesterday'" in r.stderr, r.stderr)
    r = gloss("export", "--format", "xml", db=db)
    check(r.returncode == 2 and b"unknown format 'xml'" in r.stderr, r.stderr)


@test
def export_never_replaces_the_database_nor_a_bare_word():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    before, text = sha(db), sha(doc)
    # a word that is no option is not an output file: "export article.txt"
    # wrote the export over the article
    r = gloss("export", doc, db=db)
    check(r.returncode == 2 and r.stdout == b"" and
          b"unexpected '%s': the output file is given with -o" % doc.encode() in r.stderr, r)
    check(sha(doc) == text, "the document untouched")
    # the database, its log, and a link to it, even with --force; and its
    # log when the database is named through a link (SQLite keeps it beside
    # the file the link names)
    os.symlink(db, os.path.join(d, "link.db"))
    r = gloss("export", "-o", db + "-wal", db=os.path.join(d, "link.db"))
    check(r.returncode == 1 and b"is the database: an export never replaces it" in r.stderr, r)
    for out, extra in [(db, []), (db + "-wal", []), (os.path.join(d, "link.db"), ["--force"])]:
        if not os.path.exists(out):
            continue
        r = gloss("export", *extra, "-o", out, db=db)
        check(r.returncode == 1 and
              r.stderr.decode() == "gloss: export: '%s' is the database: an export never replaces it\n" % out, r)
    check(sha(db) == before, "the database untouched")
    rows = list(csv.reader(io.StringIO(gloss("export", db=db).stdout.decode(), newline="")))
    check(len(rows) == 5, "its rows all there: %d" % len(rows))
    check(not [f for f in os.listdir(d) if ".tmp-" in f], "no temporary left: %r" % os.listdir(d))


@test
def a_signal_during_export_leaves_no_temporary_file():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc)[:1])), db=db)
    # 200,000 copies of the row: an export of some 50 MB, long enough to be
    # caught while it writes its temporary file
    subprocess.run(["sqlite3", db,
                    "INSERT INTO annotations (uuid, document, tag, start, \"end\", quote, prefix, suffix,"
                    " note, author, created, updated) SELECT printf('%08x-0000-4000-8000-000000000000', c.x),"
                    " document, tag, start, \"end\", quote, prefix, suffix, note, author, created, updated"
                    " FROM annotations, (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
                    " WHERE x < 200000) SELECT x FROM c) AS c"], check=True)
    env = dict(os.environ, LC_ALL="C.UTF-8", HOME=TMP)
    caught = 0
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        out = os.path.join(d, "out.csv")
        p = subprocess.Popen([GLOSS, "--db", db, "export", "-o", out], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not [f for f in os.listdir(d) if ".tmp-" in f] and p.poll() is None:
            check(time.monotonic() < deadline, "no temporary file seen")
            time.sleep(0.001)
        p.send_signal(sig)
        rc = p.wait()
        left = [f for f in os.listdir(d) if ".tmp-" in f]
        if rc == 0:
            # it finished first: nothing to clean, and the file is whole
            check(not left and os.path.exists(out), "finished: %r" % left)
            os.unlink(out)
            continue
        check(rc == -sig, "%s: status %d" % (sig.name, rc))
        check(not left and not os.path.exists(out), "%s left %r" % (sig.name, os.listdir(d)))
        caught += 1
    check(caught > 0, "every export finished before its signal")
    # an ignored signal stays ignored (nohup): the export goes on, whole
    out = os.path.join(d, "out.csv")
    p = subprocess.Popen([GLOSS, "--db", db, "export", "-o", out], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL,
                         preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    deadline = time.monotonic() + 10
    while not [f for f in os.listdir(d) if ".tmp-" in f] and p.poll() is None:
        check(time.monotonic() < deadline, "no temporary file seen")
        time.sleep(0.001)
    p.send_signal(signal.SIGHUP)
    check(p.wait() == 0, "nohup'd export ended by SIGHUP")
    rows = list(csv.reader(io.StringIO(open(out, newline="", encoding="utf-8").read())))
    check(len(rows) == 200002, "the export whole: %d rows" % len(rows))


@test
def output_file_is_written_atomically():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    out = os.path.join(d, "out.csv")
    r = gloss("export", "-o", out, db=db)
    check(r.returncode == 0 and r.stdout == b"", r.stderr)
    check(open(out, "rb").read() == gloss("export", db=db).stdout, "same as stdout")
    check(not [f for f in os.listdir(d) if ".tmp-" in f], "no temporary left: %r" % os.listdir(d))
    # a new file's mode is what the umask leaves of 0666; a replaced file keeps its own
    old = os.umask(0o027)
    try:
        fresh_out = os.path.join(d, "masked.csv")
        check(gloss("export", "-o", fresh_out, db=db).returncode == 0, "export under umask 027")
        check(os.stat(fresh_out).st_mode & 0o777 == 0o640, "mode %o" % os.stat(fresh_out).st_mode)
    finally:
        os.umask(old)
    os.chmod(out, 0o600)
    check(gloss("export", "--tag", "claim", "-o", out, db=db).returncode == 0, "replaced")
    check(os.stat(out).st_mode & 0o777 == 0o600, "replaced file keeps 0600: %o" % os.stat(out).st_mode)
    r = gloss("export", "-o", os.path.join(d, "missing", "x.csv"), db=db)
    check(r.returncode == 1 and b"cannot write" in r.stderr, r.stderr)
    # a failed export leaves an older file where it was
    os.chmod(d, 0o555)
    try:
        before = open(out, "rb").read()
        if os.geteuid() != 0:
            r = gloss("export", "--tag", "claim", "-o", out, db=db)
            check(r.returncode == 1, "refused in a read-only directory")
        check(open(out, "rb").read() == before, "older file untouched")
    finally:
        os.chmod(d, 0o755)


@test
def safe_guards_spreadsheet_formulas():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    out = gloss("export", "--safe", db=db).stdout.decode()
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    check(rows[0]["note"].startswith("'=SUM"), "apostrophe before =: %r" % rows[0]["note"])
    check(rows[3]["note"] == "'-x", "and before -")
    check(rows[0]["start"].isdigit(), "numbers untouched")
    safe = write(d, "safe.csv", out.encode())
    db2 = os.path.join(d, "two.db")
    check(gloss("import", safe, db=db2).returncode == 0, "safe file imports")
    check(gloss("export", db=db2).stdout == gloss("export", db=db).stdout, "and reads back faithful")


def refused(d, db, name, data, want):
    before = gloss("export", db=db).stdout
    path = write(d, name, data)
    r = gloss("import", path, db=db)
    check(r.returncode == 1, "status %d" % r.returncode)
    check(r.stderr.decode() == "gloss: import '%s': %s\n" % (path, want),
          "stderr %r, want %r" % (r.stderr.decode(), want))
    check(gloss("export", db=db).stdout == before, "nothing imported")


@test
def a_filtered_export_imports_without_the_links_to_what_it_left_out():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    claims = write(d, "claims.csv", gloss("export", "--tag", "claim", db=db).stdout)
    db2 = os.path.join(d, "claims.db")
    r = gloss("import", claims, db=db2)
    check(r.returncode == 0, r.stderr.decode())
    check(r.stderr.decode() == "gloss: import '%s': 2 links to annotations in neither the file nor"
          " the database left out ('%s', ...)\n" % (claims, U[2]), "said: %r" % r.stderr)
    rows = list(csv.DictReader(io.StringIO(gloss("export", db=db2).stdout.decode(), newline="")))
    check([(x["id"], x["links"]) for x in rows] == [(U[1], ""), (U[3], "")],
          "both claims, without links: %r" % rows)
    # where the database holds the sources, the links are made
    r = gloss("import", claims, db=db)
    check(r.returncode == 0 and r.stderr == b"", r.stderr.decode())


@test
def malformed_files_import_nothing():
    d, doc, db = fresh()
    good = sample(doc)
    gloss("import", write(d, "in.csv", csv_bytes(good[:1])), db=db)
    body = csv_bytes(good[1:]).split(b"\r\n", 1)[1]
    refused(d, db, "header.csv", b"id,document\r\n" + body,
            "line 1, column 3: not the header of a gloss export (id,document,sha256,...)")
    short = csv_bytes(good[1:2]) + b"x,y\r\n"
    refused(d, db, "short.csv", short, "line 3, column 3: 2 fields, a row has 12")
    bad = [list(r) for r in good[1:]]
    bad[1][4] = "4x"
    refused(d, db, "number.csv", csv_bytes(bad), "line 3, column 5 (start): not a whole number")
    refused(d, db, "utf8.csv", csv_bytes(good[1:2]) + b"\xff\r\n", "line 3, column 1: invalid UTF-8")
    far = [list(r) for r in good[1:2]]
    far[0][4], far[0][5] = "500", "510"
    refused(d, db, "far.csv", csv_bytes(far), "line 2, column 5 (start): offsets outside the document")
    wrong = [list(r) for r in good[1:2]]
    wrong[0][6] = "not the quote"
    refused(d, db, "quote.csv", csv_bytes(wrong), "line 2, column 7 (quote): quote does not match the text")
    # an id twice: one of the rows would be lost in the merge without a word
    twice = [list(r) for r in good[1:]] + [list(good[2])]
    twice[-1][7] = "a second row with the id of line 3"
    refused(d, db, "twice.csv", csv_bytes(twice), "line 5: the same id as line 3")
    jl = gloss("export", "--format", "jsonl", db=db).stdout.splitlines()
    refused(d, db, "twice.jsonl", b"\n".join(jl + [jl[0]]) + b"\n",
            "line %d: the same id as line 1" % (len(jl) + 1))
    # a file that is not there, or not a file: one line, said once
    for name, why in [("nope.csv", "No such file or directory"), (".", "Is a directory")]:
        r = gloss("import", os.path.join(d, name), db=db)
        want = "gloss: cannot open '%s': %s\n" % (os.path.join(d, name), why)
        check(r.returncode == 1 and r.stderr.decode() == want, "stderr %r" % r.stderr)


@test
def merge_keeps_the_newer():
    d, doc, db = fresh()
    old = sample(doc)
    gloss("import", write(d, "in.csv", csv_bytes(old)), db=db)
    newer = [list(r) for r in old]
    newer[1][7] = "newer note"
    newer[1][11] = "2026-11-24T00:00:00Z"
    newer[2][7] = "older note"
    newer[2][11] = "2026-11-01T00:00:00Z"
    r = gloss("import", write(d, "merge.csv", csv_bytes(newer)), db=db)
    check(b"1 annotation added or replaced" in r.stdout, r.stdout)
    check(r.stderr == b"", "no ties, no warning: %r" % r.stderr)
    notes = [r["note"] for r in csv.DictReader(io.StringIO(gloss("export", db=db).stdout.decode(), newline=""))]
    check(notes[1] == "newer note" and notes[2] == "", notes)


@test
def list_and_docs():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    out = gloss("list", db=db).stdout.decode().splitlines()
    check(out[0] == "%s:1:1: claim: \"Caf\u00e9 owners say the tax rose 12%%, \u201cfar too much.\u201d\" "
                    "=SUM(A1:A2), \"checked\"  second line" % doc, out[0])
    check(out[2].startswith("%s:2:25: claim: \"the rise was 2.5 points\"" % doc), out[2])
    check(len(gloss("list", "--tag", "source", db=db).stdout.decode().splitlines()) == 1, "filtered")
    docs = gloss("docs", db=db).stdout.decode()
    check(docs.startswith(doc) and "2 claims  1 source  0 unsourced  (4 annotations)" in docs, docs)


@test
def annotations_of_an_absent_document_are_placed_when_it_is_opened():
    d, doc, db = fresh()
    src = csv_bytes(sample(doc))
    moved = os.path.join(d, "elsewhere.txt")
    os.rename(doc, moved)
    gloss("import", write(d, "in.csv", src), db=db)
    # Not placed yet, but nothing of the rows is lost: the offsets too.
    out = gloss("export", db=db).stdout
    check(out == src, "the same bytes before placing:\n%r\n%r" % (out, src))
    check("(not placed yet)" in gloss("list", db=db).stdout.decode(), "list says so")
    # docs counts them already: they are the document's, waiting for its text
    docs = gloss("docs", db=db).stdout.decode()
    check("2 claims  1 source  0 unsourced  (4 annotations)" in docs, docs)
    with Screen(["--db", db, moved], width=100, height=10) as sc:
        sc.wait(lambda s: "2 claims 1 source 0 unsourced" in s.lines()[0], "placed on opening")
    rows = list(csv.DictReader(io.StringIO(gloss("export", db=db).stdout.decode(), newline="")))
    check([TEXT[int(r["start"]):int(r["end"])] for r in rows] == [r["quote"] for r in rows], "placed")


@test
def reader_export_writes_what_the_command_line_writes():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    out = os.path.join(d, "from-reader.jsonl")
    with Screen(["--db", db, doc], width=100, height=10) as sc:
        sc.wait_text("Caf\u00e9 owners")
        sc.keys(":")
        sc.type("export %s --format jsonl --tag claim" % out)
        sc.keys("Enter")
        sc.wait_text("exported 2 annotations to")
    want = gloss("export", "--format", "jsonl", "--tag", "claim", db=db).stdout
    check(open(out, "rb").read() == want, "same bytes")


@test
def a_tie_that_differs_is_kept_and_said():
    d, doc, db = fresh()
    old = sample(doc)
    gloss("import", write(d, "in.csv", csv_bytes(old)), db=db)
    tie = [list(r) for r in old]
    tie[3][7] = "same second, other note"
    path = write(d, "tie.csv", csv_bytes(tie))
    r = gloss("import", path, db=db)
    check(r.returncode == 0 and b"0 annotations added or replaced" in r.stdout, r.stdout)
    want = ("gloss: import '%s': 1 annotation differs from the database's with the same"
            " updated time; kept the database's (line 6)\n" % path)
    check(r.stderr.decode() == want, "stderr %r" % r.stderr)
    notes = [x["note"] for x in csv.DictReader(io.StringIO(gloss("export", db=db).stdout.decode(), newline=""))]
    check(notes[3] == "-x", "kept: %r" % notes)


@test
def export_writes_into_a_pipe_or_a_device_and_leaves_it_one():
    # replacing them with a file would break them (as root, /dev/null);
    # the test uses none of the system's own, so that a failure breaks none
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    want = gloss("export", db=db).stdout
    fifo = os.path.join(d, "pipe")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = gloss("export", "-o", fifo, db=db)
    reader.join(10)
    check(r.returncode == 0 and r.stderr == b"", r.stderr)
    check(got == [want], "the export came through the pipe: %r" % got[:1])
    check(stat.S_ISFIFO(os.stat(fifo).st_mode), "still a pipe")
    # /dev/stdout is a link to a pipe here: written into, no --force needed
    r = gloss("export", "-o", "/dev/stdout", db=db)
    check(r.returncode == 0 and r.stdout == want, "through /dev/stdout: %r" % r.stderr)


@test
def export_does_not_follow_a_symlink_unless_forced():
    d, doc, db = fresh()
    gloss("import", write(d, "in.csv", csv_bytes(sample(doc))), db=db)
    target = write(d, "precious.txt", b"keep me\n")
    link = os.path.join(d, "out.csv")
    os.symlink(target, link)
    r = gloss("export", "-o", link, db=db)
    want = ("gloss: export: '%s' is a symbolic link: not replaced (--force writes to the file it"
            " points to)\n" % link)
    check(r.returncode == 1 and r.stderr.decode() == want, "refused: %r" % r.stderr)
    check(open(target, "rb").read() == b"keep me\n" and os.path.islink(link), "nothing touched")
    check([f for f in os.listdir(d) if ".tmp-" in f] == [], "no temporary file left")
    r = gloss("export", "--force", "-o", link, db=db)
    check(r.returncode == 0, r.stderr.decode())
    check(os.path.islink(link) and open(target, "rb").read() == gloss("export", db=db).stdout,
          "--force writes the file the link points to, and the link stays")


@test
def an_export_without_the_texts_lists_rows_as_one_with_them():
    # Ids in the opposite order to the positions: a database that has the
    # text lists by position, and one that has not must do the same.
    d, doc, db = fresh()
    rows = [row("f%07d-0000-4000-8000-000000000000" % i, doc, "claim", q)
            for i, q in enumerate(["owners", "Caf\u00e9", "mayor"])]
    rows = sorted(rows, key=lambda r: r[0], reverse=True)
    r = gloss("import", write(d, "in.csv", csv_bytes(rows)), db=db)
    check(r.returncode == 0, r.stderr.decode())
    first = gloss("export", db=db).stdout
    check([l.split(b",")[6] for l in first.split(b"\r\n")[1:-1]] == [b"Caf\xc3\xa9", b"owners", b"mayor"],
          "by position: %r" % first)
    elsewhere = tempfile.mkdtemp(dir=TMP)
    exported = write(elsewhere, "out.csv", first)
    os.unlink(doc)
    db2 = os.path.join(elsewhere, "other.db")
    r = gloss("import", exported, db=db2)
    check(r.returncode == 0, r.stderr.decode())
    check("(not placed yet)" in gloss("list", db=db2).stdout.decode(), "not placed")
    again = gloss("export", db=db2).stdout
    check(again == first, "the same bytes:\n%r\n%r" % (again, first))


@test
def whether_a_row_finds_its_text_does_not_depend_on_the_order_of_rows():
    # The first row names a path where the text is not, the second one where
    # it is: the first row's quote is checked against that text too, so the
    # file is refused whichever row comes first, and whatever the database holds.
    d, doc, db = fresh()
    good = row("00000000-0000-4000-8000-000000000002", doc, "claim", "owners")
    wrong = row("00000000-0000-4000-8000-000000000001", doc, "claim", "owners")
    wrong[1] = os.path.join(d, "absent.txt")
    wrong[6] = "OWNERS"
    for rows in ([wrong, good], [good, wrong]):
        r = gloss("import", write(d, "in.csv", csv_bytes(rows)), db=db)
        line = 2 + rows.index(wrong)
        check(r.returncode == 1 and
              ("line %d, column 7 (quote)" % line) in r.stderr.decode(), "refused: %r" % r.stderr)
        check(gloss("export", db=db).stdout.decode() == HEADER, "nothing imported")
    # With the right quote both rows are placed in the text the second found.
    wrong[6] = "owners"
    r = gloss("import", write(d, "in.csv", csv_bytes([wrong, good])), db=db)
    check(r.returncode == 0, r.stderr.decode())
    check("(not placed yet)" not in gloss("list", db=db).stdout.decode(), "both placed")


@test
def an_empty_document_keeps_its_text():
    d, doc, db = fresh()
    empty = write(d, "empty.txt", b"")
    r = ["00000000-0000-4000-8000-000000000009", empty, sha(empty), "claim", "0", "0", "", "",
         "", "ana", "2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z"]
    src = csv_bytes([r])
    check(gloss("import", write(d, "in.csv", src), db=db).returncode == 0, "imported")
    check(gloss("export", db=db).stdout == src, "exported with its offsets, not as an orphan")


@test
def import_reads_no_standard_input_and_no_pipe():
    # "-" is how a document read from standard input is recorded; a row
    # naming it, or a FIFO, must not make import read or wait on them.
    d, doc, db = fresh()
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)
    rows = []
    for i, path in enumerate(["-", fifo]):
        r = row("00000000-0000-4000-8000-00000000001%d" % i, doc, "claim", "owners")
        r[1] = path
        rows.append(r)
    src = csv_bytes(rows)
    feeder = subprocess.Popen(["sleep", "30"], stdout=subprocess.PIPE)
    try:
        cmd = [GLOSS, "--db", db, "import", write(d, "in.csv", src)]
        r = subprocess.run(cmd, stdin=feeder.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=10)
    finally:
        feeder.kill()
        feeder.wait()
    check(r.returncode == 0, r.stderr.decode())
    out = list(csv.DictReader(io.StringIO(gloss("export", db=db).stdout.decode(), newline="")))
    check(sorted(x["id"] for x in out) == sorted(x[0] for x in rows), "both kept: %r" % out)
    check(gloss("list", db=db).stdout.decode().count("(not placed yet)") == 2, "neither placed")


@test
def a_quote_not_in_the_text_that_comes_later_is_an_orphan():
    # Imported while its document is away, with a quote the text does not
    # have at its offsets; the text comes with a later import: the row is an
    # orphan (not left waiting), and the round trip still gives the same bytes.
    d, doc, db = fresh()
    away = row("00000000-0000-4000-8000-000000000021", doc, "claim", "owners")
    away[1] = os.path.join(d, "absent.txt")
    away[6] = "OWNERS"
    check(gloss("import", write(d, "a.csv", csv_bytes([away])), db=db).returncode == 0, "first")
    good = row("00000000-0000-4000-8000-000000000022", doc, "claim", "mayor")
    r = gloss("import", write(d, "b.csv", csv_bytes([good])), db=db)
    check(r.returncode == 0, r.stderr.decode())
    listed = gloss("list", "--orphans", db=db).stdout.decode()
    check("OWNERS" in listed and "mayor" not in listed, "the unmatched one is an orphan: %r" % listed)
    first = gloss("export", db=db).stdout
    elsewhere = tempfile.mkdtemp(dir=TMP)
    os.unlink(doc)
    db2 = os.path.join(elsewhere, "other.db")
    check(gloss("import", write(elsewhere, "out.csv", first), db=db2).returncode == 0, "again")
    again = gloss("export", db=db2).stdout
    check(again == first, "the same bytes:\n%r\n%r" % (again, first))


if __name__ == "__main__":
    sys.exit(run())
