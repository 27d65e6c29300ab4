"""Bad input is a 4xx with the documented error body on both databases, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import AsUser
from truceline.web.errors import ErrorBody
from truceline.web.inputs import MAX_OFFSET, MAX_PAGE, find_nul

NUL_REFUSAL = "expected text without NUL characters, found one"


@pytest.fixture
def strict(client: TestClient) -> TestClient:
    """The same app, answering a crash with a 500 instead of raising it into the test."""
    return TestClient(client.app, raise_server_exceptions=False)


def _refused(response: Any, where: str) -> None:
    assert response.status_code == 422, response.text[:300]
    assert response.json() == {"detail": f"{where}: {NUL_REFUSAL}"}


def test_nul_is_found_anywhere_in_a_json_value_in_document_order() -> None:
    assert find_nul({"a": "ok", "b": ["x", "y\x00", "z\x00"]}, "body") == "body.b.1"
    assert find_nul({"a": {"b\x00": 1}}, "body") == "body.a"
    assert find_nul({"a": ["x", {"b": 2}], "c": None}, "body") is None


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("/api/documents/doc%001", "path"),
        ("/api/incidents/inc%00", "path"),
        ("/api/ledger/entries?kind=a%00b", "query.kind"),
        ("/api/claims?document_id=doc%001", "query.document_id"),
    ],
)
def test_nul_in_the_path_or_the_query_of_an_api_call_is_a_422(
    strict: TestClient, as_user: AsUser, url: str, where: str
) -> None:
    _refused(strict.get(url, headers=as_user("mediator-qatar")), where)


@pytest.mark.parametrize(
    "url", ["/documents/doc%001", "/incidents/inc%001", "/findings/x%00", "/incidents?q=a%00"]
)
def test_nul_in_a_page_address_is_a_422_page(strict: TestClient, as_user: AsUser, url: str) -> None:
    response = strict.get(url, headers=as_user("analyst"))
    assert response.status_code == 422 and NUL_REFUSAL in response.text


def test_nul_in_a_json_body_is_a_422(strict: TestClient, as_user: AsUser) -> None:
    complaint = {"accused_party": "PK", "incident_id": "inc-1", "clause_ids": ["C1\x00"], "summary": "x"}
    _refused(
        strict.post("/api/complaints", json=complaint, headers=as_user("liaison-af")), "body.clause_ids.0"
    )


def test_nul_in_an_urlencoded_form_is_a_422(strict: TestClient) -> None:
    strict.get("/login")
    form = {
        "username": "analyst\x00",
        "password": "truceline-demo",
        "csrf_token": strict.cookies["truceline_csrf"],
    }
    response = strict.post("/login", data=form)
    assert response.status_code == 422 and "body.username: expected text without NUL" in response.text


def test_nul_in_a_multipart_text_field_or_file_name_is_a_422(strict: TestClient, as_user: AsUser) -> None:
    url, headers = "/api/cases/case-1/evidence", as_user("mediator-qatar")
    text_field = strict.post(
        url, data={"description": "a\x00b"}, files={"file": ("a.txt", b"x", "text/plain")}, headers=headers
    )
    _refused(text_field, "body.description")
    # Written by hand: HTTP clients percent-encode a NUL in a file name, a hostile one need not.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a\x00.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nx\r\n--b--\r\n"
    )
    raw = strict.post(
        url, content=body, headers={**headers, "Content-Type": "multipart/form-data; boundary=b"}
    )
    _refused(raw, "body.file")


def test_nul_bytes_inside_an_uploaded_file_are_evidence_not_bad_input(
    strict: TestClient, as_user: AsUser
) -> None:
    upload = {"file": ("scan.bin", b"\x00\x01\x00", "application/octet-stream")}
    response = strict.post(
        "/api/cases/no-such-case/evidence", files=upload, headers=as_user("mediator-qatar")
    )
    assert response.status_code == 404, response.text  # past the input checks, refused for the unknown case


def test_a_json_body_that_does_not_parse_is_a_422(strict: TestClient, as_user: AsUser) -> None:
    headers = {**as_user("liaison-af"), "Content-Type": "application/json"}
    response = strict.post("/api/complaints", content=b"{not json", headers=headers)
    assert response.status_code == 422
    ErrorBody.model_validate(response.json())


@pytest.mark.parametrize("path", ["/api/documents", "/api/incidents", "/api/claims", "/api/ledger/entries"])
@pytest.mark.parametrize("offset", [10**30, 2**63, MAX_OFFSET + 1, -1])
def test_an_offset_out_of_range_is_a_422(strict: TestClient, as_user: AsUser, path: str, offset: int) -> None:
    response = strict.get(f"{path}?offset={offset}", headers=as_user("analyst"))
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"].startswith("query.offset: ")


@pytest.mark.parametrize("path", ["/api/documents", "/api/incidents", "/api/claims", "/api/ledger/entries"])
def test_the_largest_offset_gives_an_empty_page(client: TestClient, as_user: AsUser, path: str) -> None:
    response = client.get(f"{path}?offset={MAX_OFFSET}", headers=as_user("analyst"))
    assert response.status_code == 200 and response.json()["items"] == []


def test_the_timeline_api_bounds_its_offset(strict: TestClient, as_user: AsUser) -> None:
    assert strict.get(f"/api/timeline?offset={10**30}").status_code == 422
    assert strict.get(f"/api/timeline?offset={MAX_OFFSET}").json() == []


@pytest.mark.parametrize("path", ["/documents", "/ledger", "/incidents", "/timeline"])
def test_a_page_number_out_of_range_is_a_422_and_the_last_allowed_page_is_empty(
    strict: TestClient, as_user: AsUser, path: str
) -> None:
    headers = as_user("analyst")
    for page in (10**20, 2**63, MAX_PAGE + 1, 0):
        response = strict.get(f"{path}?page={page}", headers=headers)
        assert response.status_code == 422, (page, response.text[:300])
        assert "query.page" in response.text
    assert strict.get(f"{path}?page={MAX_PAGE}", headers=headers).status_code == 200


def test_every_documented_api_error_is_the_error_body_that_is_sent(
    client: TestClient, as_user: AsUser
) -> None:
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert schema["components"]["schemas"]["ErrorBody"]["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
            assert set(errors) == {"400", "403", "404", "409", "422"}, (method, path)
            for response in errors.values():
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorBody", (method, path)
    # A validation error as actually sent has exactly that shape.
    sent = client.get("/api/documents?limit=0", headers=as_user("analyst"))
    assert sent.status_code == 422
    assert ErrorBody.model_validate(sent.json()).model_dump() == sent.json()
    assert isinstance(sent.json()["detail"], str) and sent.json()["detail"].startswith("query.limit: ")
