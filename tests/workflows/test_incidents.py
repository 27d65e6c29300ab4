import dataclasses
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.builders import NOW, a_source_document
from tests.incidents.builders import CHAMAN, KHOST, make_claim
from truceline.audit import verify_database
from truceline.claims.models import Claim
from truceline.claims.service import create_claim
from truceline.documents.service import create_document
from truceline.errors import InvalidInput, NotFound
from truceline.incidents import interop
from truceline.incidents.models import Incident
from truceline.incidents.service import list_current_incidents
from truceline.ledger.models import LedgerEntryRow
from truceline.pipeline.claims import ClaimValue
from truceline.runtime import Runtime
from truceline.sources.models import Source
from truceline.workflows.incidents import (
    ANALYST_MARK,
    import_events,
    iter_current_incidents,
    link_to_events,
    load_pool,
    merge_incidents,
    split_incident,
    store_events,
)
from truceline.workflows.reclustering import recluster
from truceline.workflows.review import review_claim

# The header row of the UCDP GED CSV (GEDEvent v25.1) as in /work/shared/data/events/; the rows are invented.
GED_HEADER = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,"
    "dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,"
    "side_b,number_of_sources,source_article,source_office,source_date,source_headline,source_original,"
    "where_prec,where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,"
    "country,iso3,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
    "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob,border_dist_km,wof_adm1_name,"
    "wof_adm1_iso_3166_2,wof_adm2_name,wof_adm2_wof_id"
)


def _ged_row(event_id: str, *, day: str, place: str, lat: float, lon: float, best: int) -> str:
    cells = dict.fromkeys(GED_HEADER.split(","), "")
    cells.update(
        id=event_id,
        type_of_violence="1",
        side_a="Government of Pakistan",
        side_b="Taliban",
        where_prec="1",
        where_coordinates=place,
        adm_1="Balochistan",
        latitude=str(lat),
        longitude=str(lon),
        country="Pakistan",
        iso3="PAK",
        date_prec="1",
        date_start=f"{day} 00:00:00.000",
        date_end=f"{day} 00:00:00.000",
        best=str(best),
        low=str(best),
        high=str(best),
        source_headline=f"Invented report of a clash at {place}",
    )
    return ",".join(cells.values())


def _store(session: Session, claim: ClaimValue, *, outlet: str) -> None:
    doc = a_source_document(
        text=claim.evidence.text, id=claim.document_id, outlet=outlet, url=f"https://{outlet}.example/1"
    )
    create_document(session, doc, author="test", now=NOW)
    create_claim(session, claim, author="test", now=NOW)


CHAMAN_REPORTS = {
    "dawn": "Pakistani and Afghan forces exchanged fire at the Chaman crossing late on Friday, killing two.",
    "tolo": "Two soldiers died when Afghan Taliban and Pakistani troops clashed near Chaman on Friday night.",
    "ariana": "Border guards said a Friday firefight at Chaman left two dead on the Pakistani side.",
}


def _chaman(claim_id: str) -> ClaimValue:
    return make_claim(claim_id, best=2, evidence=CHAMAN_REPORTS[claim_id.split("-")[0]])


def _khost(claim_id: str) -> ClaimValue:
    return make_claim(
        claim_id,
        day=date(2025, 12, 1),
        place=KHOST,
        place_name="Khost",
        country="AF",
        evidence="Shelling hit villages near Khost on Monday.",
    )


def _recluster(runtime: Runtime) -> list[str]:
    with runtime.transaction() as session:
        return recluster(session, scenario=runtime.scenario, author="test", now=NOW).created


def _current(runtime: Runtime) -> dict[frozenset[str], Incident]:
    with runtime.sessions() as session:
        return {frozenset(row.claim_ids): row for row in list_current_incidents(session, limit=1000)}


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.sessions() as session:
        incidents = session.scalar(select(func.count()).select_from(Incident)) or 0
        entries = session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0
    return incidents, entries


@pytest.fixture
def two_incidents(runtime: Runtime) -> Runtime:
    """Two outlets report one Chaman clash; a third reports shelling near Khost four days earlier."""
    with runtime.transaction() as session:
        _store(session, _chaman("dawn-1-c1"), outlet="dawn")
        _store(session, _chaman("tolo-1-c1"), outlet="tolo")
        _store(session, _khost("geo-1-c1"), outlet="geo")
    _recluster(runtime)
    return runtime


