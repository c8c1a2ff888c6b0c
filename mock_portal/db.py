"""The SQLite file that holds all portal state: one connection per request, WAL mode."""
import sqlite3
from contextlib import closing, contextmanager
from importlib import resources

from flask import current_app, g

from .timing import TimedConnection


# How long a request waits for another's write lock before it is answered 503 (mock_portal/storage.py).
LOCK_WAIT_SECONDS = 10


def connect(path):
    """Open the database file with the settings every caller needs."""
    conn = sqlite3.connect(path, timeout=LOCK_WAIT_SECONDS, isolation_level=None, check_same_thread=False,
                           factory=TimedConnection)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_SECONDS * 1000}")
    return conn


def init_schema(conn):
    """Create the tables on first start; a no-op on an existing file."""
    # WAL lets readers go on while one request writes, and survives a kill mid-write.
    conn.execute("PRAGMA journal_mode = WAL")
    _drop_reshaped(conn)
    conn.executescript(resources.files("mock_portal").joinpath("schema.sql").read_text())
    _add_columns(conn)


# Columns added after a table first shipped: a database file from an older version gets them.
ADDED_COLUMNS = [
    ("sessions", "device_id", "INTEGER"),       # the security device chosen for the code step
    ("sessions", "factors", "TEXT"),            # what the login passed: 'password' or 'password+device'
    ("sessions", "passcode_issued_at", "REAL"),  # a KB69 temporary passcode's issue time, if one was used
    ("sessions", "paper_user", "TEXT"),         # a paper login's paper username (its user is not logged in)
    ("sessions", "mobile_approval", "TEXT"),    # the login's approval in IBKR Mobile: pending, approved, denied
    ("sessions", "promotion", "INTEGER"),       # 1 while the login's IB Key promotion screen waits for Continue
    ("confirmations", "screen", "TEXT"),        # the screen that opened it, the only one that answers it
    ("audit_log", "repeats", "INTEGER NOT NULL DEFAULT 1"),  # refusals folded into the row (sls.refuse)
    ("audit_log", "last_at", "TEXT"),
    ("accounts", "equity_cents", "INTEGER NOT NULL DEFAULT 0"),  # the scenario's equity_usd (mock_portal/funds.py)
]


# Tables whose one row is a running session, not the scenario's state: a file of an older version
# whose table lacks the named column gets the table anew (that session ends, as a server's restart
# ends the real gateway's) instead of columns whose old meaning no longer fits.
RESHAPED_TABLES = [
    ("gateway_session", "login_name"),
]


# Values renamed after they were first stored: a database file from an older version reads the same.
RENAMED_VALUES = [
    ("audit_log", "path", "modern", "seed"),  # the seed revision's Secure Login Settings
]


def _drop_reshaped(conn):
    for table, column in RESHAPED_TABLES:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if have and column not in have:
            conn.execute(f"DROP TABLE {table}")


def _add_columns(conn):
    for table, column, decl in ADDED_COLUMNS:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
    for table, column, old, new in RENAMED_VALUES:
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new, old))


def is_empty(conn):
    return conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


@contextmanager
def transaction(conn):
    """BEGIN IMMEDIATE takes the write lock up front, so check-then-write is atomic."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # a full disk's error has already rolled it back: keep that error
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def keep_open(app):
    """For the served process: one connection held for its lifetime, so the WAL index (-shm)
    stays mapped between requests. Without it the last request's close drops it, and the next
    request's open must grow it again: on a full disk even reads then fail (SQLITE_IOERR_SHMSIZE)."""
    conn = connect(app.config["DATABASE"])
    conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()  # a read maps the WAL index, and ends
    app.extensions["slskit_db_keeper"] = conn
    return conn


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
