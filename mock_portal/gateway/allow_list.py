"""The gateway's allow list of client addresses (`conf.yaml`'s `ips: allow / deny`), read as the
real gateway reads it, and applied where it applies it: before anything else, to every path.

The check is WSGI middleware around the whole app, not a Flask hook: a refused client touches no
session, no database and no journal, as the real gateway's filter is the first route it registers
("/*"). The rules (public sources in docs/gateway-network.md):

- the address is the TCP peer's (never X-Forwarded-For), IPv4 only;
- `deny` first: an address a deny pattern matches is refused; then one no allow pattern matches;
- a missing or null `ips`, `ips.allow` or `ips.deny` lets everyone in (an empty list does not),
  as does a peer without an address (a WSGI caller that names none);
- patterns, split on dots: `a.*` (first octet), `a.b.*`, `a.b.c.*` with valid leading octets;
  any other four parts are a regular expression over the whole address with the dots literal
  (`127.0.0.1` exactly; `x.x.x.x` and `0.0.0.0/0` match nothing: no CIDR); anything else is not
  a pattern the gateway reads (it logs it, or with `*` and `*.*.*.*` fails on an invalid regular
  expression), so it matches nothing here and is named at start;
- a refused client gets 404 with exactly `Access Denied`, no Content-Type.
"""
import ipaddress
import re

# IBKR's conf.yaml as its gateway ships it.
STOCK = {"allow": ["192.*", "131.216.*", "127.0.0.1"], "deny": ["212.90.324.10"]}
OCTET = re.compile(r"^([01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])$")
DENIED_BODY = b"Access Denied"


def compile_pattern(entry):
    """The regular expression the gateway makes of one entry, or None for one it cannot read."""
    parts = str(entry).split(".")
    if len(parts) in (2, 3, 4) and parts[-1] == "*":
        if not all(OCTET.match(p) for p in parts[:-1]):
            return None
        return re.compile(r"\.".join(parts[:-1]) + r"\.[0-9]{1,3}" * (5 - len(parts)))
    if len(parts) == 4:
        try:
            return re.compile(r"\.".join(parts))
        except re.error:
            return None
    return None


class AllowList:
    """`conf.yaml`'s ips: lists of patterns (None: the key was missing or null)."""

    def __init__(self, allow, deny):
        self.problems = []  # the entries the gateway would not read, to say so at start
        self.allow, self.deny = self._compiled(allow, "allow"), self._compiled(deny, "deny")

    def _compiled(self, entries, name):
        if entries is None:
            return None
        compiled = []
        for entry in entries:
            pattern = compile_pattern(entry)
            if pattern is None:
                self.problems.append(f"ips.{name}: {entry!r} is not a pattern the gateway reads (it matches nothing)")
            else:
                compiled.append(pattern)
        return compiled

    def admits(self, address):
        if self.allow is None or self.deny is None or address is None:  # the gateway's check, as written
            return True
        address = _ipv4(address)
        if address is None:
            return False
        if any(p.fullmatch(address) for p in self.deny):
            return False
        return any(p.fullmatch(address) for p in self.allow)


def _ipv4(address):
    """The peer as dotted IPv4 (an IPv4-mapped IPv6 peer included), else None."""
    try:
        parsed = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return None
    if parsed.version == 6:
        parsed = parsed.ipv4_mapped
    return str(parsed) if parsed is not None else None


class Refusing:
    """WSGI middleware: a client the allow list refuses gets the real gateway's answer."""

    def __init__(self, app, allow_list):
        self.app, self.allow_list = app, allow_list

    def __call__(self, environ, start_response):
        if self.allow_list.admits(environ.get("REMOTE_ADDR")):
            return self.app(environ, start_response)
        start_response("404 Not Found", [("Content-Length", str(len(DENIED_BODY)))])
        return [DENIED_BODY]


def init_app(app):
    """GATEWAY_IPS: {"allow": [...] or None, "deny": [...] or None}; None (create_app's default):
    the stock conf.yaml's."""
    ips = app.config["GATEWAY_IPS"] if app.config["GATEWAY_IPS"] is not None else STOCK
    allow_list = AllowList(ips.get("allow"), ips.get("deny"))
    app.extensions["slskit_allow_list"] = allow_list
    app.wsgi_app = Refusing(app.wsgi_app, allow_list)
    return allow_list