def test_recluster_stores_one_incident_per_happening_with_independent_sources(two_incidents: Runtime) -> None:
    current = _current(two_incidents)
    assert set(current) == {frozenset({"dawn-1-c1", "tolo-1-c1"}), frozenset({"geo-1-c1"})}
    chaman = current[frozenset({"dawn-1-c1", "tolo-1-c1"})]
    assert chaman.independent_sources == 2 and chaman.location["border_side"] == "PK"
    with two_incidents.sessions() as session:
        kinds = {(e.kind, e.record_id) for e in session.scalars(select(LedgerEntryRow))}
        assert ("incidents", chaman.id) in kinds
        verify_database(session, log_verifier=two_incidents.log_verifier)


def test_recluster_twice_writes_nothing_the_second_time(two_incidents: Runtime) -> None:
    before = _counts(two_incidents)
    assert _recluster(two_incidents) == []
    assert _counts(two_incidents) == before


def test_a_new_claim_joining_an_incident_supersedes_the_old_version(two_incidents: Runtime) -> None:
    old = _current(two_incidents)[frozenset({"dawn-1-c1", "tolo-1-c1"})]
    with two_incidents.transaction() as session:
        _store(session, _chaman("ariana-1-c1"), outlet="ariana")
    created = _recluster(two_incidents)
    current = _current(two_incidents)
    new = current[frozenset({"ariana-1-c1", "dawn-1-c1", "tolo-1-c1"})]
    assert created == [new.id] and new.supersedes_id == old.id
    assert old.id not in {row.id for row in current.values()}
    assert any("added ariana-1-c1" in reason for reason in new.reasons)


def test_a_rejected_claim_retires_its_incident_and_a_correction_makes_a_new_version(
    two_incidents: Runtime,
) -> None:
    khost = _current(two_incidents)[frozenset({"geo-1-c1"})]
    with two_incidents.transaction() as session:
        review_claim(session, claim_id="geo-1-c1", decision="rejected", author="analyst:a", now=NOW)
        review_claim(
            session,
            claim_id="dawn-1-c1",
            decision="corrected",
            changes={"fatalities": {"best": 3}},
            author="analyst:a",
            now=NOW,
        )
    _recluster(two_incidents)
    current = _current(two_incidents)
    assert set(current) == {frozenset({"dawn-1-c1-r1", "tolo-1-c1"})}
    with two_incidents.sessions() as session:
        retirement = session.scalars(select(Incident).where(Incident.supersedes_id == khost.id)).one()
        assert retirement.claim_ids == [] and "corrected or rejected" in retirement.reasons[0]
        verify_database(session, log_verifier=two_incidents.log_verifier)


def test_merge_and_split_are_ledgered_versions_that_recluster_keeps(two_incidents: Runtime) -> None:
    ids = sorted(row.id for row in _current(two_incidents).values())
    with two_incidents.transaction() as session:
        merged = merge_incidents(session, incident_ids=ids, author="analyst:a", now=NOW, note="one shelling")
        merged_id = merged.id
    assert _recluster(two_incidents) == []  # an analyst's decision stands
    current = _current(two_incidents)
    assert list(current) == [frozenset({"dawn-1-c1", "tolo-1-c1", "geo-1-c1"})]
    assert current[frozenset({"dawn-1-c1", "tolo-1-c1", "geo-1-c1"})].supersedes_id == ids[0]

    with two_incidents.transaction() as session:
        named, rest = split_incident(
            session, incident_id=merged_id, claim_ids=["geo-1-c1"], author="analyst:a", now=NOW
        )
        parts = (named.id, rest.id, named.supersedes_id, rest.supersedes_id)
    assert parts[2] == parts[3] == merged_id
    current = _current(two_incidents)
    assert set(current) == {frozenset({"geo-1-c1"}), frozenset({"dawn-1-c1", "tolo-1-c1"})}
    assert all(row.reasons[0].startswith(ANALYST_MARK + "split of") for row in current.values())
    assert {row.id for row in current.values()} == {parts[0], parts[1]}
    assert all(part.endswith("-v2") for part in parts[:2])  # the pre-merge ids are taken by the old rows
    with two_incidents.sessions() as session:
        kinds = {(e.kind, e.record_id) for e in session.scalars(select(LedgerEntryRow))}
        assert {("incidents", merged_id), ("incidents", parts[0]), ("incidents", parts[1])} <= kinds
        verify_database(session, log_verifier=two_incidents.log_verifier)


