"""The Secure Login change screens' Continue / OK / Cancel, registered once.

Three screens change a user's SLS state through a server-side confirmation (mock_portal/sls.py):
the seed revision's Secure Login Settings (opt back in), its opt-out agreement, and the classic SLS Opt
Out page. `register` gives such a screen its four routes, each with its access rule
(mock_portal/access.py):

    GET  URL           the page; with ?confirmation= the dialog it opened     PORTAL
    POST URL           Continue: the screen's own checks, then a confirmation  SECURITY_CHANGE
    POST URL/confirm   OK: the one request that changes the stored state      SECURITY_CHANGE
    POST URL/cancel    Cancel: the confirmation is spent, nothing else         SECURITY_CANCEL

SECURITY_CHANGE has an old login confirm with the device first, then come back to the same
screen with the same confirmation open. A confirmation is shown and answered only on the screen
that opened it: its endpoint is stored with it.
"""
from flask import g, request

from .. import limits, sls
from ..access import PORTAL, SECURITY_CANCEL, SECURITY_CHANGE, requires
from ..db import get_db
from ..responses import post_redirect
from ..users import revision_of


def shown_confirmation(screen, new_opted_out=None):
    """The confirmation named in ?confirmation= if `screen` opened it, or the error key to show
    instead; with `new_opted_out`, only that kind of change."""
    cid = request.args.get("confirmation", "")[:limits.ID]
    if not cid:
        return None, None
    row, error = sls.lookup(get_db(), g.session["session_id"], g.user, cid, screen)
    if row is not None and new_opted_out is not None and bool(row["new_opted_out"]) != new_opted_out:
        return None, "error.confirmation_unknown"  # not a confirmation this page offers
    return row, error


def _enrolls_on_its_own_screens(target, path):
    """A user of the article's current revision enrolls only by choosing a device there (User
    menu > Settings > Secure Login System); the seed's screens would opt them back in without
    one. Raises (audited) for such a target."""
    if revision_of(get_db(), target) == "current":
        sls.refuse(get_db(), g.user["username"], target, path, "enroll_with_device")
        raise sls.Refused("error.enroll_with_device", 409, "enroll_with_device", target)


def register(bp, url, name, *, page, begin, path, new_opted_out, done, ok_notice):
    """Add the screen `name` at `url` to `bp`. `page(status=200, error=None, confirmation=None)`
    renders it; `begin()` runs its Continue's own checks and returns the username whose setting
    changes, or a response (the page with an error); a sls.Refused from either is shown on the
    page. `path` is what the audit log records (seed, classic); after OK the browser goes to
    `done` with `ok_notice`, after Cancel with 'cancelled'."""
    screen = f"{bp.name}.{name}"

    def answer(action, notice):
        target = request.form.get("target")
        try:
            action(get_db(), g.session["session_id"], g.user, request.form.get("confirmation", "")[:limits.ID],
                   path=path, expected_target=target[:limits.ID] if target is not None else None, screen=screen)
        except sls.Refused as refusal:
            return page(refusal.status, error=refusal.key)
        except sls.AlreadyDone:
            return post_redirect(done, notice="already_done")
        return post_redirect(done, notice=notice)

    @requires(PORTAL)
    def show():
        if sls.done_here(get_db(), g.session["session_id"], g.user, request.args.get("confirmation", "")[:limits.ID],
                         screen):
            # Back to a confirmation this session's OK already carried out (the answer may never
            # have arrived): say the change was made, not that the confirmation is spent.
            return post_redirect(done, notice="already_done")
        confirmation, error = shown_confirmation(screen=screen)
        return page(409, error=error) if error else page(confirmation=confirmation)

    @requires(SECURITY_CHANGE)
    def continue_():
        try:
            target = begin()
            if not isinstance(target, str):
                return target
            if not new_opted_out:
                _enrolls_on_its_own_screens(target, path)
            cid = sls.start_change(get_db(), g.session["session_id"], g.user, target,
                                   new_opted_out=new_opted_out, path=path, screen=screen)
        except sls.Refused as refusal:
            return page(refusal.status, error=refusal.key)
        return post_redirect(screen, confirmation=cid)

    @requires(SECURITY_CHANGE)
    def ok():
        return answer(sls.confirm, ok_notice)

    @requires(SECURITY_CANCEL)
    def cancel():
        return answer(sls.cancel, "cancelled")

    bp.add_url_rule(url, name, show, methods=["GET"])
    bp.add_url_rule(url, f"{name}_continue", continue_, methods=["POST"])
    bp.add_url_rule(f"{url}/confirm", f"{name}_confirm", ok, methods=["POST"])
    bp.add_url_rule(f"{url}/cancel", f"{name}_cancel", cancel, methods=["POST"])
