from datetime import date

from truceline.pipeline.claims import ClaimValue, Evidence, Fatalities, Location, claim_id


def make_claim() -> ClaimValue:
    return ClaimValue(
        id="D-c1",
        document_id="D",
        event_type="Battles",
        sub_event_type="Armed clash",
        process_type=None,
        event_date=date(2025, 10, 12),
        time_precision=1,
        actor1="Taliban (Afghanistan)",
        actor2="Military Forces of Pakistan",
        alleged=True,
        claimant="Government of Pakistan",
        location=Location("Chaman", "PK", "Balochistan", 30.92, 66.45, 1, "PK", 4.0),
        fatalities=Fatalities(best=23, low=23, high=None, civilians=None),
        evidence=Evidence(text="exact sentence", start=10, end=24),
        confidence=0.8,
        extractor="truceline-rules/0.1",
        injuries=29,
    )


def test_claim_survives_a_json_round_trip():
    claim = make_claim()
    assert ClaimValue.from_json(claim.to_json()) == claim


def test_claim_json_has_exactly_the_fields_of_the_claim_format():
    assert set(make_claim().to_json()) == {
        "id",
        "document_id",
        "event_type",
        "sub_event_type",
        "process_type",
        "event_date",
        "time_precision",
        "actor1",
        "actor2",
        "alleged",
        "claimant",
        "location",
        "fatalities",
        "evidence",
        "confidence",
        "extractor",
        "injuries",
    }
    assert set(make_claim().to_json()["location"]) == {
        "name",
        "country",
        "admin1",
        "lat",
        "lon",
        "geo_precision",
        "border_side",
        "km_to_border",
    }


def test_claim_ids_are_the_document_id_and_a_number():
    assert claim_id("017", 3) == "017-c3"