@pytest.mark.parametrize(
    ("act", "error", "message"),
    [
        ("merge-unknown", NotFound, "incident 'INC-nope' not found"),
        ("merge-one", InvalidInput, "at least two distinct incident ids, got 1"),
        ("merge-superseded", InvalidInput, "expected a current incident"),
        ("split-stranger", InvalidInput, "found someone-c1"),
        ("split-all", InvalidInput, "non-empty proper subset"),
        ("split-none", InvalidInput, "non-empty proper subset"),
    ],
)
def test_bad_merges_and_splits_write_nothing(
    two_incidents: Runtime, act: str, error: type[Exception], message: str
) -> None:
    chaman = _current(two_incidents)[frozenset({"dawn-1-c1", "tolo-1-c1"})].id
    khost = _current(two_incidents)[frozenset({"geo-1-c1"})].id
    if act == "merge-superseded":
        with two_incidents.transaction() as session:
            merge_incidents(session, incident_ids=[chaman, khost], author="analyst:a", now=NOW)
    before = _counts(two_incidents)
    with pytest.raises(error, match=message), two_incidents.transaction() as session:
        if act.startswith("merge"):
            ids = {"merge-unknown": [chaman, "INC-nope"], "merge-one": [chaman, chaman]}.get(
                act, [chaman, khost]
            )
            merge_incidents(session, incident_ids=ids, author="analyst:a", now=NOW)
        else:
            claims = {"split-stranger": ["someone-c1"], "split-all": ["dawn-1-c1", "tolo-1-c1"]}.get(act, [])
            split_incident(session, incident_id=chaman, claim_ids=claims, author="analyst:a", now=NOW)
    assert _counts(two_incidents) == before


