"""The article's documented flow, "cancel a Secure Login System opt-out", as composable steps.

Each step is a function a test can call on its own; `cancel_sls_opt_out` is their sequence:

    from flows import PortalUser, cancel_sls_opt_out
    cancel_sls_opt_out(page, "http://127.0.0.1:5000", PortalUser.from_scenario(entry))
"""
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import expect

from .devices import DeviceClock, device_for
from .pages import ClassicPortal, HomePage, PortalMenu, TradingPage

ARTICLE_STEPS = {
    "ja": [
        "ブラウザーを開いてibkr.comに進んでください。",
        "ログイン > ポータル・ログインをクリックしてください。",
        "ログイン情報を入力し、セキュリティデバイスを利用して認証作業を完了させてください。",
        "左側のメニューより、設定 > ユーザー設定をクリックし、セキュア・ログイン・システムの横にある設定「ギア」アイコンをクリックしてください。",
        "「セキュア・ログイン設定」のボックス内にある設定アイコンをクリックしてください。",
        "「ログイン時には常にセキュアログイン・デバイスの使用を希望します」を選択して次に進むをクリックしてください。",
        "設定更新の確認通知が表示されます。OK をクリックして作業を終了してください。",
    ],
    "en": [
        "Open a browser and go to ibkr.com.",
        "Click Log In > Portal Login.",
        "Enter your login credentials and complete authentication with your security device.",
        "In the left menu click Settings > User Settings, then the gear beside Secure Login System.",
        "Click the settings icon in the Secure Login Settings box.",
        "Select \"I would like to always use my Secure Login Device when logging in\" and click Continue.",
        "A confirmation of the settings update appears. Click OK to finish.",
    ],
}


@dataclass
class PortalUser:
    """A portal user as the flow needs one: credentials, language, a device emulator and the
    clock that emulator reads (moved with the portal's by `TestHooks.advance_clock`)."""

    username: str
    password: str
    locale: str = "ja"
    device: object = None
    entry: dict = field(default_factory=dict, repr=False)
    clock: DeviceClock = field(default_factory=DeviceClock, repr=False)

    @classmethod
    def from_scenario(cls, entry, clock=None):
        clock = clock if isinstance(clock, DeviceClock) else DeviceClock(clock or time.time)
        return cls(entry["username"], entry["password"], entry["locale"],
                   device_for(entry["devices"][0], clock=clock, username=entry["username"]), entry, clock)


@dataclass
class StepResult:
    number: int
    text: str
    seconds: float


class StepRunner:
    """Times each article step and tells a reporter (the demo's printer, a caption)."""

    def __init__(self, lang, on_start=None, on_done=None, texts=None):
        self.lang, self.on_start, self.on_done = lang, on_start, on_done
        self.texts = texts or ARTICLE_STEPS[lang]  # another revision's steps (flows/current.py)
        self.results = []

    @contextmanager
    def step(self, number):
        text = self.texts[number - 1]
        if self.on_start:
            self.on_start(number, text)
        started = time.perf_counter()
        yield
        result = StepResult(number, text, time.perf_counter() - started)
        self.results.append(result)
        if self.on_done:
            self.on_done(result)


def open_home(page, base_url, lang, highlight=None):
    """`highlight`: a headed demo's outline of each element before it is used, handed on from
    screen to screen (flows.headed.Presenter.highlight)."""
    return HomePage(page, lang, highlight).navigate(base_url).expect_loaded()


def log_in_with_security_device(page, login_page, user):
    login_page.log_in(user.username, user.password).authenticate(user.device)
    # Once logged in, the portal speaks the user's own locale.
    return PortalMenu(page, user.locale, login_page.highlight).expect_loaded()


def open_secure_login_system(menu):
    return menu.open_user_settings().open_secure_login_system()


def article_actions(page, base_url, user, lang, highlight=None):
    """The article's seven steps as actions in ARTICLE_STEPS's order, each taking the screen the
    one before returned: `cancel_sls_opt_out` and the Gherkin steps (flows/steps.py) run these."""
    return (
        lambda _: open_home(page, base_url, lang, highlight),
        lambda home: home.choose_portal_login(),
        lambda login_page: log_in_with_security_device(page, login_page, user),
        open_secure_login_system,
        lambda box: box.open_settings().expect_opted_out(),
        lambda settings: settings.choose_always_use_device().continue_(),
        lambda confirmation: confirmation.ok().expect_enrolled(),
    )


def cancel_sls_opt_out(page, base_url, user, lang=None, on_start=None, on_done=None, highlight=None):
    """Run the article's seven steps; returns the timed steps. Fails unless the enrolled
    heading is shown at the end. `on_start(number, text)` and `on_done(step)` hear of each
    step (the demo's printer, a caption); `highlight` outlines each element before it is used."""
    lang = lang or user.locale
    run = StepRunner(lang, on_start, on_done)
    screen = None
    for number, action in enumerate(article_actions(page, base_url, user, lang, highlight), 1):
        with run.step(number):
            screen = action(screen)
    return run.results


def log_in_through_the_portal(page, base_url, user, lang=None):
    """Steps 1-3: home, ログイン > ポータル・ログイン, password and security code; the portal menu."""
    login_page = open_home(page, base_url, lang or user.locale).choose_portal_login()
    return log_in_with_security_device(page, login_page, user)


def cancel_sls_opt_out_classic(page, base_url, user, target_username, lang=None):
    """The article's classic path: log in, クラシック・ポータル, 口座管理 > セキュリティー >
    セキュア・ログイン・システム > セキュリティディバイスの解約(SLSオプトアウト), the radio beside
    `target_username`, 次に進む, OK. Fails unless the page then shows that user enrolled."""
    menu = log_in_through_the_portal(page, base_url, user, lang)
    opt_out_page = ClassicPortal.open_from(menu).open_sls_opt_out()
    opt_out_page = opt_out_page.choose_user(target_username).continue_().ok()
    return opt_out_page.expect_status(target_username, opted_out=False)


def opt_out_with_agreement(page, base_url, user, lang=None):
    """The reverse direction, for a suite setting its own precondition through the UI: an enrolled
    primary user accepts the opt-out agreement and confirms. Fails unless the opted-out heading shows."""
    menu = log_in_through_the_portal(page, base_url, user, lang)
    settings = open_secure_login_system(menu).open_settings().expect_enrolled()
    dialog = settings.open_opt_out_agreement().accept(user.username).continue_()
    return dialog.ok().expect_opted_out()


def log_in_to_trading(page, base_url, user, lang=None):
    """ログイン > トレーディング・プラットフォーム with the user's password, and the security code
    if the portal asks for it. Returns whether it asked; fails unless 取引 is shown at the end."""
    lang = lang or user.locale
    code_page = open_home(page, base_url, lang).choose_trading_login().log_in(user.username, user.password)
    trading = TradingPage(page, user.locale)
    # Either screen follows the password; the login page shows neither, so this waits for the next one.
    expect(code_page.code.or_(trading.heading)).to_be_visible()
    asked = code_page.code.is_visible()
    if asked:
        code_page.authenticate(user.device)
    trading.expect_loaded()
    return asked
