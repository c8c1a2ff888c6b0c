"""The Gherkin steps of the article's specification (flows/features/{ja,en}/*.feature), in
Japanese and English, for pytest-bdd.

Registered by the kit's plugin whenever pytest-bdd is active, so a team binds the shipped
features, or its own scenarios made of these sentences, with one line and no step code:

    # test_sls_spec.py
    from pytest_bdd import scenarios
    from flows.steps import features
    scenarios(features("ja"))

Each step calls the flows and page objects; users are named in the scenario (「田中」, "Smith")
and made fresh by the `portal_user` fixture. The seven article sentences are ARTICLE_STEPS
itself, so the feature files, the demo's printed steps and the screenshots' captions share one
source. Also here: the one-message error for an undefined step, the headed run's caption, and
the scenario report carried from xdist workers so `--cucumberjson` holds them.
"""
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pytest_bdd import given, parsers, step, then, when
from pytest_bdd.scenario import scenario_wrapper_template_registry
from pytest_bdd.steps import step_function_context_registry

try:  # pytest-bdd 9 keeps each test report's scenario in a registry of the process that ran it
    from pytest_bdd.reporting import ReportContext, test_report_context_registry
except ImportError:
    ReportContext = test_report_context_registry = None

from .current import current_actions, current_steps
from .flow import (ARTICLE_STEPS, PortalUser, article_actions, cancel_sls_opt_out_classic,
                   log_in_through_the_portal, log_in_to_trading, open_secure_login_system)
from .labels import LABELS
from .pages import PortalMenu, SecondFactorPage, SecureLoginSettingsPage
from .references import (log_in_to_the_portal, open_current_secure_login_system,
                         request_replacement_dsc_plus, request_withdrawal, return_device, share_device_with)
from .pages.current import CHOICES
from .pages.todays_page import ClientLoginSucceeds, IbkeyPromotionScreen, MobileApprovalStep, TodaysLoginPage
from .users import FRESH_DEVICES, new_paper_account, new_user_entry

FEATURES = Path(__file__).parent / "features"


def features(lang):
    """The folder of the shipped feature files in `lang` ("ja" or "en"), for `scenarios()`."""
    return str(FEATURES / lang)


@dataclass
class Scene:
    """What a scenario's steps share: its language (--portal-lang until a step says), its users by
    the names the scenario gives them, who is acting (the user a step last named), and the screen
    (page object) the last step left."""

    page: object
    portal: object
    lang: str = "ja"
    users: dict = field(default_factory=dict)
    actor: object = None
    screen: object = None
    code_asked: bool = None
    revision: str = None  # the article's revision the portal shows its users: None for the seed's
    choice: str = None  # the current revision's enrollment choice, once step 6 has made it
    devices_at_start: dict = field(default_factory=dict)  # username -> its devices' ids when made
    outcome: object = None  # the article's references: the last withdrawal's or sharing request's end
    replacement: object = None  # ... and the Digital Security Card+ requested (flows.references.Replacement)

    def user(self, name):
        if name not in self.users:
            known = ", ".join(self.users) or "none yet"
            raise AssertionError(f"no user {name!r} in this scenario (known: {known}): a Given step makes each user")
        return self.users[name]

    def act_as(self, name):
        self.actor = self.user(name)
        return self.actor

    def label(self, key):
        return LABELS[self.lang][key]


@pytest.fixture
def scene(portal, page, portal_lang):
    return Scene(page, portal, portal_lang)


# Background: the portal's language, which the scenario's users speak.

@given(parsers.parse("クライアント・ポータルの言語は「{lang}」です"))
@given(parsers.parse('the Client Portal in language "{lang}"'))
def _(scene, lang):
    if lang not in LABELS:
        raise AssertionError(f"no portal language {lang!r}: one of {', '.join(LABELS)}")
    scene.lang = lang


@given("クライアント・ポータルは記事の現行版です")
@given("the Client Portal of the article's current revision")
def _(scene):
    scene.revision = "current"


@given("ログインページは今日の1ページのログインです")
@given("the login page is today's single-page login")
def _(scene):
    # This scenario's browser asks the portal for today's page (mock_portal/login/todays_page.py).
    scene.page.context.add_cookies([{"name": "slskit_login_page", "value": "current", "url": scene.portal.base_url}])


@then("今日のログインページが表示されます")
@then("today's login page is shown")
def _(scene):
    # The live page's username block and its live/paper switch, which the seed's screen has not.
    expect(scene.page.locator(".xyzblock-username #xyz-field-username")).to_be_visible()
    expect(scene.page.locator("label[for=toggle1]")).to_be_visible()


