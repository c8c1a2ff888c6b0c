"""The portal's users as stored: the one place that looks a user up."""
from flask import current_app


def find(conn, username):
    """The user row named `username`, or None."""
    return conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()


def revision_of(conn, username):
    """Which revision of the article the user's portal follows, 'seed' or 'current': the user's
    own (the scenario's `portal_revision`), else the server's (`slskit serve --portal-revision`)."""
    row = conn.execute("SELECT revision FROM portal_revisions WHERE username = ?", (username,)).fetchone()
    return row["revision"] if row else current_app.config.get("PORTAL_REVISION", "seed")
