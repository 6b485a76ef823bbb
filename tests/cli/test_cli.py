"""Command-line tests: errors before the screen is taken, options, exit status."""
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "screen"))
from harness import GLOSS, Screen, check, run, test, write  # noqa: E402

TMP = tempfile.mkdtemp(prefix="gloss-cli-")
GOOD = write(TMP, "good.txt", "A good document\nwith two lines\n")


def gloss(*args, stdin=subprocess.DEVNULL, user=None):
    cmd = [GLOSS] + list(args)
    if user:
        cmd = ["setpriv", "--reuid=%s" % user, "--regid=%s" % user, "--clear-groups"] + cmd
    env = dict(os.environ, LC_ALL="C.UTF-8", XDG_CACHE_HOME=os.path.join(TMP, "cache"))
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
    with Screen([], width=80, height=10, shell=True) as sc:
        sc.type("%s %s %s/nope.txt; echo STATUS=$?\n" % (GLOSS, GOOD, TMP))
        sc.wait_text("STATUS=1")
        check("gloss: cannot open '%s/nope.txt': No such file or directory" % TMP in sc.text(),
              sc.text())
        check(sc.fmt("#{alternate_on}") == "0", "screen never taken")


@test
def no_arguments_on_a_terminal_is_usage():
    with Screen([], width=80, height=10, shell=True) as sc:
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


if __name__ == "__main__":
    sys.exit(run())
