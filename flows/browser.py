"""Finding and launching Chromium where Playwright's own download is not reachable.

Order: an explicit setting (argument or SLSKIT_CHROMIUM), Playwright's managed Chromium if it
is installed, then the system Chromium on PATH. Headless runs prefer Debian's
`chromium-headless-shell` (the same engine without the browser UI, as Playwright itself uses
for headless), which starts and opens contexts several times faster (bench/README.md).
"""
import os
import shutil

ENV_VAR = "SLSKIT_CHROMIUM"
# A closed network: without these Chromium keeps dialling out (and as root needs no sandbox).
CLOSED_NETWORK_ARGS = ["--disable-background-networking", "--disable-component-update",
                       "--disable-sync", "--no-first-run"]
ROOT_ARGS = ["--no-sandbox"]
SYSTEM_NAMES = ("chromium", "chromium-browser")
HEADLESS_NAMES = ("chromium-headless-shell",) + SYSTEM_NAMES
MISSING = ("No Chromium browser was found: install one with `apt-get install chromium` "
           f"(or `playwright install chromium`), or set {ENV_VAR} to its path.")


class BrowserNotFound(RuntimeError):
    pass


def _managed_chromium(playwright):
    try:
        path = playwright.chromium.executable_path
    except Exception:  # older drivers raise when nothing is installed
        return None
    return path if path and os.path.exists(path) else None


def find_chromium(playwright=None, explicit=None, headless=True):
    """The Chromium executable to launch, or None to let Playwright use its managed one."""
    explicit = explicit or os.environ.get(ENV_VAR)
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise BrowserNotFound(f"The browser set by {ENV_VAR} or --browser-path ({explicit}) "
                                  "is not an executable file; point it at a Chromium binary.")
        return explicit
    if playwright is not None and _managed_chromium(playwright):
        return None
    for name in HEADLESS_NAMES if headless else SYSTEM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise BrowserNotFound(MISSING)


def launch_args():
    """Extra command-line flags for Chromium on this machine."""
    args = list(CLOSED_NETWORK_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args = ROOT_ARGS + args
    return args


def launch_options(playwright=None, explicit=None, **extra):
    """Keyword arguments for `playwright.chromium.launch`."""
    options = {"args": launch_args(), **extra}
    path = find_chromium(playwright, explicit, headless=extra.get("headless", True))
    if path:
        options["executable_path"] = path
    return options
