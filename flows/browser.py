"""Finding and launching Chromium where Playwright's own download is not reachable.

Order: an explicit setting (argument or SLSKIT_CHROMIUM), Playwright's managed Chromium if it
is installed, then the system Chromium on PATH. Headless runs prefer Debian's
`chromium-headless-shell` (the same engine without the browser UI, as Playwright itself uses
for headless), which starts and opens contexts several times faster (bench/README.md).
"""
import glob
import json
import os
import re
import shutil
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

ENV_VAR = "SLSKIT_CHROMIUM"
# A closed network: without these Chromium keeps dialling out (and as root needs no sandbox).
CLOSED_NETWORK_ARGS = ["--disable-background-networking", "--disable-component-update",
                       "--disable-sync", "--no-first-run"]
# Playwright starts Chromium without its sandbox unless asked (chromiumSandbox); a browser the
# kit starts itself (a CDP endpoint) does the same: as root, or on Ubuntu 24.04, where AppArmor
# keeps an unconfined binary from the user namespaces the sandbox needs, it would not start.
SANDBOX_ARGS = ["--no-sandbox"]
SYSTEM_NAMES = ("chromium", "chromium-browser")
HEADLESS_NAMES = ("chromium-headless-shell",) + SYSTEM_NAMES
MISSING = ("No Chromium browser was found: install one with `apt-get install chromium` "
           f"(or `playwright install chromium`), or set {ENV_VAR} to its path.")


# Playwright drives the process it starts, through pipes and a temporary profile directory.
SNAP_REFUSED = ("is a snap, which runs the browser confined where Playwright's pipes and temporary "
                "profile do not reach it")
WRAPPER_REFUSED = ("is a script that starts no browser Playwright could launch itself, so Playwright "
                   "would hold (and stop) the script, not the browser")


class BrowserNotFound(RuntimeError):
    pass


class BrowserDidNotStart(RuntimeError):
    """The Chromium found was launched and failed: its path and the first line of why."""


def managed_chromium(playwright, headless=True):
    """Playwright's own Chromium for this mode (headless runs use its headless shell), if installed."""
    try:
        path = playwright.chromium.executable_path
    except Exception:  # older drivers raise when nothing is installed
        return None
    if not path:
        return None
    installed = path if os.path.exists(path) else None
    if not headless:
        return installed
    # <registry>/chromium-REV/chrome-linux64/chrome beside <registry>/chromium_headless_shell-REV/...;
    # the shell alone is there after `playwright install --only-shell`.
    folder = Path(path).parents[1]
    shell = folder.with_name(folder.name.replace("chromium-", "chromium_headless_shell-", 1))
    found = [p for p in glob.glob(str(shell / "*" / "*headless*shell")) if os.access(p, os.X_OK)]
    if found:
        return found[0]
    # Before Playwright 1.49 headless runs used the full Chromium: there is no shell to look for.
    return installed if _playwright_version() < (1, 49) else None


