"""End-to-end set-up: a live Truceline server over the demo data, and headless Chromium driving it.

Fixtures and helpers for the browser tests (mark each module with ``pytestmark = pytest.mark.e2e``):

- ``live_server`` (session): the base URL, e.g. ``http://127.0.0.1:41234``, of ``truceline serve`` running in a
  subprocess over a fresh SQLite database in a temporary ``TRUCELINE_HOME``, loaded with ``truceline init --demo``
  (the scenario, demo reports, extracted claims, incidents and the demo users, password ``truceline-demo``).
  The database is shared by every test of the session: give what a test files a unique text (``unique``).
- ``browser`` (session): Debian's Chromium (``/usr/bin/chromium``, installed by ``make chromium``), headless.
- ``new_context(**options)``: a fresh browser context (own cookies) whose ``base_url`` is the live server;
  default viewport ``LAPTOP`` (1366x900); pass ``viewport=PHONE`` for a 390x844 phone. Closed after the test.
- ``page``: a page in a fresh laptop-sized context; ``page.goto("/complaints")`` works.
- ``login(page, username)``: signs in through the real /login form and waits for the dashboard.
- ``shot(page, name)``: saves a full-page PNG ``<name>.png`` in ``$TRUCELINE_SCREENSHOTS`` (``make screenshots``
  sets it to docs/screenshots) or, by default, in a pytest temporary directory, so that an ordinary test run
  does not touch the repository.
- ``unique(prefix)``: a text no other test or run will use, to find what a test filed.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
DEMO_PASSWORD = "truceline-demo"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SERVER_START_TIMEOUT_S = 90.0

Login = Callable[[Page, str], None]
Shot = Callable[[Page, str], Path]
NewContext = Callable[..., BrowserContext]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of `truceline serve` over a fresh demo database (SQLite), stopped at the end of the session."""
    root = tmp_path_factory.mktemp("e2e-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUCELINE_")}
    env["TRUCELINE_HOME"] = str(root / "home")
    log = root / "server.log"
    init = subprocess.run(
        [sys.executable, "-m", "truceline", "init", "--demo"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if init.returncode != 0:
        pytest.fail(f"`truceline init --demo` failed ({init.returncode}):\n{init.stderr[-3000:]}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "truceline", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`truceline serve` exited with {proc.returncode}:\n{_tail(log)}")
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`truceline serve` did not answer on {url} in {SERVER_START_TIMEOUT_S:.0f} s:\n{_tail(log)}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium (`playwright install` is not used: the browser comes from the OS)."""
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: run `make chromium` (apt-get install chromium)")
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server: str) -> Iterator[NewContext]:
    """Factory of fresh browser contexts on the live server (each with its own cookies), closed after the test."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", LAPTOP)
        context = browser.new_context(base_url=live_server, **options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    """A page in a fresh laptop-sized (1366x900) context; relative URLs go to the live server."""
    return new_context().new_page()


def _login(page: Page, username: str) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("header .who")).to_contain_text(username)


@pytest.fixture
def login() -> Login:
    """`login(page, "liaison-pk")`: sign a demo user in with the real form (each context holds one user)."""
    return _login


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """$TRUCELINE_SCREENSHOTS (set by `make screenshots`), else a temporary directory."""
    configured = os.environ.get("TRUCELINE_SCREENSHOTS", "")
    target = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def shot(screenshot_dir: Path) -> Shot:
    """`shot(page, "dashboard")`: save a full-page PNG named dashboard.png; returns its path."""

    def take(page: Page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        return path

    return take


@pytest.fixture
def unique() -> Callable[[str], str]:
    """`unique("Shelling at Torkham")` -> "Shelling at Torkham e2e-3fa9c1d2": text no other test files."""
    return lambda prefix: f"{prefix} e2e-{secrets.token_hex(4)}"
