import json
from pathlib import Path

from tests.cli.conftest import RunCli


def _doc(tmp_path: Path, name: str = "doc.json", **overrides: object) -> Path:
    doc = {
        "id": "t-1",
        "url": "https://example.org/t-1",
        "outlet": "Example",
        "published": "2025-10-25",
        "title": "Exchange of fire",
        "text": "Pakistani and Afghan forces exchanged fire near Torkham on Saturday, officials said.",
    }
    doc.update(overrides)
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_ingesting_the_same_document_twice_stores_it_once(run_cli: RunCli, tmp_path: Path) -> None:
    path = _doc(tmp_path)
    first = run_cli("ingest", str(path))
    assert first.code == 0, first.err
    assert first.out.splitlines() == ["added\tt-1"]
    second = run_cli("ingest", str(path))
    assert second.out.splitlines() == ["exists\tt-1"]
    exported = run_cli("export", "--kind", "documents", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in exported.out.splitlines()] == ["t-1"]


def test_plain_text_takes_its_publication_date_from_the_option(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("Shelling was reported near Chaman on Monday, residents said.\n", encoding="utf-8")
    result = run_cli("ingest", str(path), "--published", "2025-11-03")
    assert result.code == 0, result.err
    exported = [json.loads(line) for line in run_cli("export").out.splitlines()]
    assert [d["published"] for d in exported] == ["2025-11-03"]


def _assert_refused_and_nothing_written(run_cli: RunCli, result_err: str, code: int) -> None:
    assert code == 1
    lines = result_err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("truceline: error: "), result_err
    assert "Traceback" not in result_err
    assert run_cli("export").out == ""


def test_a_missing_file_is_refused_and_nothing_is_written(run_cli: RunCli, tmp_path: Path) -> None:
    good = _doc(tmp_path)
    result = run_cli("ingest", str(good), str(tmp_path / "missing.txt"))
    _assert_refused_and_nothing_written(run_cli, result.err, result.code)
    assert "missing.txt" in result.err


def test_a_binary_file_is_refused_and_nothing_is_written(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "photo.bin"
    path.write_bytes(bytes(range(256)) * 40)
    result = run_cli("ingest", str(path), "--published", "2025-10-25")
    _assert_refused_and_nothing_written(run_cli, result.err, result.code)
    assert "photo.bin" in result.err


def test_malformed_json_is_refused_and_nothing_is_written(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x", "text": "unterminated', encoding="utf-8")
    result = run_cli("ingest", str(path))
    _assert_refused_and_nothing_written(run_cli, result.err, result.code)
    assert "broken.json" in result.err


def test_a_document_with_a_bad_date_is_refused_naming_the_field(run_cli: RunCli, tmp_path: Path) -> None:
    path = _doc(tmp_path, published="25/10/2025")
    result = run_cli("ingest", str(path))
    _assert_refused_and_nothing_written(run_cli, result.err, result.code)
    assert "published" in result.err
