"""The project's own test configuration. The fixtures live in the installed plugin
(`slskit_plugin`, entry point `pytest11`), which other teams get with `pip install
slskit-acceptance`; pytester runs sample projects against that plugin the way a new team would."""
pytest_plugins = ["pytester"]


def pytest_addoption(parser):
    parser.addoption("--update-visual-baselines", action="store_true",
                     help="rewrite tests/e2e/baselines/ from this run's screenshots (after an intended UI change)")
    parser.addoption("--update-aria-snapshots", action="store_true",
                     help="rewrite docs/aria/ from this run's screens (after an intended change of a screen)")
