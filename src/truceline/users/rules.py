"""The one access policy: roles, actions, scopes, the (role, action, scope) table and `can`/`require`.

Pure logic, no I/O. Every permission check in the web app, the API and the CLI goes through
`can` or `require`; nothing else decides who may do what. The table `POLICY` is the whole policy:
a role may do an action to a target when some row (role, action, scope) matches and the target
satisfies the scope. Rows are only ever grants; anything without a row is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from truceline.errors import PermissionDenied


class Role(StrEnum):
    """Who a user is in the mechanism (DESIGN.md, "Who uses it")."""

    MEDIATOR = "mediator"
    MONITOR = "monitor"
    ANALYST = "analyst"
    PARTY = "party"
    PUBLIC = "public"


class Action(StrEnum):
    """Everything a principal can ask to do; one verb_object per permission, never a wildcard."""

    READ_DOCUMENT = "read_document"
    READ_CLAIM = "read_claim"
    REVIEW_CLAIM = "review_claim"
    READ_INCIDENT = "read_incident"
    EDIT_INCIDENT = "edit_incident"
    FILE_COMPLAINT = "file_complaint"
    READ_COMPLAINT = "read_complaint"
    FILE_RESPONSE = "file_response"
    OPEN_CASE = "open_case"
    READ_CASE = "read_case"
    UPDATE_CASE = "update_case"
    READ_INTERNAL_NOTES = "read_internal_notes"
    ADD_EVIDENCE = "add_evidence"
    READ_EVIDENCE = "read_evidence"
    READ_CONFIDENTIAL_EVIDENCE = "read_confidential_evidence"
    PROPOSE_FINDING = "propose_finding"
    SIGN_FINDING = "sign_finding"
    PUBLISH_FINDING = "publish_finding"
    READ_FINDING = "read_finding"
    APPLY_PENALTY = "apply_penalty"
    READ_PENALTY = "read_penalty"
    FILE_NOTIFICATION = "file_notification"
    READ_NOTIFICATION = "read_notification"
    READ_NOTICE = "read_notice"
    MARK_NOTICE_READ = "mark_notice_read"
    MANAGE_NOTICE_DELIVERY = "manage_notice_delivery"
    BUILD_REPORT = "build_report"
    READ_REPORT = "read_report"
    READ_STATISTICS = "read_statistics"
    READ_LEDGER = "read_ledger"
    READ_CHECKPOINT = "read_checkpoint"
    COSIGN_CHECKPOINT = "cosign_checkpoint"
    MANAGE_USERS = "manage_users"
    MANAGE_ALERTS = "manage_alerts"


class Scope(StrEnum):
    """Which targets a rule covers; each value is one predicate in `_SCOPE_TESTS`."""

    ANY = "any"  # every target, and the action with no target at all
    OWN_PARTY = "own_party"  # the target involves the principal's party (see `parties_of`)
    OWN_FILING = "own_filing"  # the target is filed in the name of the principal's party (`filer_of`)
    ASSIGNED = "assigned"  # the principal's username is among the target's monitors (`monitors_of`)
    PUBLISHED = "published"  # the target (a finding) is published
    PUBLIC_ONLY = "public_only"  # the target is marked public (`is_public`): reports, exports


@dataclass(frozen=True, slots=True)
class Rule:
    role: Role
    action: Action
    scope: Scope


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a signed-in user, or the anonymous public."""

    user_id: str | None
    username: str
    role: Role
    party: str | None = None

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(user_id=None, username="anonymous", role=Role.PUBLIC, party=None)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True, slots=True)
class Target:
    """A record seen together with facts the policy needs that live on other records.

    A case involves the parties of its complaints, and evidence or a finding involves the parties
    and monitors of its case; the caller, who has loaded those, passes them here. Attribute reads
    fall through to the wrapped record: `Target(case, involved_parties={"PK", "AF"}).status`.
    """

    record: object
    involved_parties: frozenset[str] = field(default_factory=frozenset)
    assigned_monitors: frozenset[str] = field(default_factory=frozenset)

    def __getattr__(self, name: str) -> Any:
        if name == "record":  # not yet set (copy, pickle): never recurse
            raise AttributeError(name)
        return getattr(self.record, name)


