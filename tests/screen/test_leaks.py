"""No leak that grows with use: gloss runs under valgrind in tmux through a
short and a long session of the same work (tag, note, list, search, undo,
redo), and neither may lose memory nor make a memory error.

valgrind cannot see the memory of a statically linked binary: the test runs
GLOSS_SHARED, the same objects linked with shared libraries (make check
builds it), and refuses a static one.  Under a sanitizer build valgrind
cannot run the binary; AddressSanitizer's own leak check runs at exit there
instead, and the harness fails the test on any report it writes."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import GLOSS, Screen, check, linked_statically, run, scratch, test, write  # noqa: E402

TMP = scratch("gloss-leaks-")
TEXT = "Leak check\n" + " ".join(
    "Statement %d says the tram line opens in %d weeks." % (i, i + 2) for i in range(40)) + "\n"


BINARY = os.environ.get("GLOSS_SHARED") or GLOSS


def sanitized():
    with open(BINARY, "rb") as f:
        return b"__asan_init" in f.read()


def session(rounds):
    """Run the work rounds times under valgrind; its summary as a dict."""
    d = tempfile.mkdtemp(dir=TMP)
    doc = write(d, "tram.txt", TEXT)
    log = os.path.join(d, "valgrind.log")
    cmd = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect,reachable",
           "--log-file=%s" % log]
    if sanitized():
        cmd = []
    with Screen([], width=120, height=16, shell=True) as sc:
        sc.type("%s '%s' --db '%s' '%s'; echo STATUS=$?\n" %
                (" ".join(cmd), BINARY, os.path.join(d, "notes.db"), doc))
        sc.wait_text("Leak check", deadline=60)
        sc.keys("j")
        for r in range(rounds):
            sc.keys("c")
            sc.wait(lambda s, n=r + 1: re.search(r"\b%d claims? " % n, s.lines()[0]), "claim %d" % (r + 1),
                    deadline=30)
            sc.keys("i")
            sc.wait_text("Enter saves", deadline=30)
            sc.type("note %d" % r)
            sc.keys("Enter")
            sc.wait_text("note saved", deadline=30)
            sc.keys("L")
            sc.wait_text("annotations: ", deadline=30)
            sc.keys("Escape")
            sc.wait_gone("annotations: ", deadline=30)
            sc.keys("/")
            sc.type("tram")
            sc.keys("Enter")
            sc.keys("u")
            sc.wait_text("undone", deadline=30)
            sc.keys("C-r")
            sc.wait_text("redone", deadline=30)
            sc.keys(")")
        sc.keys("q")
        sc.wait_text("STATUS=0", deadline=60)
    if sanitized():
        return {"definitely": 0, "indirectly": 0, "errors": 0, "at_exit": 0}
    text = open(log).read()
    def num(pat):
        m = re.search(pat + r":\s+([\d,]+) bytes", text)
        return int(m.group(1).replace(",", "")) if m else 0
    m = re.search(r"ERROR SUMMARY: ([\d,]+) errors", text)
    check(m, "valgrind wrote its summary:\n%s" % text[-2000:])
    return {"definitely": num("definitely lost"), "indirectly": num("indirectly lost"),
            "errors": int(m.group(1).replace(",", "")), "at_exit": held(text), "log": text}


def held(text):
    """Bytes still reachable at exit, less curses' list of where terminal
    descriptions are: curses frees it, or not, by whether the clock's second
    changed while it read one, so two equal runs differ by it."""
    total = 0
    for rec in re.split(r"\n(?===\d+== [\d,]+ bytes in [\d,]+ blocks are still reachable)", text):
        m = re.match(r"==\d+== ([\d,]+) bytes in [\d,]+ blocks are still reachable", rec)
        if m and "_nc_first_db" not in rec.split("\n\n")[0]:
            total += int(m.group(1).replace(",", ""))
    return total


@test
def no_leak_grows_with_use():
    check(sanitized() or not linked_statically(BINARY), "%s is linked statically: valgrind cannot see its memory "
          "(GLOSS_SHARED names the binary linked with shared libraries)" % BINARY)
    short, long_ = session(2), session(8)
    for r in (short, long_):
        check(r["errors"] == 0 and r["definitely"] == 0 and r["indirectly"] == 0,
              "valgrind: %d errors, %d bytes definitely and %d indirectly lost\n%s"
              % (r["errors"], r["definitely"], r["indirectly"], r.get("log", "")[-3000:]))
    # what is still held at exit (curses' own) is the same after more work
    check(long_["at_exit"] <= short["at_exit"], "in use at exit grew from %d to %d bytes"
          % (short["at_exit"], long_["at_exit"]))


if __name__ == "__main__":
    sys.exit(run())