# What the portal's request journal says a user sent: a button's POST, by the endpoint
# of the screen's action (every confirmation screen's OK ends in _confirm, Continue in _continue).
BUTTON_ENDPOINTS = {"OK": "_confirm", "次に進む": "_continue", "Continue": "_continue",
                    "キャンセル": "_cancel", "Cancel": "_cancel"}
TIMES = {"once": 1, "twice": 2}


def _sent(scene, user, button, times):
    if button not in BUTTON_ENDPOINTS:
        raise AssertionError(f"no button {button!r}: one of {', '.join(BUTTON_ENDPOINTS)}")
    sent = [e for e in scene.portal.requests(scene.users[user], "POST")
            if (e["endpoint"] or "").endswith(BUTTON_ENDPOINTS[button])]
    assert len(sent) == times, (f"expected {button} of {user} sent {times} time(s), saw {len(sent)}: "
                                + "; ".join(f"{e['path']} -> {e['status']}" for e in sent))


@then(parsers.parse("「{user}」の {button} は{times:d}回だけ送信されています"))
def _(scene, user, button, times):
    _sent(scene, user, button, times)


@then(parsers.re(r'"(?P<user>[^"]+)"\'s (?P<button>\w+) was sent exactly (?P<times>once|twice|\d+ times)'))
def _(scene, user, button, times):
    _sent(scene, user, button, TIMES.get(times) or int(times.split()[0]))


# The users. Each is fresh (its own account, credentials and device) and named by the scenario.

def _add_user(scene, portal_user, name, **fields):
    scene.users[name] = scene.actor = user = portal_user(locale=scene.lang, portal_revision=scene.revision, **fields)
    scene.devices_at_start[user.username] = {d["device_id"] for d in scene.portal.devices_of(user.username)}


@given(parsers.parse("SLSをオプトアウトしている主要なユーザー「{user}」がいます"))
@given(parsers.parse('a primary user "{user}" who opted out of SLS'))
def _(scene, portal_user, user):
    _add_user(scene, portal_user, user, sls_opted_out=True)


@given(parsers.parse("SLSを利用している主要なユーザー「{user}」がいます"))
@given(parsers.parse('a primary user "{user}" enrolled in SLS'))
def _(scene, portal_user, user):
    _add_user(scene, portal_user, user, sls_opted_out=False)


@given(parsers.parse("「{primary}」と同じ口座に、SLSをオプトアウトしている主要でないユーザー「{user}」がいます"))
@given(parsers.parse('a non-primary user "{user}" of the same account as "{primary}" who opted out of SLS'))
def _(scene, portal_user, user, primary):
    account_id = scene.user(primary).entry["account_id"]
    _add_user(scene, portal_user, user, sls_opted_out=True, primary=False, account_id=account_id)


@given(parsers.parse("セキュリティデバイス「{device}」を持ち、SLSをオプトアウトしている主要なユーザー「{user}」がいます"))
@given(parsers.parse('a primary user "{user}" with the security device "{device}" who opted out of SLS'))
def _(scene, portal_user, user, device):
    if device not in FRESH_DEVICES:
        raise AssertionError(f"no security device {device!r}: one of {', '.join(FRESH_DEVICES)} (docs/devices.md)")
    _add_user(scene, portal_user, user, sls_opted_out=True, devices=FRESH_DEVICES[device]())


# The article's steps: the sentences are ARTICLE_STEPS (the seed's revision) and current_steps (the
# current revision's, per choice), the actions flows.flow's and flows.current's. The first three
# sentences are both revisions': the scenario's revision picks the actions.

def _other_user(scene):
    """The other username of the current revision's third choice: the scenario's one other user."""
    others = [user for user in scene.users.values() if user is not scene.actor]
    if len(others) != 1:
        raise AssertionError(f"the other username is the scenario's one user besides the actor; it has {len(others)}")
    return others[0]


def _article_step(index, revisions, choice=None):
    def run(scene):
        if scene.actor is None:
            raise AssertionError("the article's steps are someone's: a Given step before them makes the user")
        revision = scene.revision or "seed"
        if revision not in revisions:
            raise AssertionError(f"this sentence is the {' and '.join(sorted(revisions))} revision's; "
                                 f"the scenario's portal is the {revision} revision's")
        if revision == "seed":
            actions = article_actions(scene.page, scene.portal.base_url, scene.actor, scene.lang)
        else:
            scene.choice = choice or scene.choice
            other = _other_user(scene) if scene.choice == "other_username" else None
            actions = current_actions(scene.page, scene.portal.base_url, scene.actor, scene.lang, scene.choice,
                                      other_user=other)
        scene.screen = actions[index](scene.screen)
    return run