# Reading evidence that is confidential or sealed needs the stronger action as well.
_STRONGER_WHEN_CONFIDENTIAL: Mapping[Action, Action] = {
    Action.READ_EVIDENCE: Action.READ_CONFIDENTIAL_EVIDENCE,
}

_M, _MO, _AN, _PA, _PU = Role.MEDIATOR, Role.MONITOR, Role.ANALYST, Role.PARTY, Role.PUBLIC
_A = Action
_ANY, _OWN, _FILED, _ASSIGNED, _PUBLISHED, _PUBLIC = (
    Scope.ANY,
    Scope.OWN_PARTY,
    Scope.OWN_FILING,
    Scope.ASSIGNED,
    Scope.PUBLISHED,
    Scope.PUBLIC_ONLY,
)

# The policy. Grouped by role; within a role in the order of Action. Reviewed like code, because it is.
# Filing complaints, responses and notifications is a party's own act (it signs them), so mediators
# do not hold those actions; cosigning checkpoints is what the parties' witnesses do. Marking a notice read
# is the addressed party's acknowledgement, so only that party may do it.
POLICY: tuple[Rule, ...] = tuple(
    Rule(role, action, scope)
    for role, action, scope in (
        # mediators: everything in the workflow
        (_M, _A.READ_DOCUMENT, _ANY),
        (_M, _A.READ_CLAIM, _ANY),
        (_M, _A.REVIEW_CLAIM, _ANY),
        (_M, _A.READ_INCIDENT, _ANY),
        (_M, _A.EDIT_INCIDENT, _ANY),
        (_M, _A.READ_COMPLAINT, _ANY),
        (_M, _A.OPEN_CASE, _ANY),
        (_M, _A.READ_CASE, _ANY),
        (_M, _A.UPDATE_CASE, _ANY),
        (_M, _A.READ_INTERNAL_NOTES, _ANY),
        (_M, _A.ADD_EVIDENCE, _ANY),
        (_M, _A.READ_EVIDENCE, _ANY),
        (_M, _A.READ_CONFIDENTIAL_EVIDENCE, _ANY),
        (_M, _A.PROPOSE_FINDING, _ANY),
        (_M, _A.SIGN_FINDING, _ANY),
        (_M, _A.PUBLISH_FINDING, _ANY),
        (_M, _A.READ_FINDING, _ANY),
        (_M, _A.APPLY_PENALTY, _ANY),
        (_M, _A.READ_PENALTY, _ANY),
        (_M, _A.READ_NOTIFICATION, _ANY),
        (_M, _A.READ_NOTICE, _ANY),
        (_M, _A.BUILD_REPORT, _ANY),
        (_M, _A.READ_REPORT, _ANY),
        (_M, _A.READ_STATISTICS, _ANY),
        (_M, _A.READ_LEDGER, _ANY),
        (_M, _A.READ_CHECKPOINT, _ANY),
        (_M, _A.MANAGE_USERS, _ANY),
        (_M, _A.MANAGE_ALERTS, _ANY),
        # monitors: field work on the cases assigned to them
        (_MO, _A.READ_DOCUMENT, _ANY),
        (_MO, _A.READ_CLAIM, _ANY),
        (_MO, _A.READ_INCIDENT, _ANY),
        (_MO, _A.READ_COMPLAINT, _ASSIGNED),
        (_MO, _A.READ_CASE, _ASSIGNED),
        (_MO, _A.ADD_EVIDENCE, _ASSIGNED),
        (_MO, _A.READ_EVIDENCE, _ASSIGNED),
        (_MO, _A.READ_CONFIDENTIAL_EVIDENCE, _ASSIGNED),
        (_MO, _A.PROPOSE_FINDING, _ASSIGNED),
        (_MO, _A.READ_FINDING, _ASSIGNED),
        (_MO, _A.READ_FINDING, _PUBLISHED),
        (_MO, _A.READ_NOTIFICATION, _ANY),
        (_MO, _A.READ_REPORT, _PUBLIC),
        (_MO, _A.READ_STATISTICS, _ANY),
        (_MO, _A.READ_CHECKPOINT, _ANY),
        # analysts: intake, review, incidents, reports
        (_AN, _A.READ_DOCUMENT, _ANY),
        (_AN, _A.READ_CLAIM, _ANY),
        (_AN, _A.REVIEW_CLAIM, _ANY),
        (_AN, _A.READ_INCIDENT, _ANY),
        (_AN, _A.EDIT_INCIDENT, _ANY),
        (_AN, _A.READ_COMPLAINT, _ANY),
        (_AN, _A.READ_CASE, _ANY),
        (_AN, _A.READ_INTERNAL_NOTES, _ANY),
        (_AN, _A.READ_EVIDENCE, _ANY),
        (_AN, _A.READ_FINDING, _ANY),
        (_AN, _A.READ_PENALTY, _ANY),
        (_AN, _A.READ_NOTIFICATION, _ANY),
        (_AN, _A.READ_NOTICE, _ANY),
        (_AN, _A.BUILD_REPORT, _ANY),
        (_AN, _A.READ_REPORT, _ANY),
        (_AN, _A.READ_STATISTICS, _ANY),
        (_AN, _A.READ_LEDGER, _ANY),
        (_AN, _A.READ_CHECKPOINT, _ANY),
        # parties: their own side's business, published findings, and witnessing the ledger
        (_PA, _A.READ_DOCUMENT, _ANY),
        (_PA, _A.READ_INCIDENT, _ANY),
        (_PA, _A.FILE_COMPLAINT, _FILED),
        (_PA, _A.READ_COMPLAINT, _OWN),
        (_PA, _A.FILE_RESPONSE, _FILED),
        (_PA, _A.READ_CASE, _OWN),
        (_PA, _A.ADD_EVIDENCE, _FILED),
        (_PA, _A.READ_EVIDENCE, _OWN),
        (_PA, _A.READ_CONFIDENTIAL_EVIDENCE, _FILED),
        (_PA, _A.READ_FINDING, _PUBLISHED),
        (_PA, _A.READ_PENALTY, _OWN),
        (_PA, _A.FILE_NOTIFICATION, _FILED),
        (_PA, _A.READ_NOTIFICATION, _OWN),
        (_PA, _A.READ_NOTICE, _OWN),
        (_PA, _A.MARK_NOTICE_READ, _OWN),
        (_PA, _A.MANAGE_NOTICE_DELIVERY, _FILED),
        (_PA, _A.READ_REPORT, _PUBLIC),
        (_PA, _A.READ_STATISTICS, _ANY),
        (_PA, _A.READ_LEDGER, _ANY),
        (_PA, _A.READ_CHECKPOINT, _ANY),
        (_PA, _A.COSIGN_CHECKPOINT, _ANY),
        # the public: published findings, public reports, statistics, checkpoints
        (_PU, _A.READ_FINDING, _PUBLISHED),
        (_PU, _A.READ_REPORT, _PUBLIC),
        (_PU, _A.READ_STATISTICS, _ANY),
        (_PU, _A.READ_CHECKPOINT, _ANY),
    )
)


