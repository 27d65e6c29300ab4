"""Accessibility and phone use of the main pages: labels, keyboard, contrast, no sideways scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.checks import horizontal_overflow, low_contrast_text, unlabelled_controls
from tests.e2e.conftest import PHONE, NewContext

pytestmark = pytest.mark.e2e

MAIN_PAGES = [
    "/",
    "/map",
    "/documents",
    "/complaints",
    "/cases",
    "/findings",
    "/ledger",
    "/login",
    "/notices",
]
# Pages other parts of the desk add; skipped while they answer 404, checked as soon as they exist.
NEWER_PAGES = ["/timeline", "/incidents", "/reports"]
PAGES = MAIN_PAGES + NEWER_PAGES
MEDIATOR = "mediator-qatar"  # sees the most: every menu entry, most forms


def _open(new_context: NewContext, path: str, user: str | None = MEDIATOR, **options: object) -> Page:
    """The page at `path`, signed in as `user` (signed out for /login), after its scripts settled."""
    page = new_context(user=None if path == "/login" else user, **options).new_page()
    response = page.goto(path)
    assert response is not None
    if response.status == 404 and path in NEWER_PAGES:
        pytest.skip(f"{path} does not exist yet")
    assert response.status == 200, f"{path}: HTTP {response.status}"
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    if path == "/map":
        expect(page.locator('#map[data-ready="true"]')).to_be_attached()
    return page


@pytest.mark.parametrize("path", PAGES)
def test_page_has_a_language_a_title_one_heading_and_landmarks(new_context: NewContext, path: str) -> None:
    page = _open(new_context, path)
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^[a-z]{2}"))
    expect(page).to_have_title(re.compile(r"\S"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


@pytest.mark.parametrize("user", [MEDIATOR, "liaison-af"])
@pytest.mark.parametrize("path", PAGES)
def test_every_form_control_has_an_accessible_name(new_context: NewContext, path: str, user: str) -> None:
    page = _open(new_context, path, user)
    assert unlabelled_controls(page) == []


@pytest.mark.parametrize("path", PAGES)
def test_text_contrast_meets_wcag_aa(new_context: NewContext, path: str) -> None:
    """Body text and the header's links against their backgrounds: 4.5:1 (3:1 for large text)."""
    page = _open(new_context, path)
    assert low_contrast_text(page) == []


@pytest.mark.parametrize("path", PAGES)
def test_first_tab_is_the_skip_link_and_it_leads_into_main(new_context: NewContext, path: str) -> None:
    page = _open(new_context, path)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when focused, hidden otherwise
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    expect(page.locator("main :focus")).to_have_count(1)  # the next stop is inside main, past the menu
    expect(page.locator("header :focus")).to_have_count(0)


@pytest.mark.parametrize("path", PAGES)
def test_no_sideways_scrolling_on_a_phone(new_context: NewContext, path: str) -> None:
    page = _open(new_context, path, viewport=PHONE, is_mobile=True, has_touch=True)
    measured = horizontal_overflow(page)
    assert measured["scrollWidth"] <= measured["innerWidth"] + 1, measured


def test_menu_and_buttons_are_big_enough_to_tap_on_a_phone(new_context: NewContext) -> None:
    page = _open(new_context, "/", viewport=PHONE, is_mobile=True, has_touch=True)
    page.get_by_role("button", name="Menu").click()  # the navigation is behind it on a phone
    targets = page.locator("header nav a, header button, main button")
    assert targets.count() > 5
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        assert box is not None
        name = targets.nth(i).inner_text()
        assert box["height"] >= 43.5, f"{name!r} is {box['height']:.0f} px high; a finger needs 44"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, f"{name!r} is off the screen"
