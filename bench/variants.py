"""The same flow, home to OK, five ways. Each function runs it once and returns nothing; it
raises unless the enrolled heading is on screen (or in the answer) at the end.

Navigations in the flow: home, login, code, portal, settings, user settings, secure login,
confirmation, updated -- nine documents, four of them after a POST and its 303: thirteen document
loads as the browser counts them (each POST's answer and the page it leads to), what the floor loads.
"""
import os
import signal

from flows.portal_http import HttpVisitor

LOADS = 13  # the browser's document loads in the flow: the nine documents and the four POSTs' answers
HEADINGS = {"ja": "取引にセキュアログインが必要です", "en": "Secure Login is required for trading"}


def kit(page, base_url, entry):
    """The kit's page objects and flow, as a team's test calls them."""
    from flows import PortalUser, cancel_sls_opt_out
    return cancel_sls_opt_out(page, base_url, PortalUser.from_scenario(entry))


def bare_playwright(page, base_url, entry):
    """Plain Playwright calls with CSS selectors: no page objects, no role queries."""
    import pyotp
    lang = entry["locale"]
    page.goto(f"{base_url}/?lang={lang}")
    page.click("button[popovertarget=login-menu]")
    page.click("#login-menu li:first-child a")
    page.fill("#username", entry["username"])
    page.fill("#password", entry["password"])
    page.click("form button[type=submit]")
    page.fill("input[name=code]", pyotp.TOTP(entry["devices"][0]["totp_secret"]).now())
    page.click("form button[type=submit]")
    page.click("nav.sidebar a[href$='/portal/settings/']")
    page.click("a[href$='/portal/settings/user']")
    page.click("button[popovertarget=secure-login-box]")
    page.click("#secure-login-box button[type=submit]")
    page.check("input[value=always_use_device]")
    page.click("form.stack button[type=submit]")
    page.click("dialog[open] form:last-child button")
    page.wait_for_selector(f"h1:text-is('{HEADINGS[lang]}')")


def selenium(driver, base_url, entry, timeout=15):
    """What a team writes with Selenium WebDriver: explicit waits for each next screen."""
    import pyotp
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, timeout)

    def click(css):
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, css))).click()

    def fill(css, value):
        field = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))
        field.clear()
        field.send_keys(value)

    lang = entry["locale"]
    driver.get(f"{base_url}/?lang={lang}")
    click("button[popovertarget=login-menu]")
    click("#login-menu li:first-child a")
    fill("#username", entry["username"])
    fill("#password", entry["password"])
    click("form button[type=submit]")
    fill("input[name=code]", pyotp.TOTP(entry["devices"][0]["totp_secret"]).now())
    click("form button[type=submit]")
    click("nav.sidebar a[href$='/portal/settings/']")
    click("a[href$='/portal/settings/user']")
    click("button[popovertarget=secure-login-box]")
    click("#secure-login-box button[type=submit]")
    click("input[value=always_use_device]")
    click("form.stack button[type=submit]")
    click("dialog[open] form:last-child button")
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "h1"), HEADINGS[lang]))


def floor(page, static_url, entry=None):
    """The browser floor: as many document loads as the flow makes, of a static page."""
    for i in range(LOADS):
        page.goto(f"{static_url}/?n={i}")
    page.wait_for_selector("h1")


def plain_http(base_url, entry):
    """The same requests with urllib, no browser."""
    import pyotp
    visitor = HttpVisitor(base_url)
    visitor.cancel_sls_opt_out(entry, pyotp.TOTP(entry["devices"][0]["totp_secret"]).now())
    return visitor.statuses


def selenium_driver(binary, extra_args=()):
    """The kit's browser (the headless shell, its launch flags) through Debian's chromedriver:
    Selenium on the same footing as the kit, to see what WebDriver itself costs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from flows.browser import launch_args
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ["--headless=new", *launch_args(), *extra_args]:
        options.add_argument(arg)
    # chromedriver in a process group of its own, so quit_selenium can stop all it started.
    service = Service(executable_path="/usr/bin/chromedriver", popen_kw={"start_new_session": True})
    return webdriver.Chrome(service=service, options=options)


def selenium_default_driver():
    """Selenium as its users set it up by default: `webdriver.Chrome(options)`, Selenium Manager
    finding the driver (chromedriver on PATH here, after its online lookup fails), the full
    browser in new headless mode; --no-sandbox only because Chromium refuses root without it."""
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("google-chrome") or ""
    options.add_argument("--headless=new")
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    # Only the process group is ours (so quit_selenium stops everything); the driver is Selenium's pick.
    return webdriver.Chrome(service=Service(popen_kw={"start_new_session": True}), options=options)


def quit_selenium(driver):
    """Quit, then stop chromedriver's whole process group: quit() ends chromedriver and asks the
    browser to close, but a browser (or its helpers) still closing would outlive the run."""
    group = driver.service.process.pid
    try:
        driver.quit()
    finally:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:  # everything had already ended
            pass


__all__ = ["LOADS", "bare_playwright", "floor", "kit", "plain_http", "quit_selenium", "selenium",
           "selenium_default_driver", "selenium_driver"]
