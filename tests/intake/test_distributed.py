"""Intake on Dask: a real local scheduler with two worker processes gives the records of a run without it.

Every test here shares one cluster (module scope) and runs on one pytest-xdist worker (group "dask"), so the
two worker processes load spaCy and the scenario once for the module.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from distributed import LocalCluster
from sqlalchemy import select

from tests.builders import NOW
from tests.cli.conftest import Result, invoke_in_process
from tests.incidents.builders import make_claim
from truceline.audit import verify_database
from truceline.claims.service import create_claim
from truceline.cli.context import Context
from truceline.config import Settings
from truceline.documents.service import create_document
from truceline.errors import InvalidInput
from truceline.intake import distributed
from truceline.intake.distributed import DaskIntake, iter_chunks
from truceline.ledger.encoding import SALT_SIZE, commitment
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import record_content
from truceline.pipeline.document import SourceDocument
from truceline.pipeline.extract import RULES_EXTRACTOR_NAME, RULES_EXTRACTOR_VERSION
from truceline.records import RECORD_MODELS
from truceline.runtime import open_runtime

pytestmark = pytest.mark.xdist_group("dask")
RULES = f"{RULES_EXTRACTOR_NAME}/{RULES_EXTRACTOR_VERSION}"

# Reports written for these tests (not news text): each names places and parties the scenario knows.
ARTICLES = [
    (
        "dk-1",
        "2025-10-27",
        "Pakistani and Afghan border forces exchanged heavy fire near the Torkham crossing on Sunday "
        "evening, officials in Landi Kotal said. Two soldiers were killed and four were injured.",
    ),
    (
        "dk-2",
        "2025-10-28",
        "A drone strike hit a compound in Khost province on Monday night, killing three people, "
        "residents told reporters. The Taliban blamed Pakistan for the attack.",
    ),
    (
        "dk-3",
        "2025-10-29",
        "Mortar shells fired from across the border landed in Chaman on Tuesday, wounding a child, "
        "the deputy commissioner said. Pakistani troops returned fire.",
    ),
    (
        "dk-4",
        "2025-10-30",
        "Delegations of Pakistan and Afghanistan met in Istanbul on Wednesday to agree how the ceasefire "
        "will be monitored, the Turkish foreign ministry said.",
    ),
    (
        "dk-5",
        "2025-10-31",
        "Clashes broke out at Spin Boldak on Thursday morning after Afghan forces accused Pakistan of "
        "building a new post; one border guard died, local officials said.",
    ),
    (
        "dk-6",
        "2025-11-01",
        "Shops in Peshawar reopened on Friday and traders said trucks were again waiting at Torkham, "
        "though the crossing stayed closed.",
    ),
]


def _articles(folder: Path) -> list[Path]:
    """One file per article, a duplicate of the first, and another text under the first one's id."""
    folder.mkdir(exist_ok=True)
    paths = []
    for doc_id, published, text in ARTICLES:
        path = folder / f"{doc_id}.json"
        path.write_text(json.dumps({"id": doc_id, "published": published, "text": text}), encoding="utf-8")
        paths.append(path)
    paths.append(paths[0])  # the same content again: stored once
    taken = folder / "dk-1-again.json"
    text = "Gunfire was heard near Torkham again on Monday, a trader said, and two porters were hurt."
    taken.write_text(json.dumps({"id": "dk-1", "published": "2025-10-28", "text": text}), encoding="utf-8")
    return [*paths, taken]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, shared_cache_dir: Path) -> Iterator[LocalCluster]:
    """A scheduler and two single-threaded worker processes, their home's cache the session's."""
    home = tmp_path_factory.mktemp("worker-home")
    (home / "cache").symlink_to(shared_cache_dir, target_is_directory=True)
    with LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=":0",  # any free port: tests run side by side
        env={"TRUCELINE_HOME": str(home)},
    ) as local:
        yield local


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both runs stamp their records with one time, so their records can be compared field by field."""
    monkeypatch.setattr(Context, "now", staticmethod(lambda: NOW))


@pytest.fixture
def small_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two items to a task, so a handful of documents spread over both workers and come back from several
    tasks, whose results must still be stored in input order."""
    monkeypatch.setattr(distributed, "ITEMS_PER_TASK", 2)


