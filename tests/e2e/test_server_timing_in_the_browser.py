"""The portal's Server-Timing reaches the browser: its navigation entries carry the split, as the
browser's devtools and Playwright's traces show it."""


def test_the_browser_sees_where_each_page_of_the_portal_spent_its_time(page, portal):
    page.goto(portal.url("/sso/login?lang=en"))
    timing = page.evaluate("performance.getEntriesByType('navigation')[0].serverTiming"
                           ".map(e => [e.name, e.description, e.duration])")
    assert [name for name, _, _ in timing] == ["db", "tpl", "hash", "total"]
    parts = {name: duration for name, _, duration in timing}
    assert parts["total"] > 0 and parts["tpl"] > 0 and parts["total"] >= parts["tpl"]
    assert dict((name, description) for name, description, _ in timing)["hash"] == "password hash"
