"""Running the rules: each kind fires on a world with its event and not on one without; each delivery is
recorded; a delivered event is never sent twice; a failed one is retried until it is given up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.alerts.servers import free_port, smtp_receiver, webhook_receiver
from tests.alerts.world import BEFORE, add_incident, add_rule, decide_finding, deliveries, with_smtp
from tests.builders import NOW
from tests.cases.world import a_world, file_a_complaint
from truceline.alerts.rules import MAX_ATTEMPTS
from truceline.alerts.service import disable_rule
from truceline.audit import verify_database
from truceline.complaints.schemas import ResponseCreate
from truceline.config import Settings
from truceline.db.versions import base_id
from truceline.ledger.service import create_checkpoint
from truceline.notices.schemas import NoticeDeliveryIn
from truceline.runtime import Runtime
from truceline.views import ceasefire
from truceline.workflows import notices
from truceline.workflows import verification as flow
from truceline.workflows.alerts import find_events, run_alerts

LATER = NOW + timedelta(days=2)


def run(
    runtime: Runtime, *, now: datetime = LATER, settings: Settings | None = None
) -> list[tuple[str, str, int]]:
    """One run in its own transaction: (outcome, event key, attempt) of each delivery."""
    with runtime.transaction() as session:
        found = run_alerts(session, runtime.scenario, settings or runtime.settings, now=now, author="test")
        return [(d.outcome, d.event_key, d.attempt) for d in found]


# --- confirmed violations ------------------------------------------------------------------------------


def test_an_adopted_confirmed_violation_is_posted_once(runtime: Runtime) -> None:
    world = a_world(runtime)
    with webhook_receiver() as receiver:
        rule = add_rule(runtime, kind="confirmed_violation", channel="webhook", target=receiver.url("/hook"))
        finding_id = decide_finding(world)
        first = run(runtime)
        with runtime.transaction() as session:  # publishing makes a new version of the same finding
            flow.publish_finding(session, principal=world["mediator-qatar"], finding_id=finding_id, now=LATER)
        second = run(runtime, now=LATER + timedelta(hours=1))
    key = f"finding:{base_id(finding_id)}"
    assert first == [("delivered", key, 1)] and second == []
    [posted] = receiver.received
    payload = posted.json
    assert payload["rule"] == {
        "id": rule.id,
        "name": "Desk",
        "kind": "confirmed_violation",
        "threshold": None,
    }
    assert (payload["event_key"], payload["attempt"], payload["scenario"]) == (key, 1, runtime.scenario.id)
    assert (
        payload["subject"].startswith("[Truceline] Confirmed violation by ") and "(PK)" in payload["subject"]
    )
    assert "Clauses breached: C1" in payload["body"]
    assert payload["links"][0] == f"/findings/{base_id(finding_id)}"
    [delivery] = deliveries(runtime)
    assert (delivery.rule_id, delivery.outcome, delivery.detail) == (
        rule.id,
        "delivered",
        "HTTP 204 No Content",
    )


def test_a_proposed_or_unconfirmed_finding_sends_nothing(runtime: Runtime) -> None:
    world = a_world(runtime)
    add_rule(runtime, kind="confirmed_violation", channel="webhook", target="https://example.org/never")
    decide_finding(world, adopt=False)
    assert run(runtime) == []
    decide_finding(world, verdict="not_confirmed")  # a second complaint and case on inc-1, adopted
    assert run(runtime) == []
    assert deliveries(runtime) == []


# --- fatalities ----------------------------------------------------------------------------------------


def test_an_incident_with_enough_killed_is_sent_once_even_after_a_revision(runtime: Runtime) -> None:
    with webhook_receiver() as receiver:
        add_rule(
            runtime, kind="fatalities_at_least", threshold=20, channel="webhook", target=receiver.url("/h")
        )
        with runtime.transaction() as session:
            add_incident(session, "inc-big", killed=25)
            add_incident(session, "inc-small", killed=19)
        first = run(runtime)
        with runtime.transaction() as session:  # a later version (a merge, a correction) of the same incident
            add_incident(session, "inc-big-v2", killed=31, supersedes="inc-big", now=LATER)
        second = run(runtime, now=LATER + timedelta(hours=1))
    assert first == [("delivered", "incident:inc-big", 1)] and second == []
    assert receiver.received[0].json["subject"] == "[Truceline] 25 killed: Shelling near Torkham"
    assert receiver.received[0].json["links"] == ["/incidents/inc-big"]


def test_an_incident_recorded_before_the_rule_is_not_sent(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "inc-old", killed=50)
    add_rule(
        runtime,
        kind="fatalities_at_least",
        threshold=1,
        channel="webhook",
        target="https://example.org/x",
        now=NOW + timedelta(hours=1),
    )
    with runtime.sessions() as session:
        assert find_events(session, runtime.scenario, now=LATER) == []


# --- escalation ----------------------------------------------------------------------------------------


def test_a_rise_in_the_escalation_level_is_sent_once_that_day(runtime: Runtime) -> None:
    today = date(2026, 3, 1)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with webhook_receiver() as receiver:
        add_rule(runtime, kind="escalation_rises", channel="webhook", target=receiver.url("/h"))
        assert run(runtime, now=now) == []  # a calm day: nothing rose
        with runtime.transaction() as session:
            for n in range(10):
                add_incident(session, f"x-{n}", killed=10, day=today, now=now)
        first = run(runtime, now=now + timedelta(minutes=5))
        again = run(runtime, now=now + timedelta(minutes=10))
    with runtime.sessions() as session:
        level = ceasefire.escalation(session, runtime.scenario, at=today).level
    assert level > 1
    assert first == [("delivered", f"escalation:2026-03-01:{level}", 1)] and again == []
    payload = receiver.received[0].json
    assert payload["subject"].startswith("[Truceline] Escalation rose to level ")
    assert "Fatalities" in payload["body"]


# --- reply deadlines -----------------------------------------------------------------------------------


def test_an_unanswered_complaint_past_its_deadline_is_emailed(runtime: Runtime, settings: Settings) -> None:
    world = a_world(runtime)
    days = runtime.scenario.reply_window_days
    with smtp_receiver() as smtp:
        add_rule(runtime, kind="reply_deadline_passed", channel="email", target="desk@example.org")
        complaint = file_a_complaint(world)
        before_deadline = run(
            runtime,
            now=NOW + timedelta(days=days) - timedelta(minutes=1),
            settings=with_smtp(settings, smtp.port),
        )
        after = run(
            runtime, now=NOW + timedelta(days=days, minutes=1), settings=with_smtp(settings, smtp.port)
        )
    assert before_deadline == [] and after == [("delivered", f"reply:{complaint.id}", 1)]
    [mail] = smtp.mails
    assert mail.recipients == ["desk@example.org"]
    accused = runtime.scenario.party("PK").name
    assert (
        mail.message["Subject"] == f"[Truceline] Reply overdue from {accused} (PK): complaint {complaint.id}"
    )
    text = mail.message.get_content()
    assert f"Open: /complaints/{complaint.id}" in text
    assert "Shelling across the line" not in text  # the party's own words stay in Truceline


def test_a_complaint_that_was_answered_sends_nothing(runtime: Runtime) -> None:
    world = a_world(runtime)
    add_rule(runtime, kind="reply_deadline_passed", channel="email", target="desk@example.org")
    complaint = file_a_complaint(world)
    with runtime.transaction() as session:
        flow.respond_to_complaint(
            session,
            principal=world["liaison-pk"],
            scenario=runtime.scenario,
            response_in=ResponseCreate(complaint_id=complaint.id, text="We returned fire."),
            now=NOW + timedelta(hours=1),
        )
    with runtime.sessions() as session:
        assert find_events(session, runtime.scenario, now=NOW + timedelta(days=30)) == []


# --- failures, retries, disabled rules -----------------------------------------------------------------


def test_a_failed_delivery_is_recorded_and_retried_until_it_is_delivered(runtime: Runtime) -> None:
    world = a_world(runtime)
    with webhook_receiver() as receiver:
        add_rule(runtime, kind="reply_deadline_passed", channel="webhook", target=receiver.url("/hook"))
        complaint = file_a_complaint(world)
        key = f"reply:{complaint.id}"
        receiver.statuses["/hook"] = 503
        first = run(runtime, now=LATER + timedelta(days=2))
        receiver.statuses["/hook"] = 200
        second = run(runtime, now=LATER + timedelta(days=2, minutes=5))
        third = run(runtime, now=LATER + timedelta(days=2, minutes=10))
    assert first == [("failed", key, 1)]
    assert second == [("delivered", key, 2)]
    assert third == []
    assert [p.json["attempt"] for p in receiver.received] == [1, 2]
    newest, oldest = deliveries(runtime)
    assert (oldest.outcome, oldest.detail) == ("failed", "HTTP 503 Service Unavailable")
    assert (newest.outcome, newest.detail) == ("delivered", "HTTP 200 OK")


def test_a_dead_target_is_given_up_after_the_last_attempt(runtime: Runtime) -> None:
    world = a_world(runtime)
    add_rule(
        runtime, kind="reply_deadline_passed", channel="webhook", target=f"http://127.0.0.1:{free_port()}/x"
    )
    file_a_complaint(world)
    attempts = [run(runtime, now=LATER + timedelta(days=2, minutes=n))[0] for n in range(MAX_ATTEMPTS)]
    assert [a[2] for a in attempts] == list(range(1, MAX_ATTEMPTS + 1))
    assert {a[0] for a in attempts} == {"failed"}
    assert all(d.detail.startswith("ConnectError: ") for d in deliveries(runtime))
    assert run(runtime, now=LATER + timedelta(days=3)) == []


def test_a_failing_target_does_not_stop_the_others(runtime: Runtime, settings: Settings) -> None:
    world = a_world(runtime)
    with smtp_receiver() as smtp:
        dead = add_rule(
            runtime,
            kind="reply_deadline_passed",
            channel="webhook",
            target=f"http://127.0.0.1:{free_port()}/",
        )
        mail = add_rule(runtime, kind="reply_deadline_passed", channel="email", target="desk@example.org")
        file_a_complaint(world)
        outcomes = run(runtime, now=LATER + timedelta(days=2), settings=with_smtp(settings, smtp.port))
    assert sorted(o[0] for o in outcomes) == ["delivered", "failed"]
    by_rule = {d.rule_id: d.outcome for d in deliveries(runtime)}
    assert by_rule == {dead.id: "failed", mail.id: "delivered"}
    assert len(smtp.mails) == 1


def test_a_disabled_rule_sends_nothing_and_the_ledger_verifies(runtime: Runtime) -> None:
    world = a_world(runtime)
    rule = add_rule(runtime, kind="reply_deadline_passed", channel="webhook", target="https://example.org/x")
    file_a_complaint(world)
    with runtime.transaction() as session:
        disable_rule(session, rule_id=rule.id, author="test", now=NOW)
    assert run(runtime, now=LATER + timedelta(days=2)) == []
    with runtime.transaction() as session:
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    with runtime.sessions() as session:
        verify_database(session, log_verifier=runtime.log_verifier)


# --- notices to a party ------------------------------------------------------------------------------------


def test_a_party_s_notices_and_its_reply_reminder_reach_its_own_mailbox_and_no_other(
    runtime: Runtime,
) -> None:
    world = a_world(runtime)
    with smtp_receiver() as smtp:
        with runtime.transaction() as session:
            for liaison, address in (
                ("liaison-pk", "desk@pk.example.org"),
                ("liaison-af", "desk@af.example.org"),
            ):
                notices.add_notice_delivery(
                    session,
                    principal=world[liaison],
                    delivery_in=NoticeDeliveryIn(channel="email", target=address),
                    now=BEFORE,
                )
        complaint = file_a_complaint(world)  # against PK
        settings = with_smtp(runtime.settings, smtp.port)
        filed = run(runtime, now=NOW + timedelta(hours=1), settings=settings)
        window = timedelta(days=runtime.scenario.reply_window_days)
        reminded = run(runtime, now=NOW + window - timedelta(hours=12), settings=settings)
        again = run(runtime, now=NOW + window - timedelta(hours=6), settings=settings)
    assert [(outcome, key.split(":")[0]) for outcome, key, _ in filed] == [("delivered", "notice")]
    assert len(reminded) == 1 and again == []
    assert [mail.recipients for mail in smtp.mails] == [["desk@pk.example.org"], ["desk@pk.example.org"]]
    first, second = (mail.message for mail in smtp.mails)
    assert first["Subject"] == f"[Truceline] Complaint {complaint.id} against Pakistan: reply by " + (
        (NOW + window).strftime("%Y-%m-%d %H:%M UTC")
    )
    assert second["Subject"].startswith(f"[Truceline] Reminder: the reply to complaint {complaint.id}")
    assert complaint.summary not in first.get_content()  # the complainant's own words stay behind the link
