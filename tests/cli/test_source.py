"""Checks of the source itself: SQL is never built from data, the layers keep
to their headers, and no shell or other program is ever run.

The SQL check reads every call that hands SQL to SQLite (stmt, exec,
query_int, sqlite3_exec, sqlite3_prepare*) and accepts as its SQL argument
only string literals, macros that are themselves string literals, the
parameter of those wrappers, an element of a static array of literals, or a
buffer that snprintf fills from a literal format with integer conversions
alone (PRAGMA values, which SQLite cannot bind).  Anything else is reported
with its file and line."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "screen"))
from harness import check, run, scratch, test  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SRC = os.path.join(ROOT, "src")

SQL_CALLS = {"stmt": 1, "exec": 1, "query_int": 1, "sqlite3_exec": 1, "sqlite3_prepare_v2": 1,
             "sqlite3_prepare_v3": 1}
TOKEN = re.compile(r'\s+|/\*.*?\*/|//[^\n]*|"(?:[^"\\\n]|\\.)*"|[A-Za-z_]\w*|\d+|.', re.S)


def sources():
    for d, _, names in os.walk(SRC):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                yield os.path.join(d, n)
    inc = os.path.join(ROOT, "include", "gloss")
    for n in sorted(os.listdir(inc)):
        yield os.path.join(inc, n)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def literal_macros(text):
    """Names #defined to string literals only, or to those and other such
    names (continued lines joined)."""
    joined = re.sub(r"\\\n", " ", text)
    bodies = {}
    for m in re.finditer(r"^#define\s+(\w+)\s+(.*)$", joined, re.M):
        bodies[m.group(1)] = [t for t in TOKEN.findall(m.group(2))
                              if not t.isspace() and not t.startswith(("/*", "//"))]
    out = set()
    grew = True
    while grew:
        grew = False
        for name, body in bodies.items():
            if name not in out and body and all(t.startswith('"') or t in out for t in body):
                out.add(name)
                grew = True
    return out


def literal_arrays(text):
    """Static arrays whose initialisers hold nothing but string literals."""
    out = set()
    for m in re.finditer(r"static const char \*const (\w+)\[[^\]]*\](?:\[[^\]]*\])?\s*=\s*\{(.*?)\};",
                         text, re.S):
        body = [t for t in TOKEN.findall(m.group(2)) if not t.isspace() and not t.startswith(("/*", "//"))]
        if all(t.startswith('"') or t in "{}," for t in body):
            out.add(m.group(1))
    return out


def int_formatted(text, name):
    """Every snprintf into name uses a literal format with integer conversions only."""
    found = False
    for m in re.finditer(r"snprintf\(\s*%s\s*,[^,]*,\s*(\"(?:[^\"\\]|\\.)*\")" % re.escape(name), text):
        found = True
        convs = re.findall(r"%[-+ #0-9.]*(hh|h|ll|l|z|j|t)?([a-zA-Z%])", m.group(1))
        if any(c[1] not in "diuxX%" for c in convs):
            return False
    return found


def arguments(text, start):
    """The arguments of the call whose '(' is at start, as token lists."""
    args, cur, depth = [], [], 0
    for m in TOKEN.finditer(text, start + 1):
        t = m.group(0)
        if t in "([{":
            depth += 1
        elif t in ")]}":
            if depth == 0:
                args.append(cur)
                return args
            depth -= 1
        elif t == "," and depth == 0:
            args.append(cur)
            cur = []
            continue
        if not t.isspace():
            cur.append(t)
    return args


def sql_problems(path):
    text = strip_comments(open(path, encoding="utf-8").read())
    macros, arrays = literal_macros(text), literal_arrays(text)
    problems = []
    for m in re.finditer(r"\b(%s)\s*\(" % "|".join(SQL_CALLS), text):
        name = m.group(1)
        line = text.count("\n", 0, m.start()) + 1
        # the definition or prototype of a wrapper, not a call
        before = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        if re.search(r"\b(static|int|int64_t|sqlite3_stmt)\b.*\*?\s*$", before) and "=" not in before \
                and "return" not in before:
            continue
        args = arguments(text, m.end() - 1)
        if len(args) <= SQL_CALLS[name]:
            continue
        sql = args[SQL_CALLS[name]]
        ok = bool(sql) and all(t.startswith('"') or t in macros for t in sql)
        if not ok and len(sql) == 1 and sql[0] == "sql":
            # a wrapper passes its parameter on; elsewhere it must be an integer PRAGMA
            body_start = text.rfind("\n{", 0, m.start())
            signature = text[text.rfind("\n}", 0, body_start) + 2:body_start]
            ok = "const char *sql" in signature or int_formatted(text, "sql")
        if not ok and sql and sql[0] in arrays and all(t in arrays or t in "[]" or re.match(r"\w+$", t)
                                                       for t in sql):
            ok = True
        if not ok:
            problems.append("%s:%d: %s() is given SQL built from %r" %
                            (os.path.relpath(path, ROOT), line, name, " ".join(sql)))
    return problems


@test
def sql_is_never_built_from_data():
    problems = []
    for p in sources():
        problems += sql_problems(p)
    check(not problems, "\n".join(problems))


@test
def sql_checker_catches_a_built_statement():
    """The check above can fail: a call with a variable or a %s format is reported."""
    d = scratch("gloss-source-")
    bad = os.path.join(d, "bad.c")
    with open(bad, "w") as f:
        f.write('static void f(struct store *st, const char *name)\n{\n'
                '\tchar buf[99];\n\tsqlite3_stmt *q = stmt(st, name);\n'
                '\tsnprintf(sql, sizeof sql, "DELETE FROM t WHERE x = \'%s\'", name);\n'
                '\tsqlite3_exec(st->db, sql, NULL, NULL, NULL);\n'
                '\texec(st, "SELECT 1" FOO);\n}\n')
    found = sql_problems(bad)
    check(len(found) == 3, "three reported: %r" % found)


@test
def layers_keep_to_their_headers():
    problems = []
    for p in sources():
        rel = os.path.relpath(p, ROOT)
        text = open(p, encoding="utf-8").read()
        if re.search(r"#include\s*<sqlite3\.h>", text) and rel != os.path.join("src", "store.c"):
            problems.append("%s includes sqlite3.h: only src/store.c may" % rel)
        if re.search(r"#include\s*<n?curses", text) and not rel.startswith(os.path.join("src", "ui")):
            problems.append("%s includes curses: only src/ui/ may" % rel)
    check(not problems, "\n".join(problems))


@test
def no_shell_or_other_program_is_run():
    problems = []
    calls = re.compile(r"\b(system|popen|execl|execlp|execle|execv|execvp|execvpe|posix_spawn|"
                       r"posix_spawnp|fork|vfork)\s*\(")
    for p in sources():
        text = strip_comments(open(p, encoding="utf-8").read())
        for m in calls.finditer(text):
            problems.append("%s:%d: %s()" % (os.path.relpath(p, ROOT), text.count("\n", 0, m.start()) + 1,
                                            m.group(1)))
    check(not problems, "\n".join(problems))


if __name__ == "__main__":
    sys.exit(run())
