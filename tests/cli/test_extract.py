import json
from pathlib import Path

from tests.cli.conftest import RunCli

TEXT = (
    "Afghan and Pakistani troops traded heavy fire near Torkham on Saturday, killing two soldiers, "
    "officials said.\n"
)


def _doc(tmp_path: Path) -> Path:
    path = tmp_path / "doc.json"
    doc = {
        "id": "x-1",
        "url": "",
        "outlet": "Test",
        "published": "2025-10-27",
        "title": "Clash",
        "text": TEXT,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_extract_prints_claims_with_stable_ids_and_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    path = _doc(tmp_path)
    first = run_cli("extract", str(path), "--format", "jsonl")
    assert first.code == 0, first.err
    claims = [json.loads(line) for line in first.out.splitlines()]
    assert claims and claims[0]["id"] == "x-1-c1" and claims[0]["document_id"] == "x-1"
    ev = claims[0]["evidence"]
    assert TEXT[ev["start"] : ev["end"]] == ev["text"]
    assert run_cli("extract", str(path)).out == first.out
    assert not (tmp_path / "home").exists() or run_cli("export").out == ""


def test_ingest_stores_extracted_claims_as_ledger_entries(run_cli: RunCli, tmp_path: Path) -> None:
    path = _doc(tmp_path)
    result = run_cli("ingest", str(path))
    assert result.code == 0, result.err
    claims = [json.loads(line) for line in run_cli("export", "--kind", "claims").out.splitlines()]
    assert claims and all(c["document_id"] == "x-1" for c in claims)
    assert run_cli("ledger", "verify").code == 0


def test_extract_of_a_missing_file_is_one_line_exit_1(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("extract", str(tmp_path / "nope.json"))
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1


def test_watch_survives_a_feed_that_fails(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("watch", "http://127.0.0.1:9/feed.xml", "--every", "1s", "--rounds", "2")
    assert result.code == 0, result.err
    assert result.err.count("warning:") == 2


def test_watch_rejects_a_bad_period(run_cli: RunCli) -> None:
    result = run_cli("watch", "http://127.0.0.1:9/feed.xml", "--every", "soon")
    assert result.code == 1 and "--every" in result.err


def test_reextract_skips_documents_the_current_extractor_made_and_rejects_bad_calls(
    run_cli: RunCli, tmp_path: Path
) -> None:
    assert run_cli("ingest", str(_doc(tmp_path))).code == 0
    result = run_cli("reextract", "--all")
    assert result.code == 0, result.err
    assert "0 documents re-extracted, 1 already current" in result.err
    assert run_cli("ledger", "verify").code == 0
    neither = run_cli("reextract")
    assert neither.code != 0 and "--all" in neither.err
    unknown = run_cli("reextract", "no-such-doc")
    assert unknown.code == 1 and len(unknown.err.strip().splitlines()) == 1 and "no-such-doc" in unknown.err
