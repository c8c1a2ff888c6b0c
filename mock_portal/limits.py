"""The portal's input limits, named once. Longer input is cut to these lengths before anything
looks at it, so garbage costs nothing and is never stored whole."""

FIELD = 256     # a login form's fields: username, password, security code, a re-authentication's return path
ID = 100        # an id a form, a query or the cookie names: a confirmation, a session, a target user, a signature
USERNAME = 64   # a username: the longest a scenario may hold, and what the lock stores of a typed one
ADDRESS_FIELD = 120  # one field of a shipping address: a street, a city, a postal code
