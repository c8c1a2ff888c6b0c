"""The suite's tests by level, a folder each, marked by their folder:

    inprocess/  the portal in this process, through Flask's test client: an app and a temporary
                database per test, a frozen clock (the fixtures below); nothing else to install
    served/     real processes without a browser: `slskit serve`, the `slskit` command, the scripts
    e2e/        a real Chromium against a served portal (the plugin's fixtures), and the clients
                that log in through the gateway
    installed/  the kit as a team installs it: sample projects through pytester, with their browser

Helpers the levels share are modules here (portal_client.py, database_files.py, ...).
"""
import io
import json
import logging
import shutil
from contextlib import closing
from pathlib import Path

import pytest
from jinja2 import BytecodeCache

from mock_portal import control, create_app, db, scenario
from mock_portal.clock import FrozenClock
from mock_portal.serving import FAST_PASSWORD_HASH
from portal_client import EXTRA_USERS, SCENARIO, Visitor
from references_users import USERS as REFERENCE_USERS


@pytest.fixture
def pytester(pytester, monkeypatch):
    """Sample projects run without Hypothesis's plugin and Schemathesis's: they are here for the
    kit's own property and conformance tests, no sample project uses them, and each costs 0.7-1.0 s
    of CPU per run. Pytester clears PYTEST_ADDOPTS as it starts; this comes after."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest -p no:schemathesis")
    return pytester


@pytest.fixture
def clock():
    return FrozenClock()


LEVELS = {
    "inprocess": "the portal in this process (Flask's test client); needs nothing else",
    "served": "real processes without a browser (slskit serve, the slskit command, the scripts)",
    "e2e": "drives a real browser against a live portal server",
    "installed": "the kit as a team installs it (sample projects through pytester, with their browser)",
}


def pytest_configure(config):
    for level, needs in LEVELS.items():
        config.addinivalue_line("markers", f"{level}: {needs}")
    _schedule_one_at_a_time(config)


def _schedule_one_at_a_time(config):
    """xdist's default hands each worker a quarter of the suite as one consecutive block, so with
    the longest tests first one worker got all of them (busy 140 s while the other idled after
    99 s). One or two tests at a time per worker instead: whichever is free takes the next
    longest. A --maxschedchunk given on the command line still wins."""
    if config.pluginmanager.hasplugin("xdist") and config.getoption("maxschedchunk", None) is None:
        config.option.maxschedchunk = 1


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the markers
def pytest_collection_modifyitems(config, items):
    _mark_by_folder(items)
    _longest_first(config, items)


def _mark_by_folder(items):
    """Each test carries its folder's marker: `-m inprocess`, `-m served`, `-m e2e`, `-m installed`."""
    here = Path(__file__).parent
    for item in items:
        relative = Path(str(item.path)).relative_to(here) if here in Path(str(item.path)).parents else None
        if relative is not None and relative.parts[0] in LEVELS:
            item.add_marker(relative.parts[0])


def _longest_first(config, items):
    """The longest tests first, by the recorded durations (.test_durations, pytest-split's file):
    xdist's workers then end together instead of one finishing a long test alone at the end."""
    if _random_order(config):
        return  # the flake gate's order is its own
    path = Path(config.getoption("durations_path", default=None) or config.rootpath / ".test_durations")
    try:
        durations = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    unknown = sum(durations.values()) / max(len(durations), 1)  # a new test: as long as the average
    position = {item: i for i, item in enumerate(items)}
    items.sort(key=lambda item: (-durations.get(item.nodeid, unknown), position[item]))


def _random_order(config):
    try:
        from random_order.config import Config as RandomOrder
    except ImportError:
        return False
    return RandomOrder(config).is_enabled


class _CompiledTemplates(BytecodeCache):
    """Every test builds its own app, and compiling the templates again was a third of these
    tests' time (cProfile): the compiled code is shared, keyed by each template's source."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def _portal_app(database, clock):
    app = create_app({
        "TESTING": True,
        "DATABASE": str(database),
        "CLOCK": clock,
        # Hashing cost is not what these tests exercise; scrypt stays the served default.
        "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH,
    })
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory):
    """The schema and portal_client.SCENARIO written once; each test gets a copy of the file
    (creating them again cost every test several synced writes)."""
    path = tmp_path_factory.mktemp("seeded") / "portal.sqlite"
    app = _portal_app(path, FrozenClock())
    with closing(db.connect(app.config["DATABASE"])) as conn:
        scenario.replace(conn, SCENARIO, app.config["PASSWORD_HASH_METHOD"])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the one file that is copied
    return path


@pytest.fixture
def app(tmp_path, clock, seeded_database):
    database = tmp_path / "portal.sqlite"
    shutil.copyfile(seeded_database, database)
    return _portal_app(database, clock)


@pytest.fixture
def app_like(app):
    """Factory: `app_like(GATEWAY=True, TEST_HOOKS=True)`, another app on `app`'s database and
    clock with some settings changed (the gateway, the hooks, a restart)."""
    def make(**config):
        variant = create_app({**app.config, **config})
        variant.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        return variant
    return make


@pytest.fixture
def conn(app):
    """A direct connection to the app's database, to check what is really stored."""
    with closing(db.connect(app.config["DATABASE"])) as c:
        yield c


@pytest.fixture
def visitor(app, clock):
    return Visitor(app.test_client(), clock)


@pytest.fixture
def other_visitor(app, clock):
    return Visitor(app.test_client(), clock)


@pytest.fixture
def extra_users(app):
    """Adds portal_client.EXTRA_USERS (dave: alice's account, not primary, enrolled, en)."""
    with closing(db.connect(app.config["DATABASE"])) as c:
        scenario.add_users(c, EXTRA_USERS, app.config["PASSWORD_HASH_METHOD"])
    return [u["username"] for u in EXTRA_USERS]


@pytest.fixture
def reference_users(app):
    """Adds references_users.USERS, the users of the article's references (withdrawal limits,
    sharing one device, a replacement DSC+). A module that wants them in every test:
    `pytestmark = pytest.mark.usefixtures("reference_users")`."""
    with closing(db.connect(app.config["DATABASE"])) as c:
        scenario.add_users(c, REFERENCE_USERS, app.config["PASSWORD_HASH_METHOD"])


@pytest.fixture
def hooks(app):
    """The test hooks (/_test/..., mock_portal/control) on this app, through a test client of its own."""
    app.register_blueprint(control.bp)
    return app.test_client()


@pytest.fixture
def portal_events():
    """The portal's log events (mock_portal/events.py) since the last call, as dicts."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("mock_portal.events")
    logger.addHandler(handler)

    def read():
        lines = stream.getvalue().splitlines()
        stream.seek(0)
        stream.truncate()
        return [json.loads(line) for line in lines]
    yield read
    logger.removeHandler(handler)
