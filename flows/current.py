"""The article's current revision as composable steps, beside the seed's (flows/flow.py):

    4. Click the User menu (head and shoulders icon in the top right corner) followed by Settings.
    5. Under the User Settings section find Security and click Secure Login System.
    6. Select one of the radio buttons below to enroll your secure login device.

then Continue, OK, and the chosen device to its end state:

    from flows.current import cancel_sls_opt_out_current
    run = cancel_sls_opt_out_current(page, base_url, user, "ibkr_mobile")
    run.device  # the IB Key that IBKR Mobile activated

The IB Key activation plays the phone through the portal's test hooks (`slskit serve
--enable-test-hooks`); the code card and the other username's device need none.
"""
from dataclasses import dataclass

from .devices import activate_ibkey
from .flow import StepRunner, open_home
from .pages.current import CHOICES, CurrentPortal, CurrentSecondFactorPage, EnrollmentPage
from .portal_http import hooks_of_page

STEPS = {
    "ja": [
        "ブラウザーを開いてibkr.comに進んでください。",
        "ログイン > ポータル・ログインをクリックしてください。",
        "ログイン情報を入力し、セキュリティデバイスを利用して認証作業を完了させてください。",
        "右上のユーザーメニュー（人物のアイコン）をクリックし、設定をクリックしてください。",
        "ユーザー設定のセクションでセキュリティを探し、セキュア・ログイン・システムをクリックしてください。",
        "以下のラジオボタンのいずれか「{choice}」を選択して、次に進むをクリックしてください。",
        "設定更新の確認が表示されます。OK をクリックしてください。",
    ],
    "en": [
        "Open a browser and go to ibkr.com.",
        "Click Log In > Portal Login.",
        "Enter your login credentials and complete authentication with your security device.",
        "Click the User menu (head and shoulders icon in the top right corner) followed by Settings.",
        "Under the User Settings section find Security and click Secure Login System.",
        "Select one of the radio buttons below to enroll your secure login device: \"{choice}\" Then click Continue.",
        "A confirmation of the settings update appears. Click OK.",
    ],
}
# Step 8: each choice to its end state.
LAST_STEP = {
    "ja": {
        "ibkr_mobile": "IBKRモバイルでQRコードをスキャン（または有効化コードを入力）してIB Keyを有効化し、IB Keyを有効化しましたをクリックしてください。",
        "without_ibkr_mobile": "オンライン・セキュリティ・コード・カードを印刷または保存し、次回のログインで指定されたインデックスのコードを入力してください。",
        "other_username": "別のユーザー名とそのセキュアログイン・デバイスでログインしてください。そのデバイスは両方のユーザー名で使えるようになります。",
    },
    "en": {
        "ibkr_mobile": "Scan the QR code in IBKR Mobile (or enter the activation code) to activate IB Key, then click I have activated IB Key.",
        "without_ibkr_mobile": "Print or save the Online Security Code Card, then at the next login enter the codes of the indexes it asks for.",
        "other_username": "Log in with your other username and its Secure Login Device: the device then serves both usernames.",
    },
}


def current_steps(lang, choice):
    """The eight step texts of the current revision for one choice."""
    from .labels import LABELS
    steps = [text.format(choice=LABELS[lang][f"choice_{choice}"]) for text in STEPS[lang]]
    return steps + [LAST_STEP[lang][choice]]


@dataclass
class Enrolled:
    """What the flow ends with: its timed steps and the device the user is now enrolled with."""

    steps: list
    device: object


def log_in_to_current_portal(page, login_page, user):
    login_page.log_in(user.username, user.password).next(CurrentSecondFactorPage).authenticate(user.device)
    # Once logged in, the portal speaks the user's own locale.
    return CurrentPortal(page, user.locale, login_page.highlight).expect_loaded()


def open_secure_login_system(portal):
    """Steps 4-5: User menu > Settings, then User Settings > Security > Secure Login System."""
    return portal.open_settings().open_secure_login_system()


def activate_ibkey_in_ibkr_mobile(page, activation_page, user, **_):
    """IBKR Mobile reads the activation code (as its QR scan would), then I have activated IB Key."""
    device = activate_ibkey(hooks_of_page(page), page.content(), user.username)
    activation_page.activated().expect_enrolled()
    return device


def log_in_with_the_code_card(page, card_page, user, base_url=None, lang=None, card_path=None, **_):
    """Print (read) or save the card, log out, log in again answering the card's indexes."""
    card = card_page.save(card_path) if card_path else card_page.read()
    card_page.next(CurrentPortal).log_out()
    login_page = open_home(page, base_url, lang, card_page.highlight).choose_portal_login()
    login_page.log_in(user.username, user.password).next(CurrentSecondFactorPage).authenticate(card)
    portal = CurrentPortal(page, user.locale, card_page.highlight).expect_loaded()
    open_secure_login_system(portal).expect_enrolled()
    return card


def log_in_with_the_other_username(page, login_page, user, other_user=None, **_):
    """The other username, its password and its device: that device now serves both."""
    if other_user is None:
        raise ValueError("the other_username choice needs other_user: the username whose device to use")
    login_page.log_in(other_user.username, other_user.password).authenticate(other_user.device)
    login_page.next(EnrollmentPage).expect_enrolled()
    return other_user.device


FINISH = {"ibkr_mobile": activate_ibkey_in_ibkr_mobile, "without_ibkr_mobile": log_in_with_the_code_card,
          "other_username": log_in_with_the_other_username}


def current_actions(page, base_url, user, lang, choice, other_user=None, card_path=None, highlight=None):
    """The current revision's eight steps for `choice` as actions in current_steps's order, each
    taking the screen the one before returned (the last returns the device): the flow below and
    the Gherkin steps (flows/steps.py) run these."""
    return (
        lambda _: open_home(page, base_url, lang, highlight),
        lambda home: home.choose_portal_login(),
        lambda login_page: log_in_to_current_portal(page, login_page, user),
        lambda portal: portal.open_settings(),
        lambda settings: settings.open_secure_login_system().expect_opted_out(),
        lambda enrollment: enrollment.choose(choice).continue_(choice),
        lambda confirmation: confirmation.ok(),
        lambda screen: FINISH[choice](page, screen, user, base_url=base_url, lang=lang, other_user=other_user,
                                      card_path=card_path),
    )


def cancel_sls_opt_out_current(page, base_url, user, choice, lang=None, other_user=None, card_path=None,
                               on_start=None, on_done=None, highlight=None):
    """The current revision's steps for `choice` (ibkr_mobile, without_ibkr_mobile or
    other_username), each timed; fails unless the enrolled heading is shown at the end.
    `other_user`: the PortalUser whose device the other_username choice uses; `card_path`: save
    the code card there (else it is read off the page, as printed); `highlight`: as in flows.flow."""
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {', '.join(CHOICES)}, not {choice!r}")
    lang = lang or user.locale
    run = StepRunner(lang, on_start, on_done, texts=current_steps(lang, choice))
    screen = None
    for number, action in enumerate(current_actions(page, base_url, user, lang, choice, other_user, card_path,
                                                    highlight), 1):
        with run.step(number):
            screen = action(screen)
    return Enrolled(run.results, screen)
