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
    path      TEXT NOT NULL,            -- seed, classic or current (sls.PATHS)
    outcome   TEXT NOT NULL,            -- changed or a refusal reason
    repeats   INTEGER NOT NULL DEFAULT 1,  -- refusals folded into this row (sls.refuse)
    last_at   TEXT                      -- the last of them, when more than one
);

CREATE TABLE IF NOT EXISTS messages (
    message_id INTEGER PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    key        TEXT NOT NULL,
    params     TEXT NOT NULL
);

-- One open second-factor exchange per session: the challenge shown (ibkey, dsc_plus), the SMS
-- code expected (hashed) and an IB Key push's answer. Spent on success, superseded on resend.
CREATE TABLE IF NOT EXISTS challenges (
    challenge_id INTEGER PRIMARY KEY,
    session_id   TEXT NOT NULL,
    device_id    INTEGER NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
    challenge    TEXT,
    code_hash    TEXT,
    push         TEXT CHECK (push IN ('pending', 'approved', 'denied')),
    created_at   REAL NOT NULL,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'used', 'superseded'))
);

-- What the mock "sends" by SMS; tests read it through the test hook as the phone would.
CREATE TABLE IF NOT EXISTS sms_outbox (
    sms_id INTEGER PRIMARY KEY,
    phone  TEXT NOT NULL,
    body   TEXT NOT NULL,
    code   TEXT NOT NULL,
    at     REAL NOT NULL
);

-- KB69 temporary passcodes (hashed); cleared = the user has since logged in with a real device.
CREATE TABLE IF NOT EXISTS temporary_passcodes (
    passcode_id   INTEGER PRIMARY KEY,
    username      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    passcode_hash TEXT NOT NULL,
    issued_at     REAL NOT NULL,
    cleared       INTEGER NOT NULL DEFAULT 0
);

-- Failed logins by the username typed, known or not, so a lock says nothing about existence.
CREATE TABLE IF NOT EXISTS login_failures (
    username TEXT NOT NULL,
    at       REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_by_name ON login_failures (username, at);

CREATE TABLE IF NOT EXISTS lockouts (
    username     TEXT PRIMARY KEY,
    locked_at    REAL NOT NULL,
    locked_until REAL NOT NULL
);

-- Which revision of the article a user's portal follows (users.revision_of); a user without a
-- row follows the app's PORTAL_REVISION (the seed revision by default).
CREATE TABLE IF NOT EXISTS portal_revisions (
    username TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
    revision TEXT NOT NULL CHECK (revision IN ('seed', 'current'))
);

-- One enrollment choice per confirmation of the current revision's Secure Login System page:
-- 'confirming' until OK, then 'pending' until its end state (IB Key activated, the first login
-- with the code card, the login under the other username), then 'done'.
CREATE TABLE IF NOT EXISTS enrollments (
    confirmation_id TEXT PRIMARY KEY,
    username        TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    choice          TEXT NOT NULL CHECK (choice IN ('ibkr_mobile', 'without_ibkr_mobile', 'other_username')),
    state           TEXT NOT NULL DEFAULT 'confirming'
                    CHECK (state IN ('confirming', 'pending', 'done', 'cancelled')),
    activation_code TEXT,              -- ibkr_mobile: what the QR code and the page show
    device_id       INTEGER REFERENCES devices(device_id) ON DELETE SET NULL,  -- the card issued
    link_username   TEXT,              -- other_username: the username being logged in with
    link_device_id  INTEGER REFERENCES devices(device_id) ON DELETE SET NULL,  -- ... and its device
    created_at      REAL NOT NULL,
    done_at         REAL
);

-- KB2481: one secure login device serving several usernames (devices.username is its first holder).
CREATE TABLE IF NOT EXISTS shared_devices (
    device_id INTEGER NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
    username  TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    PRIMARY KEY (device_id, username)
);

-- Settings a scenario makes for the whole portal ("login_page": which login page visitors meet).
CREATE TABLE IF NOT EXISTS portal_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The Client Portal Gateway's one session (mock_portal/gateway/session.py): the last login through the
-- gateway, shared by every local API client without cookies. A new login replaces the row; a logout,
-- an idle time over GATEWAY_SESSION_IDLE_SECONDS or the end of its maximum life deletes it.
CREATE TABLE IF NOT EXISTS gateway_session (
    slot             INTEGER PRIMARY KEY CHECK (slot = 1),  -- one at a time, as the real gateway
    session          TEXT NOT NULL,                 -- the hex id the tickle reports
    username         TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,  -- whose clock and options
    login_name       TEXT NOT NULL,                 -- the username the login typed: the user's, or their paper username
    paper            INTEGER NOT NULL CHECK (paper IN (0, 1)),  -- a paper login (LOGIN_TYPE 2)
    factors          TEXT NOT NULL,                 -- what the login passed (sessions.PASSWORD...)
    authenticated_at REAL NOT NULL,                 -- the maximum life runs from it
    last_seen        REAL NOT NULL,                 -- the last API call: the idle time runs from it
    brokerage        TEXT NOT NULL                  -- the brokerage session's state (gateway/session.py STATES)
                     CHECK (brokerage IN ('up', 'not_up', 'no_session', 'yielded', 'reset')),
    brokerage_since  REAL NOT NULL,                 -- when it took that state: the next daily reset is after it
    elsewhere        TEXT,                          -- the platform a login elsewhere took the login name's brokerage session to
    passcode_issued_at REAL                         -- KB69: the temporary passcode's issue, if one was used
);

-- A user's paper trading account: its own username (unique among all usernames) and password.
CREATE TABLE IF NOT EXISTS paper_accounts (
    username      TEXT PRIMARY KEY,
    live_username TEXT NOT NULL UNIQUE REFERENCES users(username) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    account_id    TEXT NOT NULL                    -- DU...
);

-- What a user's logins meet besides the password and the device (the scenario's optional keys,
-- and POST /_test/login-options); a user without a row has the defaults.
CREATE TABLE IF NOT EXISTS login_options (
    username          TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
    brokerage_session TEXT NOT NULL DEFAULT 'up' CHECK (brokerage_session IN ('up', 'not_up', 'no_session')),
    ibkey_promotion   INTEGER NOT NULL DEFAULT 0 CHECK (ibkey_promotion IN (0, 1)),
    mobile_approval   INTEGER NOT NULL DEFAULT 0 CHECK (mobile_approval IN (0, 1)),
    reset_region      TEXT NOT NULL DEFAULT 'north_america'
                      CHECK (reset_region IN ('north_america', 'europe', 'asia_pacific'))
);