def _article_sentences():
    """Each sentence once: (index, text) -> the revisions saying it and, for the current revision's
    choice-specific sentences (6 and 8), the choice."""
    said = {}
    for lang, texts in ARTICLE_STEPS.items():
        for index, text in enumerate(texts):
            said.setdefault((index, text), [set(), None])[0].add("seed")
        for choice in CHOICES:
            for index, text in enumerate(current_steps(lang, choice)):
                entry = said.setdefault((index, text), [set(), None])
                entry[0].add("current")
                if index in (5, 7):
                    entry[1] = choice
    return said


for (_index, _text), (_revisions, _choice) in _article_sentences().items():
    step(_text)(_article_step(_index, _revisions, _choice))
del _index, _text, _revisions, _choice


# Other things the users do.

@when(parsers.parse("「{user}」がポータルにログインしてセキュア・ログイン設定を開きます"))
@when(parsers.parse('"{user}" logs in to the portal and opens the Secure Login Settings'))
def _(scene, user):
    menu = log_in_through_the_portal(scene.page, scene.portal.base_url, scene.act_as(user), scene.lang)
    scene.screen = open_secure_login_system(menu).open_settings()


@when("確認通知のキャンセルをクリックします")
@when("clicks Cancel in the confirmation")
def _(scene):
    scene.screen = scene.screen.cancel()


@when(parsers.parse("「{user}」がクラシック・ポータルで口座管理 > セキュリティー > セキュア・ログイン・システム > "
                    "セキュリティディバイスの解約(SLSオプトアウト)をクリックし、「{target}」の横にあるオプションボタンを"
                    "クリックして解約をキャンセルします"))
@when(parsers.parse('"{user}" clicks Manage Account > Security > Secure Login System > SLS Opt Out on the Classic '
                    'Portal and the radio beside "{target}" to cancel the opt-out'))
def _(scene, user, target):
    target_username = scene.user(target).username
    scene.screen = cancel_sls_opt_out_classic(scene.page, scene.portal.base_url, scene.act_as(user),
                                              target_username, scene.lang)


@when(parsers.parse("「{user}」がトレーディング・プラットフォームにログインします"))
@when(parsers.parse('"{user}" logs in to the trading platform'))
def _(scene, user):
    scene.code_asked = log_in_to_trading(scene.page, scene.portal.base_url, scene.act_as(user), scene.lang)


@when("オプトアウト同意書を読んで同意し、自分のユーザー名で署名して次に進み、確認通知のOKをクリックします")
@when("reads and accepts the opt-out agreement, signs it with their username, continues and clicks OK in the confirmation")
def _(scene):
    agreement = scene.screen.expect_enrolled().open_opt_out_agreement()
    scene.screen = agreement.accept(scene.actor.username).continue_().ok()


# What the users then see, and what the portal stored.

@then(parsers.parse("セキュア・ログイン設定に「{heading}」と表示されます"))
@then(parsers.parse('the Secure Login Settings show "{heading}"'))
def _(scene, heading):
    scene.page.reload()  # the heading then comes from the stored state, not from the last answer
    settings = SecureLoginSettingsPage(scene.page, scene.lang)
    expected = {scene.label("required"): settings.expect_enrolled, scene.label("not_required"): settings.expect_opted_out}
    if heading not in expected:
        raise AssertionError(f"the Secure Login Settings show one of {list(expected)}, not {heading!r}")
    expected[heading]()


@then(parsers.parse("ポータルの記録で「{user}」はSLSを利用しています"))
@then(parsers.parse("the portal's records show \"{user}\" enrolled in SLS"))
def _(scene, user):
    assert scene.portal.user_state(scene.user(user).username)["sls_opted_out"] == 0


@then(parsers.parse("ポータルの記録で「{user}」はSLSをオプトアウトしています"))
@then(parsers.parse("the portal's records show \"{user}\" opted out of SLS"))
def _(scene, user):
    assert scene.portal.user_state(scene.user(user).username)["sls_opted_out"] == 1


