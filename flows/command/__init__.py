"""The `slskit` command's tools (flows/cli.py parses the command line and calls them): the demo,
the walkthrough's screenshots, the living specification, the article check."""

SECRET_ENV_VAR = "SLSKIT_TOTP_SECRET"  # an authenticator app's secret, for `demo --username` and `gateway-login`


class CommandError(Exception):
    """One line for the person at the terminal; `code` is the exit status."""

    def __init__(self, message, code=2):
        super().__init__(message)
        self.code = code
