"""A rule's fields are checked before anything is written; alert text stays on one line."""

from __future__ import annotations

import pytest

from truceline.alerts.rules import (
    AlertKind,
    Channel,
    check_email,
    check_rule,
    check_url,
    one_line,
    parse_threshold,
    scrub,
)
from truceline.errors import InvalidInput


def test_a_good_rule_is_returned_cleaned() -> None:
    fields = check_rule(
        name="  Mass\ncasualties ",
        kind="fatalities_at_least",
        channel="webhook",
        target=" https://chat.example.org/hooks/abc ",
        threshold=10,
    )
    assert fields.name == "Mass casualties"
    assert (fields.kind, fields.channel, fields.threshold) == (
        AlertKind.FATALITIES_AT_LEAST,
        Channel.WEBHOOK,
        10,
    )
    assert fields.target == "https://chat.example.org/hooks/abc"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "violence"}, "kind: expected one of confirmed_violation, fatalities_at_least"),
        ({"channel": "sms"}, "channel: expected one of webhook, email, found 'sms'"),
        ({"kind": "fatalities_at_least"}, "threshold: fatalities_at_least needs a threshold"),
        ({"kind": "fatalities_at_least", "threshold": 0}, "threshold: expected a number from 1"),
        ({"threshold": 5}, "threshold: only fatalities_at_least takes a threshold"),
        ({"name": "   "}, "name: expected a short name"),
        ({"name": "x" * 121}, "name: expected at most 120 characters, found 121"),
        ({"target": "not an address"}, "target: expected an e-mail address such as desk@example.org"),
        ({"channel": "webhook", "target": "ftp://example.org/x"}, "target: expected an http(s) URL"),
        ({"channel": "webhook", "target": "desk@example.org"}, "target: expected an http(s) URL"),
    ],
)
def test_a_bad_field_is_named_in_one_line(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "name": "Desk",
        "kind": "confirmed_violation",
        "channel": "email",
        "target": "desk@example.org",
        "threshold": None,
    }
    fields.update(changes)
    with pytest.raises(InvalidInput) as caught:
        check_rule(**fields)  # type: ignore[arg-type]
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/hook",
        "http://127.0.0.1:8080/x?token=abc",
        "https://[::1]:9000/hook",
        "https://hooks.example.org",
    ],
)
def test_webhook_urls_that_are_accepted(url: str) -> None:
    assert check_url(url) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "expected an http(s) URL"),
        ("example.org/hook", "expected an http(s) URL such as"),
        ("javascript:alert(1)", "expected an http(s) URL such as"),
        ("https://", "expected an http(s) URL such as"),
        ("https://user:secret@example.org/hook", "may not carry user:password@"),
        ("https://exa mple.org/", "expected an http(s) URL of at most"),
        ("https://example.org/\r\nX-Injected: 1", "expected an http(s) URL of at most"),
        ("https://example.org:99999/", "expected an http(s) URL, found"),
        ("https://exa_mple.org/", "expected a host name or address"),
        ("https://example.org/" + "a" * 2000, "at most 2000 characters"),
    ],
)
def test_webhook_urls_that_are_refused(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match="target: ") as caught:
        check_url(url)
    assert message in str(caught.value)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    "address", ["desk@example.org", "first.last+alerts@mail.example.co.uk", "ops@localhost"]
)
def test_email_addresses_that_are_accepted(address: str) -> None:
    assert check_email(f" {address} ") == address


@pytest.mark.parametrize(
    "address",
    [
        "desk",
        "desk@",
        "@example.org",
        "Desk <desk@example.org>",
        "desk@example.org, other@example.org",
        "desk@example.org\r\nBcc: spy@example.org",
        "de sk@example.org",
        "desk@-example.org",
        "desk..x@example.org",
        "a" * 250 + "@example.org",
    ],
)
def test_email_addresses_that_are_refused(address: str) -> None:
    with pytest.raises(InvalidInput, match="target: expected an e-mail address"):
        check_email(address)


def test_a_threshold_from_a_form() -> None:
    assert parse_threshold("") is None
    assert parse_threshold(" 12 ") == 12
    with pytest.raises(InvalidInput, match="threshold: expected a whole number, found 'ten'"):
        parse_threshold("ten")


def test_text_is_made_one_line_and_secrets_are_blanked() -> None:
    assert one_line("a\r\nSubject: b\t c") == "a Subject: b c"
    assert one_line("x" * 50, limit=10) == "x" * 9 + "…"
    assert scrub("535 login failed for hunter2\n", "hunter2") == "535 login failed for ***"
    assert scrub("") == "no detail"


def test_party_notice_rules_are_a_party_s_and_a_party_makes_no_other() -> None:
    fields = {"name": "Notices", "channel": "email", "target": "desk@pk.example.org", "threshold": None}
    assert check_rule(kind="party_notice", by_party=True, **fields).kind is AlertKind.PARTY_NOTICE
    with pytest.raises(InvalidInput, match="a party's liaison sets up party_notice rules"):
        check_rule(kind="party_notice", **fields)
    with pytest.raises(InvalidInput, match="found escalation_rises by a party"):
        check_rule(kind="escalation_rises", by_party=True, **fields)
