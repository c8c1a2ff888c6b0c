"""How `slskit` reads its command line before argparse does: a password that begins with a dash
is the password; what follows `--` is another program's and passes as it was typed."""
from flows.cli import _bind_free_text_values, build_parser


def parsed(*argv):
    return build_parser().parse_args(_bind_free_text_values(argv))


def test_a_password_that_begins_with_a_dash_is_the_password():
    args = parsed("gateway-login", "--url", "https://127.0.0.1:5000", "--username", "-me", "--password", "-pw",
                  "--totp-secret", "JBSWY3DPEHPK3PXP")
    assert (args.username, args.password, args.totp_secret) == ("-me", "-pw", "JBSWY3DPEHPK3PXP")


def test_what_follows_the_double_dash_passes_to_pytest_as_typed():
    args = parsed("spec", "--", "-k", "x", "--username", "y", "--password")
    assert args.pytest_args == ["--", "-k", "x", "--username", "y", "--password"]
