"""The project's own test configuration. The fixtures live in the installed plugin
(`flows.plugin`, entry point `pytest11`), which other teams get with `pip install slskit`;
pytester runs sample projects against that plugin the way a new team would."""
pytest_plugins = ["pytester"]
