"""The access policy: what each role may do to which records, and an authorization matrix from the table."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from truceline.cases.models import Case, Evidence, Finding, Notification, Penalty
from truceline.complaints.models import Complaint, Response
from truceline.errors import PermissionDenied
from truceline.users.rules import (
    POLICY,
    Action,
    Principal,
    Role,
    Scope,
    Target,
    allowed_actions,
    can,
    filer_of,
    format_policy_table,
    iter_rules,
    parties_of,
    require,
)

NOW = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)
DOCS = Path(__file__).parents[2] / "docs" / "access.md"

PK = Principal(user_id="usr-pk", username="pk.liaison", role=Role.PARTY, party="PK")
AF = Principal(user_id="usr-af", username="af.liaison", role=Role.PARTY, party="AF")
MONITOR = Principal(user_id="usr-mon", username="mon.alice", role=Role.MONITOR)
OTHER_MONITOR = Principal(user_id="usr-mon2", username="mon.bob", role=Role.MONITOR)
MEDIATOR = Principal(user_id="usr-med", username="med.qa", role=Role.MEDIATOR)
ANALYST = Principal(user_id="usr-an", username="an.tr", role=Role.ANALYST)
PUBLIC = Principal.anonymous()


def _base(record_id: str) -> dict[str, object]:
    return {"id": record_id, "created_at": NOW, "created_by": "test", "supersedes_id": None}


def a_complaint(complainant: str = "PK", accused: str = "AF") -> Complaint:
    return Complaint(
        **_base("cmp-1"),
        complainant_party=complainant,
        accused_party=accused,
        incident_id=None,
        claim_ids=[],
        clause_ids=["c1"],
        summary="Shelling across the line",
        signature=None,
    )


def a_case(monitors: list[str] | None = None) -> Case:
    return Case(
        **_base("case-1"),
        title="Torkham fire",
        status="investigating",
        complaint_ids=["cmp-1"],
        incident_ids=[],
        monitors=monitors if monitors is not None else ["mon.alice"],
        deadline=None,
        notes="mediators' internal note",
    )


def an_evidence(*, by: str | None = "PK", is_confidential: bool = False, is_sealed: bool = False) -> Evidence:
    return Evidence(
        **_base("ev-1"),
        case_id="case-1",
        kind="url",
        sha256=None,
        filename="",
        media_type="",
        size_bytes=None,
        url="https://example.org/photo",
        is_sealed=is_sealed,
        is_confidential=is_confidential,
        submitted_by_party=by,
        metadata_={},
    )


def a_finding(status: str = "published", responsible: str | None = "AF") -> Finding:
    return Finding(
        **_base("fnd-1"),
        case_id="case-1",
        verdict="violation_confirmed",
        responsible_party=responsible,
        responsibility="forces",
        clause_ids=["c1"],
        confidence="likely",
        rationale="three independent sources",
        status=status,
    )


def case_between(parties: set[str], monitors: list[str] | None = None) -> Target:
    """How a caller shows the policy which parties a case involves (those of its complaints)."""
    return Target(a_case(monitors), involved_parties=frozenset(parties))


def evidence_on_case(evidence: Evidence, parties: set[str], monitors: list[str] | None = None) -> Target:
    case = a_case(monitors)
    return Target(evidence, involved_parties=frozenset(parties), assigned_monitors=frozenset(case.monitors))


# --- which parties a record involves -------------------------------------------------------------------


def test_parties_of_reads_every_record_the_policy_covers() -> None:
    response = Response(**_base("rsp-1"), complaint_id="cmp-1", party="AF", text="denied", signature=None)
    penalty = Penalty(
        **_base("pen-1"), finding_id="fnd-1", party="AF", level=1, name="notice", description=""
    )
    notification = Notification(
        **_base("ntf-1"),
        party="PK",
        kind="troop_rotation",
        area={},
        starts_at=NOW,
        ends_at=NOW,
        description="",
    )
    assert parties_of(a_complaint()) == {"PK", "AF"}
    assert parties_of(response) == {"AF"}
    assert parties_of(a_case()) == set()  # a case names no party itself...
    assert parties_of(case_between({"PK", "AF"})) == {"PK", "AF"}  # ...the caller says whose complaints
    assert parties_of(an_evidence(by="PK")) == {"PK"}
    assert parties_of(an_evidence(by=None)) == set()
    assert parties_of(a_finding(responsible="AF")) == {"AF"}
    assert parties_of(penalty) == {"AF"}
    assert parties_of(notification) == {"PK"}


def test_parties_of_accepts_a_mapping_and_ignores_what_it_does_not_know() -> None:
    assert parties_of({"involved_parties": ["PK", "AF"], "party": None}) == {"PK", "AF"}
    assert parties_of(SimpleNamespace(title="x")) == set()
    assert parties_of(object()) == set()


def test_the_filer_of_a_complaint_is_its_complainant_not_the_accused() -> None:
    assert filer_of(a_complaint(complainant="PK", accused="AF")) == "PK"
    assert filer_of(an_evidence(by="AF")) == "AF"
    assert filer_of(a_case()) is None


def test_a_target_reads_through_to_its_record() -> None:
    target = case_between({"PK"})
    assert target.status == "investigating"
    with pytest.raises(AttributeError):
        _ = target.no_such_field


# --- parties -------------------------------------------------------------------------------------------


def test_a_party_sees_cases_that_involve_its_side_and_not_others() -> None:
    assert can(PK, Action.READ_CASE, case_between({"PK", "AF"}))
    assert can(AF, Action.READ_CASE, case_between({"PK", "AF"}))
    assert not can(PK, Action.READ_CASE, case_between({"AF", "IR"}))
    assert not can(PK, Action.READ_CASE, a_case())  # no parties given: refused, never guessed
    assert not can(PK, Action.READ_CASE)


def test_a_party_never_reads_the_other_side_s_confidential_or_sealed_evidence() -> None:
    theirs = evidence_on_case(an_evidence(by="AF", is_confidential=True), {"PK", "AF"})
    sealed = evidence_on_case(an_evidence(by="AF", is_sealed=True), {"PK", "AF"})
    assert not can(PK, Action.READ_EVIDENCE, theirs)
    assert not can(PK, Action.READ_CONFIDENTIAL_EVIDENCE, theirs)
    assert not can(PK, Action.READ_EVIDENCE, sealed)
    assert can(AF, Action.READ_EVIDENCE, theirs)


def test_a_party_reads_open_evidence_on_its_cases_and_its_own_confidential_evidence() -> None:
    open_theirs = evidence_on_case(an_evidence(by="AF"), {"PK", "AF"})
    open_mediators = evidence_on_case(an_evidence(by=None), {"PK", "AF"})
    own_confidential = evidence_on_case(an_evidence(by="PK", is_confidential=True), {"PK", "AF"})
    assert can(PK, Action.READ_EVIDENCE, open_theirs)
    assert can(PK, Action.READ_EVIDENCE, open_mediators)
    assert can(PK, Action.READ_EVIDENCE, own_confidential)
    assert not can(PK, Action.READ_EVIDENCE, evidence_on_case(an_evidence(by=None), {"AF", "IR"}))


def test_nobody_outside_the_secretariat_reads_mediators_internal_notes() -> None:
    case = case_between({"PK", "AF"}, monitors=["mon.alice"])
    assert can(MEDIATOR, Action.READ_INTERNAL_NOTES, case)
    assert can(ANALYST, Action.READ_INTERNAL_NOTES, case)
    for principal in (PK, AF, MONITOR, PUBLIC):
        assert not can(principal, Action.READ_INTERNAL_NOTES, case)


def test_a_party_files_complaints_and_responses_only_in_its_own_name() -> None:
    assert can(PK, Action.FILE_COMPLAINT, a_complaint(complainant="PK", accused="AF"))
    assert not can(PK, Action.FILE_COMPLAINT, a_complaint(complainant="AF", accused="PK"))
    reply = Response(**_base("rsp-1"), complaint_id="cmp-1", party="AF", text="denied", signature=None)
    assert can(AF, Action.FILE_RESPONSE, reply)
    assert not can(PK, Action.FILE_RESPONSE, reply)
    assert not can(MEDIATOR, Action.FILE_COMPLAINT, a_complaint())


def test_a_party_adds_evidence_in_its_own_name_only_to_cases_of_its_side() -> None:
    assert can(PK, Action.ADD_EVIDENCE, evidence_on_case(an_evidence(by="PK"), {"PK", "AF"}))
    assert not can(PK, Action.ADD_EVIDENCE, evidence_on_case(an_evidence(by="AF"), {"PK", "AF"}))
    assert not can(PK, Action.ADD_EVIDENCE, evidence_on_case(an_evidence(by="PK"), {"AF", "IR"}))


def test_a_party_sees_findings_only_once_published() -> None:
    assert can(PK, Action.READ_FINDING, a_finding(status="published"))
    assert not can(PK, Action.READ_FINDING, a_finding(status="proposed", responsible="PK"))


# --- public, monitors, analysts, mediators -------------------------------------------------------------


def test_the_public_sees_only_published_findings_public_reports_statistics_and_checkpoints() -> None:
    assert can(PUBLIC, Action.READ_FINDING, a_finding(status="published"))
    assert not can(PUBLIC, Action.READ_FINDING, a_finding(status="adopted"))
    assert not can(PUBLIC, Action.READ_FINDING)
    assert can(PUBLIC, Action.READ_REPORT, SimpleNamespace(is_public=True))
    assert not can(PUBLIC, Action.READ_REPORT, SimpleNamespace(is_public=False))
    assert allowed_actions(Role.PUBLIC) == {
        Action.READ_FINDING,
        Action.READ_REPORT,
        Action.READ_STATISTICS,
        Action.READ_CHECKPOINT,
    }
    assert not can(PUBLIC, Action.READ_CASE, case_between({"PK", "AF"}))
    assert not can(PUBLIC, Action.READ_LEDGER)


def test_a_monitor_works_only_on_cases_assigned_to_it() -> None:
    mine = case_between({"PK", "AF"}, monitors=["mon.alice"])
    assert can(MONITOR, Action.READ_CASE, mine)
    assert not can(OTHER_MONITOR, Action.READ_CASE, mine)
    assert can(MONITOR, Action.PROPOSE_FINDING, mine)
    assert not can(OTHER_MONITOR, Action.PROPOSE_FINDING, mine)
    confidential = evidence_on_case(an_evidence(by="AF", is_confidential=True), {"PK", "AF"}, ["mon.alice"])
    assert can(MONITOR, Action.READ_EVIDENCE, confidential)
    assert not can(OTHER_MONITOR, Action.READ_EVIDENCE, confidential)
    assert not can(MONITOR, Action.SIGN_FINDING, mine)
    assert not can(MONITOR, Action.UPDATE_CASE, mine)


def test_monitors_are_matched_by_username_not_user_id() -> None:
    assert not can(MONITOR, Action.READ_CASE, case_between({"PK"}, monitors=["usr-mon"]))


def test_analysts_run_intake_review_and_incidents_but_not_findings_or_confidential_evidence() -> None:
    for action in (Action.READ_DOCUMENT, Action.REVIEW_CLAIM, Action.EDIT_INCIDENT, Action.BUILD_REPORT):
        assert can(ANALYST, action)
    for action in (
        Action.SIGN_FINDING,
        Action.PUBLISH_FINDING,
        Action.APPLY_PENALTY,
        Action.MANAGE_USERS,
        Action.MANAGE_ALERTS,
    ):
        assert not can(ANALYST, action)
    confidential = evidence_on_case(an_evidence(by="AF", is_confidential=True), {"PK", "AF"})
    assert not can(ANALYST, Action.READ_EVIDENCE, confidential)


def test_mediators_do_everything_in_the_workflow() -> None:
    for action in (
        Action.OPEN_CASE,
        Action.UPDATE_CASE,
        Action.SIGN_FINDING,
        Action.PUBLISH_FINDING,
        Action.APPLY_PENALTY,
        Action.MANAGE_USERS,
        Action.MANAGE_ALERTS,
    ):
        assert can(MEDIATOR, action)
    confidential = evidence_on_case(an_evidence(by="AF", is_confidential=True), {"PK", "AF"})
    assert can(MEDIATOR, Action.READ_EVIDENCE, confidential)


def test_a_party_principal_without_a_party_gets_nothing_scoped() -> None:
    orphan = Principal(user_id="usr-x", username="x.y", role=Role.PARTY, party=None)
    assert not can(orphan, Action.READ_CASE, case_between({"PK", "AF"}))
    assert not can(orphan, Action.FILE_COMPLAINT, SimpleNamespace(complainant_party=None))


# --- the authorization matrix, generated from the table ------------------------------------------------

SENTINEL = "SECRET-7f3a"


def _targets_for(principal: Principal) -> dict[str, tuple[object, frozenset[Scope]]]:
    """One target per scope, each with the scopes it satisfies for this principal (written out by hand)."""
    party = principal.party or "PK"
    mine = principal.party is not None
    assigned = principal.role is Role.MONITOR
    return {
        "unrelated": (SimpleNamespace(title=SENTINEL, involved_parties=[SENTINEL]), frozenset()),
        "own_party": (
            SimpleNamespace(title=SENTINEL, involved_parties=[party]),
            frozenset({Scope.OWN_PARTY} if mine else ()),
        ),
        "own_filing": (
            SimpleNamespace(title=SENTINEL, submitted_by_party=party),
            frozenset({Scope.OWN_FILING, Scope.OWN_PARTY} if mine else ()),
        ),
        "assigned": (
            SimpleNamespace(title=SENTINEL, monitors=[principal.username]),
            frozenset({Scope.ASSIGNED} if assigned else ()),
        ),
        "published": (SimpleNamespace(title=SENTINEL, status="published"), frozenset({Scope.PUBLISHED})),
        "public_only": (SimpleNamespace(title=SENTINEL, is_public=True), frozenset({Scope.PUBLIC_ONLY})),
    }


PRINCIPALS = {
    Role.MEDIATOR: MEDIATOR,
    Role.MONITOR: MONITOR,
    Role.ANALYST: ANALYST,
    Role.PARTY: PK,
    Role.PUBLIC: PUBLIC,
}
GRANTS = {(rule.role, rule.action, rule.scope) for rule in iter_rules()}


@pytest.mark.parametrize(("role", "action"), list(itertools.product(Role, Action)))
def test_can_matches_the_policy_table_for_every_role_and_action(role: Role, action: Action) -> None:
    principal = PRINCIPALS[role]
    assert can(principal, action) == ((role, action, Scope.ANY) in GRANTS)
    for name, (target, satisfied) in _targets_for(principal).items():
        expected = any((role, action, scope) in GRANTS for scope in satisfied | {Scope.ANY})
        assert can(principal, action, target) == expected, f"{role} {action} on the {name} target"
        if expected:
            require(principal, action, target)
        else:
            with pytest.raises(PermissionDenied) as caught:
                require(principal, action, target)
            message = str(caught.value)
            assert role.value in message and action.value in message
            assert SENTINEL not in message and "PK" not in message


def test_every_action_is_granted_to_someone_and_no_grant_is_listed_twice() -> None:
    assert {rule.action for rule in iter_rules()} == set(Action)
    assert len(GRANTS) == len(POLICY)


def test_allowed_actions_are_the_actions_of_the_role_s_rules() -> None:
    for role in Role:
        assert allowed_actions(role) == {rule.action for rule in iter_rules() if rule.role is role}


def test_the_policy_table_in_the_docs_is_the_one_in_the_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- policy-table:start -->\n(.*?)<!-- policy-table:end -->", text, re.DOTALL)
    assert found is not None, "docs/access.md lost its policy-table markers"
    assert found.group(1) == format_policy_table(), "paste format_policy_table() between the markers"
