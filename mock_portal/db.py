"""The SQLite file that holds all portal state: one connection per request, WAL mode."""
import sqlite3
from contextlib import closing, contextmanager
from importlib import resources

from flask import current_app, g


def connect(path):
    """Open the database file with the settings every caller needs."""
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def init_schema(conn):
    """Create the tables on first start; a no-op on an existing file."""
    # WAL lets readers go on while one request writes, and survives a kill mid-write.
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(resources.files("mock_portal").joinpath("schema.sql").read_text())
    _add_columns(conn)


# Columns added after a table first shipped: a database file from an older version gets them.
ADDED_COLUMNS = [
    ("sessions", "device_id", "INTEGER"),       # the security device chosen for the code step
    ("sessions", "factors", "TEXT"),            # what the login passed: 'password' or 'password+device'
    ("sessions", "passcode_issued_at", "REAL"),  # a KB69 temporary passcode's issue time, if one was used
    ("confirmations", "screen", "TEXT"),        # the screen that opened it, the only one that answers it
]


def _add_columns(conn):
    for table, column, decl in ADDED_COLUMNS:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")


def is_empty(conn):
    return conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


@contextmanager
def transaction(conn):
    """BEGIN IMMEDIATE takes the write lock up front, so check-then-write is atomic."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def get_db():
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app):
    with closing(connect(app.config["DATABASE"])) as conn:
        init_schema(conn)
    app.teardown_appcontext(close_db)
