"""Command-line tests: errors before the screen is taken, options, exit status."""
import fcntl
import hashlib
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "screen"))
from harness import GLOSS, Screen, check, hold_lock, let_go, run, scratch, test, write  # noqa: E402

TMP = scratch("gloss-cli-")
# The schema version this gloss writes, as its store header says.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include", "gloss", "store.h")) as _h:
    SCHEMA = re.search(r"#define STORE_SCHEMA (\d+)", _h.read()).group(1)
GOOD = write(TMP, "good.txt", "A good document\nwith two lines\n")


def gloss(*args, stdin=subprocess.DEVNULL, user=None):
    cmd = [GLOSS] + list(args)
    if user:
        cmd = ["setpriv", "--reuid=%s" % user, "--regid=%s" % user, "--clear-groups"] + cmd
    env = dict(os.environ, LC_ALL="C.UTF-8", XDG_CACHE_HOME=os.path.join(TMP, "cache"),
               XDG_DATA_HOME=os.path.join(TMP, "data"), HOME=TMP)
    return subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env)


@test
def missing_file_is_one_line_and_status_1():
    r = gloss(GOOD, os.path.join(TMP, "missing.txt"))
    check(r.returncode == 1, "status %d" % r.returncode)
    want = "gloss: cannot open '%s': No such file or directory\n" % os.path.join(TMP, "missing.txt")
    check(r.stderr == want, "stderr %r" % r.stderr)
    check(r.stdout == "", "nothing on stdout")


@test
def directory_is_refused():
    r = gloss(TMP)
    check(r.returncode == 1, "status %d" % r.returncode)
    check(r.stderr == "gloss: cannot open '%s': Is a directory\n" % TMP, "stderr %r" % r.stderr)


@test
def unreadable_file_is_refused():
    path = write(TMP, "secret.txt", "private\n")
    os.chmod(path, 0o600)
    os.chmod(TMP, 0o755)
    if os.geteuid() == 0:
        r = gloss(path, user="65534")
    else:
        os.chmod(path, 0)
        r = gloss(path)
    check(r.returncode == 1, "status %d: %r" % (r.returncode, r.stderr))
    check(r.stderr == "gloss: cannot open '%s': Permission denied\n" % path, "stderr %r" % r.stderr)


@test
def usage_errors_are_status_2():
    r = gloss("--frobnicate", GOOD)
    check(r.returncode == 2, "unknown option: %d" % r.returncode)
    check(r.stderr.startswith("gloss: unknown option '--frobnicate'\n"), r.stderr)
    r = gloss(*([GOOD] * 10))
    check(r.returncode == 2, "ten documents: %d" % r.returncode)
    check("at most 9" in r.stderr, r.stderr)
    r = gloss("-", "-")
    check(r.returncode == 2 and "standard input given twice" in r.stderr, r.stderr)


@test
def help_and_version():
    r = gloss("--help")
    check(r.returncode == 0 and "usage: gloss" in r.stdout, r.stdout)
    r = gloss("--version")
    check(r.returncode == 0 and r.stdout.startswith("gloss "), r.stdout)


@test
def not_a_terminal_is_an_error():
    r = gloss(GOOD)
    check(r.returncode == 1, "status %d" % r.returncode)
    check(r.stderr == "gloss: standard output is not a terminal\n", r.stderr)


@test
def errors_come_before_the_screen_is_taken():
    with Screen([], width=200, height=10, shell=True) as sc:
        sc.type("%s %s %s/nope.txt; echo STATUS=$?\n" % (GLOSS, GOOD, TMP))
        sc.wait_text("STATUS=1")
        check("gloss: cannot open '%s/nope.txt': No such file or directory" % TMP in sc.text(),
              sc.text())
        check(sc.fmt("#{alternate_on}") == "0", "screen never taken")


@test
def no_arguments_on_a_terminal_is_usage():
    with Screen([], width=100, height=20, shell=True) as sc:
        sc.type("%s; echo STATUS=$?\n" % GLOSS)
        sc.wait_text("STATUS=2")
        check("usage: gloss" in sc.text(), sc.text())


@test
def binary_file_opens_with_a_warning():
    path = write(TMP, "blob.bin", bytes(range(256)) * 8)
    with Screen([path], width=80, height=10) as sc:
        sc.wait_text("looks like a binary file")
        check("^@^A^B" in sc.text(), "control bytes shown: %r" % sc.text())


