"""A whole case through the `truceline` command, as each user in turn; refusals exit 1 with one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.builders import NOW, one_of_each_record
from tests.cases.jpegs import a_jpeg
from tests.cli.conftest import RunCli
from truceline.cli.cases import parse_deadline
from truceline.errors import InvalidInput
from truceline.ledger.service import add_record
from truceline.runtime import Runtime

USERS = (
    ("mediator-qatar", "mediator", None),
    ("mediator-turkiye", "mediator", None),
    ("monitor-one", "monitor", None),
    ("liaison-pk", "party", "PK"),
    ("liaison-af", "party", "AF"),
)


def _seed_incident(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        for record in one_of_each_record():
            if record.ledger_kind() in {"sources", "documents", "claims", "incidents"}:
                add_record(session, record, author="test", now=NOW)


def _ok(run_cli: RunCli, *args: str) -> str:
    result = run_cli(*args)
    assert result.code == 0, result.err
    return result.out.strip()


def _users(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "pw.txt").write_text("a long enough test password\n", encoding="utf-8")
    for username, role, party in USERS:
        pub = _ok(run_cli, "keys", "generate", username)
        assert (tmp_path / f"{username}.key").stat().st_mode & 0o777 == 0o600
        args = ["users", "add", username, "--role", role, "--public-key", pub, "--password-file", "pw.txt"]
        _ok(run_cli, *args, *(["--party", party] if party else []))


def test_a_whole_case_runs_through_the_cli_and_the_ledger_verifies(
    run_cli: RunCli, runtime: Runtime, tmp_path: Path
) -> None:
    _seed_incident(runtime)
    _users(run_cli, tmp_path)
    listed = _ok(run_cli, "users", "list")
    assert "liaison-pk\tparty\tPK\tactive\tkey" in listed

    result = run_cli(
        "complaints",
        "file",
        "--as",
        "liaison-af",
        "--against",
        "PK",
        "--incident",
        "inc-1",
        "--clause",
        "C1",
        "--summary",
        "Shelling near Torkham.",
        "--sign-key",
        "liaison-af.key",
    )
    assert result.code == 0, result.err
    complaint_id = result.out.strip()
    assert f"to PK: Complaint {complaint_id} against Pakistan: reply by" in result.err
    _ok(
        run_cli,
        "complaints",
        "respond",
        complaint_id,
        "--as",
        "liaison-pk",
        "--text",
        "We deny it.",
        "--sign-key",
        "liaison-pk.key",
    )
    assert complaint_id in _ok(run_cli, "complaints", "list", "--as", "liaison-pk")

    case_id = _ok(
        run_cli,
        "cases",
        "open",
        "--as",
        "mediator-qatar",
        "--title",
        "Torkham",
        "--complaint",
        complaint_id,
        "--monitor",
        "monitor-one",
        "--deadline",
        "14d",
    )
    refused = run_cli("cases", "transition", case_id, "--status", "closed", "--as", "mediator-qatar")
    assert refused.code == 1
    assert refused.err.strip() == (
        f"truceline: error: case {case_id}: cannot go from open to closed (allowed: investigating)"
    )
    assert _ok(
        run_cli, "cases", "transition", case_id, "--status", "investigating", "--as", "mediator-qatar"
    ) == (f"{case_id}.v2\tinvestigating")
    (tmp_path / "crater.jpg").write_bytes(a_jpeg())
    evidence = json.loads(
        _ok(
            run_cli, "cases", "add-evidence", case_id, "crater.jpg", "--as", "monitor-one", "--format", "json"
        )
    )
    assert evidence["exif"]["latitude"] == 34.114733
    finding_id = _ok(
        run_cli,
        "cases",
        "propose-finding",
        case_id,
        "--as",
        "monitor-one",
        "--verdict",
        "violation_confirmed",
        "--responsible-party",
        "PK",
        "--responsibility",
        "forces",
        "--clause",
        "C1",
        "--confidence",
        "likely",
        "--rationale",
        "Crater analysis.",
    )
    forged = run_cli(
        "cases", "sign-finding", finding_id, "--as", "mediator-qatar", "--key", "mediator-turkiye.key"
    )
    assert forged.code == 1
    assert "signature does not verify against the key of mediator-qatar" in forged.err
    early = run_cli("cases", "adopt", finding_id, "--as", "mediator-qatar")
    assert early.code == 1
    assert "the quorum is 2" in early.err
    for mediator in ("mediator-qatar", "mediator-turkiye"):
        _ok(run_cli, "cases", "sign-finding", finding_id, "--as", mediator, "--key", f"{mediator}.key")
    adopted = _ok(run_cli, "cases", "adopt", finding_id, "--as", "mediator-qatar")
    assert "penalty" in adopted
    assert "PK level 1 (Formal notice)" in adopted
    assert (
        _ok(run_cli, "cases", "publish", finding_id, "--as", "mediator-qatar")
        == f"{finding_id}\tpublished\tversion 3"
    )
    _ok(run_cli, "cases", "transition", case_id, "--status", "closed", "--as", "mediator-qatar")

    summary = json.loads(_ok(run_cli, "cases", "show", case_id, "--as", "liaison-pk"))
    assert (summary["status"], summary["is_published"]) == ("closed", True)
    verified = run_cli("ledger", "verify")
    assert verified.code == 0, verified.err
    assert verified.out.startswith("ok: ")


def test_an_unknown_user_or_a_user_without_the_right_gets_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    _users(run_cli, tmp_path)
    unknown = run_cli("cases", "open", "--as", "nobody", "--title", "x", "--incident", "inc-1")
    assert (unknown.code, unknown.err) == (1, "truceline: error: user 'nobody' not found\n")
    denied = run_cli("cases", "open", "--as", "liaison-pk", "--title", "x", "--incident", "inc-1")
    assert (denied.code, denied.err) == (1, "truceline: error: role 'party' may not open_case\n")
    usage = run_cli("cases", "add-evidence", "case-x", "--as", "monitor-one")
    assert usage.code == 2
    again = run_cli("keys", "generate", "liaison-pk")
    assert again.code == 1
    assert "refusing to overwrite" in again.err


def test_the_cli_refuses_evidence_above_the_configured_upload_limit(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "big.bin").write_bytes(b"12345")
    limit = {"TRUCELINE_MAX_UPLOAD_BYTES": "4"}
    refused = run_cli("cases", "add-evidence", "case-x", "big.bin", "--as", "monitor-one", extra_env=limit)
    assert (refused.code, refused.err) == (
        1,
        "truceline: error: evidence file is 5 bytes; the limit is 4 bytes\n",
    )


def test_a_deadline_is_days_from_now_or_a_utc_date() -> None:
    now = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)
    assert parse_deadline("14d", now=now) == now + timedelta(days=14)
    assert parse_deadline("2026-01-20T18:00", now=now) == datetime(2026, 1, 20, 18, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="deadline: expected days from now"):
        parse_deadline("next week", now=now)
