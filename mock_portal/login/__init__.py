"""The login, one implementation for every page that asks for it: the password, then the security
device (the article's step 3), on the seed revision's two screens or today's login page.

    checks.py       the password check and the device step (every login, the current revision's
                    other-username link too): lockout, timing, audit, KB69
    routes.py       the /sso routes: the login, the code step, re-authentication, logout
    todays_page.py  which login page a visitor meets; today's page's JSON answers
    devices.py      the security devices' server side; code_card.py, the Online Security Code Card
    lockout.py      ten failed logins lock a username for 24 hours
"""