@then(parsers.parse("ポータルの記録で「{user}」の新しいセキュリティデバイスは「{device}」で、{users}に使われています"))
@then(parsers.parse('the portal\'s records show "{user}"\'s new security device "{device}" serving {users}'))
def _(scene, user, device, users):
    # One device more than the user was made with (the one the last step ended with), stored for
    # exactly these usernames.
    names = re.findall(r"「([^」]+)」" if scene.lang == "ja" else r'"([^"]+)"', users)
    usernames = sorted(scene.user(name).username for name in names)
    username = scene.user(user).username
    new = [(d["type"], sorted(d["usernames"])) for d in scene.portal.devices_of(username)
           if d["device_id"] not in scene.devices_at_start[username]]
    assert new == [(device, usernames)], f"{user}'s new devices: {new}"
    assert getattr(scene.screen, "type", None) == device, f"the last step ended with {scene.screen!r}"


@then(parsers.parse("この設定を変更する権限がないことと、変更許可のあるユーザー「{allowed}」が表示されます"))
@then(parsers.parse('a notice says the user may not change this setting and names "{allowed}" as allowed to change it'))
def _(scene, allowed):
    scene.screen.expect_not_allowed([scene.user(allowed).username])


@then(parsers.parse("クラシック・ポータルで「{user}」の状態が「{status}」と表示されます"))
@then(parsers.parse('the Classic Portal shows the status of "{user}" as "{status}"'))
def _(scene, user, status):
    statuses = {scene.label("status_enrolled"): False, scene.label("status_opted_out"): True}
    if status not in statuses:
        raise AssertionError(f"a status is one of {list(statuses)}, not {status!r}")
    scene.screen.expect_status(scene.user(user).username, opted_out=statuses[status])


@then("セキュリティ・コードは求められません")
@then("no Security Code is asked for")
def _(scene):
    assert scene.code_asked is False


@then("セキュリティ・コードが求められます")
@then("the Security Code is asked for")
def _(scene):
    assert scene.code_asked is True


@then(parsers.parse("口座情報で{row}が「{value}」と表示されます"))
@then(parsers.parse('the Account page shows "{row}" as "{value}"'))
def _(scene, row, value):
    if row != scene.label("otc_orders"):
        raise AssertionError(f"the Account page's limits show {scene.label('otc_orders')!r}, not {row!r}")
    account = PortalMenu(scene.page, scene.lang).open_account()
    expected = {scene.label("limit_not_allowed"): account.expect_restricted,
                scene.label("limit_allowed"): account.expect_unrestricted}
    if value not in expected:
        raise AssertionError(f"a limit is one of {list(expected)}, not {value!r}")
    expected[value]()


@then("クライアント・ポータルのメニューが表示されます")
@then("the Client Portal's menu is shown")
def _(scene):
    PortalMenu(scene.page, scene.lang).expect_loaded()


# The gateway's session as its users fight with it (features 5_gateway_session): a Client Portal
# Gateway of the scenarios' own, its users with their paper accounts and login options, today's
# login page at the gateway, and a local program's calls of its API.

GATEWAY_LOGIN = "/sso/Login?forwardTo=22&RL=1&ip2loc=on"


@pytest.fixture(scope="session")
def slskit_gateway(tmp_path_factory):
    """`slskit serve --gateway` for the scenarios that need it, started the first time one does."""
    from .live import LivePortal
    folder = tmp_path_factory.mktemp("gateway")
    with LivePortal(str(folder / "gateway.sqlite"), test_hooks=True, extra_args=["--gateway"]) as gateway:
        yield gateway


@given("ポータルはClient Portal Gatewayです")
@given("the Client Portal Gateway")
def _(scene, request):
    scene.portal = request.getfixturevalue("slskit_gateway")
    # It holds one session at a time, whoever's, and paces by address (every client here is
    # 127.0.0.1): a scenario starts from a reset, whatever the last left, and adds its own users.
    scene.portal.reset({"users": []})
    # A browser cannot be handed a CA file: it accepts the gateway's certificate as its users' do.
    context = request.getfixturevalue("browser").new_context(ignore_https_errors=True, locale=scene.lang)
    request.addfinalizer(context.close)
    scene.page = context.new_page()


def _add_gateway_user(scene, name, **options):
    entry = {**new_user_entry(locale=scene.lang), **options}
    scene.portal.add_users([entry])
    scene.users[name] = scene.actor = PortalUser.from_scenario(entry)


@given(parsers.parse("ゲートウェイのユーザー「{user}」がいます"))
@given(parsers.parse('a gateway user "{user}"'))
def _(scene, user):
    _add_gateway_user(scene, user)