@test
def sha256_is_remembered_by_path_size_inode_and_mtime():
    data = "".join("line %d of a document to hash\n" % i for i in range(20000)).encode()
    path = write(TMP, "hashme.txt", data)
    want = hashlib.sha256(data).hexdigest()
    # A file changed within the last moment is not cached (its mtime could hide a change).
    os.utime(path, (1700000000, 1700000000))
    with Screen([path], width=80, height=10) as sc:
        cache = os.path.join(sc.tmp, "cache", "gloss", "sha256")

        def cached(_):
            return os.path.exists(cache) and want in open(cache).read()

        sc.wait_text("line 1 of a document")
        sc.wait(cached, "the sum in the hash cache")
        entry = [l for l in open(cache).read().splitlines() if want in l]
        check(len(entry) == 1 and os.path.abspath(path) in entry[0], "one entry: %r" % entry)
        check(oct(os.stat(os.path.dirname(cache)).st_mode & 0o777) == "0o700", "cache dir 0700")


def sqlite(db, script):
    subprocess.run(["sqlite3", db], input=script, text=True, check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def refused(db, want):
    """gloss refuses db with the message want and leaves its bytes and mtime alone."""
    before = open(db, "rb").read()
    os.utime(db, (1700000000, 1700000000))
    r = gloss("--db", db, GOOD)
    check(r.returncode == 1, "status %d: %r" % (r.returncode, r.stderr))
    check(r.stderr == "gloss: %s\n" % want, "stderr %r" % r.stderr)
    check(open(db, "rb").read() == before, "bytes unchanged")
    check(os.stat(db).st_mtime == 1700000000, "mtime unchanged")
    check(not os.path.exists(db + "-wal"), "no journal left behind")


@test
def foreign_sqlite_file_is_refused_untouched():
    db = os.path.join(TMP, "other.db")
    sqlite(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);")
    refused(db, "'%s' is not a gloss database" % db)


@test
def a_database_error_in_a_terminal_leaves_it_as_it_was():
    """The database opens while the terminal is set up: its error still comes
    on the shell's screen, with the terminal's modes as they were."""
    db = os.path.join(TMP, "other-tty.db")
    sqlite(db, "CREATE TABLE t(x);")
    with Screen([], width=120, height=12, shell=True) as sc:
        # The markers are spelt differently in the command line, so that
        # waiting for them cannot match the typed command.
        sc.type("printf 'EARLIER%%s\\n' OUTPUT; %s --db %s %s; echo DONE=$?;"
                " stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e icanon; printf 'TTY%%s\\n' CHECKED\n"
                % (GLOSS, db, GOOD))
        sc.wait_text("TTYCHECKED")
        text = sc.text()
        check("EARLIEROUTPUT" in text, "the shell's screen kept: %r" % text)
        check("gloss: '%s' is not a gloss database\nDONE=1" % db in text, "the error: %r" % text)
        after = text.split("DONE=")[-1]
        check("echo" in after and "icanon" in after, "terminal modes as they were: %r" % after)
        check(sc.fmt("#{alternate_on} #{mouse_any_flag} #{keypad_flag}") == "0 0 0",
              "screen, mouse and keypad as they were")


def in_pty(args, env=None, when_waiting=None, ignoring=()):
    """Run gloss on a new pseudo-terminal of 80x24; returns (status, every
    byte it wrote, the terminal's modes before, after).  when_waiting(pid)
    is called once gloss has its second thread (the database opening).
    gloss starts with the signals of ignoring ignored, as under nohup."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    before = termios.tcgetattr(slave)
    base = dict(os.environ, LC_ALL="C.UTF-8", TERM="xterm-256color", HOME=TMP,
                XDG_CACHE_HOME=os.path.join(TMP, "cache"), XDG_DATA_HOME=os.path.join(TMP, "data"))
    base.update(env or {})
    proc = subprocess.Popen([GLOSS] + list(args), stdin=slave, stdout=slave, stderr=slave, env=base,
                            start_new_session=True,
                            preexec_fn=(lambda: [signal.signal(s, signal.SIG_IGN) for s in ignoring]) if ignoring else None)
    out = b""
    try:
        if when_waiting:
            end = time.monotonic() + 10
            while len(os.listdir("/proc/%d/task" % proc.pid)) < 2:
                check(time.monotonic() < end and proc.poll() is None, "no second thread seen")
                time.sleep(0.001)
            when_waiting(proc.pid)
        status = proc.wait(timeout=20)
        while select.select([master], [], [], 0)[0]:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            out += chunk
        after = termios.tcgetattr(slave)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        os.close(slave)
    return status, out, before, after


@test
def a_database_error_sends_the_terminal_nothing_but_itself():
    """The terminal is set up while the database opens, but a refused
    database leaves it as it was: not a byte but the error, modes unchanged,
    on a terminal with an alternate screen and on one without."""
    db = os.path.join(TMP, "other-pty.db")
    sqlite(db, "CREATE TABLE t(x);")
    for term in ("xterm-256color", "linux"):
        status, out, before, after = in_pty(["--db", db, GOOD], {"TERM": term})
        check(status == 1, "status %d (%s)" % (status, term))
        check(out == ("gloss: '%s' is not a gloss database\r\n" % db).encode(), "%s: wrote %r" % (term, out))
        check(before == after, "%s: modes %r, then %r" % (term, before, after))


@test
def an_interrupt_while_the_database_opens_ends_gloss_as_it_would_have():
    """Ctrl-C (SIGINT) or SIGTERM while gloss waits for a locked database:
    it dies of that signal, writes nothing, and leaves the modes as they were."""
    db = os.path.join(TMP, "locked.db")
    check(gloss("--db", db, "docs").returncode == 0, "database made")
    for sig in (signal.SIGINT, signal.SIGTERM):
        holder = hold_lock(db, readers_too=True)
        try:
            status, out, before, after = in_pty(["--db", db, GOOD],
                                                when_waiting=lambda pid: os.kill(pid, sig))
        finally:
            let_go(holder)
        check(status == -sig, "%s: status %d, wrote %r" % (sig.name, status, out))
        check(out == b"", "%s: wrote %r" % (sig.name, out))
        check(before == after, "%s: modes %r, then %r" % (sig.name, before, after))


def catching(pid, sig):
    """Wait until gloss (pid) has a handler of sig."""
    end = time.monotonic() + 10
    while True:
        with open("/proc/%d/status" % pid) as f:
            cgt = [line for line in f if line.startswith("SigCgt:")]
        if cgt and int(cgt[0].split()[1], 16) & (1 << (sig - 1)):
            return
        check(time.monotonic() < end, "no handler of %s seen" % signal.Signals(sig).name)
        time.sleep(0.001)


@test
def a_signal_ignored_at_the_start_stays_ignored_while_the_database_opens():
    """Started with SIGINT or SIGHUP ignored (a background job, nohup), gloss
    is not ended by it while it waits for a locked database, even once it
    handles the others: the wait ends with the database's error."""
    db = os.path.join(TMP, "locked-ign.db")
    check(gloss("--db", db, "docs").returncode == 0, "database made")
    want = ("gloss: cannot open database '%s': database is locked\r\n" % db).encode()

    def late(sig):
        def send(pid):
            catching(pid, signal.SIGTERM)
            os.kill(pid, sig)
        return send
    for sig in (signal.SIGINT, signal.SIGHUP):
        holder = hold_lock(db, readers_too=True)
        try:
            status, out, before, after = in_pty(["--db", db, GOOD], when_waiting=late(sig), ignoring=(sig,))
        finally:
            let_go(holder)
        check(status == 1, "%s: status %d, wrote %r" % (sig.name, status, out))
        check(out == want, "%s: wrote %r" % (sig.name, out))
        check(before == after, "%s: modes %r, then %r" % (sig.name, before, after))


def opening(pid):
    """Wait until gloss (pid) has its second thread: the database opening."""
    end = time.monotonic() + 10
    while len(os.listdir("/proc/%d/task" % pid)) < 2:
        check(time.monotonic() < end, "no second thread seen")
        time.sleep(0.001)


@test
def an_interrupt_with_no_terminal_ends_gloss_at_once():
    """Standard output not a terminal: Ctrl-C while the database is waited
    for ends gloss by SIGINT then, not after the wait."""
    db = os.path.join(TMP, "locked-pipe.db")
    check(gloss("--db", db, "docs").returncode == 0, "database made")
    holder = hold_lock(db, readers_too=True)
    try:
        proc = subprocess.Popen([GLOSS, "--db", db, GOOD], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=dict(os.environ, HOME=TMP, XDG_CACHE_HOME=os.path.join(TMP, "cache")))
        opening(proc.pid)
        os.kill(proc.pid, signal.SIGINT)
        t0 = time.monotonic()
        status = proc.wait(timeout=10)
        waited = time.monotonic() - t0
    finally:
        let_go(holder)
    check(status == -signal.SIGINT, "status %d" % status)
    check(waited < 1.0, "ended %.2f s after the signal (the wait is 2 s)" % waited)


@test
def ctrl_z_and_fg_while_the_database_opens_leave_the_screen_as_it_was():
    """Ctrl-Z while the database is waited for stops gloss once the terminal
    is given back; after fg, a refused database is said on the shell's own
    screen."""
    db = os.path.join(TMP, "locked-tty.db")
    check(gloss("--db", db, "docs").returncode == 0, "database made")
    holder = hold_lock(db, readers_too=True)
    try:
        with Screen([], width=100, height=12, shell=True) as sc:
            sc.type("%s --db %s %s; echo DONE=$?\n" % (GLOSS, db, GOOD))
            end = time.monotonic() + 10
            kids = []
            while not kids:
                check(time.monotonic() < end, "gloss did not start")
                with open("/proc/%s/task/%s/children" % ((sc.fmt("#{pane_pid}"),) * 2)) as f:
                    kids = f.read().split()
                time.sleep(0.001)
            opening(int(kids[0]))
            sc.keys("C-z")
            sc.wait_text("Stopped")
            sc.type("fg\n")
            sc.wait_text("DONE=1")
            check("database is locked" in sc.text(), sc.text())
            check(sc.fmt("#{alternate_on}") == "0", "left on the alternate screen")
    finally:
        let_go(holder)


@test
def newer_schema_is_refused_untouched():
    db = os.path.join(TMP, "newer.db")
    sqlite(db, "PRAGMA application_id = %d; PRAGMA user_version = 99; CREATE TABLE t(x);" % 0x676c6f73)
    refused(db, "'%s' has schema version 99, newer than this gloss knows (%s)" % (db, SCHEMA))


@test
def corrupt_database_is_refused_untouched():
    db = os.path.join(TMP, "corrupt.db")
    with open(db, "wb") as f:
        f.write(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    refused(db, "'%s' is not a database or is corrupt" % db)
    with open(db, "wb") as f:
        f.write(os.urandom(8192))
    refused(db, "'%s' is not a database or is corrupt" % db)
    # A gloss database whose header is intact (ours, this schema, WAL) but
    # whose pages are not: the header alone must not let it through.
    for page in (0, 2):
        os.unlink(db)
        r = gloss("--db", db, "docs")
        check(r.returncode == 0, "made: %r" % r.stderr)
        check(not os.path.exists(db + "-wal"), "closed cleanly")
        with open(db, "r+b") as f:
            f.seek(page * 4096 + (100 if page == 0 else 0))
            f.write(bytes(range(256)) * 15)
        refused(db, "'%s' is not a database or is corrupt" % db)


@test
def unwritable_database_is_refused():
    d = os.path.join(TMP, "ro")
    os.makedirs(d, exist_ok=True)
    db = os.path.join(d, "ro.db")
    sqlite(db, "SELECT 1;")
    os.chmod(d, 0o555)
    os.chmod(TMP, 0o755)
    try:
        r = gloss("--db", db, GOOD, user="65534" if os.geteuid() == 0 else None)
    finally:
        os.chmod(d, 0o755)
    check(r.returncode == 1, "status %d: %r" % (r.returncode, r.stderr))
    check(r.stderr.startswith("gloss: cannot open database '%s': " % db), r.stderr)


@test
def database_directory_and_file_are_private():
    db = os.path.join(TMP, "new", "deeper", "gloss.db")
    with Screen(["--db", db, GOOD], width=80, height=10) as sc:
        sc.wait_text("A good document")
    check(os.stat(db).st_mode & 0o777 == 0o600, "file mode %o" % (os.stat(db).st_mode & 0o777))
    check(os.stat(os.path.dirname(db)).st_mode & 0o777 == 0o700, "directory mode")
    r = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", db, "PRAGMA application_id; PRAGMA user_version; PRAGMA journal_mode;"],
                       stdout=subprocess.PIPE, text=True)
    check(r.stdout.split() == [str(0x676c6f73), SCHEMA, "wal"], r.stdout)


@test
def default_database_follows_xdg_data_home():
    with Screen([GOOD], width=80, height=10) as sc:
        sc.wait_text("A good document")
        db = os.path.join(sc.tmp, "data", "gloss", "gloss.db")
        sc.wait(lambda s: os.path.exists(db), "database made in XDG_DATA_HOME")
    r = gloss("--db")
    check(r.returncode == 2 and "needs a value" in r.stderr, r.stderr)


if __name__ == "__main__":
    sys.exit(run())
