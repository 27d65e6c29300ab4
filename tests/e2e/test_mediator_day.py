"""A mediator's day: triage a claim, open a case on a party's complaint, reach and adopt a signed finding,
publish it, and find it on the map, today's dashboard (not a past day's), the timeline and the report."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext, Shot
from tests.e2e.flows import file_complaint, open_case
from truceline.ledger.keystore import load_signer

pytestmark = pytest.mark.e2e

PAKISTAN = "Islamic Republic of Pakistan"


def located_incident(page: Page) -> tuple[str, date]:
    """An incident whose place is known to a town (so it is drawn on the map), and its date."""
    collection = page.request.get("/api/map/incidents").json()
    towns = [f["properties"] for f in collection["features"] if f["properties"]["precision"] == 1]
    chosen = max(towns, key=lambda p: (p["date"], p["id"]))
    return chosen["id"], date.fromisoformat(chosen["date"])


def sign_as(page: Page, mediator: str, case_path: str, key_dir: Path) -> None:
    """Sign the proposed finding with the mediator's own key, the way a mediator does: the page shows the
    bytes to sign, the key (never on the server's pages) signs them, the signature goes into the form."""
    page.goto(case_path)
    message = base64.b64decode(page.get_by_label("Bytes to sign, base64").input_value())
    signature = base64.b64encode(load_signer(key_dir / f"{mediator}.key").sign(message)).decode()
    page.get_by_label("Your Ed25519 signature").fill(signature)
    page.get_by_role("button", name="Add signature").click()
    expect(page.locator("table").filter(has_text="Signed by")).to_contain_text(mediator)


def test_a_mediator_s_day(
    new_context: NewContext, shot: Shot, unique: Callable[[str], str], demo_keys: Path
) -> None:
    party = new_context(user="liaison-af").new_page()
    incident, day = located_incident(party)
    summary = unique("Artillery fire from across the line hit houses")
    complaint = file_complaint(party, against=PAKISTAN, clauses="C1", summary=summary, incident_id=incident)

    qatar = new_context(user="mediator-qatar").new_page()
    # Morning: the intake queue. Accept the first extracted claim.
    qatar.goto("/review")
    first = qatar.locator("section.claim").first
    claim_id = first.locator("dd").first.inner_text()
    first.get_by_role("button", name="Accept").click()
    expect(qatar).to_have_url(re.compile(r"/review$"))
    expect(qatar.get_by_text(claim_id, exact=True)).to_have_count(0)

    # The complaint becomes a case; the investigation starts; a finding is proposed.
    case = open_case(
        qatar, title=unique("Artillery fire on houses"), complaint_ids=complaint.rsplit("/", 1)[1]
    )
    qatar.get_by_label("Move to").select_option("investigating")
    qatar.get_by_role("button", name="Change status").click()
    expect(qatar.locator("main")).to_contain_text("investigating")
    qatar.get_by_label("Verdict").select_option("violation_confirmed")
    qatar.get_by_label("Responsible party").select_option("PK")
    qatar.get_by_label("Responsible as").select_option("forces")
    qatar.get_by_label("Clauses (ids, comma-separated)").fill("C1")
    rationale = unique("Crater analysis and two independent witnesses place the firing point across the line")
    qatar.get_by_label("Rationale").fill(rationale)
    qatar.get_by_role("button", name="Propose finding").click()
    expect(qatar).to_have_url(re.compile(re.escape(case) + "$"))

    # Both mediators sign (the quorum is 2 of 2); then it is adopted and published.
    sign_as(qatar, "mediator-qatar", case, demo_keys)
    turkiye = new_context(user="mediator-turkiye").new_page()
    sign_as(turkiye, "mediator-turkiye", case, demo_keys)
    qatar.goto(case)
    qatar.get_by_role("button", name=re.compile("^Adopt")).click()
    expect(qatar.locator("main")).to_contain_text("adopted")
    finding_link = qatar.locator("table").filter(has_text="Signed by").get_by_role("link").first
    finding_id = finding_link.inner_text()
    shot(qatar, "case-finding-adopted")
    qatar.get_by_role("button", name="Publish").click()
    expect(qatar).to_have_url(re.compile(r"/findings$"))
    expect(qatar.locator(f'main a[href^="/findings/{finding_id}"]')).to_have_count(1)
    expect(qatar.locator("main")).to_contain_text(rationale)

    # The incident is now a confirmed violation on the map...
    qatar.goto("/map?status=violation_confirmed")
    expect(qatar.locator('#map[data-ready="true"]')).to_have_count(1)
    expect(qatar.locator("#map-status")).to_contain_text("1 incident(s) shown")
    shot(qatar, "map-confirmed")
    qatar.goto(f"/incidents/{incident}")
    expect(qatar.locator("#incident-status")).to_have_text("violation confirmed")
    # ... on today's dashboard; the desk of the week after the incident, before the finding existed, still
    # shows it as it stood then: the finding adopted today does not rewrite that day.
    qatar.goto("/")
    expect(qatar.locator("#days-since")).to_have_text(str((date.today() - day).days))
    expect(qatar.locator("main")).to_contain_text(f"since the last confirmed violation ({day})")
    qatar.goto(f"/?at={day + timedelta(days=3)}")
    expect(qatar.locator("#as-of")).to_contain_text(str(day + timedelta(days=3)))
    expect(qatar.locator("main")).not_to_contain_text("since the last confirmed violation")
    # ... on the timeline, and in this week's report, which the public can read too.
    qatar.goto("/timeline?kind=finding")
    expect(qatar.locator(f'a[href="/findings/{finding_id}"]')).to_have_count(1)
    today = date.today()  # the report's findings are those adopted or published in its period
    public = new_context().new_page()
    public.goto(f"/reports/view?from={today - timedelta(days=6)}&to={today}")
    expect(public.locator("main, body").first).to_contain_text(finding_id)
    shot(public, "report")
    public.goto(f"/findings/{finding_id}")
    expect(public.locator("main")).to_contain_text(rationale)
    # ... and checks, in its own browser, that the published finding is in the signed log.
    ledger_box = public.get_by_role("complementary", name="Ledger")
    ledger_box.get_by_role("button", name="Verify").click()
    expect(ledger_box.get_by_role("status")).to_contain_text("Verified: This record is entry ")
    expect(ledger_box.get_by_role("status")).to_contain_text("includes it; signature by key ")