def _playwright_version():
    try:
        return tuple(int(part) for part in metadata.version("playwright").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return (0, 0)


def _is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def drivable(path):
    """The executable Playwright should launch for `path`, or the reason it cannot drive it.

    A wrapper script that execs the browser (Debian's `chromium`) becomes the browser, so it is
    launched as it is; one that runs the browser as its child (Debian's
    `chromium-headless-shell`) is passed over for the binary it runs; a snap, or a script
    that leads to one (Ubuntu's `chromium-browser`), is refused."""
    real = os.path.realpath(path)
    if real.startswith("/snap/") or os.path.basename(real) == "snap":
        return None, SNAP_REFUSED
    if _is_elf(real):
        return path, None
    with open(real, encoding="utf-8", errors="replace") as f:
        script = f.read(64_000)
    if "/snap/" in script:
        return None, SNAP_REFUSED
    if re.search(r"^\s*exec\s", script, re.MULTILINE):
        return path, None
    for candidate in re.findall(r"(/[\w./+-]+)", script):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and _is_elf(candidate) \
                and "chrom" in os.path.basename(candidate):
            return candidate, None
    return None, WRAPPER_REFUSED


def find_chromium(playwright=None, explicit=None, headless=True):
    """The Chromium executable to launch, or None to let Playwright use its managed one."""
    explicit = explicit or os.environ.get(ENV_VAR)
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise BrowserNotFound(f"The browser named by {ENV_VAR} or a browser-path option ({explicit}) "
                                  "is not an executable file; point it at a Chromium binary.")
        path, refused = drivable(explicit)
        if refused:
            raise BrowserNotFound(f"The browser named by {ENV_VAR} or a browser-path option ({explicit}) {refused}.")
        return path
    if playwright is not None and managed_chromium(playwright, headless):
        return None
    passed_over = []
    for name in HEADLESS_NAMES if headless else SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            path, refused = drivable(found)
            if path:
                return path
            passed_over.append(f"{found} {refused}")
    raise BrowserNotFound(MISSING[:-1] + "".join(f"; {why}" for why in passed_over) + ".")


def launch_args():
    """Extra command-line flags for Chromium on this machine."""
    return SANDBOX_ARGS + CLOSED_NETWORK_ARGS


def launch_options(playwright=None, explicit=None, **extra):
    """Keyword arguments for `playwright.chromium.launch`."""
    options = {"args": launch_args(), **extra}
    path = find_chromium(playwright, explicit, headless=extra.get("headless", True))
    if path:
        options["executable_path"] = path
    return options


@contextmanager
def launched_chromium(explicit=None, extra_args=(), **extra):
    """A Chromium found as `launch_options` finds it (`extra_args` on its command line), closed on the
    way out; BrowserNotFound or BrowserDidNotStart, each one line, when there is none to use."""
    from playwright.sync_api import Error as PlaywrightError, sync_playwright
    with sync_playwright() as p:
        options = launch_options(p, explicit, **extra)
        options["args"] = [*options["args"], *extra_args]
        try:
            browser = p.chromium.launch(**options)
        except PlaywrightError as e:
            raise BrowserDidNotStart(f"{options.get('executable_path', 'Chromium')} did not start: "
                                     f"{str(e).splitlines()[0]}") from None
        try:
            yield browser
        finally:
            browser.close()


def chromium_path(playwright=None, headless=True):
    """The Chromium executable that runs here, the kit's discovery's or Playwright's own: for a
    browser started outside Playwright (a CDP endpoint, a run-server's browser path). Pass the
    Playwright already running in this process, if any (the sync API cannot start a second)."""
    if playwright is None:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as started:
            return chromium_path(started, headless)
    return find_chromium(playwright, headless=headless) or managed_chromium(playwright, headless)


def main():
    """`python -m flows.browser`: the Chromium the kit would launch here, or why there is none."""
    try:
        print(chromium_path())
    except BrowserNotFound as e:
        print(e)
        return 1
    return 0


# -- ffmpeg, for pytest-playwright's --video ---------------------------------------------------
FFMPEG_ENV_VAR = "SLSKIT_FFMPEG"
FFMPEG_MISSING = ("--video needs ffmpeg and Playwright's own is not installed: install one with "
                  f"`apt-get install ffmpeg` (or `python -m playwright install ffmpeg`), or set "
                  f"{FFMPEG_ENV_VAR} to its path.")
FFMPEG_NAMES = {"linux": "ffmpeg-linux", "darwin": "ffmpeg-mac", "win32": "ffmpeg-win64.exe"}


def playwright_ffmpeg_path(playwright):
    """Where Playwright looks for its ffmpeg: <registry>/ffmpeg-REV/<name>, REV from its browsers.json."""
    import sys

    import playwright as package
    browsers = json.loads((Path(package.__file__).parent / "driver" / "package" / "browsers.json").read_text())
    revision = next(b["revision"] for b in browsers["browsers"] if b["name"] == "ffmpeg")
    # <registry>/chromium-REV/chrome-linux64/chrome, whether installed or not.
    registry = Path(playwright.chromium.executable_path).parents[2]
    return registry / f"ffmpeg-{revision}" / FFMPEG_NAMES.get(sys.platform, "ffmpeg-linux")


def provide_ffmpeg(playwright):
    """Make sure Playwright finds an ffmpeg, found like the browser: Playwright's own if it is
    installed, else ${FFMPEG_ENV_VAR}, else `ffmpeg` on PATH (Debian's package), linked where
    Playwright looks (as its own install would put it; nothing is downloaded)."""
    target = playwright_ffmpeg_path(playwright)
    explicit = os.environ.get(FFMPEG_ENV_VAR)
    if target.exists() and not target.is_symlink():
        return str(target)  # Playwright's own download
    source = explicit or shutil.which("ffmpeg")
    if not source or not os.access(source, os.X_OK):
        raise BrowserNotFound(FFMPEG_MISSING)
    source = os.path.realpath(source)
    if target.is_symlink() and os.path.realpath(target) == source:
        return source
    target.parent.mkdir(parents=True, exist_ok=True)
    # Linked under a unique name and renamed: xdist workers may do this at the same moment.
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    os.symlink(source, temporary)
    os.replace(temporary, target)
    return source


if __name__ == "__main__":
    raise SystemExit(main())
