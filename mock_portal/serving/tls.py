"""HTTPS for `slskit serve --gateway/--tls`: the certificate.

The Client Portal Gateway a user runs serves https://localhost:5000 with a self-signed
certificate; so does the kit's, made at the first start beside the --db file and reused, so a
client trusts it once (`curl --cacert`, `REQUESTS_CA_BUNDLE`, `verify=`). The TLS itself is
spoken on waitress's event loop (connections.py `TlsChannel`, where a silent client holds a
socket, never the loop), which answers plain HTTP sent to the TLS port with a clear 400.
"""
import datetime
import fcntl
import ipaddress
import os
import ssl
import tempfile
from contextlib import contextmanager

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_NAME, KEY_NAME = "slskit-gateway-cert.pem", "slskit-gateway-key.pem"
DNS_NAMES, IP_ADDRESSES = ("localhost",), ("127.0.0.1", "::1")  # what a local client dials
VALID_DAYS = 365
SELF_SIGNED = ("self-signed for localhost, 127.0.0.1 and ::1; a client trusts it with e.g. "
               "curl --cacert FILE, REQUESTS_CA_BUNDLE=FILE or verify=FILE")


def problem(cert_path, key_path):
    """Why this certificate and key cannot serve TLS now, as the one line's words about
    --tls-cert/--tls-key, or None. For the kit's own pair, any answer means: make it again."""
    cert_flag, key_flag = f"--tls-cert {cert_path}", f"--tls-key {key_path}"
    now = datetime.datetime.now(datetime.timezone.utc)
    try:
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
    except OSError as e:
        return f"{cert_flag} cannot be read ({e.strerror})"
    except ValueError:
        return f"{cert_flag} is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)"
    if cert.not_valid_after_utc < now:
        return f"{cert_flag} expired on {cert.not_valid_after_utc:%Y-%m-%d}"
    if cert.not_valid_before_utc > now:
        return f"{cert_flag} is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
    try:
        with open(key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
    except OSError as e:
        return f"{key_flag} cannot be read ({e.strerror})"
    except TypeError:
        return f"{key_flag} is encrypted; give it without a passphrase"
    except (ValueError, UnsupportedAlgorithm):
        return f"{key_flag} is not a PEM private key"
    der = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*der) != cert.public_key().public_bytes(*der):
        return f"{key_flag} is not the key of the certificate {cert_path}"
    try:  # the last word is the TLS library's, which serves them
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert_path, key_path)
    except (ssl.SSLError, OSError) as e:
        return f"{cert_flag} cannot serve TLS ({e})"
    return None


def self_signed(folder):
    """The kit's own certificate in `folder` (made, or made again once expired or broken):
    (cert_path, key_path). The folder is locked meanwhile: servers on other databases in it
    would otherwise pair one's certificate with another's key."""
    cert_path, key_path = os.path.join(folder, CERT_NAME), os.path.join(folder, KEY_NAME)
    with _locked(folder):
        if problem(cert_path, key_path) is not None:
            write_self_signed(cert_path, key_path)
    return cert_path, key_path


def write_self_signed(cert_path, key_path, not_before=None, not_after=None):
    """A self-signed leaf for DNS_NAMES and IP_ADDRESSES (ECDSA P-256: instant to make, every client takes it);
    the key readable by its owner only. The dates are for tests (an expired one)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    not_before = not_before or now - datetime.timedelta(days=1)  # a client clock a little behind
    not_after = not_after or now + datetime.timedelta(days=VALID_DAYS)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "slskit mock Client Portal Gateway")])
    names = [*map(x509.DNSName, DNS_NAMES), *(x509.IPAddress(ipaddress.ip_address(ip)) for ip in IP_ADDRESSES)]
    public = key.public_key()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
            .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            # A leaf (browsers refuse a CA certificate as a server's) that is its own trust anchor;
            # the key identifiers satisfy strict verifiers (Python 3.13's VERIFY_X509_STRICT).
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
            .sign(key, hashes.SHA256()))
    _write(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def fingerprint(cert_path):
    """The certificate's SHA-256 fingerprint, hex (what a client pins)."""
    with open(cert_path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read()).fingerprint(hashes.SHA256()).hex()


def _write(path, data, mode):
    """Whole or not at all: a reader never sees half a file, the key never other users' eyes."""
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".slskit-tls-")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


@contextmanager
def _locked(folder):
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