def _build_index(rules: Iterable[Rule]) -> dict[tuple[Role, Action], frozenset[Scope]]:
    index: dict[tuple[Role, Action], set[Scope]] = {}
    for rule in rules:
        scopes = index.setdefault((rule.role, rule.action), set())
        if rule.scope in scopes:
            raise ValueError(f"policy lists {rule} twice")
        scopes.add(rule.scope)
    return {key: frozenset(scopes) for key, scopes in index.items()}


_INDEX = _build_index(POLICY)


def iter_rules() -> Iterator[Rule]:
    """Every grant of the policy, in table order."""
    yield from POLICY


def allowed_actions(role: Role) -> frozenset[Action]:
    """Actions the role may do to at least some target (for menus; still check each record)."""
    return frozenset(action for (rule_role, action) in _INDEX if rule_role == role)


def scopes_for(role: Role, action: Action) -> frozenset[Scope]:
    return _INDEX.get((role, action), frozenset())


def can(principal: Principal, action: Action, target: object | None = None) -> bool:
    """Whether the principal may do the action to the target.

    With no target only unconditional (`any`) grants count: a scoped grant needs the record to
    decide, so list views ask once per record.
    """
    if not _granted(principal, action, target):
        return False
    stronger = _STRONGER_WHEN_CONFIDENTIAL.get(action)
    if stronger is not None and target is not None and is_confidential(target):
        return _granted(principal, stronger, target)
    return True


def require(principal: Principal, action: Action, target: object | None = None) -> None:
    """Return None when `can` allows it; raise PermissionDenied naming only the role and the action."""
    if not can(principal, action, target):
        where = "" if target is None else " on this record"
        raise PermissionDenied(f"role {principal.role.value!r} may not {action.value}{where}")