def _cli(database_url: str, home: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    settings = {"TRUCELINE_DATABASE_URL": database_url, "TRUCELINE_HOME": str(home), **(env or {})}
    return invoke_in_process(args, env=settings, cwd=home.parent)


def _baseline_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A second, empty database for the run without Dask (SQLite, whatever the backend under test)."""
    target = tmp_path / "baseline.db"
    target.write_bytes(sqlite_template.read_bytes())
    return f"sqlite:///{target}"


def _recorded(database_url: str, home: Path) -> dict[str, Any]:
    """What is deterministic in a database: every record's content (and its commitment under one salt)
    by table in id order, and the ledger's entries (seq, kind, record id, author, time) in order.
    Analysts' reviews get random ids, so those ids are left out."""
    runtime = open_runtime(Settings(home=home, database_url=database_url))
    salt = bytes(SALT_SIZE)
    try:
        with runtime.sessions() as session:
            verify_database(session, log_verifier=runtime.log_verifier)
            records: dict[str, list[tuple[str, dict[str, Any]]]] = {}
            random_ids: set[str] = set()
            for model in RECORD_MODELS:
                for row in session.scalars(select(model).order_by(model.id)):
                    content = record_content(row)
                    if content["id"].startswith("rev-"):
                        random_ids.add(content.pop("id"))
                    records.setdefault(model.ledger_kind(), []).append((commitment(content, salt), content))
            entries = [
                (e.seq, e.kind, "rev-*" if e.record_id in random_ids else e.record_id, e.author, e.time)
                for e in session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq))
            ]
    finally:
        runtime.close()
    return {"records": records, "entries": entries}


@pytest.mark.usefixtures("fixed_clock", "small_tasks")
def test_ingest_on_dask_stores_the_claims_and_ledger_of_an_ingest_without_it(
    cluster: LocalCluster, database_url: str, sqlite_template: Path, tmp_path: Path
) -> None:
    inputs = [str(p) for p in _articles(tmp_path / "articles")]
    baseline = _baseline_url(tmp_path, sqlite_template)
    alone = _cli(baseline, tmp_path / "home-alone", "ingest", *inputs)
    assert alone.code == 0, alone.err
    on_dask = _cli(
        database_url, tmp_path / "home-dask", "ingest", "--dask", cluster.scheduler_address, *inputs
    )
    assert on_dask.code == 0, on_dask.err
    assert on_dask.out == alone.out
    assert on_dask.err.splitlines()[-1] == alone.err.splitlines()[-1] == "7 added, 1 already stored, 8 claims"
    expected = _recorded(baseline, tmp_path / "home-alone")
    claim_ids = [content["id"] for _, content in expected["records"]["claims"]]
    assert [i for i in claim_ids if i.startswith("dk-1-")] == [
        "dk-1-34b25b46-c1",
        "dk-1-c1",
    ]  # the second dk-1 renamed
    assert _recorded(database_url, tmp_path / "home-dask") == expected


@pytest.mark.usefixtures("small_tasks")
def test_each_worker_loads_the_extractor_once_for_many_documents(cluster: LocalCluster) -> None:
    docs = [
        SourceDocument(id=f"w-{n}", text=text, published=None)
        for n, (_, _, text) in enumerate(ARTICLES * 2, start=1)
    ]
    with DaskIntake.connect(cluster.scheduler_address) as intake:
        claims = list(intake.extract(docs, scenario="af-pk-2025", extractor=RULES, today=date(2025, 10, 30)))
        loads = intake.client.run(distributed.loaded_extractors)
    assert [c.document_id for found in claims for c in found][:1] == ["w-1"]
    assert [claims_of[0].document_id for claims_of in claims if claims_of] == [
        d.id for d, found in zip(docs, claims, strict=True) if found
    ]
    # A worker that extracted anything (in this test or an earlier one on this cluster) loaded once.
    assert any(loads.values())
    assert all(loaded == [("af-pk-2025", RULES)] for loaded in loads.values() if loaded)


def test_a_worker_refuses_to_extract_for_another_extractor_version(cluster: LocalCluster) -> None:
    doc = SourceDocument(id="v-1", text=ARTICLES[0][2])
    with (
        DaskIntake.connect(cluster.scheduler_address) as intake,
        pytest.raises(InvalidInput, match=r"expected extractor truceline-rules/9\.9, found truceline-rules/"),
    ):
        list(
            intake.extract(
                [doc], scenario="af-pk-2025", extractor="truceline-rules/9.9", today=date(2025, 10, 30)
            )
        )