@given(parsers.parse("ペーパー取引口座を持つゲートウェイのユーザー「{user}」がいます"))
@given(parsers.parse('a gateway user "{user}" with a paper trading account'))
def _(scene, user):
    _add_gateway_user(scene, user, paper=new_paper_account())


@given(parsers.parse("ログインの後にIB Keyの案内が表示されるゲートウェイのユーザー「{user}」がいます"))
@given(parsers.parse('a gateway user "{user}" whose logins show the IB Key promotion'))
def _(scene, user):
    _add_gateway_user(scene, user, ibkey_promotion=True)


@given(parsers.parse("IBKRモバイルでログインを承認するゲートウェイのユーザー「{user}」がいます"))
@given(parsers.parse('a gateway user "{user}" who approves logins in IBKR Mobile'))
def _(scene, user):
    _add_gateway_user(scene, user, mobile_approval=True)


@given(parsers.parse("ログインの後にブローカー・セッションが開かないゲートウェイのユーザー「{user}」がいます"))
@given(parsers.parse('a gateway user "{user}" whose brokerage session is not up after the login'))
def _(scene, user):
    _add_gateway_user(scene, user, brokerage_session="not_up")


def _gateway_login(scene, name, paper_mode, paper_username):
    """Today's login page at the gateway, in the mode and with the username the step names; the
    security device when it is asked for. Ends on whatever the page shows after that."""
    user = scene.act_as(name)
    paper = user.entry.get("paper") if paper_username else None
    if paper_username and paper is None:
        raise AssertionError(f"{name} has no paper trading account: a Given step with one makes it")
    scene.page.goto(scene.portal.url(f"{GATEWAY_LOGIN}&lang={scene.lang}"))
    login = TodaysLoginPage(scene.page, scene.lang).expect_loaded()
    if paper_mode:
        login.choose_paper_trading()
    login.fill(*((paper["username"], paper["password"]) if paper else (user.username, user.password))).submit()
    second = SecondFactorPage(scene.page, scene.lang)
    ends = [login.error, MobileApprovalStep(scene.page, scene.lang).heading,
            IbkeyPromotionScreen(scene.page, scene.lang).heading, ClientLoginSucceeds(scene.page, scene.lang).status]
    code_step = second.shown
    _expect_one_of(code_step, *ends)
    if code_step.first.is_visible():
        second.authenticate(user.device)
        _expect_one_of(*ends)  # the login's answer, before the scenario goes on
    scene.screen = login


def _expect_one_of(*locators):
    shown = locators[0]
    for locator in locators[1:]:
        shown = shown.or_(locator)
    expect(shown.first).to_be_visible()


@when(parsers.parse("「{user}」がゲートウェイにライブ・モードでログインします"))
@when(parsers.parse('"{user}" logs in to the gateway in live mode'))
def _(scene, user):
    _gateway_login(scene, user, paper_mode=False, paper_username=False)


@when(parsers.parse("「{user}」がゲートウェイにペーパー・モードでペーパー取引のユーザー名でログインします"))
@when(parsers.parse('"{user}" logs in to the gateway in paper mode with the paper username'))
def _(scene, user):
    _gateway_login(scene, user, paper_mode=True, paper_username=True)


@when(parsers.parse("「{user}」がゲートウェイにライブ・モードでペーパー取引のユーザー名でログインします"))
@when(parsers.parse('"{user}" logs in to the gateway in live mode with the paper username'))
def _(scene, user):
    _gateway_login(scene, user, paper_mode=False, paper_username=True)


@when(parsers.parse("「{user}」がゲートウェイにペーパー・モードでライブ口座のユーザー名でログインします"))
@when(parsers.parse('"{user}" logs in to the gateway in paper mode with the live username'))
def _(scene, user):
    _gateway_login(scene, user, paper_mode=True, paper_username=False)


@when(parsers.parse("「{user}」が別の場所「{platform}」でもログインします"))
@when(parsers.parse('"{user}" logs in elsewhere, on "{platform}"'))
def _(scene, user, platform):
    scene.portal.log_in_elsewhere(scene.user(user), platform)


@when("プログラムがcompete付きでブローカー・セッションを初期化します")
@when("a program initialises the brokerage session with compete")
def _(scene):
    status, _ = scene.portal.call_gateway("POST", "/v1/api/iserver/auth/ssodh/init", {"publish": True, "compete": True})
    assert status == 200


@when("プログラムがcompeteなしでブローカー・セッションを初期化します")
@when("a program initialises the brokerage session without compete")
def _(scene):
    status, _ = scene.portal.call_gateway("POST", "/v1/api/iserver/auth/ssodh/init", {"publish": True, "compete": False})
    assert status == 200


