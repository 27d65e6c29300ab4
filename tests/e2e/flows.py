"""Steps of the workflow done the way a person does them: through the pages' own forms.

Each step waits for the page the form leads to and returns the path of what it created, so a test can
come back to it. They are shared by the party's day, the screenshots and the mediator's day.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect


def path_of(page: Page) -> str:
    """The path of the page's current URL, e.g. /complaints/CMP-1."""
    return urlsplit(page.url).path


def pick_incident(page: Page, row: int = 0) -> str:
    """Open the incident in the given row of /incidents (newest first); returns its id, read from the URL."""
    page.goto("/incidents")
    page.locator("table#incidents tbody tr").nth(row).get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/incidents/[^/?#]+$"))
    return path_of(page).rsplit("/", 1)[1]


def file_complaint(page: Page, *, against: str, clauses: str, summary: str, incident_id: str) -> str:
    """As a party: file a complaint about an incident on /complaints; returns the complaint's path."""
    page.goto("/complaints")
    form = page.locator("form", has=page.get_by_role("button", name="File complaint"))
    form.get_by_label("Accused party").select_option(label=against)
    form.get_by_label("Clauses breached").fill(clauses)
    form.get_by_label("Incident id").fill(incident_id)
    form.get_by_label("Summary").fill(summary)
    form.get_by_role("button", name="File complaint").click()
    expect(page).to_have_url(re.compile(r"/complaints/[^/?#]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Complaint")
    return path_of(page)


def file_reply(page: Page, complaint_path: str, text: str) -> None:
    """As the accused party: file the right of reply on the complaint's page."""
    page.goto(complaint_path)
    page.get_by_label("Your reply").fill(text)
    page.get_by_role("button", name="File reply").click()
    expect(page).to_have_url(re.compile(re.escape(complaint_path) + "$"))
    expect(page.locator("article.reply")).to_contain_text(text)


def open_case(page: Page, *, title: str, complaint_ids: str = "", monitors: str = "") -> str:
    """As a mediator: open a case on /cases; returns the case's path."""
    page.goto("/cases")
    form = page.locator("form", has=page.get_by_role("button", name="Open case"))
    form.get_by_label("Title").fill(title)
    form.get_by_label("Complaint ids").fill(complaint_ids)
    form.get_by_label("Monitors").fill(monitors)
    form.get_by_role("button", name="Open case").click()
    expect(page).to_have_url(re.compile(r"/cases/[^/?#]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return path_of(page)


def add_evidence(
    page: Page, case_path: str, *, url: str, description: str, confidential: bool = False
) -> None:
    """On a case page: add a URL as evidence, confidential or not; waits until it is listed."""
    page.goto(case_path)
    form = page.locator("form", has=page.get_by_role("button", name="Add evidence"))
    form.get_by_label("or a URL").fill(url)
    form.get_by_label("Description").fill(description)
    form.get_by_label("Confidential").set_checked(confidential)
    form.get_by_role("button", name="Add evidence").click()
    expect(page).to_have_url(re.compile(re.escape(case_path) + "$"))
    expect(page.locator("table.evidence")).to_contain_text(description)
