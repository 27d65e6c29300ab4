"""Layout: the map fills a laptop's window beside its filters; the header's navigation is one line at 1280 px
and a menu on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.conftest import PHONE, NewContext

pytestmark = pytest.mark.e2e

SMALL_LAPTOP: ViewportSize = {"width": 1280, "height": 800}
MEDIATOR = "mediator-qatar"  # the longest menu


def _map(page: Page) -> None:
    page.goto("/map")
    expect(page.locator('#map[data-ready="true"]')).to_be_attached()


def _line_height_px(page: Page, selector: str) -> float:
    return float(page.locator(selector).first.evaluate("e => e.getBoundingClientRect().height"))


def test_the_map_fills_a_1280_by_800_window_beside_its_filters(new_context: NewContext) -> None:
    page = new_context(user=MEDIATOR, viewport=SMALL_LAPTOP).new_page()
    _map(page)
    box = page.locator("#map").bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= SMALL_LAPTOP["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL_LAPTOP["width"], box
    assert box["width"] >= 800 and box["height"] >= 560, box  # most of the window, not a strip
    filters = page.get_by_role("form", name="Filter incidents")
    expect(filters).to_be_in_viewport()
    assert (filters.bounding_box() or {"x": 1e9})["x"] < box["x"]  # the panel is beside the map, not above

    page.get_by_text("Filters and legend").click()  # the panel collapses and the map takes the room
    expect(filters).to_be_hidden()
    wider = page.locator("#map").bounding_box()  # layout follows the toggle at once; no wait needed
    assert wider is not None and wider["width"] > box["width"] + 100, (wider, box)


def test_the_header_navigation_is_one_line_at_1280_px(new_context: NewContext) -> None:
    page = new_context(user=MEDIATOR, viewport=SMALL_LAPTOP).new_page()
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="API")).to_be_visible()
    assert nav.get_by_role("link").count() >= 14
    link_height = _line_height_px(page, "header.top nav a")
    nav_box = nav.bounding_box()
    assert nav_box is not None and nav_box["height"] < 1.5 * link_height, (nav_box, link_height)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()


def test_on_a_phone_the_navigation_is_behind_a_menu_button(new_context: NewContext) -> None:
    page = new_context(user=MEDIATOR, viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Cases")).to_be_visible()
    nav.get_by_role("link", name="Cases").click()
    expect(page).to_have_url(re.compile(r"/cases$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_on_a_phone_the_map_panel_starts_closed_above_the_map(new_context: NewContext) -> None:
    page = new_context(user=MEDIATOR, viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    _map(page)
    expect(page.get_by_role("form", name="Filter incidents")).to_be_hidden()
    expect(page.locator("#map")).to_be_in_viewport()
    page.get_by_text("Filters and legend").click()
    expect(page.get_by_role("form", name="Filter incidents")).to_be_visible()
