"""Certificate pairs for the TLS tests: the kit's own self-signed kind, expired, mismatched, broken."""
import datetime

from mock_portal.serving import tls


def expired():
    """The dates of a certificate made at a start long ago."""
    long_ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=400)
    return {"not_before": long_ago, "not_after": long_ago + datetime.timedelta(days=30)}


def own_pair(folder, **dates):
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    tls.write_self_signed(cert, key, **dates)
    return cert, key


def expired_pair(folder):
    return own_pair(folder, **expired())


def mismatched_pair(folder):
    cert, key = own_pair(folder)
    tls.write_self_signed(str(folder / "other.pem"), key)  # a new key over the first
    return cert, key


def not_a_key(folder):
    cert, key = own_pair(folder)
    open(key, "w").write("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    return cert, key
