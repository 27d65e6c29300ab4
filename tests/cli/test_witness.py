"""`truceline witness` against the real app served over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from tests.builders import NOW
from tests.cli.conftest import RunCli
from truceline.audit import verify_database
from truceline.ledger.encoding import LedgerEntry
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.notes import verify_note
from truceline.ledger.service import add_record, create_checkpoint, entry_of
from truceline.ledger.signing import Signer, generate_key
from truceline.runtime import Runtime
from truceline.sources.models import Source
from truceline.users.service import create_user, issue_token
from truceline.views.ledger import witness_keys
from truceline.web.app import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(runtime: Runtime) -> Iterator[str]:
    """The app on a free port in a thread; yields its base URL."""
    app = create_app(runtime)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _grow(runtime: Runtime, n: int, *, start: int = 0) -> None:
    with runtime.transaction() as session:
        for i in range(start, start + n):
            source = Source(
                id=f"src-h{i}",
                created_at=NOW,
                created_by="test",
                supersedes_id=None,
                name=f"Outlet {i}",
                kind="outlet",
                url="",
                reliability="C",
                language="en",
            )
            add_record(session, source, author="test", now=NOW)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)


def _witness_args(runtime: Runtime, served: str, tmp_path: Path) -> list[str]:
    key = tmp_path / "witness-pk.key"
    if not key.exists():
        key.write_text(generate_key("witness-pk")[0] + "\n", encoding="utf-8")
    return [
        "witness",
        "--server",
        served,
        "--key",
        str(key),
        "--log-key",
        str(runtime.settings.log_pub_path),
        "--state",
        str(tmp_path / "state.json"),
        "--report",
        str(tmp_path / "split-view.json"),
    ]


def test_the_witness_follows_a_growing_log_and_refuses_a_rewritten_one(
    run_cli: RunCli, runtime: Runtime, served: str, tmp_path: Path
) -> None:
    _grow(runtime, 3)
    args = [*_witness_args(runtime, served, tmp_path), "--no-submit"]
    first = run_cli(*args)
    assert first.code == 0, first.err
    assert first.out.startswith("\u2014 witness-pk ")
    assert json.loads((tmp_path / "state.json").read_text())["size"] == 3
    _grow(runtime, 2, start=3)
    second = run_cli(*args)
    assert second.code == 0, second.err
    cosigned = json.loads((tmp_path / "state.json").read_text())
    assert cosigned["size"] == 5

    with runtime.transaction() as session:
        row = session.get(LedgerEntryRow, 1)
        assert row is not None
        forged = LedgerEntry(**{**entry_of(row).to_json(), "commitment": "e" * 64})  # type: ignore[arg-type]
        session.execute(
            text("UPDATE ledger_entries SET commitment = :c, leaf_hash = :h WHERE seq = 1"),
            {"c": forged.commitment, "h": forged.leaf_hash().hex()},
        )
    _grow(runtime, 1, start=5)
    refused = run_cli(*args)
    assert refused.code == 1
    assert refused.err.startswith("truceline: error: REFUSED to cosign: split view on")
    report = json.loads((tmp_path / "split-view.json").read_text())
    assert report["cosigned_checkpoint"] == cosigned["note"]
    for note in (report["cosigned_checkpoint"], report["new_checkpoint"]):
        verify_note(note, [runtime.log_verifier])
    assert json.loads((tmp_path / "state.json").read_text()) == cosigned  # the state is not moved on


def test_the_witness_posts_its_cosignature_and_the_checkpoint_shows_it(
    run_cli: RunCli, runtime: Runtime, served: str, tmp_path: Path
) -> None:
    args = _witness_args(runtime, served, tmp_path)  # writes the witness key
    vkey = Signer.from_skey((tmp_path / "witness-pk.key").read_text().strip()).vkey()
    with runtime.transaction() as session:
        create_user(
            session,
            username="liaison-pk",
            password="a long enough test password",
            role="party",
            party="PK",
            public_key=vkey,
            known_parties=["PK", "AF"],
            author="test",
            now=NOW,
        )
        token = issue_token(session, username="liaison-pk", author="test", now=datetime.now(UTC))
    _grow(runtime, 2)
    result = run_cli(*args, "--token", token)
    assert result.code == 0, result.err
    published = httpx.get(f"{served}/api/ledger/checkpoint").json()
    assert published["cosigners"] == ["witness-pk"]
    assert "\u2014 witness-pk " in published["note"]
    with runtime.sessions() as session:
        report = verify_database(
            session, log_verifier=runtime.log_verifier, witnesses=witness_keys(session, runtime.scenario)
        )
    assert report.cosignatures == 1


def test_an_unreachable_server_is_one_line_and_exit_1(
    run_cli: RunCli, runtime: Runtime, tmp_path: Path
) -> None:
    _grow(runtime, 1)
    result = run_cli(*_witness_args(runtime, f"http://127.0.0.1:{_free_port()}", tmp_path))
    assert result.code == 1
    assert result.err.startswith("truceline: error: GET http://127.0.0.1:")
    assert result.err.count("\n") == 1


def test_a_witness_set_up_as_docs_access_md_says_cosigns_until_its_token_is_revoked(
    run_cli: RunCli, runtime: Runtime, served: str, tmp_path: Path
) -> None:
    # docs/access.md, "Set up a witness end to end": key, party account with that key, token, witness.
    assert run_cli("keys", "generate", "witness-pk", "--dir", str(tmp_path)).code == 0
    (tmp_path / "pw.txt").write_text("a long enough test password\n", encoding="utf-8")
    added = run_cli(
        "users", "add", "witness-pk", "--role", "party", "--party", "PK",
        "--public-key", str(tmp_path / "witness-pk.pub"), "--password-file", str(tmp_path / "pw.txt"),
    )  # fmt: skip
    assert added.code == 0, added.err
    issued = run_cli("users", "token", "witness-pk", "--expires", "365")
    assert issued.code == 0, issued.err
    token_id, _, _, token = issued.out.strip().split("\t")
    _grow(runtime, 1)
    args = _witness_args(runtime, served, tmp_path)
    cosigned = run_cli(*args, extra_env={"TRUCELINE_WITNESS_TOKEN": token})
    assert cosigned.code == 0, cosigned.err
    assert httpx.get(f"{served}/api/ledger/checkpoint").json()["cosigners"] == ["witness-pk"]
    assert run_cli("ledger", "verify").code == 0

    assert run_cli("users", "revoke-token", token_id).code == 0
    _grow(runtime, 1, start=1)
    refused = run_cli(*args, "--token", token)
    assert refused.code == 1 and "HTTP 403" in refused.err
