-- One file holds all portal state. Times are UTC epoch seconds (REAL) from the app's clock.
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS users (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts(account_id) ON DELETE CASCADE,
    is_primary    INTEGER NOT NULL CHECK (is_primary IN (0, 1)),
    locale        TEXT NOT NULL CHECK (locale IN ('ja', 'en')),
    sls_opted_out INTEGER NOT NULL CHECK (sls_opted_out IN (0, 1))
);

CREATE TABLE IF NOT EXISTS devices (
    device_id  INTEGER PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    type       TEXT NOT NULL,
    config     TEXT NOT NULL,           -- the scenario entry as JSON (secrets included)
    last_step  INTEGER                  -- highest TOTP time step accepted: refuses replays
);

CREATE TABLE IF NOT EXISTS sessions (
    session_id   TEXT PRIMARY KEY,
    csrf_token   TEXT NOT NULL,
    lang         TEXT NOT NULL,
    pending_user TEXT,                  -- password accepted, security code still owed
    login_target TEXT NOT NULL DEFAULT 'portal',  -- where the login lands: portal or trading
    username     TEXT REFERENCES users(username) ON DELETE CASCADE,
    created_at   REAL NOT NULL,
    last_seen    REAL NOT NULL,
    auth_at      REAL
);

-- Continue creates one of these; only OK on it changes the user's SLS state, once.
CREATE TABLE IF NOT EXISTS confirmations (
    confirmation_id TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL,
    actor           TEXT NOT NULL,
    target          TEXT NOT NULL,
    new_opted_out   INTEGER NOT NULL,
    path            TEXT NOT NULL,
    boot_id         TEXT NOT NULL,      -- a restart refuses confirmations of the previous run
    created_at      REAL NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled'))
);

CREATE TABLE IF NOT EXISTS audit_log (
    audit_id  INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,            -- ISO 8601 UTC
    actor     TEXT NOT NULL,
    target    TEXT NOT NULL,
    old_state TEXT,
    new_state TEXT,
    path      TEXT NOT NULL,            -- modern, classic or api
    outcome   TEXT NOT NULL             -- changed or a refusal reason
);

CREATE TABLE IF NOT EXISTS messages (
    message_id INTEGER PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    key        TEXT NOT NULL,
    params     TEXT NOT NULL
);
