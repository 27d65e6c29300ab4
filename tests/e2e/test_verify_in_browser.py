"""Verify in the browser: the Verify button checks a record's entry and the log's checkpoint by itself
(WebCrypto), and says what failed when the data it is served was tampered with (Playwright's page.route)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import NewContext

pytestmark = pytest.mark.e2e

DOCUMENT = "/documents/seed-istanbul-talks"
VERIFICATION_API = "**/api/ledger/verification*"
Tamper = Callable[[Page], None]


def _flip_base64(text: str, at: int = 0) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[at] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def _with_another_commitment(entry_b64: str) -> str:
    """The entry stays well-formed canonical JSON; only its commitment's first hex digit changes."""
    entry = json.loads(base64.b64decode(entry_b64))
    digit = entry["commitment"][0]
    entry["commitment"] = ("1" if digit == "0" else "0") + entry["commitment"][1:]
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(canonical.encode()).decode()


def _serve_changed_json(page: Page, change: Callable[[dict[str, Any]], None]) -> None:
    def handle(route: Route) -> None:
        response = route.fetch()
        data = response.json()
        change(data)
        route.fulfill(response=response, json=data)

    page.route(VERIFICATION_API, handle)


def change_the_entry_on_the_page(page: Page) -> None:
    def handle(route: Route) -> None:
        response = route.fetch()
        html = response.text()
        shown = re.search(r'data-entry="([^"]+)"', html)
        assert shown is not None
        route.fulfill(response=response, body=html.replace(shown[1], _with_another_commitment(shown[1])))

    page.route("**" + DOCUMENT, handle)


def change_the_entry_the_api_serves(page: Page) -> None:
    def change(data: dict[str, Any]) -> None:
        data["entry"] = _with_another_commitment(data["entry"])

    _serve_changed_json(page, change)


def flip_a_proof_hash(page: Page) -> None:
    def change(data: dict[str, Any]) -> None:
        data["proof"][-1] = _flip_base64(data["proof"][-1])

    _serve_changed_json(page, change)


def flip_the_log_signature(page: Page) -> None:
    def change(data: dict[str, Any]) -> None:
        body, _, signatures = data["checkpoint"].rpartition("\n\n")
        first, *rest = signatures.split("\n")
        name, blob = first.removeprefix("\u2014 ").split(" ")
        first = f"\u2014 {name} {_flip_base64(blob, at=10)}"
        data["checkpoint"] = body + "\n\n" + "\n".join([first, *rest])

    _serve_changed_json(page, change)


def test_verify_on_a_record_page_checks_its_entry_in_the_browser(new_context: NewContext) -> None:
    page = new_context(user="mediator-qatar").new_page()
    page.goto(DOCUMENT)
    box = page.get_by_role("complementary", name="Ledger")
    box.get_by_role("button", name="Verify").click()
    result = box.get_by_role("status")
    expect(result).to_contain_text("Verified: This record is entry ")
    expect(result).to_contain_text("the log's signed checkpoint of ")
    expect(result).to_contain_text("includes it; signature by key ")
    expect(result).to_contain_text(" is valid.")
    expect(box.get_by_role("link", name="Check it offline")).to_have_attribute("href", "/ledger#offline")


@pytest.mark.parametrize(
    ("tamper", "failure"),
    [
        (change_the_entry_on_the_page, "lead to root"),
        (change_the_entry_the_api_serves, "the ledger API serves other bytes"),
        (flip_a_proof_hash, "lead to root"),
        (flip_the_log_signature, "is not valid"),
    ],
    ids=["entry-on-the-page", "entry-from-the-api", "audit-path", "signature"],
)
def test_verify_fails_when_the_served_data_was_tampered_with(
    new_context: NewContext, tamper: Tamper, failure: str
) -> None:
    page = new_context(user="mediator-qatar").new_page()
    tamper(page)
    page.goto(DOCUMENT)
    box = page.get_by_role("complementary", name="Ledger")
    box.get_by_role("button", name="Verify").click()
    result = box.get_by_role("status")
    expect(result).to_contain_text("Verification failed: ")
    expect(result).to_contain_text(failure)
    expect(result).not_to_contain_text("Verified")


def test_the_public_verifies_the_checkpoint_and_that_it_extends_the_one_it_saw_before(page: Page) -> None:
    page.goto("/ledger")
    section = page.locator(".verify")
    section.get_by_role("button", name="Verify").click()
    result = section.get_by_role("status")
    expect(result).to_contain_text("Verified: The log's checkpoint of ")
    expect(result).to_contain_text("the signature is valid. This browser had not checked this log before")

    # As if this browser had checked the log when it held two entries: the new checkpoint must extend it.
    log_key = page.request.get("/api/ledger/verification").json()["log_key"]
    old_root = page.request.get("/api/ledger/proof/consistency?old=2").json()["old_root"]
    remember = "([key, value]) => localStorage.setItem(key, value)"
    page.evaluate(
        remember, ["truceline.verified-checkpoint:" + log_key, json.dumps({"size": 2, "root": old_root})]
    )
    section.get_by_role("button", name="Verify").click()
    expect(result).to_contain_text("It extends the checkpoint of 2 entries this browser checked before.")

    forged = _flip_base64(old_root)
    page.evaluate(
        remember, ["truceline.verified-checkpoint:" + log_key, json.dumps({"size": 2, "root": forged})]
    )
    section.get_by_role("button", name="Verify").click()
    expect(result).to_contain_text("Verification failed: the log of ")
    expect(result).to_contain_text("does not extend the one of 2 entries this browser checked before")
