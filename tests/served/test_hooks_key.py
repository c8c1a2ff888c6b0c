"""The test hooks served beyond loopback, by a real `slskit serve`: refused without a key; with one,
every hook call needs it and the kit's client sends it."""
import os

import pytest

from flows.live import LivePortal
from flows.portal_http import PortalError, TestHooks
from slskit_command import run


def test_hooks_beyond_loopback_refuse_to_start_without_a_key(tmp_path):
    result = run("serve", "--host", "0.0.0.0", "--port", "0", "--db", str(tmp_path / "p.sqlite"),
                 "--enable-test-hooks", timeout=60, env={**os.environ, "SLSKIT_TEST_HOOKS_KEY": ""})
    assert result.returncode == 2 and not (tmp_path / "p.sqlite").exists()
    assert result.stderr.strip() == ("slskit serve: --enable-test-hooks on 0.0.0.0, which is not loopback, needs "
                                  "--test-hooks-key KEY (or SLSKIT_TEST_HOOKS_KEY): anyone who reaches the port "
                                  "could reset the portal")


def test_with_a_key_beyond_loopback_a_hook_call_needs_it_and_the_kits_client_sends_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SLSKIT_TEST_HOOKS_KEY", raising=False)
    with LivePortal(str(tmp_path / "p.sqlite"), host="0.0.0.0", extra_args=["--test-hooks-key", "k3y"]) as portal:
        without = TestHooks(portal.base_url.replace("0.0.0.0", "127.0.0.1"))
        with pytest.raises(PortalError, match="answered 401: the test hooks need their key"):
            without.add_users([])
        keyed = TestHooks(portal.base_url.replace("0.0.0.0", "127.0.0.1"), key="k3y")
        assert keyed.add_users([]) == {"ok": True}
        assert keyed.requests() == []
