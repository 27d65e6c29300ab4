import json
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.cli.conftest import RunCli


def test_init_demo_loads_the_scenario_and_demo_reports_and_is_repeatable(run_cli: RunCli) -> None:
    first = run_cli("init", "--demo")
    assert first.code == 0, first.err
    docs = [json.loads(line) for line in run_cli("export", "--kind", "documents").out.splitlines()]
    assert "seed-istanbul-talks" in {d["id"] for d in docs}
    assert len(docs) >= 5
    talks = [json.loads(line) for line in run_cli("export", "--kind", "talks_rounds").out.splitlines()]
    assert len(talks) == 3
    second = run_cli("init", "--demo")
    assert second.code == 0 and "0 new records" in second.err
    assert run_cli("ledger", "verify").code == 0


def test_exported_log_verifies_offline_with_only_the_public_key(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("init", "--demo").code == 0
    out = tmp_path / "ledger.jsonl"
    assert run_cli("ledger", "export", "-o", str(out)).code == 0
    key = tmp_path / "home" / "keys" / "log.pub"
    offline = run_cli(
        "ledger",
        "verify",
        "--file",
        str(out),
        "--key",
        str(key),
        extra_env={"TRUCELINE_DATABASE_URL": "sqlite:////nonexistent/dir/x.db"},
    )
    assert offline.code == 0, offline.err
    assert offline.out.startswith("ok: ")
    lines = out.read_text(encoding="utf-8").splitlines()
    entry_line = next(
        i
        for i, line in enumerate(lines)
        if json.loads(line)["type"] == "entry" and json.loads(line)["entry"]["seq"] == 2
    )
    tampered = json.loads(lines[entry_line])
    tampered["entry"]["author"] = "someone-else"
    lines[entry_line] = json.dumps(tampered)
    bad = tmp_path / "tampered.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = run_cli("ledger", "verify", "--file", str(bad), "--key", str(key))
    assert refused.code == 1
    assert "2" in refused.err and "Traceback" not in refused.err


def test_a_raw_sql_change_makes_verify_fail_naming_the_entry(run_cli: RunCli, database_url: str) -> None:
    assert run_cli("init", "--demo").code == 0
    engine = create_engine(database_url)
    with engine.begin() as conn:
        seq = conn.execute(
            text("SELECT seq FROM ledger_entries WHERE record_id = 'demo-torkham-fire'")
        ).scalar_one()
        conn.execute(text("UPDATE documents SET title = 'Nothing happened' WHERE id = 'demo-torkham-fire'"))
    engine.dispose()
    result = run_cli("ledger", "verify")
    assert result.code == 1
    assert f"entry {seq} (documents 'demo-torkham-fire')" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_proofs_are_printed_as_json(run_cli: RunCli) -> None:
    assert run_cli("init", "--demo").code == 0
    inclusion = json.loads(run_cli("ledger", "proof", "1").out)
    assert inclusion["seq"] == 1 and inclusion["size"] >= 2
    consistency = json.loads(run_cli("ledger", "proof", "--consistency", "1").out)
    assert consistency["old_size"] == 1


def test_a_broken_scenario_is_refused_with_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    scenario = tmp_path / "broken"
    scenario.mkdir()
    (scenario / "scenario.yaml").write_text("id: broken\nreply_window_days: three\n", encoding="utf-8")
    result = run_cli("--scenario", str(scenario), "init")
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1
    assert "scenario.yaml" in result.err and "Traceback" not in result.err


def test_verify_creates_nothing_where_there_is_no_database(run_cli: RunCli, tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    result = run_cli(
        "ledger",
        "verify",
        extra_env={"TRUCELINE_HOME": str(home), "TRUCELINE_DATABASE_URL": f"sqlite:///{home}/x.db"},
    )
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result.err
    assert not home.exists()  # no database, no directory, no key


def test_verify_only_reads(run_cli: RunCli, database_url: str, tmp_path: Path) -> None:
    assert run_cli("init", "--demo").code == 0
    engine = create_engine(database_url)
    with engine.begin() as conn:
        before = conn.execute(text("SELECT count(*) FROM ledger_checkpoints")).scalar_one()
    keys = sorted(p.name for p in (tmp_path / "home" / "keys").rglob("*"))
    assert run_cli("ledger", "verify").code == 0
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM ledger_checkpoints")).scalar_one() == before
        conn.execute(text("DROP TABLE alembic_version"))  # the damage that used to crash verify
    engine.dispose()
    damaged = run_cli("ledger", "verify")
    assert damaged.code in (0, 1) and "Traceback" not in damaged.err
    assert sorted(p.name for p in (tmp_path / "home" / "keys").rglob("*")) == keys


def test_a_forged_cosignature_in_an_export_fails_offline(run_cli: RunCli, tmp_path: Path) -> None:
    from truceline.ledger.notes import NoteSignature, add_signature_lines, cosignature_message, parse_note
    from truceline.ledger.signing import Signer

    assert run_cli("init", "--demo").code == 0
    out = tmp_path / "ledger.jsonl"
    assert run_cli("ledger", "export", "-o", str(out)).code == 0
    witness, impostor = (
        Signer(name="pk-witness", seed=bytes(32)),
        Signer(name="pk-witness", seed=bytes([1]) * 32),
    )
    (tmp_path / "pk.pub").write_text(witness.vkey() + "\n", encoding="utf-8")
    lines = out.read_text(encoding="utf-8").splitlines()
    last = max(i for i, line in enumerate(lines) if json.loads(line)["type"] == "checkpoint")
    obj = json.loads(lines[last])
    body = parse_note(obj["note"]).body
    stamp = 1_760_000_000
    # the line names the trusted witness's key, but another key made the signature
    forged = NoteSignature(
        name=witness.name,
        key_hash=witness.cosigner_key_hash,
        sig_bytes=stamp.to_bytes(8, "big") + impostor.sign(cosignature_message(body, stamp)),
    ).line()
    obj["note"] = add_signature_lines(obj["note"], [forged])
    lines[last] = json.dumps(obj)
    bad = tmp_path / "forged.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    key = str(tmp_path / "home" / "keys" / "log.pub")
    trusted = ["--witness-key", str(tmp_path / "pk.pub")]
    refused = run_cli("ledger", "verify", "--file", str(bad), "--key", key, *trusted)
    assert refused.code == 1 and "forged cosignature by pk-witness" in refused.err, refused.err
    assert run_cli("ledger", "verify", "--file", str(out), "--key", key, *trusted).code == 0
