"""An old login confirms with the security device before a Secure Login change, and comes back to
the same screen; never to another site."""


from portal_client import SECURE_LOGIN_SETTINGS, opted_out, text


def test_an_old_login_confirms_with_the_device_before_continue(visitor, clock, conn):
    visitor.log_in("alice")
    clock.advance(16 * 60)
    response = visitor.press_continue()
    assert response.status_code == 303 and "/sso/reauth" in response.headers["Location"]
    page = text(visitor.get(response.headers["Location"]))
    assert '<label for="xyz-field-bronze-response">セキュリティ・コード</label>' in page and ">ログイン</button>" in page
    assert conn.execute("SELECT COUNT(*) FROM confirmations").fetchone()[0] == 0
    back = visitor.post("/sso/reauth", {"code": visitor.code("alice"), "next": SECURE_LOGIN_SETTINGS})
    assert back.status_code == 303 and back.headers["Location"] == SECURE_LOGIN_SETTINGS
    cid = visitor.open_confirmation()
    assert visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid}).status_code == 303
    assert not opted_out(conn, "alice")


def test_a_recent_login_needs_no_reauthentication(visitor, clock):
    visitor.log_in("alice")
    clock.advance(14 * 60)
    assert visitor.press_continue().headers["Location"].startswith(SECURE_LOGIN_SETTINGS)


def test_the_age_is_a_config_key_and_ok_returns_to_the_same_dialog(app, visitor, clock, conn):
    app.config["REAUTH_MAX_AGE_SECONDS"] = 60
    visitor.log_in("alice")
    cid = visitor.open_confirmation()
    clock.advance(90)
    response = visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid})
    assert "/sso/reauth" in response.headers["Location"] and opted_out(conn, "alice")
    visitor.get(response.headers["Location"])
    wrong = visitor.post("/sso/reauth", {"code": "000000" if visitor.code("alice") != "000000" else "111111",
                                         "next": f"{SECURE_LOGIN_SETTINGS}?confirmation={cid}"})
    assert wrong.status_code == 401 and opted_out(conn, "alice")
    back = visitor.post("/sso/reauth", {"code": visitor.code("alice"), "next": f"{SECURE_LOGIN_SETTINGS}?confirmation={cid}"})
    assert back.headers["Location"] == f"{SECURE_LOGIN_SETTINGS}?confirmation={cid}"
    assert "<dialog" in text(visitor.get(back.headers["Location"]))
    assert visitor.post(f"{SECURE_LOGIN_SETTINGS}/confirm", {"confirmation": cid}).status_code == 303
    assert not opted_out(conn, "alice")


def test_reauthentication_never_sends_the_user_to_another_site(visitor, clock):
    visitor.log_in("alice")
    clock.advance(16 * 60)
    visitor.get(visitor.press_continue().headers["Location"])
    response = visitor.post("/sso/reauth", {"code": visitor.code("alice"), "next": "//evil.example/portal/"})
    assert response.headers["Location"] == "/portal/"
