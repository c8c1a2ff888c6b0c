"""The portal's own screens, one blueprint each:

    home.py           the public home page and its login menu (the article's steps 1-2)
    seed.py           the seed revision's Client Portal (/portal/): menu, User Settings, Secure
                      Login Settings (steps 4-7), the opt-out agreement, account, messages, audit
    classic.py        the classic portal's SLS Opt Out page
    current.py        the current revision's screens (/portal/current/); enrollment.py, its three
                      enrollment choices to their end
    confirmations.py  the Secure Login change screens' Continue / OK / Cancel, registered once
"""