def _write_ged(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([GED_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_ged_events_import_once_as_claims_of_one_source_and_link_with_disagreements(
    two_incidents: Runtime, tmp_path: Path
) -> None:
    ged = _write_ged(
        tmp_path / "ged.csv",
        _ged_row("900001", day="2025-12-05", place="Chaman", lat=CHAMAN[0], lon=CHAMAN[1], best=5),
        _ged_row("900002", day="2025-12-20", place="Chaman", lat=CHAMAN[0], lon=CHAMAN[1], best=1),
    )
    for expected in (2, 0):  # the second import finds both events stored
        with two_incidents.transaction() as session:
            assert import_events(session, path=ged, fmt="ged", author="test", now=NOW) == expected
    with two_incidents.sessions() as session:
        source = session.scalars(select(Source)).one()
        assert (source.name, source.reliability) == ("UCDP GED", "B")
        claim = session.get(Claim, "UCDP-GED-900001-c1")
        assert claim is not None and claim.source_id == source.id and claim.fatalities["best"] == 5
        chaman = next(row for row in list_current_incidents(session) if "dawn-1-c1" in row.claim_ids)
        found = link_to_events(session, incident_id=chaman.id)
        verify_database(session, log_verifier=two_incidents.log_verifier)
    assert [link.event_id for link in found] == ["UCDP-GED-900001"]
    assert any(d.startswith("fatalities: event 5") for d in found[0].disagreements)


def test_a_bad_event_file_writes_nothing(two_incidents: Runtime, tmp_path: Path) -> None:
    good = _ged_row("900001", day="2025-12-05", place="Chaman", lat=CHAMAN[0], lon=CHAMAN[1], best=5)
    bad = _write_ged(
        tmp_path / "ged.csv", good, good.replace("900001", "900002").replace("2025-12-05", "soon")
    )
    before = _counts(two_incidents)
    with (
        pytest.raises(InvalidInput, match=r"ged\.csv: row 3, date_start"),
        two_incidents.transaction() as session,
    ):
        import_events(session, path=bad, fmt="ged", author="test", now=NOW)
    assert _counts(two_incidents) == before
    with two_incidents.sessions() as session:
        assert session.scalars(select(Source)).first() is None


def test_incidents_exported_as_acled_csv_import_back_with_the_same_fields(
    two_incidents: Runtime, tmp_path: Path
) -> None:
    with two_incidents.sessions() as session:
        values = [value for _, value in iter_current_incidents(session)]
    path = tmp_path / "acled.csv"
    path.write_text(interop.format_acled_csv(values), encoding="utf-8")
    with two_incidents.transaction() as session:
        assert import_events(session, path=path, fmt="acled", author="test", now=NOW) == 2
    with two_incidents.sessions() as session:
        for value in values:
            claim = session.get(Claim, f"ACLED-{value.id}-c1")
            assert claim is not None
            assert (claim.event_type, claim.sub_event_type, claim.event_date) == (
                value.event_type,
                value.sub_event_type,
                value.date_start,
            )
            assert (claim.actor1, claim.actor2) == (value.actor1, value.actor2)
            assert (
                claim.location["lat"] == value.location.lat and claim.location["name"] == value.location.name
            )
            assert claim.fatalities["best"] == value.fatalities.best


def test_stored_events_are_the_claims_read_back_so_recluster_need_not_read_them(
    two_incidents: Runtime, tmp_path: Path
) -> None:
    ged = _write_ged(
        tmp_path / "ged.csv",
        _ged_row("900001", day="2025-12-05", place="Chaman", lat=CHAMAN[0], lon=CHAMAN[1], best=5),
        _ged_row("900002", day="2025-12-20", place="Khost", lat=KHOST[0], lon=KHOST[1], best=1),
    )
    with two_incidents.transaction() as session:
        stored = store_events(session, path=ged, fmt="ged", author="test", now=NOW)
    with two_incidents.sessions() as session:
        read = load_pool(session)
        known = load_pool(session, known_claims=stored)
    assert sorted(stored) == ["UCDP-GED-900001-c1", "UCDP-GED-900002-c1"]
    assert {claim_id: read.claims[claim_id] for claim_id in stored} == stored
    assert len(read.claims) == 5  # the three reports' claims are read from their rows either way
    assert (known.claims, known.sources, known.successor) == (read.claims, read.sources, read.successor)


def test_current_incidents_leave_out_superseded_versions_and_retirements(two_incidents: Runtime) -> None:
    ids = sorted(row.id for row in _current(two_incidents).values())
    with two_incidents.transaction() as session:
        merged = merge_incidents(session, incident_ids=ids, author="analyst:a", now=NOW).id
    with two_incidents.sessions() as session:
        assert [row.id for row in list_current_incidents(session)] == [merged]
        assert session.scalar(select(func.count()).select_from(Incident)) == 4  # 2 old, merged, 1 retirement
        assert dataclasses.asdict(next(iter_current_incidents(session))[1])["claim_ids"] == (
            "dawn-1-c1",
            "geo-1-c1",
            "tolo-1-c1",
        )


def test_a_recluster_started_during_another_waits_for_it_then_finds_nothing_to_do(
    two_incidents: Runtime,
) -> None:
    """Two reclusters at once (two CLI runs, or an import during an ingest): the second waits for the first
    and reads what it wrote. Before, it decided on what it had read before the first committed, and failed
    writing a second successor of the same incident."""
    old = _current(two_incidents)[frozenset({"dawn-1-c1", "tolo-1-c1"})]
    with two_incidents.transaction() as session:
        _store(session, _chaman("ariana-1-c1"), outlet="ariana")
    second: list[list[str]] = []
    with two_incidents.transaction() as session:
        first = recluster(session, scenario=two_incidents.scenario, author="test", now=NOW).created
        thread = threading.Thread(target=lambda: second.append(_recluster(two_incidents)))
        thread.start()
        thread.join(timeout=1.0)  # long enough for the second to read and decide, had it not waited
        assert thread.is_alive(), "the second recluster did not wait for the first to commit"
    thread.join(timeout=60)
    assert len(first) == 1 and second == [[]]
    with two_incidents.sessions() as session:
        successors = session.scalars(select(Incident.id).where(Incident.supersedes_id == old.id)).all()
        assert successors == first
        verify_database(session, log_verifier=two_incidents.log_verifier)