def _granted(principal: Principal, action: Action, target: object | None) -> bool:
    scopes = scopes_for(principal.role, action)
    if Scope.ANY in scopes:
        return True
    if target is None:
        return False
    return any(_SCOPE_TESTS[scope](principal, target) for scope in scopes)


# --- reading targets: plain objects (models, dataclasses, Target) or mappings -------------------------

_MISSING = object()

# Fields that name a party a record involves, across Complaint, Response, Evidence, Finding, Penalty,
# Notification; a Case has none of its own and needs `involved_parties` from its complaints.
_PARTY_FIELDS = ("complainant_party", "accused_party", "party", "submitted_by_party", "responsible_party")
# The party in whose name a record is filed, in order of precedence: a complaint's complainant, an
# evidence item's submitter, a response's or notification's party.
_FILER_FIELDS = ("complainant_party", "submitted_by_party", "party")
PUBLISHED_STATUS = "published"


def _field(target: object, name: str) -> Any:
    if isinstance(target, Mapping):
        return target.get(name, _MISSING)
    return getattr(target, name, _MISSING)


def _strings(value: Any) -> frozenset[str]:
    if value is _MISSING or value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value}) if value else frozenset()
    if isinstance(value, Collection):
        return frozenset(v for v in value if isinstance(v, str) and v)
    return frozenset()


def parties_of(target: object) -> frozenset[str]:
    """Every party a record involves: its own party fields plus any `involved_parties` the caller gave."""
    found = set(_strings(_field(target, "involved_parties")))
    for name in _PARTY_FIELDS:
        found |= _strings(_field(target, name))
    return frozenset(found)


def filer_of(target: object) -> str | None:
    """The party in whose name a record is (or is being) filed, or None when no party filed it."""
    for name in _FILER_FIELDS:
        value = _field(target, name)
        if isinstance(value, str) and value:
            return value
    return None


def monitors_of(target: object) -> frozenset[str]:
    """Usernames of the monitors assigned to the target's case: a case's own `monitors` (usernames,
    never user ids) plus any `assigned_monitors` the caller gave for evidence or a finding."""
    return _strings(_field(target, "monitors")) | _strings(_field(target, "assigned_monitors"))


def is_published(target: object) -> bool:
    flag = _field(target, "is_published")
    if isinstance(flag, bool):
        return flag
    return bool(_field(target, "status") == PUBLISHED_STATUS)


def is_public(target: object) -> bool:
    """Marked public by the mediators (a report, an export); independent of `is_published`."""
    return _field(target, "is_public") is True


def is_confidential(target: object) -> bool:
    """Confidential or sealed evidence: readable only under `read_confidential_evidence`."""
    return _field(target, "is_confidential") is True or _field(target, "is_sealed") is True


def _own_party(principal: Principal, target: object) -> bool:
    return principal.party is not None and principal.party in parties_of(target)


def _own_filing(principal: Principal, target: object) -> bool:
    """Filed in the principal's party's name, and, when the caller says which parties the matter
    involves (evidence for a case), on a matter that involves that party."""
    if principal.party is None or filer_of(target) != principal.party:
        return False
    involved = _strings(_field(target, "involved_parties"))
    return not involved or principal.party in involved


def _assigned(principal: Principal, target: object) -> bool:
    return not principal.is_anonymous and principal.username in monitors_of(target)


_SCOPE_TESTS: Mapping[Scope, Callable[[Principal, object], bool]] = {
    Scope.ANY: lambda principal, target: True,
    Scope.OWN_PARTY: _own_party,
    Scope.OWN_FILING: _own_filing,
    Scope.ASSIGNED: _assigned,
    Scope.PUBLISHED: lambda principal, target: is_published(target),
    Scope.PUBLIC_ONLY: lambda principal, target: is_public(target),
}


def format_policy_table() -> str:
    """The policy as a Markdown table, one row per action and one column per role (docs/access.md)."""
    roles = list(Role)
    lines = [
        "| action | " + " | ".join(role.value for role in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for action in Action:
        cells = []
        for role in roles:
            scopes = [scope.value for scope in Scope if scope in scopes_for(role, action)]
            cells.append(", ".join(scopes) if scopes else "—")
        lines.append(f"| {action.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