def test_a_bad_input_stops_ingest_on_dask_before_anything_is_written(
    cluster: LocalCluster, database_url: str, tmp_path: Path
) -> None:
    good = _articles(tmp_path / "articles")[0]
    binary = tmp_path / "photo.bin"
    binary.write_bytes(bytes(range(256)) * 40)  # parsed, and refused, on a worker
    result = _cli(
        database_url, tmp_path / "home", "ingest", "--dask", cluster.scheduler_address, str(good), str(binary)
    )
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        f"truceline: error: {binary}: expected document JSON, JSON Lines, plain text, HTML, RSS/Atom or PDF, "
        "found binary data"
    ]
    assert _cli(database_url, tmp_path / "home", "export").out == ""


def test_ingest_on_dask_without_extraction_stores_the_documents_only(
    cluster: LocalCluster, database_url: str, tmp_path: Path
) -> None:
    inputs = [str(p) for p in _articles(tmp_path / "articles")[:3]]
    address = cluster.scheduler_address
    result = _cli(database_url, tmp_path / "home", "ingest", "--no-extract", "--dask", address, *inputs)
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["added\tdk-1", "added\tdk-2", "added\tdk-3"]
    assert result.err.splitlines()[-1] == "3 added, 0 already stored, 0 claims"


def test_no_scheduler_at_the_address_is_a_one_line_error(tmp_path: Path) -> None:
    result = _cli("sqlite:///unused.db", tmp_path / "home", "ingest", "--dask", "tcp://127.0.0.1:1", "x.txt")
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "truceline: error: --dask tcp://127.0.0.1:1: expected a Dask scheduler, found nothing listening "
        "(Connection refused)"
    ]
    assert not (tmp_path / "unused.db").exists()


@pytest.mark.usefixtures("fixed_clock", "small_tasks")
def test_reextract_on_dask_stores_what_reextract_without_it_stores(
    cluster: LocalCluster, database_url: str, sqlite_template: Path, tmp_path: Path
) -> None:
    baseline = _baseline_url(tmp_path, sqlite_template)
    runs = {"alone": (baseline, tmp_path / "home-alone"), "dask": (database_url, tmp_path / "home-dask")}
    for url, home in runs.values():
        _stored_with_an_old_extractor(url, home)
    alone = _cli(*runs["alone"], "reextract", "--all")
    on_dask = _cli(
        *runs["dask"], "reextract", "--all", env={"TRUCELINE_DASK_SCHEDULER": cluster.scheduler_address}
    )
    assert alone.code == on_dask.code == 0, on_dask.err
    assert on_dask.out == alone.out
    assert alone.err.splitlines()[-1].startswith("6 documents re-extracted, 0 already current;")
    assert on_dask.err.splitlines()[-1] == alone.err.splitlines()[-1]
    assert "1 superseded, 1 withdrawn" in alone.err
    assert _recorded(*runs["dask"]) == _recorded(*runs["alone"])


def _stored_with_an_old_extractor(database_url: str, home: Path) -> None:
    """The articles stored with claims of an older extractor: one it finds again, one it no longer finds."""
    runtime = open_runtime(Settings(home=home, database_url=database_url))
    try:
        with runtime.transaction() as session:
            for doc_id, published, text in ARTICLES:
                doc = SourceDocument(id=doc_id, text=text, published=date.fromisoformat(published))
                create_document(session, doc, author="test", now=NOW)
            found_again = make_claim("dk-3-c1", day=date(2025, 10, 28))  # the Chaman shelling
            vanished = make_claim("dk-4-c1")  # a clash the talks report never described
            for claim in (found_again, vanished):
                old = dataclasses.replace(claim, extractor="truceline-rules/0.1")
                create_claim(session, old, author="test", now=NOW)
    finally:
        runtime.close()


def test_chunks_keep_the_order_and_the_last_may_be_shorter() -> None:
    assert list(iter_chunks(range(5), size=2)) == [[0, 1], [2, 3], [4]]
    assert list(iter_chunks([], size=2)) == []
