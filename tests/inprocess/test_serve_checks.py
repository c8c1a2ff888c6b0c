"""What `slskit serve` refuses before anything is written, checked in-process (serve() itself): a
database file it cannot use, a lock file it cannot open, a path under a file, a port outside
0-65535, a host that does not resolve, a certificate pair that cannot serve TLS. The command's own
refusals, as a process: tests/served/test_serve_refusals.py."""
import os

import pytest
from certificates import expired_pair, mismatched_pair, not_a_key, own_pair
from database_files import a_directory, damaged, digest, not_sqlite, sqlite_file, truncated

from mock_portal import serving


@pytest.mark.parametrize("make, problem", [
    (a_directory, "is a directory, not a database file"),
    (not_sqlite, "is not an SQLite database"),
    (truncated, "is damaged"),
    (damaged, "is damaged"),
])
def test_a_database_file_it_cannot_use_is_refused_untouched(tmp_path, make, problem):
    path = make(str(tmp_path / "portal.sqlite"))
    before = digest(path)
    with pytest.raises(serving.StartError) as refused:
        serving.serve(port=0, database=path)
    assert problem in str(refused.value) and refused.value.code == 2
    assert digest(path) == before
    assert sorted(os.listdir(tmp_path)) == ["portal.sqlite"]  # no journal, no lock, nothing beside it


def test_a_lock_file_that_cannot_be_opened_is_refused_untouched(tmp_path):
    database = sqlite_file(str(tmp_path / "portal.sqlite"))
    os.mkdir(database + ".lock")
    before = digest(database)
    with pytest.raises(serving.StartError, match="cannot open its lock file"):
        serving.serve(port=0, database=database)
    assert digest(database) == before


def test_a_database_in_a_path_under_a_file_is_refused(tmp_path):
    not_sqlite(str(tmp_path / "file"))
    with pytest.raises(serving.StartError, match="is not a folder"):
        serving.serve(port=0, database=str(tmp_path / "file" / "portal.sqlite"))


@pytest.mark.parametrize("port", [-1, 65536, 70000, 2**64])
def test_a_port_outside_the_range_is_an_error_not_a_wrap_around(tmp_path, port):
    with pytest.raises(serving.StartError, match=f"--port {port} is outside 0-65535") as refused:
        serving.serve(port=port, database=str(tmp_path / "db.sqlite"))
    assert refused.value.code == 2 and os.listdir(tmp_path) == []


def test_a_host_that_does_not_resolve_is_refused(tmp_path):
    with pytest.raises(serving.StartError, match="does not resolve"):
        serving.serve(host="no-such-host.invalid", port=0, database=str(tmp_path / "db.sqlite"))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("make, problem", [
    (expired_pair, r"--tls-cert .*cert\.pem expired on \d{4}-\d\d-\d\d"),
    (mismatched_pair, r"--tls-key .*key\.pem is not the key of the certificate .*cert\.pem"),
    (not_a_key, r"--tls-key .*key\.pem is not a PEM private key"),
    (lambda folder: (own_pair(folder)[0], None), "--tls-cert and --tls-key go together"),
    (lambda folder: (None, own_pair(folder)[1]), "--tls-cert and --tls-key go together"),
    (lambda folder: (str(folder / "missing.pem"), str(folder / "missing.pem")), r"cannot be read \(No such file"),
])
def test_a_certificate_pair_that_cannot_serve_is_refused_before_the_database(tmp_path, make, problem):
    folder = tmp_path / "tls"
    folder.mkdir()
    cert, key = make(folder)
    with pytest.raises(serving.StartError, match=problem) as refused:
        serving.serve(port=0, database=str(tmp_path / "db.sqlite"), tls_cert=cert, tls_key=key)
    assert refused.value.code == 2 and sorted(os.listdir(tmp_path)) == ["tls"]
