"""The world the examples of docs/cli.md run in: `truceline init --demo`, plus every record and file the
examples name (the placeholder ids `case-9f8e`, `fnd-77aa`, ... exist here, in the state each example needs).

`build_docs_world(root)` makes it once: the home is `root/var` (so `var/keys/log.pub` in an example is the
log's key, as after `make demo`), the working directory is `root`. Each example block then runs in a copy.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy.orm import Session

from tests.builders import one_of_each_record
from tests.incidents.test_interop import ACLED_ROWS, GED_TEXT, acled_csv
from truceline.cases.findings import signing_message
from truceline.cases.models import Finding, FindingSignature
from truceline.cli.main import cli
from truceline.config import load_settings
from truceline.db.base import Record
from truceline.ledger.service import add_record
from truceline.ledger.signing import Signer, generate_key
from truceline.pipeline.document import SourceDocument
from truceline.runtime import open_runtime
from truceline.workflows.ingest import ingest_documents

WITNESS_PDF = b"%PDF-1.4\n% statement of three witnesses (illustrative)\n"
AUTHOR = "docs-world"


@dataclass(frozen=True, slots=True)
class Ran:
    code: int
    out: str
    err: str


def env_for(root: Path) -> dict[str, str]:
    return {
        "TRUCELINE_HOME": str(root / "var"),
        "TRUCELINE_DATABASE_URL": f"sqlite:///{root / 'var' / 'truceline.db'}",
        "HOME": str(root / "user-home"),
    }


def run_truceline(args: Sequence[str], *, root: Path, env: dict[str, str] | None = None) -> Ran:
    """`truceline ARGS` in this process, with `root` as the home and working directory."""
    runner = CliRunner()
    with _chdir(root):
        # A prompt (a password typed twice) is answered as a person would.
        answers = "a long enough demo password\n" * 2
        result = runner.invoke(
            cli, list(args), env={**env_for(root), **(env or {})}, input=answers, catch_exceptions=True
        )
    err = result.stderr if result.stderr_bytes is not None else ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        err += f"\n{type(result.exception).__name__}: {result.exception}"
    return Ran(result.exit_code, result.stdout, err)


class _chdir:
    def __init__(self, path: Path) -> None:
        self.path, self.before = path, Path.cwd()

    def __enter__(self) -> None:
        import os

        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.before)


def build_docs_world(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "user-home").mkdir(exist_ok=True)
    ran = run_truceline(["init", "--demo"], root=root)
    assert ran.code == 0, ran.err
    settings = load_settings(database_url=env_for(root)["TRUCELINE_DATABASE_URL"], home=str(root / "var"))
    runtime = open_runtime(settings)
    try:
        demo_keys = settings.keys_dir / "demo"
        mediators = {m: Signer.from_skey((demo_keys / f"{m}.key").read_text().strip()) for m in MEDIATORS}
        _party_keys(root, demo_keys)
        for name in MEDIATORS:
            shutil.copy(demo_keys / f"{name}.key", root / f"{name}.key")
        now = datetime.now(UTC)
        with runtime.transaction() as session:
            _records(session, mediators, now=now)
            ingest_documents(
                session,
                [
                    SourceDocument(
                        id="doc-3f2a9c1b", text=REPORT, published=date(2025, 10, 25), title="Report"
                    )
                ],
                author=AUTHOR,
                now=now,
            )
    finally:
        runtime.close()
    _files(root)
    ran = run_truceline(["ledger", "export", "-o", "ledger.jsonl"], root=root)
    assert ran.code == 0, ran.err


MEDIATORS = ("mediator-qatar", "mediator-turkiye")
REPORT = "Forces exchanged fire near Torkham on Saturday, officials said; two soldiers were killed."


def _party_keys(root: Path, demo_keys: Path) -> None:
    """The demo liaisons' signing keys (registered on their accounts by `init --demo`), where the examples
    name them."""
    for username, file in (("liaison-af", "liaison-af.key"), ("liaison-pk", "pk.key")):
        shutil.copy(demo_keys / f"{username}.key", root / file)


def _copy(record: Record, **changes: Any) -> Record:
    columns = {a.key: getattr(record, a.key) for a in type(record).__mapper__.column_attrs}
    return type(record)(**{**columns, **changes})


def _records(session: Session, mediators: dict[str, Signer], *, now: datetime) -> None:
    base = {r.id: r for r in one_of_each_record()}
    stamp = {"created_at": now, "created_by": AUTHOR, "supersedes_id": None}
    claim = base["doc-1-c1"]
    claims = [_copy(claim, id=i, document_id=None, source_id=None, **stamp) for i in CLAIMS]
    incident = base["inc-1"]
    incidents = [
        _copy(incident, id="inc-12", claim_ids=["inc-12-c1"], **stamp),
        _copy(incident, id="INC-3f2a9c1b0d4e", claim_ids=["dawn-1-c1", "tolo-1-c1", "dawn-1-c2"], **stamp),
        _copy(incident, id="INC-77ab01c2d3e4", claim_ids=["tolo-1-c2"], **stamp),
        _copy(incident, id="INC-5e6f7a8b9c0d", claim_ids=["dawn-2-c1", "tolo-2-c1", "dawn-2-c2"], **stamp),
    ]
    complaint = base["cmp-1"]
    complaints = [
        _copy(
            complaint,
            id=i,
            incident_id="inc-12",
            claim_ids=["inc-12-c1"],
            **_at(now, by="liaison-af"),
        )
        for i in ("cmp-1a2b", "cmp-1a2b3c")
    ]
    case = base["case-1"]
    cases = [
        _copy(
            case,
            id="case-9f8e",
            status="open",
            monitors=["monitor"],
            complaint_ids=["cmp-1a2b"],
            incident_ids=[],
            deadline=None,
            **stamp,
        )
    ]
    cases += [
        _copy(
            case,
            id=f"case-{n}",
            status=status,
            complaint_ids=["cmp-1a2b"],
            incident_ids=[],
            deadline=None,
            **stamp,
        )
        for n, status in (("77", "finding_proposed"), ("88", "finding_proposed"), ("99", "finding_adopted"))
    ]
    for record in [*claims, *incidents, *complaints, *cases]:
        add_record(session, record, author=AUTHOR, now=now)
    # fnd-77aa proposed and unsigned; fnd-88bb signed by the quorum; fnd-99cc adopted.
    finding = base["fnd-1"]
    for finding_id, case_id, signers in (
        ("fnd-77aa", "case-77", ()),
        ("fnd-88bb", "case-88", MEDIATORS),
        ("fnd-99cc", "case-99", MEDIATORS),
    ):
        proposed = _copy(finding, id=finding_id, case_id=case_id, **stamp)
        assert isinstance(proposed, Finding)
        add_record(session, proposed, author=AUTHOR, now=now)
        for signer in signers:
            signature = base64.b64encode(mediators[signer].sign(signing_message(proposed))).decode()
            row = FindingSignature(
                id=f"fsig-{finding_id}-{signer}",
                finding_id=finding_id,
                signer=signer,
                key=mediators[signer].vkey(),
                signature=signature,
                **_at(now, by=signer),
            )
            add_record(session, row, author=signer, now=now)
    adopted = _copy(finding, id="fnd-99cc.v2", case_id="case-99", status="adopted", **stamp)
    adopted.supersedes_id = "fnd-99cc"
    add_record(session, adopted, author=AUTHOR, now=now)
    sealed = _copy(
        base["ev-1"],
        id="ev-0a1b2c3d4e5f6a7b",
        case_id="case-9f8e",
        kind="file",
        sha256=hashlib.sha256(WITNESS_PDF).hexdigest(),
        url="",
        is_sealed=True,
        is_confidential=True,
        **_at(now, by="liaison-af"),
    )
    rule = _copy(
        base["alr-1"],
        id="alr-1a2b3c4d5e6f",
        kind="reply_deadline_passed",
        threshold=None,
        channel="email",
        target="desk@example.org",
        **stamp,
    )
    token = _copy(
        base["tok-1"],
        id="tok-0a1b2c3d4e5f6a7b",
        username="liaison-pk",
        expires_at=now + timedelta(days=30),
        **stamp,
    )
    for record in (sealed, rule, token):
        add_record(session, record, author=AUTHOR, now=now)


CLAIMS = (
    "inc-12-c1",
    "dawn-1-c1",
    "dawn-1-c2",
    "tolo-1-c1",
    "tolo-1-c2",
    "dawn-2-c1",
    "dawn-2-c2",
    "tolo-2-c1",
)


def _at(now: datetime, *, by: str = AUTHOR) -> dict[str, Any]:
    return {"created_at": now, "created_by": by, "supersedes_id": None}


def _document(doc_id: str, outlet: str, text: str) -> str:
    return json.dumps(
        {
            "id": doc_id,
            "url": f"https://{outlet}.example/{doc_id}",
            "outlet": outlet,
            "published": "2025-10-25",
            "title": "Fire near Torkham",
            "text": text,
        }
    )


def _files(root: Path) -> None:
    """Every file an example reads, in the working directory."""
    files = {
        "report.txt": REPORT,
        "article.json": _document("article-1", "dawn", REPORT),
        "dawn.json": _document("dawn-1", "dawn", REPORT),
        "tolo.json": _document(
            "tolo-1", "tolo", "Pakistani forces shelled a village near Torkham on Saturday."
        ),
        "acled_export.csv": acled_csv(ACLED_ROWS),
        "GEDEvent_v25_1.csv": GED_TEXT,
        "pw.txt": "a long enough demo password\n",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "witness.pdf").write_bytes(WITNESS_PDF)
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff\xd9")  # an empty JPEG: no EXIF to read
    for name in ("qatar", "pk", "af-witness"):
        (root / f"{name}.pub").write_text(generate_key(name)[1] + "\n", encoding="utf-8")
    shutil.copy(root / "var" / "keys" / "log.pub", root / "log.pub")
