"""Skips the machine could run: what ./test.sh's setup installs or records is missing here.

Their reasons start with SETUP_MISSING. scripts/skips.py, which ./test.sh runs after the suite,
lists every skip with its reason and, in CI (CI=true), fails the run for these; any other skip
(a capability the machine lacks, a file only the repository has) stays a skip.
"""
import pytest


SETUP_MISSING = "not set up here: "


def skip_until_set_up(reason):
    pytest.skip(SETUP_MISSING + reason)
