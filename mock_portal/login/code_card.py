"""The Online Security Code Card: the current revision's Secure Login device without IBKR Mobile.

A grid of index → 3-digit code, valid 21 days (KB69); a login shows two indexes and takes their
codes typed one after the other. The card is a `devices` row of type `security_code_card`
whose config holds the grid and the time it was issued.
"""
import secrets

CARD_SIZE = 40                           # indexes 01..40
CODE_LENGTH = 3
CARD_VALID_SECONDS = 21 * 24 * 3600      # KB69: the card works for 21 days
TYPE = "security_code_card"


def new_card(now):
    """A fresh grid, as the config of a `security_code_card` device."""
    return {"type": TYPE, "issued_at": now,
            "codes": {f"{i:02d}": f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
                      for i in range(1, CARD_SIZE + 1)}}


def valid_until(config):
    return config["issued_at"] + CARD_VALID_SECONDS


def new_challenge():
    """Two different indexes, in order, e.g. "07 23": what the login asks for."""
    first, second = sorted(secrets.SystemRandom().sample(range(1, CARD_SIZE + 1), 2))
    return f"{first:02d} {second:02d}"


def indexes(challenge):
    return challenge.split()


def expected(config, challenge):
    """The answer to a challenge: the codes of its indexes, one after the other."""
    return "".join(config["codes"][index] for index in indexes(challenge))


def as_text(config, header):
    """The saveable card: the header lines (title, user, validity), then one `index code` line each."""
    lines = [*header, ""] + [f"{index} {code}" for index, code in sorted(config["codes"].items())]
    return "\n".join(lines) + "\n"
