"""Measurements of the kit against what a browser allows: `python -m bench --help`."""
