"""The log view follows the access policy: each principal sees only entries of records it may read."""

from tests.builders import NOW
from tests.cases.world import a_world, file_a_complaint, open_investigation
from truceline.cases import evidence as evidence_service
from truceline.ledger.service import tree_size
from truceline.runtime import Runtime
from truceline.users.rules import Principal
from truceline.users.service import disable_user
from truceline.views.ledger import list_entries


def _kinds(runtime: Runtime, principal: Principal) -> list[str]:
    with runtime.sessions() as session:
        page = list_entries(session, principal=principal, limit=1000, newest_first=False)
        assert page.total == tree_size(session)  # the whole log stays countable and provable
        return [e.kind for e in page.items]


def test_a_party_sees_no_evidence_custody_or_login_entries_and_the_public_only_public_kinds(
    runtime: Runtime,
) -> None:
    world = a_world(runtime)
    case_id = open_investigation(world, file_a_complaint(world).id)
    with runtime.transaction() as session:
        evidence_service.add_file_evidence(
            session,
            principal=world["liaison-af"],
            store=world.store,
            case_id=case_id,
            filename="photo.jpg",
            data=b"confidential photograph bytes",
            is_confidential=True,
            now=NOW,
        )
        disable_user(session, username="monitor-two", author="mediator-qatar", now=NOW)
    mediator = _kinds(runtime, world["mediator-qatar"])
    assert {"evidence", "custody_events", "users", "user_events", "complaints"} <= set(mediator)
    for party in ("liaison-pk", "liaison-af"):
        seen = set(_kinds(runtime, world[party]))
        account_kinds = {"users", "user_events", "api_tokens", "auth_events"}
        assert not seen & {"evidence", "custody_events", *account_kinds}, (party, seen)
    public = set(_kinds(runtime, Principal.anonymous()))
    assert public <= {"sources", "documents", "claims", "incidents", "talks_rounds", "findings"}, public
