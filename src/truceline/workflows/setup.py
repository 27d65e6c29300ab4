"""Set-up: record the scenario's talks rounds, and load the demo reports when asked."""

from __future__ import annotations

import json
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from truceline.ledger.keystore import ensure_log_key
from truceline.ledger.signing import Signer
from truceline.pipeline.document import SourceDocument
from truceline.scenarios.schema import Scenario
from truceline.talks.service import load_talks_rounds
from truceline.users.service import create_user, find_user
from truceline.workflows.ingest import Extract, IngestResult, ingest_documents

SYSTEM_AUTHOR = "system:setup"


def initialize(session: Session, *, scenario: Scenario, now: datetime) -> int:
    """Record what the scenario knows that belongs in the ledger; returns how many records were added."""
    return len(load_talks_rounds(session, scenario.talks_rounds, author=SYSTEM_AUTHOR, now=now))


def demo_documents() -> list[SourceDocument]:
    """The founding report plus short illustrative reports written for the demo (see demo/README.md)."""
    folder = resources.files("truceline") / "demo"
    manifest = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
    docs = []
    for item in manifest:
        text = (folder / item["file"]).read_text(encoding="utf-8") if "file" in item else item["text"]
        docs.append(
            SourceDocument(
                id=item["id"],
                text=text.strip(),
                published=date.fromisoformat(item["published"]),
                title=item["title"],
                url=item.get("url", ""),
                outlet=item["outlet"],
                language="en",
            )
        )
    return docs


def demo_signing_key(key_dir: Path, username: str) -> Signer:
    """A demo mediator's finding-signing key, kept in `key_dir/<username>.key` (mode 0600) for the demo."""
    return ensure_log_key(
        key_path=key_dir / f"{username}.key", pub_path=key_dir / f"{username}.pub", name=username
    )


DEMO_PASSWORD = "truceline-demo"  # demo accounts only; printed by `truceline init --demo`
DEMO_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("mediator-qatar", "mediator", None),
    ("mediator-turkiye", "mediator", None),
    ("monitor", "monitor", None),
    ("analyst", "analyst", None),
    ("liaison-pk", "party", "PK"),
    ("liaison-af", "party", "AF"),
)


def load_demo(
    session: Session,
    *,
    scenario: Scenario,
    now: datetime,
    extract: Extract | None = None,
    key_dir: Path | None = None,
) -> IngestResult:
    """The demo reports (with their claims when `extract` is given) and one demo account per role."""
    for username, role, party in DEMO_USERS:
        if find_user(session, username) is None:
            public_key = None
            if key_dir is not None and role in ("mediator", "party"):  # they sign findings, complaints
                public_key = demo_signing_key(key_dir, username).vkey()
            create_user(
                session,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                party=party,
                public_key=public_key,
                known_parties=[p.id for p in scenario.parties],
                author=SYSTEM_AUTHOR,
                now=now,
            )
    return ingest_documents(session, demo_documents(), author=SYSTEM_AUTHOR, now=now, extract=extract)
