"""Database files `slskit serve` cannot use, for the refusal tests (in-process and as a process),
and a file's digest to show it was left untouched."""
import hashlib
import os
import sqlite3


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest() if os.path.isfile(path) else None


def sqlite_file(path, rows=400):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 100,)] * rows)
    return path


def damaged(path):
    """A database whose second page (a b-tree page) has a garbage header."""
    sqlite_file(path)
    data = bytearray(open(path, "rb").read())
    size = int.from_bytes(data[16:18], "big")
    data[size:size + 8] = b"\x0d" + b"\xff" * 7
    open(path, "wb").write(bytes(data))
    return path


def truncated(path):
    sqlite_file(path)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 2 + 100])
    return path


def not_sqlite(path):
    open(path, "w").write("name,password\nalice,secret\n")
    return path


def a_directory(path):
    os.mkdir(path)
    return path
