"""The pages work in a real browser under the Content-Security-Policy, and the policy stops inline script."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Error, expect

from tests.e2e.conftest import NewContext

pytestmark = pytest.mark.e2e

PAGES = [
    "/",
    "/map",
    "/timeline",
    "/incidents",
    "/documents",
    "/complaints",
    "/cases",
    "/findings",
    "/ledger",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_loads_without_a_policy_violation(new_context: NewContext, path: str) -> None:
    page = new_context(user="mediator-qatar").new_page()
    violations: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", note)
    response = page.goto(path)
    assert response is not None and response.status == 200
    if path == "/map":  # map.js and Leaflet ran: the policy admits the app's own scripts
        expect(page.locator('#map[data-ready="true"]')).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_an_injected_inline_script_does_not_run(new_context: NewContext) -> None:
    page = new_context().new_page()
    page.goto("/login")
    with pytest.raises(Error, match=re.compile("Content Security Policy|Refused", re.IGNORECASE)):
        page.add_script_tag(content="window.injected = true;")
    assert page.evaluate("window.injected === undefined")
