"""`slskit serve --gateway --gateway-conf FILE`: the real gateway's `conf.yaml`, read for what the
kit has a meaning for, the rest ignored and said so in one line at start.

Read: `ips` (allow / deny: mock_portal/gateway/allow_list.py), `listenPort` (the port, unless
--port is given), `listenSsl` (false: plain HTTP, unless --tls or --no-tls is given). Ignored:
everything else (`sslCert`/`sslPwd` name a Java keystore the kit cannot read: --tls-cert and
--tls-key give it a certificate; the proxy, CORS, web apps and server options have nothing to
act on in the kit). The keys' meanings and their sources: docs/gateway-network.md.
"""
from dataclasses import dataclass, field

from ..gateway.allow_list import AllowList
from .startup import _refuse

READ = ("ips", "listenPort", "listenSsl")


@dataclass
class GatewayConf:
    ips: dict                    # {"allow": [...] or None, "deny": [...] or None}
    port: int | None = None
    ssl: bool | None = None
    ignored: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # entries the gateway would not read

    def summary(self, path):
        """The one line `slskit serve` prints at start."""
        ips = self.ips
        read = ["ips (" + ", ".join(f"{name} " + ("null: everyone" if ips[name] is None else str(len(ips[name])))
                                    for name in ("allow", "deny")) + ")"]
        if self.port is not None:
            read.append(f"listenPort {self.port}")
        if self.ssl is not None:
            read.append(f"listenSsl {str(self.ssl).lower()}")
        line = f"Gateway conf {path}: read {', '.join(read)}"
        if self.ignored:
            line += f"; ignored (nothing in the kit acts on them): {', '.join(self.ignored)}"
        return "; ".join([line, *self.problems])


def _patterns(ips, name, path):
    value = ips.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
        _refuse(f"--gateway-conf {path}: ips.{name} must be a list of address patterns")
    return [str(v) for v in value]


def read(path):
    """The file as a GatewayConf, or a refusal in one line (exit 2)."""
    import yaml  # only a server given a conf.yaml needs it
    try:
        with open(path, encoding="utf-8") as f:
            conf = yaml.safe_load(f)
    except OSError as e:
        _refuse(f"--gateway-conf {path}: cannot read it ({e.strerror})")
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        _refuse(f"--gateway-conf {path}: not YAML ({str(e).splitlines()[0]})")
    if conf is None:
        conf = {}
    if not isinstance(conf, dict):
        _refuse(f"--gateway-conf {path}: not a conf.yaml (its top level must be keys and values)")
    ips = conf.get("ips")
    if ips is not None and not isinstance(ips, dict):
        _refuse(f"--gateway-conf {path}: ips must hold allow and deny")
    ips = {"allow": _patterns(ips, "allow", path), "deny": _patterns(ips, "deny", path)} if ips else \
        {"allow": None, "deny": None}
    port = conf.get("listenPort")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535):
        _refuse(f"--gateway-conf {path}: listenPort must be a port, 0-65535")
    ssl = conf.get("listenSsl")
    if ssl is not None and not isinstance(ssl, bool):
        _refuse(f"--gateway-conf {path}: listenSsl must be true or false")
    return GatewayConf(ips=ips, port=port, ssl=ssl, ignored=[str(k) for k in conf if k not in READ],
                       problems=AllowList(ips["allow"], ips["deny"]).problems)