@when("IB Keyの案内で次に進むをクリックします")
@when("clicks Continue on the IB Key promotion")
def _(scene):
    IbkeyPromotionScreen(scene.page, scene.lang).expect_loaded().continue_()


@when("スマートフォンがIBKRモバイルでログインを承認します")
@when("the phone approves the login in IBKR Mobile")
def _(scene):
    scene.portal.answer_mobile_approval(scene.actor)
    # The page asks about the approval every second: the step ends when it has seen the answer.
    expect(MobileApprovalStep(scene.page, scene.lang).heading).to_be_hidden()


@then("ゲートウェイに「Client login succeeds」と表示されます")
@then('the gateway shows "Client login succeeds"')
def _(scene):
    ClientLoginSucceeds(scene.page, scene.lang).expect_loaded()


@then(parsers.parse("ログインページに「{message}」と表示されます"))
@then(parsers.parse('the login page says "{message}"'))
def _(scene, message):
    expect(TodaysLoginPage(scene.page, scene.lang).error).to_have_text(message)


@then("IB Keyの案内が表示されます")
@then("the IB Key promotion is shown")
def _(scene):
    IbkeyPromotionScreen(scene.page, scene.lang).expect_loaded()


@then("IBKRモバイルでの承認を待っています")
@then("the login waits for an approval in IBKR Mobile")
def _(scene):
    MobileApprovalStep(scene.page, scene.lang).expect_loaded()


def _auth_status(scene):
    status, body = scene.portal.call_gateway("POST", "/v1/api/iserver/auth/status")
    assert status == 200, (status, body)
    return body


@then("ゲートウェイにセッションはありません")
@then("the gateway has no session")
def _(scene):
    assert scene.portal.call_gateway("POST", "/v1/api/tickle")[0] == 401


@then("ゲートウェイのセッションはペーパー取引口座のものです")
@then("the gateway's session is the paper trading account's")
def _(scene):
    paper = scene.actor.entry["paper"]
    validate = scene.portal.call_gateway("GET", "/v1/api/sso/validate")[1]
    assert (validate["LOGIN_TYPE"], validate["PAPER_USER_NAME"]) == (2, paper["username"]), validate
    accounts = scene.portal.call_gateway("GET", "/v1/api/iserver/accounts")[1]
    assert (accounts["isPaper"], accounts["accounts"]) == (True, [paper["account_id"]]), accounts


@then("ゲートウェイのセッションは別の場所のログインと競合しています")
@then("the gateway's session shows the competing login")
def _(scene):
    auth = _auth_status(scene)
    assert (auth["authenticated"], auth["competing"], auth["established"]) == (True, True, False), auth


@then(parsers.parse("認証状態のfailは「{text}」です"))
@then(parsers.parse('the authentication status fails with "{text}"'))
def _(scene, text):
    auth = _auth_status(scene)
    assert (auth["authenticated"], auth["fail"]) == (False, text), auth


@then("ゲートウェイのセッションは認証され、競合していません")
@then("the gateway's session is authenticated and not competing")
def _(scene):
    auth = _auth_status(scene)
    assert (auth["authenticated"], auth["competing"], auth["established"]) == (True, False, True), auth


@then("ゲートウェイのセッションは認証されていません")
@then("the gateway's session is not authenticated")
def _(scene):
    auth = _auth_status(scene)
    assert (auth["authenticated"], auth["connected"], auth["established"]) == (False, True, False), auth


# The article's references: withdrawal limits by device, one device for several usernames, a
# replacement Digital Security Card+ and its return (flows/references.py).

IDENTITY = {"birth_date": "1985-06-15", "citizenship": "JP", "residence": "JP"}
ADDRESS = {"street": "1-2-3 Ginza", "city": "Tokyo", "postal_code": "104-0061", "country": "JP"}


def _usd(text):
    return int(text.replace(",", ""))


@given(parsers.parse("SLSをオプトアウトしている主要なユーザー「{user}」がいて、口座資産は{equity:n}米ドルです"))
@given(parsers.parse('a primary user "{user}" who opted out of SLS, with an account equity of USD {equity:n}'))
def _(scene, portal_user, user, equity):
    _add_user(scene, portal_user, user, sls_opted_out=True, equity_usd=equity)


@given(parsers.parse("SLSを利用している主要なユーザー「{user}」がいて、口座資産は{equity:n}米ドルです"))
@given(parsers.parse('a primary user "{user}" enrolled in SLS, with an account equity of USD {equity:n}'))
def _(scene, portal_user, user, equity):
    _add_user(scene, portal_user, user, sls_opted_out=False, equity_usd=equity)


