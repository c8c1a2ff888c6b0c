"""The portal's users as stored: the one place that looks a user up."""
from flask import current_app

from .scenario import LOGIN_OPTIONS


def find(conn, username):
    """The user row named `username`, or None."""
    return conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()


def revision_of(conn, username):
    """Which revision of the article the user's portal follows, 'seed' or 'current': the user's
    own (the scenario's `portal_revision`), else the server's (`slskit serve --portal-revision`)."""
    row = conn.execute("SELECT revision FROM portal_revisions WHERE username = ?", (username,)).fetchone()
    return row["revision"] if row else current_app.config.get("PORTAL_REVISION", "seed")


def find_paper(conn, paper_username):
    """The paper account named `paper_username` with its user's locale, or None."""
    return conn.execute("SELECT p.username, p.live_username, p.password_hash, p.account_id, u.locale"
                        " FROM paper_accounts p JOIN users u ON u.username = p.live_username"
                        " WHERE p.username = ?", (paper_username,)).fetchone()


def paper_of(conn, username):
    """The user's paper account (username, account_id), or None."""
    return conn.execute("SELECT username, account_id FROM paper_accounts WHERE live_username = ?",
                        (username,)).fetchone()


# A user's login options when the scenario gave none: the first value of each.
DEFAULT_LOGIN_OPTIONS = {key: values[0] for key, values in LOGIN_OPTIONS.items()}


def login_options(conn, username):
    """What the user's logins meet besides the password and the device (the login_options table)."""
    row = conn.execute("SELECT * FROM login_options WHERE username = ?", (username,)).fetchone()
    if row is None:
        return dict(DEFAULT_LOGIN_OPTIONS)
    return {"brokerage_session": row["brokerage_session"], "ibkey_promotion": bool(row["ibkey_promotion"]),
            "mobile_approval": bool(row["mobile_approval"]), "reset_region": row["reset_region"]}


def set_login_options(conn, username, **options):
    """Change some of the user's login options (the test hook); the others stay."""
    merged = {**login_options(conn, username), **options}
    conn.execute("INSERT OR REPLACE INTO login_options (username, brokerage_session, ibkey_promotion, mobile_approval,"
                 " reset_region) VALUES (?, ?, ?, ?, ?)",
                 (username, merged["brokerage_session"], int(merged["ibkey_promotion"]),
                  int(merged["mobile_approval"]), merged["reset_region"]))
    return merged
