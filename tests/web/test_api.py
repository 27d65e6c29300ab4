import base64
import json

from fastapi.testclient import TestClient

from tests.web.conftest import AsUser
from truceline.ledger import merkle
from truceline.ledger.encoding import LedgerEntry
from truceline.ledger.notes import parse_checkpoint, verify_note
from truceline.ledger.signing import Verifier


def test_documents_are_listed_and_read(client: TestClient, as_user: AsUser) -> None:
    page = client.get("/api/documents", headers=as_user("analyst")).json()
    assert page["total"] == len(page["items"]) >= 6
    one = client.get("/api/documents/seed-istanbul-talks", headers=as_user("liaison-pk")).json()
    assert "open war" in one["text"]


def test_an_unknown_document_is_a_404_with_a_message(client: TestClient, as_user: AsUser) -> None:
    response = client.get("/api/documents/nope", headers=as_user("analyst"))
    assert response.status_code == 404
    assert response.json() == {"detail": "document 'nope' not found"}


def test_a_bad_query_parameter_is_a_422_naming_it(client: TestClient, as_user: AsUser) -> None:
    response = client.get("/api/documents?limit=0", headers=as_user("analyst"))
    assert response.status_code == 422
    assert "limit" in response.json()["detail"]


def test_claims_and_incidents_are_listed(client: TestClient, as_user: AsUser) -> None:
    h = as_user("analyst")
    claims = client.get("/api/claims", headers=h).json()
    assert claims["total"] >= 3 and claims["items"][0]["evidence"]["text"]
    assert client.get("/api/incidents", headers=h).json()["items"] == []
    assert client.get("/api/claims/nope", headers=h).status_code == 404
    assert client.get("/api/incidents/nope", headers=h).status_code == 404


def test_anonymous_callers_see_only_public_things(client: TestClient) -> None:
    assert client.get("/api/documents").status_code == 403
    assert client.get("/api/claims").status_code == 403
    assert client.get("/api/ledger/entries").status_code == 403
    assert client.get("/api/ledger/checkpoint").status_code == 200
    assert client.get("/api/geo/boundary").status_code == 200


def test_a_party_may_not_read_claims_and_a_bad_token_is_refused(client: TestClient, as_user: AsUser) -> None:
    assert client.get("/api/claims", headers=as_user("liaison-af")).status_code == 403
    bad = client.get("/api/documents", headers={"Authorization": "Bearer tl_forged"})
    assert bad.status_code == 403 and "token" in bad.json()["detail"]


def test_the_published_checkpoint_is_signed_by_the_log_key(client: TestClient, runtime) -> None:  # type: ignore[no-untyped-def]
    checkpoint = client.get("/api/ledger/checkpoint").json()
    note = verify_note(checkpoint["note"], [Verifier.from_vkey(runtime.signer.vkey())])
    assert parse_checkpoint(note.body).size == checkpoint["size"]
    assert client.get("/api/ledger/checkpoint.txt").text == checkpoint["note"]


def test_inclusion_and_consistency_proofs_from_the_api_verify(client: TestClient) -> None:
    checkpoint = client.get("/api/ledger/checkpoint").json()
    size, root = checkpoint["size"], base64.b64decode(checkpoint["root_hash"])
    for seq in (0, size - 1):
        p = client.get(f"/api/ledger/proof/inclusion?seq={seq}").json()
        merkle.verify_inclusion(
            leaf_hash=base64.b64decode(p["leaf_hash"]),
            index=seq,
            size=size,
            proof=[base64.b64decode(h) for h in p["proof"]],
            root=root,
        )
    c = client.get("/api/ledger/proof/consistency?old=2").json()
    merkle.verify_consistency(
        old_size=2,
        new_size=size,
        old_root=base64.b64decode(c["old_root"]),
        new_root=root,
        proof=[base64.b64decode(h) for h in c["proof"]],
    )
    assert client.get(f"/api/ledger/proof/inclusion?seq={size + 5}").status_code == 422


def test_entries_are_listed_without_salts(client: TestClient, as_user: AsUser) -> None:
    entries = client.get("/api/ledger/entries", headers=as_user("liaison-pk")).json()["items"]
    assert entries[0]["seq"] == 0
    assert all("salt" not in e for e in entries)


def test_openapi_describes_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/documents",
        "/api/claims",
        "/api/incidents",
        "/api/ledger/checkpoint",
        "/api/ledger/proof/inclusion",
        "/api/ledger/proof/consistency",
    ):
        assert path in paths


def test_map_layers_are_served_from_package_data(client: TestClient) -> None:
    boundary = client.get("/api/geo/boundary").json()
    assert boundary["type"] == "FeatureCollection" and boundary["features"]
    crossings = client.get("/api/geo/crossings").json()
    assert "Torkham" in {f["properties"]["name"] for f in crossings["features"]}
    assert client.get("/api/geo/admin1").json()["features"]
    assert client.get("/api/geo/buffer").json()["features"]
    assert client.get("/api/geo/nothing").status_code == 404


def test_verification_data_lets_a_client_check_an_entry_itself(client: TestClient, as_user: AsUser) -> None:
    data = client.get("/api/ledger/verification?seq=1", headers=as_user("mediator-qatar")).json()
    log_key = Verifier.from_vkey(data["log_key"])
    checkpoint = parse_checkpoint(verify_note(data["checkpoint"], [log_key]).body)
    assert data["tree_size"] == checkpoint.size and data["seq"] == 1 and data["checkpoint_time"]
    entry = LedgerEntry.from_json(json.loads(base64.b64decode(data["entry"])))
    assert entry.seq == 1 and entry.to_bytes() == base64.b64decode(data["entry"])
    merkle.verify_inclusion(
        leaf_hash=entry.leaf_hash(),
        index=1,
        size=checkpoint.size,
        proof=[base64.b64decode(h) for h in data["proof"]],
        root=checkpoint.root_hash,
    )


def test_verification_data_without_an_entry_is_the_public_checkpoint_and_key(client: TestClient) -> None:
    data = client.get("/api/ledger/verification").json()
    assert data["entry"] is None and data["seq"] is None and data["proof"] == []
    assert data["checkpoint"] == client.get("/api/ledger/checkpoint").json()["note"]


def test_verification_data_serves_an_entry_only_to_those_who_may_see_it(client: TestClient) -> None:
    public = client.get("/api/ledger/verification?seq=1").json()  # a document's entry: not public
    assert public["entry"] is None and public["proof"] and public["seq"] == 1  # the proof is, as ever
    size = client.get("/api/ledger/checkpoint").json()["size"]
    assert client.get(f"/api/ledger/verification?seq={size + 5}").status_code == 404