@given(parsers.parse("SLSを利用している主要なユーザー「{user}」がいて、口座資産は{equity:n}米ドルで、住所が登録されています"))
@given(parsers.parse('a primary user "{user}" enrolled in SLS, with an account equity of USD {equity:n} and an address '
                     'on file'))
def _(scene, portal_user, user, equity):
    _add_user(scene, portal_user, user, sls_opted_out=False, equity_usd=equity, shipping_address=ADDRESS)


@given(parsers.parse("SLSを利用している主要なユーザー「{user}」がいて、本人確認書類は「{id_number}」です"))
@given(parsers.parse('a primary user "{user}" enrolled in SLS, identified by "{id_number}"'))
def _(scene, portal_user, user, id_number):
    _add_user(scene, portal_user, user, sls_opted_out=False, identity={**IDENTITY, "id_number": id_number})


@given(parsers.parse("SLSをオプトアウトしている主要なユーザー「{user}」がいて、本人確認書類は「{id_number}」です"))
@given(parsers.parse('a primary user "{user}" who opted out of SLS, identified by "{id_number}"'))
def _(scene, portal_user, user, id_number):
    _add_user(scene, portal_user, user, sls_opted_out=True, identity={**IDENTITY, "id_number": id_number})


@when(parsers.parse("「{user}」がポータルにログインします"))
@when(parsers.parse('"{user}" logs in to the portal'))
def _(scene, user):
    scene.screen = log_in_to_the_portal(scene.page, scene.portal.base_url, scene.act_as(user), scene.lang)


@then(parsers.parse("口座情報の出金限度額は、セキュリティデバイスなしで1日あたり「{day}」、5日間で「{five_days}」と表示されます"))
@then(parsers.parse('the Account page shows the withdrawal limits "{day}" per day and "{five_days}" over five days '
                    'for no security device'))
def _(scene, day, five_days):
    PortalMenu(scene.page, scene.lang).open_account().expect_no_device_limits(day, five_days)


@when(parsers.parse("「{user}」が「{amount}」の出金を依頼します"))
@when(parsers.parse('"{user}" requests a withdrawal of "{amount}"'))
def _(scene, user, amount):
    scene.outcome = request_withdrawal(scene.page, scene.portal.base_url, scene.act_as(user), amount, lang=scene.lang)


@then(parsers.parse("出金は拒否され、メッセージに「{limit}」と表示されます"))
@then(parsers.parse('the withdrawal is refused with a message naming "{limit}"'))
def _(scene, limit):
    assert not scene.outcome.accepted and limit in scene.outcome.message, scene.outcome


@then("出金は受け付けられます")
@then("the withdrawal is accepted")
def _(scene):
    assert scene.outcome.accepted, scene.outcome


@then(parsers.parse("ポータルの記録で「{user}」の今日の出金額は「{amount}」です"))
@then(parsers.parse('the portal\'s records show "{user}" withdrew "{amount}" today'))
def _(scene, user, amount):
    cents = _usd(re.sub(r"[^0-9,]", "", amount)) * 100
    assert scene.portal.funds_of(scene.user(user).username)["withdrawn_day_cents"] == cents


@when(parsers.parse("「{user}」が「{other}」のセキュリティデバイスの共有を依頼します"))
@when(parsers.parse('"{user}" asks to share the security device of "{other}"'))
def _(scene, user, other):
    scene.outcome = share_device_with(scene.page, scene.portal.base_url, scene.act_as(user), scene.user(other),
                                      lang=scene.lang)


@then(parsers.parse("依頼は拒否され、メッセージに「{other}」の名前が表示されます"))
@then(parsers.parse('the request is refused, naming "{other}"'))
def _(scene, other):
    assert scene.outcome.outcome == "refused" and scene.user(other).username in scene.outcome.message, scene.outcome


@when(parsers.parse("「{user}」がPIN「{pin}」でデジタル・セキュリティ・カード+の再発行を申請し、届いたら有効化します"))
@when(parsers.parse('"{user}" requests a replacement Digital Security Card+ with the PIN "{pin}" and activates it '
                    'when it arrives'))
def _(scene, user, pin):
    scene.replacement = request_replacement_dsc_plus(scene.page, scene.portal.base_url, scene.act_as(user), pin,
                                                     lang=scene.lang)


