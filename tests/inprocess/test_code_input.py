"""What a typed security code may contain (docs/devices.md): ASCII and full-width digits and
spaces (ASCII or ideographic); anything else is refused with the usual message."""
import pytest

from mock_portal.login import devices
from portal_client import text


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("typed", [
    lambda c: c,
    lambda c: c.translate(FULL_WIDTH),
    lambda c: f"{c[:3]} {c[3:]}",
    lambda c: f" {c[:3].translate(FULL_WIDTH)}\u3000{c[3:]} ",
], ids=["ascii", "full-width", "grouped", "mixed-ideographic-space"])
def test_a_code_typed_as_people_type_it_logs_in(visitor, typed):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    response = visitor.post("/sso/login/code", {"code": typed(visitor.code("alice"))})
    assert response.status_code == 303 and response.headers["Location"].endswith("/portal/"), text(response)


CIRCLED = str.maketrans("0123456789", "⓪①②③④⑤⑥⑦⑧⑨")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("typed", [
    lambda c: c.translate(CIRCLED),
    lambda c: c.translate(SUPERSCRIPT),
    lambda c: c.translate(ARABIC_INDIC),
    lambda c: f"{c[:3]}-{c[3:]}",
    lambda c: f"{c[:3]}\t{c[3:]}",
    lambda c: c + "\n",
    lambda c: c[:5],
], ids=["circled", "superscript", "arabic-indic", "hyphen", "tab", "newline", "short"])
def test_any_other_character_is_refused_with_the_usual_message(visitor, conn, typed):
    visitor.submit_password("alice")
    visitor.get("/sso/login/code")
    response = visitor.post("/sso/login/code", {"code": typed(visitor.code("alice"))})
    assert response.status_code == 401 and "セキュリティ・コードが正しくありません。" in text(response)
    assert conn.execute("SELECT last_step FROM devices WHERE username = 'alice'").fetchone()[0] is None


@pytest.mark.parametrize("raw, expected", [
    ("ABCDEFGH", "ABCDEFGH"), ("abcd efgh", "ABCDEFGH"), ("ＡＢＣＤ　ＥＦＧＨ", "ABCDEFGH"),
    ("ßßßß", None), ("ABCDEFGı", None), ("ABCDEFG1", None),
])
def test_a_temporary_passcode_is_letters_as_typed(raw, expected):
    code = devices._typed(raw, r"[A-Za-z]{8}")
    assert (code.upper() if code else None) == expected
