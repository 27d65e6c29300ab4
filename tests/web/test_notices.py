"""The notices inbox and API: a party is notified of a complaint against it, sees the unread count in the
header, marks the notice read, and chooses where its notices are sent; nobody else reads or marks them."""

from __future__ import annotations

import re

from tests.cases.world import a_complaint_in
from tests.web.conftest import WorldClient


def _file(world_client: WorldClient) -> tuple[str, dict[str, object]]:
    body = a_complaint_in().model_dump(mode="json", exclude_none=True)
    filed = world_client.client.post("/api/complaints", json=body, headers=world_client.as_("liaison-af"))
    assert filed.status_code == 201, filed.text
    [notice] = filed.json()["notices"]
    return filed.json()["complaint"]["id"], notice


def test_a_complaint_notifies_the_accused_and_the_notice_is_marked_read_once(
    world_client: WorldClient,
) -> None:
    client, pk, af = world_client.client, world_client.as_("liaison-pk"), world_client.as_("liaison-af")
    complaint_id, notice = _file(world_client)
    assert (notice["party"], notice["kind"], notice["complaint_id"]) == (
        "PK",
        "complaint_filed",
        complaint_id,
    )
    complaint = client.get(f"/api/complaints/{complaint_id}", headers=pk).json()["complaint"]
    assert notice["due_at"] == complaint["reply_due"] and notice["read_at"] is None

    assert [n["id"] for n in client.get("/api/notices", headers=pk).json()] == [notice["id"]]
    assert client.get("/api/notices", headers=af).json() == []
    assert client.get(f"/api/notices/{notice['id']}", headers=af).status_code == 404
    assert client.get("/api/notices").status_code == 403
    assert client.get("/api/notices", headers=world_client.as_("monitor-one")).status_code == 403
    header = client.get("/", headers=pk).text
    assert (
        re.search(r'id="unread-count"[^>]*>1<', header)
        and 'id="unread-count"' not in client.get("/", headers=af).text
    )

    assert client.post(f"/api/notices/{notice['id']}/read", headers=af).status_code == 404
    assert (
        client.post(
            f"/api/notices/{notice['id']}/read", headers=world_client.as_("mediator-qatar")
        ).status_code
        == 403
    )
    read = client.post(f"/api/notices/{notice['id']}/read", headers=pk).json()
    assert read["read_by"] == "liaison-pk" and read["read_at"] is not None
    assert client.post(f"/api/notices/{notice['id']}/read", headers=pk).json()["read_at"] == read["read_at"]
    assert client.get("/api/notices?unread=true", headers=pk).json() == []
    assert 'id="unread-count"' not in client.get("/", headers=pk).text
    mediator_view = client.get("/notices", headers=world_client.as_("mediator-qatar")).text
    assert f"read {read['read_at'][:10]}" in mediator_view and "by liaison-pk" in mediator_view
    entries = client.get("/api/ledger/entries?limit=500", headers=world_client.as_("liaison-af")).json()
    assert notice["id"] not in {e["record_id"] for e in entries["items"]}  # PK's notices are not AF's to see


def test_the_inbox_page_lists_the_notice_with_its_deadline_and_a_mark_read_button(
    world_client: WorldClient,
) -> None:
    client, pk = world_client.client, world_client.as_("liaison-pk")
    complaint_id, notice = _file(world_client)
    page = client.get("/notices", headers=pk).text
    assert f'action="/notices/{notice["id"]}/read"' in page and f'href="/complaints/{complaint_id}"' in page
    assert str(notice["due_at"])[:10] in page and "Add delivery" in page
    assert 'href="/notices" id="inbox-link"' in page
    complaint = client.get(f"/complaints/{complaint_id}", headers=world_client.as_("liaison-af")).text
    assert "Pakistan was notified" in complaint and f"notice {notice['id']}, ledger entry #" in complaint


def test_a_party_chooses_where_its_notices_are_sent(world_client: WorldClient) -> None:
    client, pk = world_client.client, world_client.as_("liaison-pk")
    body = {"channel": "webhook", "target": "https://pk.example.org/hooks/notices"}
    added = client.post("/api/notices/deliveries", json=body, headers=pk)
    assert added.status_code == 201 and added.json()["kind"] == "party_notice"
    assert [r["target"] for r in client.get("/api/notices/deliveries", headers=pk).json()] == [body["target"]]
    assert client.get("/api/notices/deliveries", headers=world_client.as_("liaison-af")).json() == []
    assert (
        client.post(
            "/api/notices/deliveries", json=body, headers=world_client.as_("mediator-qatar")
        ).status_code
        == 403
    )
    bad = client.post("/api/notices/deliveries", json={"channel": "fax", "target": "x"}, headers=pk)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("channel: expected one of")
    rule_id = added.json()["id"]
    assert (
        client.post(
            f"/api/notices/deliveries/{rule_id}/disable", headers=world_client.as_("liaison-af")
        ).status_code
        == 404
    )
    assert client.post(f"/api/notices/deliveries/{rule_id}/disable", headers=pk).json()["is_active"] is False
    assert client.get("/api/notices/deliveries", headers=pk).json() == []
    mediators = client.post(
        "/api/alerts/rules",
        json={"name": "x", "kind": "party_notice", "channel": "email", "target": "a@b.org"},
        headers=world_client.as_("mediator-qatar"),
    )
    assert mediators.status_code == 422
