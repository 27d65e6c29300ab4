import csv
import io
import json
from pathlib import Path

from tests.cli.conftest import RunCli
from tests.workflows.test_incidents import GED_HEADER

# Invented reports: two outlets on one clash at Torkham, a third on a different clash at Chaman.
REPORTS = {
    "dawn": (
        "Pakistani and Afghan Taliban forces exchanged heavy fire near Torkham on Saturday, killing two "
        "soldiers, officials said."
    ),
    "tolo": (
        "Afghan and Pakistani forces clashed at the Torkham crossing on Saturday, and two Pakistani soldiers "
        "were killed in the exchange of fire."
    ),
    "geo": (
        "Afghan and Pakistani troops traded fire near Chaman on Tuesday, killing three civilians, local "
        "officials said."
    ),
}


def _doc(tmp_path: Path, outlet: str) -> Path:
    path = tmp_path / f"{outlet}.json"
    doc = {
        "id": f"{outlet}-1",
        "url": f"https://{outlet}.example/1",
        "outlet": outlet.capitalize(),
        "published": "2025-10-27",
        "title": "Clash",
        "text": REPORTS[outlet] + "\n",
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_cluster_groups_two_outlets_on_one_clash_and_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    paths = [str(_doc(tmp_path, outlet)) for outlet in REPORTS]
    result = run_cli("cluster", *paths, "--format", "jsonl")
    assert result.code == 0, result.err
    extracted = {
        outlet: [c["id"] for c in _lines(run_cli("extract", p).out)]
        for outlet, p in zip(REPORTS, paths, strict=True)
    }
    claims = sorted(sorted(incident["claims"]) for incident in _lines(result.out))
    assert claims == sorted([sorted(extracted["dawn"] + extracted["tolo"]), extracted["geo"]])
    assert run_cli("export", "--kind", "claims").out == ""


def test_incidents_print_as_jsonl_geojson_and_hxl_after_ingest(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("ingest", *(str(_doc(tmp_path, outlet)) for outlet in REPORTS)).code == 0
    first = run_cli("incidents", "--recluster")
    assert first.code == 0, first.err
    incidents = _lines(first.out)
    torkham = next(i for i in incidents if i["location"]["name"] == "Torkham")
    assert sorted(torkham["claims"]) == ["dawn-1-c1", "tolo-1-c1"] and torkham["independent_sources"] == 2
    assert run_cli("incidents", "--recluster").out == first.out  # nothing new to cluster

    geojson = json.loads(run_cli("incidents", "--format", "geojson").out)
    points = {f["id"]: f["geometry"]["coordinates"] for f in geojson["features"]}
    assert points[torkham["id"]] == [torkham["location"]["lon"], torkham["location"]["lat"]]
    rows = list(csv.reader(io.StringIO(run_cli("incidents", "--format", "hxl").out)))
    assert rows[1][0] == "#event+id" and {r[0] for r in rows[2:]} == {i["id"] for i in incidents}
    acled = list(csv.DictReader(io.StringIO(run_cli("incidents", "--format", "csv").out)))
    assert {r["event_id_cnty"] for r in acled} == {i["id"] for i in incidents}
    assert run_cli("ledger", "verify").code == 0


def test_merge_and_split_from_the_command_line(run_cli: RunCli, tmp_path: Path) -> None:
    run_cli("ingest", *(str(_doc(tmp_path, outlet)) for outlet in REPORTS))
    ids = [i["id"] for i in _lines(run_cli("incidents", "--recluster").out)]
    merged = run_cli("incidents", "merge", *ids, "--note", "one campaign")
    assert merged.code == 0, merged.err
    [current] = _lines(run_cli("incidents").out)
    assert current["id"] == merged.out.strip() and len(current["claims"]) == 3
    split = run_cli("incidents", "split", current["id"], "--claims", "geo-1-c1")
    assert split.code == 0, split.err
    assert len(split.out.split()) == 2
    assert sorted(len(i["claims"]) for i in _lines(run_cli("incidents").out)) == [1, 2]
    bad = run_cli("incidents", "split", current["id"], "--claims", "geo-1-c1")
    assert bad.code == 1 and "expected a current incident" in bad.err
    assert run_cli("ledger", "verify").code == 0


def test_import_of_a_bad_file_is_one_line_exit_1_and_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    cells = dict.fromkeys(GED_HEADER.split(","), "")
    cells.update(id="900001", date_start="2025-10-25", latitude="34.11", longitude="north", best="2")
    path.write_text(GED_HEADER + "\n" + ",".join(cells.values()) + "\n", encoding="utf-8")
    result = run_cli("import", str(path), "--format", "ged")
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1
    assert "ged.csv: row 2, longitude: expected a number, found 'north'" in result.err
    assert run_cli("export", "--kind", "claims").out == run_cli("export", "--kind", "sources").out == ""

    path.write_text(path.read_text(encoding="utf-8").replace("north", "71.08"), encoding="utf-8")
    good = run_cli("import", str(path), "--format", "ged")
    assert good.code == 0, good.err
    assert [i["claims"] for i in _lines(run_cli("incidents").out)] == [["UCDP-GED-900001-c1"]]
