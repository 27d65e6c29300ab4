"""A party's day: file a complaint, reply to one, and see only what a party may see."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Login, NewContext
from tests.e2e.flows import add_evidence, file_complaint, file_reply, open_case, pick_incident

pytestmark = pytest.mark.e2e

PAKISTAN = "Islamic Republic of Pakistan"


def _party_page(new_context: NewContext, login: Login, username: str) -> Page:
    page = new_context().new_page()
    login(page, username)
    return page


def test_a_party_files_a_complaint_and_the_accused_side_replies(
    new_context: NewContext, login: Login, unique: Callable[[str], str]
) -> None:
    af = _party_page(new_context, login, "liaison-af")
    incident = pick_incident(af)  # a party reads the incidents and complains about one
    incident_page = af.url
    summary = unique("Mortar rounds fired across the line hit a school near Spin Boldak")
    complaint = file_complaint(af, against=PAKISTAN, clauses="C2, C7", summary=summary, incident_id=incident)
    expect(af.get_by_role("link", name=incident)).to_be_visible()
    expect(af.locator(".lede")).to_contain_text("alleges that")
    expect(af.get_by_text(summary)).to_be_visible()
    expect(af.locator(".reply-status")).to_contain_text("Open")
    expect(af.get_by_label("Your reply")).to_have_count(0)  # the complainant does not answer itself

    af.goto("/complaints")
    row = af.get_by_role("row").filter(has_text=summary)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("AF")
    expect(row.get_by_role("cell").nth(2)).to_have_text("PK")
    af.goto(incident_page)  # the incident's page lists the complaints about it
    expect(af.get_by_role("listitem").filter(has_text=summary)).to_have_count(1)

    pk = _party_page(new_context, login, "liaison-pk")
    pk.goto("/complaints")
    pk.get_by_role("row").filter(has_text=summary).get_by_role("link").click()
    expect(pk).to_have_url(re.compile(re.escape(complaint) + "$"))
    expect(pk.locator(".reply-status")).to_contain_text("may reply until")
    reply = unique("Our posts returned fire only after being fired upon; no school was hit")
    file_reply(pk, complaint, reply)
    expect(pk.locator(".reply-status")).to_contain_text("Answered")
    expect(pk.locator("article.reply h3")).to_contain_text("replied")
    expect(pk.get_by_label("Your reply")).to_have_count(0)  # one answer; a correction supersedes it

    af.goto(complaint)
    expect(af.locator("article.reply")).to_contain_text(reply)
    expect(af.locator(".reply-status")).to_contain_text("Answered")
    # The complainant checks, in its own browser, that the reply it reads is the one in the signed log.
    ledger_box = af.get_by_role("complementary", name="Ledger: this reply")
    ledger_box.get_by_role("button", name="Verify").click()
    expect(ledger_box.get_by_role("status")).to_contain_text("Verified: This record is entry ")


def _unread(page: Page) -> int:
    """The unread count in the header (no badge: none unread)."""
    page.goto("/")
    badge = page.locator("header #unread-count")
    return int(badge.inner_text()) if badge.count() else 0


def test_a_complaint_against_a_party_reaches_its_inbox_with_the_deadline_and_it_replies(
    new_context: NewContext, login: Login, unique: Callable[[str], str]
) -> None:
    pk = _party_page(new_context, login, "liaison-pk")
    before = _unread(pk)
    af = _party_page(new_context, login, "liaison-af")
    summary = unique("Sniper fire at the Torkham gate injured two porters")
    complaint = file_complaint(
        af, against=PAKISTAN, clauses="C2", summary=summary, incident_id=pick_incident(af)
    )
    complaint_id = complaint.rsplit("/", 1)[1]

    assert _unread(pk) == before + 1  # the header counts the new notice
    pk.locator("header").get_by_role("link", name=re.compile("^Inbox")).click()
    expect(pk).to_have_url(re.compile(r"/notices$"))
    row = pk.get_by_role("row").filter(has_text=complaint_id)
    expect(row).to_contain_text(f"Complaint {complaint_id} against Pakistan: reply by")
    expect(row).to_contain_text("No cross-border fire")  # the clause by its title
    expect(row).not_to_contain_text(summary)  # the complainant's words stay on the complaint's page
    row.get_by_role("button", name="Mark read").click()
    expect(pk).to_have_url(re.compile(r"/notices$"))
    expect(pk.get_by_role("row").filter(has_text=complaint_id)).to_contain_text("by liaison-pk")
    assert _unread(pk) == before

    pk.goto("/notices")
    pk.get_by_role("row").filter(has_text=complaint_id).get_by_role(
        "link", name=f"Complaint {complaint_id}"
    ).click()
    expect(pk).to_have_url(re.compile(re.escape(complaint) + "$"))
    expect(pk.locator(".notified")).to_contain_text("Pakistan was notified")
    reply = unique("No Pakistani post fired at the gate that day")
    file_reply(pk, complaint, reply)
    expect(pk.locator(".reply-status")).to_contain_text("Answered")
    af.goto("/notices")  # the complainant's inbox does not hold the accused party's notice
    expect(af.get_by_role("row").filter(has_text=complaint_id)).to_have_count(0)


def test_the_incident_list_names_no_one_responsible_without_a_finding(new_context: NewContext) -> None:
    pk = new_context(user="liaison-pk").new_page()
    pk.goto("/incidents")
    table = pk.locator("table#incidents")
    expect(table.get_by_role("columnheader", name="Responsible (finding)")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Alleged")).to_be_visible()
    expect(pk.locator("main")).not_to_contain_text("Attributed to")
    expect(
        table.locator("td.allegations").filter(has_text=re.compile(r"alleged by .+ against "))
    ).not_to_have_count(0)


def test_the_desk_of_a_day_before_anything_was_recorded_is_empty(new_context: NewContext) -> None:
    """The demo was recorded today: as the record stood at the end of yesterday, there was nothing."""
    yesterday = date.today() - timedelta(days=1)
    pk = new_context(user="liaison-pk").new_page()
    pk.goto("/")
    today_count = int(pk.locator("#count-incidents").inner_text())
    pk.get_by_label("As of").fill(str(yesterday))
    pk.get_by_role("button", name="Show").click()
    expect(pk).to_have_url(re.compile(rf"/\?at={yesterday}$"))
    expect(pk.locator("#as-of")).to_contain_text(str(yesterday))
    expect(pk.locator("#count-incidents")).to_have_text("0")
    assert today_count > 0
    pk.goto(f"/incidents?at={yesterday}")
    expect(pk.locator("h1")).to_have_text("Incidents (0)")


def test_a_party_sees_its_own_confidential_evidence_but_never_the_other_sides(
    new_context: NewContext, login: Login, unique: Callable[[str], str]
) -> None:
    af = _party_page(new_context, login, "liaison-af")
    summary = unique("Drone strike on a house in Barmal district")
    complaint = file_complaint(
        af, against=PAKISTAN, clauses="C3", summary=summary, incident_id=pick_incident(af, row=1)
    )
    mediator = new_context(user="mediator-qatar").new_page()
    case = open_case(
        mediator, title=unique("Drone strike in Barmal"), complaint_ids=complaint.rsplit("/", 1)[1]
    )

    af_open = unique("Video of the strike posted by residents")
    af_secret = unique("Names of the witnesses who saw the drone")
    add_evidence(af, case, url="https://example.org/af/video", description=af_open)
    add_evidence(af, case, url="https://example.org/af/witnesses", description=af_secret, confidential=True)
    pk = _party_page(new_context, login, "liaison-pk")
    pk_secret = unique("Flight logs of the sector that day")
    add_evidence(pk, case, url="https://example.org/pk/logs", description=pk_secret, confidential=True)

    pk.goto(case)
    evidence = pk.locator("table.evidence")
    expect(evidence).to_contain_text(pk_secret)
    expect(evidence).to_contain_text(af_open)
    expect(evidence).not_to_contain_text(af_secret)
    expect(pk.get_by_text("example.org/af/witnesses")).to_have_count(0)

    af.goto(case)
    evidence = af.locator("table.evidence")
    expect(evidence).to_contain_text(af_secret)
    expect(evidence).to_contain_text(af_open)
    expect(evidence).not_to_contain_text(pk_secret)

    mediator.goto(case)  # the mediators see every item
    for text in (af_open, af_secret, pk_secret):
        expect(mediator.locator("table.evidence")).to_contain_text(text)


def test_a_party_has_no_review_queue_nor_the_secretariats_tools(new_context: NewContext) -> None:
    pk = new_context(user="liaison-pk").new_page()
    pk.goto("/")
    nav = pk.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Complaints")).to_be_visible()
    expect(nav.get_by_role("link", name="Cases")).to_be_visible()
    for hidden in ("Review", "Alerts"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)

    for path in ("/review", "/alerts"):
        response = pk.goto(path)
        assert response is not None and response.status == 403, path
        expect(pk.get_by_role("heading", level=1)).to_have_text("403")
        expect(pk.get_by_role("alert")).to_contain_text("may not")


@pytest.mark.parametrize("path", ["/complaints", "/cases", "/documents", "/review", "/notifications"])
def test_the_public_is_sent_to_sign_in_for_protected_pages(page: Page, path: str) -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next=" + re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Username")).to_be_visible()


def test_the_public_reads_the_dashboard_and_published_findings_without_signing_in(page: Page) -> None:
    for path, heading in (("/", "Dashboard"), ("/findings", "Published findings")):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    nav = page.get_by_role("navigation", name="Main")
    for hidden in ("Documents", "Complaints", "Cases", "Review"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    expect(page.locator("header").get_by_role("link", name="Sign in")).to_be_visible()
