"""Pure rules for alerts: the closed vocabularies, checks of a rule's fields, the text an alert carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from truceline.errors import InvalidInput

# A failed event is retried on each run until this many attempts have failed; then it is left alone
# (each attempt is a ledgered record, and a dead target must not grow the ledger every five minutes).
MAX_ATTEMPTS = 8
MAX_NAME_CHARS = 120
MAX_TARGET_CHARS = 2000
MAX_SUBJECT_CHARS = 300
MAX_DETAIL_CHARS = 500
MAX_THRESHOLD = 1_000_000

# RFC 5321/5322 "dot-atom" addresses, without quoted local parts, comments or display names: an alert
# goes to a mailbox the mediators typed, and nothing in it may reach an e-mail header but the address.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})*")
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\]")
_SPACE = re.compile(r"\s+")


class AlertKind(StrEnum):
    CONFIRMED_VIOLATION = "confirmed_violation"
    FATALITIES_AT_LEAST = "fatalities_at_least"
    ESCALATION_RISES = "escalation_rises"
    REPLY_DEADLINE_PASSED = "reply_deadline_passed"
    PARTY_NOTICE = "party_notice"  # a party's liaison has its own notices delivered (see workflows.notices)


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class Outcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"


KIND_LABELS = {
    AlertKind.CONFIRMED_VIOLATION: "a finding confirming a violation is adopted",
    AlertKind.FATALITIES_AT_LEAST: "an incident reports at least N killed",
    AlertKind.ESCALATION_RISES: "the escalation level rises above yesterday's",
    AlertKind.REPLY_DEADLINE_PASSED: "a complaint's reply deadline passes without a reply",
    AlertKind.PARTY_NOTICE: "a notice to the party of the liaison who made the rule",
}
# The kinds the mediators set up; a party's liaison sets up `party_notice` rules, and only those.
MECHANISM_KINDS = tuple(kind for kind in AlertKind if kind is not AlertKind.PARTY_NOTICE)


@dataclass(frozen=True, slots=True)
class RuleFields:
    """A rule's fields after checking: what `create_rule` stores."""

    name: str
    kind: AlertKind
    threshold: int | None
    channel: Channel
    target: str


def _choice(enum: type[AlertKind] | type[Channel], what: str, raw: str) -> str:
    value = raw.strip()
    allowed = [member.value for member in enum]
    if value not in allowed:
        raise InvalidInput(f"{what}: expected one of {', '.join(allowed)}, found {value[:40]!r}")
    return value


def check_rule(
    *, name: str, kind: str, channel: str, target: str, threshold: int | None, by_party: bool = False
) -> RuleFields:
    """Every field of a new rule, or InvalidInput naming the first that is wrong. `by_party`: the rule is a
    party liaison's, which delivers that party's notices (kind `party_notice`, and no other)."""
    clean_name = one_line(name)
    if not clean_name:
        raise InvalidInput("name: expected a short name for the rule, found nothing")
    if len(clean_name) > MAX_NAME_CHARS:
        raise InvalidInput(f"name: expected at most {MAX_NAME_CHARS} characters, found {len(clean_name)}")
    alert_kind = AlertKind(_choice(AlertKind, "kind", kind))
    if (alert_kind is AlertKind.PARTY_NOTICE) != by_party:
        raise InvalidInput(
            "kind: a party's liaison sets up party_notice rules for its own notices (on /notices), "
            f"and the mechanism the other kinds; found {alert_kind.value} "
            + ("by a party" if by_party else "by the mechanism")
        )
    if alert_kind is AlertKind.FATALITIES_AT_LEAST:
        if threshold is None:
            raise InvalidInput(
                "threshold: fatalities_at_least needs a threshold (the number killed), found none"
            )
        if not 1 <= threshold <= MAX_THRESHOLD:
            raise InvalidInput(f"threshold: expected a number from 1 to {MAX_THRESHOLD}, found {threshold}")
    elif threshold is not None:
        raise InvalidInput(f"threshold: only fatalities_at_least takes a threshold, not {alert_kind.value}")
    alert_channel = Channel(_choice(Channel, "channel", channel))
    checked = check_url(target) if alert_channel is Channel.WEBHOOK else check_email(target)
    return RuleFields(clean_name, alert_kind, threshold, alert_channel, checked)


def check_url(raw: str) -> str:
    """An absolute http(s) URL with a host and no credentials, or InvalidInput."""
    url = raw.strip()
    shown = url[:60]
    if not url or len(url) > MAX_TARGET_CHARS or any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidInput(
            f"target: expected an http(s) URL of at most {MAX_TARGET_CHARS} characters, found {shown!r}"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput(f"target: expected an http(s) URL, found {shown!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"target: expected an http(s) URL such as https://example.org/hook, found {shown!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "target: a webhook URL may not carry user:password@; put a token in the path instead"
        )
    if not _HOST.fullmatch(parts.hostname) and not _HOST.fullmatch(f"[{parts.hostname}]"):
        raise InvalidInput(
            f"target: expected a host name or address in the URL, found {parts.hostname[:60]!r}"
        )
    if port == 0:
        raise InvalidInput(f"target: expected a port from 1 to 65535, found {port}")
    return url


def check_email(raw: str) -> str:
    """A plain e-mail address (local@domain, no display name), or InvalidInput."""
    address = raw.strip()
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        raise InvalidInput(
            f"target: expected an e-mail address such as desk@example.org, found {address[:60]!r}"
        )
    return address


def parse_threshold(raw: str) -> int | None:
    """A threshold typed into a form: empty means none; InvalidInput when it is not a whole number."""
    text = raw.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"threshold: expected a whole number, found {text[:20]!r}") from None


def one_line(text: str, *, limit: int | None = None) -> str:
    """Text with every run of whitespace (newlines too) made one space: safe in a header or a log line."""
    flat = _SPACE.sub(" ", text).strip()
    if limit is not None and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat


def scrub(detail: str, *secrets: str) -> str:
    """A delivery's detail, one line and short, with any secret that slipped into it blanked out."""
    for secret in secrets:
        if secret:
            detail = detail.replace(secret, "***")
    return one_line(detail, limit=MAX_DETAIL_CHARS) or "no detail"