@when(parsers.parse("「{user}」がデジタル・セキュリティ・カード+を返却し、受領されます"))
@when(parsers.parse('"{user}" returns the Digital Security Card+ and it is received'))
def _(scene, user):
    return_device(scene.page, scene.portal.base_url, scene.act_as(user), scene.replacement.serial, lang=scene.lang)


@then(parsers.parse("出金限度額のページでセキュリティデバイスの預り金は「{amount}」です"))
@then(parsers.parse('the Withdrawal Limits show "{amount}" held for security devices'))
def _(scene, amount):
    limits = open_current_secure_login_system(scene.page, scene.portal.base_url, scene.lang).open_withdrawal_limits()
    expect(limits.amount("held_for_devices")).to_have_text(amount)


def sentences(lang):
    """The kit's step sentences in `lang`, in the order they are defined here, each with the kind
    of step it is ("given", "when", "then", or None for any): what a new scenario can say."""
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    return [(c.type, c.parser.name) for c in list(step_function_context_registry.values())
            if c.step_func.__module__ == __name__ and bool(japanese.search(c.parser.name)) == (lang == "ja")]


# An undefined or misspelled step: one message with the step, where it is, and the nearest sentences.

def defined_steps():
    """Every step sentence pytest-bdd knows in this run (the kit's and the project's own)."""
    return sorted({context.parser.name for context in list(step_function_context_registry.values())
                   if isinstance(context.parser.name, str)})


def undefined_step_message(step, scenario, feature_path, known):
    closest = difflib.get_close_matches(step.name, known, n=3, cutoff=0.5)
    lines = [f"Undefined step: {step.keyword} {step.name}",
             f"  at {feature_path}:{step.line_number} (scenario: {scenario.name})"]
    if closest:
        lines.append("  closest defined steps:")
        lines += [f"    {text}" for text in closest]
    else:
        lines.append("  no defined step is close; the sentences the kit defines are in flows/steps.py")
    return "\n".join(lines)


@pytest.hookimpl(trylast=True)  # after pytest-bdd's own reporting has marked the step failed
def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception):
    if not is_kit_scenario(request.node):
        return  # a team's scenarios of its own steps fail as pytest-bdd says
    pytest.fail(undefined_step_message(step, scenario, feature.filename, defined_steps()), pytrace=False)


# A headed run: the Gherkin step being run as the caption the demo shows.

def pytest_bdd_before_step(request, feature, scenario, step, step_func):
    if not (request.config.getoption("headed", False) and is_kit_scenario(request.node)):
        return
    from .headed import Presenter
    node = request.node
    if getattr(node, "_slskit_presenter", None) is None:
        node._slskit_presenter = Presenter(request.getfixturevalue("page"), feature.language)
    number = scenario.steps.index(step) + 1
    node._slskit_presenter.show(f"{number} / {len(scenario.steps)} — {step.keyword} {step.name}")


# Under xdist the scenario's step report lives on the worker (pytest-bdd 9 writes `[]` to
# --cucumberjson with -n): carry it on the test report so the controller's file holds the kit's
# scenarios run there.

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    context = test_report_context_registry.get(report) if test_report_context_registry is not None else None
    if context is not None and is_kit_scenario(item) and hasattr(item.config, "workerinput"):
        report.slskit_bdd = {"scenario": context.scenario, "name": context.name}


@pytest.hookimpl(tryfirst=True)  # before pytest-bdd's --cucumberjson reads it
def pytest_runtest_logreport(report):
    carried = getattr(report, "slskit_bdd", None)
    if carried and report not in test_report_context_registry:
        test_report_context_registry[report] = ReportContext(**carried)


# A scenario made of the kit's steps (one is enough) is a portal test, as one asking for `portal`
# is (the plugin sets its browser context and expect() timeout): pytest-bdd asks for fixtures
# only while running. The hooks above leave every other scenario as pytest-bdd runs it.

def is_kit_scenario(item):
    return getattr(item, "_slskit_scenario", False)


def mark_kit_scenarios(items):
    """Called by the plugin once the tests are collected (it registers this module then)."""
    kit_steps = [context.parser for context in list(step_function_context_registry.values())
                 if context.step_func.__module__ == __name__]
    for item in items:
        function = getattr(item, "function", None)
        if function is None:  # not a test function (a doctest, a linter's check): never a scenario
            continue
        template = scenario_wrapper_template_registry.get(function)
        if template is not None and any(parser.is_matching(s.name) for s in template.steps for parser in kit_steps):
            item._slskit_scenario = True
            if "portal" not in item.fixturenames:
                item.fixturenames.append("portal")
