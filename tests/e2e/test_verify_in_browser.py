"""Verify in the browser: the Verify button checks a record's entry and the log's checkpoint by itself
(WebCrypto), and says what failed when the data it is served was tampered with (Playwright's page.route)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import NewContext
from truceline.ledger import merkle
from truceline.ledger.encoding import LedgerEntry

pytestmark = pytest.mark.e2e

DOCUMENT = "/documents/seed-istanbul-talks"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"
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


def _docs_example() -> tuple[str, list[dict[str, Any]], str]:
    """The example log of docs/ledger.md §8: its log key, its entry lines and its checkpoint of size 3."""
    docs = DOCS.read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```\n(.*?)```", docs, flags=re.DOTALL) if b.startswith('{"format"'))
    lines = [json.loads(line) for line in block.splitlines()]
    log_key = re.search(r"log key \(vkey\): `([^`]+)`", docs)
    assert log_key is not None
    notes = [line["note"] for line in lines if line["type"] == "checkpoint"]
    return log_key[1], [line for line in lines if line["type"] == "entry"], notes[-1]


@pytest.mark.parametrize("seq", [0, 1, 2])
def test_the_browser_computes_what_the_python_verifier_computes_on_the_docs_example(
    page: Page, seq: int
) -> None:
    """A page and an API answer made from the spec's example log (its own key, not this server's): the script
    gets the leaf hashes the spec states and accepts the proofs `truceline.ledger.merkle` makes."""
    log_key, entries, note = _docs_example()
    logged = [LedgerEntry.from_json(line["entry"]) for line in entries]
    assert [e.leaf_hash().hex() for e in logged] == [line["leaf_hash"] for line in entries]
    proof = merkle.inclusion_proof([e.leaf_hash() for e in logged], seq, 3)
    entry = logged[seq]
    answer = {
        "log_key": log_key,
        "checkpoint": note,
        "checkpoint_time": entries[-1]["entry"]["time"],
        "tree_size": 3,
        "seq": seq,
        "entry": None,
        "proof": [base64.b64encode(h).decode() for h in proof],
    }
    html = (
        '<!doctype html><html lang="en"><title>Known answer</title><main>'
        f'<div class="verify" data-seq="{seq}" data-kind="{entry.kind}" data-record-id="{entry.record_id}" '
        f'data-entry="{base64.b64encode(entry.to_bytes()).decode()}">'
        '<button type="button" hidden>Verify</button>'
        '<p class="verify-result" role="status"></p></div>'
        '<script src="/static/js/verify.js"></script></main></html>'
    )
    page.route("**/known-answer", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.route(VERIFICATION_API, lambda route: route.fulfill(json=answer))
    page.goto("/known-answer")
    page.get_by_role("button", name="Verify").click()
    result = page.get_by_role("status")
    expect(result).to_contain_text(
        f"Verified: This record is entry {seq} of the log (leaf hash {entries[seq]['leaf_hash']}); "
        "the log's signed checkpoint of 2025-10-25T09:45:12.250000Z (3 entries) includes it; "
        "signature by key truceline.example/ledger+05db6dde is valid."
    )
