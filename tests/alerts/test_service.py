"""Rules are ledgered: bad input writes nothing, disabling is a new version, deliveries list newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.alerts.world import BEFORE, add_rule, ledger_size
from tests.builders import NOW
from truceline.alerts import service
from truceline.alerts.models import AlertRule
from truceline.alerts.schemas import AlertRuleCreate
from truceline.errors import Conflict, InvalidInput, NotFound
from truceline.runtime import Runtime


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target": "https://user:pw@example.org/x"}, "target: a webhook URL may not carry user:password@"),
        ({"channel": "email", "target": "desk@"}, "target: expected an e-mail address"),
        ({"kind": "fatalities_at_least"}, "threshold: fatalities_at_least needs a threshold"),
        ({"kind": "rumours"}, "kind: expected one of"),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_is_written(
    runtime: Runtime, fields: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {
        "name": "Desk",
        "kind": "confirmed_violation",
        "channel": "webhook",
        "target": "https://example.org/hook",
    }
    values.update(fields)
    with runtime.sessions() as session:
        before = ledger_size(session)
    with pytest.raises(InvalidInput, match=message), runtime.transaction() as session:
        service.create_rule(session, rule_in=AlertRuleCreate.model_validate(values), author="test", now=NOW)
    with runtime.sessions() as session:
        assert ledger_size(session) == before
        assert session.query(AlertRule).count() == 0


def test_disabling_a_rule_writes_a_new_version_and_keeps_the_old(runtime: Runtime) -> None:
    rule = add_rule(runtime, kind="escalation_rises", channel="email", target="desk@example.org")
    later = add_rule(runtime, kind="confirmed_violation", channel="email", target="b@example.org", now=NOW)
    with runtime.transaction() as session:
        disabled = service.disable_rule(session, rule_id=rule.id, author="mediator-qatar", now=NOW)
    assert (disabled.id, disabled.supersedes_id, disabled.is_active) == (f"{rule.id}.v2", rule.id, False)
    with runtime.sessions() as session:
        assert [(r.id, r.is_active) for r in service.list_rules(session)] == [
            (disabled.id, False),
            (later.id, True),
        ]
        assert [r.id for r in service.list_rules(session, is_active=True)] == [later.id]
        assert service.get_rule(session, rule.id).id == disabled.id  # any version id means the newest
        assert service.get_rule(session, disabled.id).id == disabled.id
        first = session.get(AlertRule, rule.id)
        assert first is not None and first.is_active  # the old version is kept as it was
        with pytest.raises(Conflict, match=f"alert rule {rule.id} is already disabled"):
            service.disable_rule(session, rule_id=rule.id, author="test", now=NOW)
        with pytest.raises(NotFound, match="alert rule 'alr-nope' not found"):
            service.get_rule(session, "alr-nope")


def test_deliveries_are_listed_newest_first_and_by_rule(runtime: Runtime) -> None:
    one = add_rule(runtime, kind="escalation_rises", channel="email", target="a@example.org")
    two = add_rule(runtime, kind="escalation_rises", channel="webhook", target="https://example.org/h")
    with runtime.transaction() as session:
        for n, rule in enumerate((one, two, one)):
            service.record_delivery(
                session,
                rule=rule,
                event_key=f"escalation:2025-11-0{n + 1}:3",
                subject="s",
                body="b",
                is_delivered=n != 1,
                detail="250 OK\r\nmore",
                attempt=1,
                author="test",
                now=BEFORE + timedelta(hours=1),  # one run: same time, ledger order decides
            )
    with runtime.sessions() as session:
        found = service.list_deliveries(session)
        mine = service.list_deliveries(session, rule_id=one.id, limit=1)
        history = service.event_history(session, [one.id, two.id])
    assert [d.event_key[-4:] for d in found] == ["03:3", "02:3", "01:3"]
    assert [(d.channel, d.target, d.detail) for d in found][1] == (
        "webhook",
        "https://example.org/h",
        "250 OK more",
    )
    assert [d.event_key for d in mine] == ["escalation:2025-11-03:3"]
    assert history[(two.id, "escalation:2025-11-02:3")] == service.EventHistory(False, 1)
    assert history[(one.id, "escalation:2025-11-01:3")] == service.EventHistory(True, 0)
