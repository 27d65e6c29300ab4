"""End-to-end set-up: a live Truceline server over the demo data, and headless Chromium driving it.

Fixtures for the browser tests (mark each module `pytestmark = pytest.mark.e2e`); see docs/testing.md.

Fixtures marked (package) live while tests/e2e runs and are torn down when it is done.

- `live_server` (package): the base URL, e.g. `http://127.0.0.1:41234`, of `truceline serve` running in
  a subprocess over a fresh SQLite database in a temporary TRUCELINE_HOME, loaded by `truceline init --demo`
  (scenario, demo reports, extracted claims, incidents, demo users with password `truceline-demo`).
  All the browser tests share it: make what a test files findable with `unique`.
- `browser` (package): Debian's Chromium (/usr/bin/chromium, installed by `make chromium`), headless.
- `new_context(user=None, **options)`: a fresh browser context (its own cookies) whose `base_url` is the
  live server, closed after the test; `user="liaison-pk"` starts it signed in as that demo user.
  The viewport is LAPTOP (1366x900) unless `viewport=PHONE` (390x844) is given.
- `page`: a page in a fresh, signed-out laptop context; `page.goto("/complaints")` works.
- `login(page, username)`: signs a demo user in through the real /login form, waits for the dashboard.
- `shot(page, name)`: saves a full-page PNG `<name>.png` in $TRUCELINE_SCREENSHOTS (`make screenshots`
  sets it to docs/screenshots), by default in a pytest temporary directory: test runs leave the tree alone.
- `unique(text)`: `text` plus a reference no other test or run uses, to find what a test filed.

tests/e2e/flows.py has the workflow steps done through the pages' forms (file a complaint, reply, open a
case, add evidence); tests/e2e/checks.py the accessibility measurements.
"""

from __future__ import annotations

import os
import re
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
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

# On a 2-core machine running two test workers (one of them with this browser), a page's scripts can take
# longer than Playwright's 5 s default to run: waiting longer changes nothing a test asserts, only how long
# it waits before saying no.
expect.set_options(timeout=20_000)

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
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
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


@pytest.fixture(scope="package")
def live_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TRUCELINE_HOME of the live server (its database, log key and the demo mediators' signing keys)."""
    return tmp_path_factory.mktemp("e2e-server") / "home"


@pytest.fixture(scope="package")
def demo_keys(live_home: Path, live_server: str) -> Path:
    """The folder of the demo mediators' finding-signing keys, `<username>.key` (made by `init --demo`)."""
    return live_home / "keys" / "demo"


@pytest.fixture(scope="package")
def live_server(live_home: Path) -> Iterator[str]:
    """Base URL of `truceline serve` over a fresh demo database (SQLite); stopped after tests/e2e."""
    root = live_home.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUCELINE_")}
    env["TRUCELINE_HOME"] = str(live_home)
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
                waited = f"{SERVER_START_TIMEOUT_S:.0f} s"
                pytest.fail(f"`truceline serve` did not answer on {url} in {waited}:\n{_tail(log)}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium (`playwright install` is not used: the browser comes from the OS)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Chromium at {CHROMIUM}: run `make chromium` (apt-get install chromium)"
        )
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _login(page: Page, username: str) -> None:
    page.goto("/login")
    form = page.locator("main form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header .who")).to_contain_text(username)


@pytest.fixture
def login() -> Login:
    """`login(page, "liaison-pk")`: sign a demo user in with the real /login form, wait for the dashboard."""
    return _login


@pytest.fixture(scope="package")
def signed_in_state(
    browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Path]:
    """`signed_in_state(username)`: the cookies of one real sign-in per user, as a file.

    `new_context(user=...)` uses it; a module-scoped fixture can give it to `browser.new_context`
    as `storage_state=`.
    """
    root = tmp_path_factory.mktemp("signed-in")
    states: dict[str, Path] = {}

    def state(username: str) -> Path:
        if username not in states:
            context = browser.new_context(base_url=live_server, viewport=LAPTOP)
            try:
                _login(context.new_page(), username)
                states[username] = root / f"{username}.json"
                context.storage_state(path=str(states[username]))
            finally:
                context.close()
        return states[username]

    return state


@pytest.fixture
def new_context(
    browser: Browser, live_server: str, signed_in_state: Callable[[str], Path]
) -> Iterator[NewContext]:
    """`new_context(user=None, **options)`: a fresh browser context on the live server, closed after the test.

    `user="mediator-qatar"` starts it signed in as that demo user (a session made once through /login and
    reused; do not sign it out — use `login(page, user)` in a plain context for that). Other options go to
    Playwright's `browser.new_context`; the viewport defaults to LAPTOP, pass `viewport=PHONE` for a phone.
    """
    made: list[BrowserContext] = []

    def make(user: str | None = None, **options: Any) -> BrowserContext:
        options.setdefault("viewport", LAPTOP)
        if user is not None:
            options["storage_state"] = str(signed_in_state(user))
        context = browser.new_context(base_url=live_server, **options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    """A page in a fresh, signed-out, laptop-sized (1366x900) context; `page.goto("/complaints")` works."""
    return new_context().new_page()


@pytest.fixture(scope="package")
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
    """`unique("Shelling near Torkham")` -> "Shelling near Torkham (ref. 3fa9c1d2)", unused elsewhere."""
    return lambda text: f"{text} (ref. {secrets.token_hex(4)})"
