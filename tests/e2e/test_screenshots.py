"""Screenshots of the main pages (docs/screenshots/, shown in the README): `make screenshots` refreshes them.

Each test also checks the page it shoots shows what it should, so a broken page never becomes a picture.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, NewContext, Shot
from tests.e2e.flows import add_evidence, file_complaint, file_reply, open_case, pick_incident

pytestmark = pytest.mark.e2e

MEDIATOR = "mediator-qatar"


@pytest.fixture(scope="module")
def records(
    browser: Browser, live_server: str, signed_in_state: Callable[[str], Path]
) -> Iterator[dict[str, str]]:
    """A complaint with its reply and a case on it with evidence, filed through the pages like people do."""
    contexts = {
        user: browser.new_context(
            base_url=live_server, viewport=LAPTOP, storage_state=str(signed_in_state(user))
        )
        for user in ("liaison-af", "liaison-pk", MEDIATOR)
    }
    try:
        af, pk, mediator = (contexts[user].new_page() for user in ("liaison-af", "liaison-pk", MEDIATOR))
        complaint = file_complaint(
            af,
            against="Islamic Republic of Pakistan",
            clauses="C2, C7",
            summary="Mortar rounds fired from across the line struck a village school near the crossing "
            "on the night the incident was reported; two watchmen were wounded.",
            incident_id=pick_incident(af),
        )
        file_reply(
            pk,
            complaint,
            "Our border posts returned fire only after coming under fire from the other side. "
            "No round was aimed at the village; we ask the joint team to examine the impact sites.",
        )
        case = open_case(
            mediator,
            title="Mortar fire on the village school",
            complaint_ids=complaint.rsplit("/", 1)[1],
            monitors="monitor",
        )
        add_evidence(
            af,
            case,
            url="https://example.org/photos/school-roof",
            description="Photographs of the damaged school roof, taken the next morning",
        )
        yield {"complaint": complaint, "case": case}
    finally:
        for context in contexts.values():
            context.close()


def _open(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    if response.status == 404 and path in ("/timeline", "/incidents", "/reports"):
        pytest.skip(f"{path} does not exist yet")
    assert response.status == 200, f"{path}: HTTP {response.status}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _open_first(page: Page, list_path: str) -> None:
    _open(page, list_path)
    page.locator("main table tbody tr").first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(re.escape(list_path) + r"/[^/?#]+$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize(
    ("name", "path", "heading"),
    [
        ("dashboard", "/", "Dashboard"),
        ("map", "/map", "Map"),
        ("timeline", "/timeline", "Timeline"),
        ("incidents", "/incidents", "Incidents"),
        ("documents", "/documents", "Documents"),
        ("complaints", "/complaints", "Complaints"),
        ("cases", "/cases", "Cases"),
        ("findings", "/findings", "Published findings"),
        ("reports", "/reports", "reports"),
        ("ledger", "/ledger", "Ledger"),
    ],
)
def test_screenshot_of_a_main_page(
    new_context: NewContext, shot: Shot, records: dict[str, str], name: str, path: str, heading: str
) -> None:
    page = new_context(user=MEDIATOR).new_page()
    _open(page, path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    if name == "map":
        expect(page.locator('#map[data-ready="true"]')).to_be_attached()
        expect(page.locator("#map .leaflet-overlay-pane path").first).to_be_attached()
    if name == "complaints":
        expect(
            page.get_by_role("row").filter(has_text="Mortar rounds fired from across the line")
        ).to_be_visible()
    if name == "cases":
        expect(page.get_by_role("link", name="Mortar fire on the village school")).to_be_visible()
    assert shot(page, name).stat().st_size > 10_000


@pytest.mark.parametrize(("name", "list_path"), [("document", "/documents"), ("incident", "/incidents")])
def test_screenshot_of_a_record_from_a_list(
    new_context: NewContext, shot: Shot, name: str, list_path: str
) -> None:
    page = new_context(user=MEDIATOR).new_page()
    _open_first(page, list_path)
    box = page.get_by_role("complementary", name="Ledger")
    box.get_by_role("button", name="Verify").click()  # the picture shows the browser's own check
    expect(box.get_by_role("status")).to_contain_text("Verified: This record is entry")
    assert shot(page, name).stat().st_size > 10_000


def test_screenshot_of_a_complaint_and_its_reply(
    new_context: NewContext, shot: Shot, records: dict[str, str]
) -> None:
    page = new_context(user=MEDIATOR).new_page()
    _open(page, records["complaint"])
    expect(page.locator("article.reply")).to_contain_text("Our border posts returned fire")
    assert shot(page, "complaint").stat().st_size > 10_000


def test_screenshot_of_a_case(new_context: NewContext, shot: Shot, records: dict[str, str]) -> None:
    page = new_context(user=MEDIATOR).new_page()
    _open(page, records["case"])
    expect(page.locator("table.evidence")).to_contain_text("damaged school roof")
    assert shot(page, "case").stat().st_size > 10_000


def test_screenshot_of_the_dashboard_on_a_phone(new_context: NewContext, shot: Shot) -> None:
    page = new_context(user=MEDIATOR, viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _open(page, "/")
    expect(page.get_by_role("button", name="Menu")).to_be_visible()  # the navigation is behind it
    assert shot(page, "dashboard-phone").stat().st_size > 10_000
