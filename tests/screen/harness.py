"""Screen tests: run the real gloss in tmux on a private socket.

A test is a function decorated with @test; run() runs them all and prints
"ok - name" or "not ok - name: why" for each, or "skip - name: why" for one
that this machine cannot run at all (raise Skip), which counts as neither.  Waiting is always for a
condition with a deadline, never a bare sleep.
"""
import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

GLOSS = os.environ.get("GLOSS", os.path.abspath("gloss"))
DEADLINE = float(os.environ.get("GLOSS_TEST_DEADLINE", "10"))

# gloss starts with the usual dispositions whatever the tests were started
# under: a background job of a shell without job control (make check &)
# ignores SIGINT and SIGQUIT, which gloss then keeps ignoring.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
if signal.getsignal(signal.SIGQUIT) == signal.SIG_IGN:
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)

_tests = []


def test(fn):
    _tests.append(fn)
    return fn


def scratch(prefix):
    """A new temporary directory, removed when the test program exits."""
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return d


class Failure(Exception):
    pass


class Skip(Exception):
    """The machine lacks what the test needs (not a way to pass)."""


class Screen:
    """One tmux server with one window running a command."""

    count = 0

    def __init__(self, args, width=120, height=30, env=None, cwd=None, shell=False):
        Screen.count += 1
        self.shell = shell
        self.sock = "gloss-test-%d-%d" % (os.getpid(), Screen.count)
        self.tmp = scratch("gloss-screen-")
        base = {
            "LC_ALL": "C.UTF-8",
            "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"),
            "XDG_DATA_HOME": os.path.join(self.tmp, "data"),
            "HOME": self.tmp,
            # A sanitizer build writes its reports here; close() fails the test on any.
            "ASAN_OPTIONS": "log_path=%s/san:abort_on_error=0" % self.tmp,
            "UBSAN_OPTIONS": "log_path=%s/san:print_stacktrace=1" % self.tmp,
        }
        if env:
            base.update(env)
        envs = ["%s=%s" % (k, v) for k, v in base.items()]
        if shell:
            cmd = ["env"] + envs + ["sh"]
        else:
            cmd = ["env"] + envs + [GLOSS] + list(args)
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height),
                  "-s", "t", *( ["-c", cwd] if cwd else []), *cmd)
        self.tmux("set-option", "-g", "remain-on-exit", "on")
        self.tmux("set-option", "-g", "default-terminal", "screen-256color")

    def tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-u", "-L", self.sock] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if check and r.returncode != 0:
            raise Failure("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", "t", "-l", text)

    def text(self, colours=False):
        args = ["capture-pane", "-p", "-t", "t"]
        if colours:
            args.append("-e")
        return self.tmux(*args)

    def lines(self):
        return self.text().split("\n")

    def fmt(self, f):
        return self.tmux("display-message", "-p", "-t", "t", f).strip()

    def cursor(self):
        x, y = self.fmt("#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def dead(self):
        # tmux does not always reap its child at once: an exit status is best
        # read from a shell (shell=True and "; echo STATUS=$?").
        return self.fmt("#{pane_dead}") == "1"

    def resize(self, w, h):
        self.tmux("resize-window", "-t", "t", "-x", str(w), "-y", str(h))

    def wait(self, cond, what, deadline=DEADLINE):
        """Wait until cond(self) is true; fail with the screen shown otherwise."""
        end = time.monotonic() + deadline
        while True:
            try:
                if cond(self):
                    return
            except Failure:
                pass
            if time.monotonic() > end:
                raise Failure("timed out waiting for %s; screen:\n%s" % (what, self.text()))
            time.sleep(0.02)

    def press(self, *keys, to, what):
        """Type keys and wait for the cursor to reach the cell to = (x, y)."""
        self.keys(*keys)
        self.wait(lambda sc: sc.cursor() == to, "%s: cursor at %r" % (what, to))

    def wait_text(self, s, deadline=DEADLINE):
        self.wait(lambda sc: s in sc.text(), repr(s), deadline)

    def wait_gone(self, s, deadline=DEADLINE):
        self.wait(lambda sc: s not in sc.text(), "%r to go" % s, deadline)

    def wait_dead(self, deadline=DEADLINE):
        self.wait(lambda sc: sc.dead(), "gloss to exit", deadline)

    def close(self):
        if not self.shell and not self.dead():
            self.keys("q")
            try:
                self.wait_dead(deadline=3)
            except Failure:
                pass
        self.tmux("kill-server", check=False)
        # tmux leaves the socket file of a server it killed: remove ours
        sockdir = os.path.join(os.environ.get("TMUX_TMPDIR", "/tmp"), "tmux-%d" % os.getuid())
        try:
            os.unlink(os.path.join(sockdir, self.sock))
        except OSError:
            pass
        reports = [f for f in os.listdir(self.tmp) if f.startswith("san.")]
        text = ""
        for f in reports:
            with open(os.path.join(self.tmp, f), errors="replace") as fh:
                text += fh.read()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if reports:
            raise Failure("sanitizer report:\n" + text[:4000])

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        try:
            self.close()
        except Failure:
            if kind is None:
                raise


def write(dirname, name, data):
    path = os.path.join(dirname, name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(data)
    return path


def linked_statically(binary):
    """Whether binary has no program interpreter, as a static binary."""
    with open(binary, "rb") as f:
        return b"/ld-linux" not in f.read(4096)


def check(cond, why):
    if not cond:
        raise Failure(why)


def run():
    failed = 0
    only = sys.argv[1:]
    for fn in _tests:
        if only and fn.__name__ not in only:
            continue
        try:
            fn()
            print("ok - %s" % fn.__name__, flush=True)
        except Skip as e:
            print("skip - %s: %s" % (fn.__name__, e), flush=True)
        except Failure as e:
            failed += 1
            msg = str(e).replace("\n", "\n# ")
            print("not ok - %s: %s" % (fn.__name__, msg), flush=True)
        except Exception:
            failed += 1
            tb = traceback.format_exc().replace("\n", "\n# ")
            print("not ok - %s: %s" % (fn.__name__, tb), flush=True)
    return 1 if failed else 0


def sql(db, query):
    """What the sqlite3 program prints for query on db ("|" between columns),
    waiting up to 5 s for a lock; a failure of the program fails the test."""
    r = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", "-batch", "-noheader", "-separator", "|",
                        db, query], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise Failure("sqlite3: %s" % r.stderr.strip())
    return r.stdout.rstrip("\n")


def hold_lock(db, readers_too=False):
    """A sqlite3 program holding db's write lock (and, readers_too, keeping
    readers out as well), until let_go."""
    # -bail: a lock not taken ends it (no "held"); .timeout: taking it waits for gloss's own writes
    holder = subprocess.Popen(["sqlite3", "-bail", "-cmd", ".timeout 5000", db], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    holder.stdin.write(("PRAGMA locking_mode=EXCLUSIVE;\n" if readers_too else "") +
                       "BEGIN EXCLUSIVE;\nSELECT 'held';\n")
    holder.stdin.flush()
    if readers_too:
        check(holder.stdout.readline().strip() == "exclusive", "locking mode set")
    check(holder.stdout.readline().strip() == "held", "the lock taken")
    return holder


def let_go(holder):
    """The lock of hold_lock given back, its program ended."""
    holder.stdin.write("ROLLBACK;\n.quit\n")
    holder.stdin.close()
    holder.wait()


def hostile_generator():
    """tools/gen-hostile.py, loaded as a module (no byte code left beside it)."""
    import importlib.util
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    spec = importlib.util.spec_from_file_location("gen_hostile", os.path.join(root, "tools", "gen-hostile.py"))
    gen = importlib.util.module_from_spec(spec)
    sys.dont_write_bytecode = True
    spec.loader.exec_module(gen)
    return gen