-- What the article's references add (docs/devices.md, "The article's references"). A user's own
-- facts a scenario may give: KB2481's identification data, where a device is shipped, and whether
-- that username's requests to share a device wait for compliance review.
CREATE TABLE IF NOT EXISTS user_profiles (
    username         TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
    identity         TEXT,              -- JSON {birth_date, citizenship, residence, id_number}, or NULL
    shipping_address TEXT,              -- JSON {street, city, postal_code, country}, or NULL
    sharing_review   INTEGER NOT NULL DEFAULT 0 CHECK (sharing_review IN (0, 1))
);

-- KB1131/KB2895: a withdrawal request. Continue opens it ('confirming'), OK sends it to the device
-- that authenticates it ('authenticating'), the device passing accepts it, once; the accepted ones
-- count against the one-day and five-day windows of the account (mock_portal/funds.py).
CREATE TABLE IF NOT EXISTS withdrawals (
    withdrawal_id TEXT PRIMARY KEY,     -- the confirmation's id the forms carry
    session_id    TEXT NOT NULL,
    username      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    amount_cents  INTEGER NOT NULL CHECK (amount_cents > 0),
    currency      TEXT NOT NULL,
    device_id     INTEGER REFERENCES devices(device_id) ON DELETE SET NULL,
    limit_key     TEXT,                 -- the limits it met: a device type, or 'none' (opted out)
    boot_id       TEXT NOT NULL,        -- a restart refuses the confirmations of the previous run
    created_at    REAL NOT NULL,
    confirmed_at  REAL,
    accepted_at   REAL,
    state         TEXT NOT NULL DEFAULT 'confirming'
                  CHECK (state IN ('confirming', 'authenticating', 'accepted', 'cancelled'))
);
CREATE INDEX IF NOT EXISTS withdrawals_by_account ON withdrawals (account_id, state, accepted_at);

-- KB1943/KB1861/KB975: a physical security device (a Digital Security Card+) from its request to
-- its return. 'draft' until the summary's Continue, then 'ordered' (its reserve held from then),
-- 'delivered' (the test hook), 'active' (activated with its PIN: a devices row), 'in_return'
-- (sent back), 'returned' (received: the reserve released), or 'lost' (its fee charged).
CREATE TABLE IF NOT EXISTS physical_devices (
    request_id   TEXT PRIMARY KEY,      -- what the request's screens carry
    serial       TEXT UNIQUE,           -- given when it is ordered
    username     TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    account_id   TEXT NOT NULL,         -- where its reserve is held
    type         TEXT NOT NULL,
    fee_cents    INTEGER NOT NULL,
    config       TEXT NOT NULL,         -- what its devices row will hold (the card's secret, its PIN)
    address      TEXT,                  -- JSON: where it is shipped
    session_id   TEXT,
    boot_id      TEXT,
    device_id    INTEGER REFERENCES devices(device_id) ON DELETE SET NULL,
    challenge    TEXT,                  -- the open activation challenge
    state        TEXT NOT NULL CHECK (state IN ('draft', 'ordered', 'delivered', 'active', 'in_return',
                                                'returned', 'lost')),
    created_at   REAL NOT NULL,
    ordered_at   REAL,
    ships_by     TEXT,                  -- the estimated shipping date the confirmation shows
    changed_at   REAL                   -- its last change of state
);

-- KB2481: a request to share another username's device that waits for compliance review.
CREATE TABLE IF NOT EXISTS sharing_requests (
    request_id      INTEGER PRIMARY KEY,
    confirmation_id TEXT NOT NULL REFERENCES enrollments(confirmation_id) ON DELETE CASCADE,
    username        TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,  -- who asked
    device_id       INTEGER NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
    state           TEXT NOT NULL DEFAULT 'review' CHECK (state IN ('review', 'approved', 'declined')),
    created_at      REAL NOT NULL,
    decided_at      REAL
);
