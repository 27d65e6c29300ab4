"""X-Forwarded-For and X-Forwarded-Proto are believed only from the proxies the settings trust."""

from __future__ import annotations

from ipaddress import ip_network
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from truceline.runtime import Runtime
from truceline.users.token_models import AuthEvent
from truceline.web.app import create_app
from truceline.web.proxies import forwarded_client, forwarded_scheme, is_trusted

PROXIES = (ip_network("10.0.0.0/8"), ip_network("fd00::/8"))
PASSWORD = "truceline-demo"


def test_only_addresses_inside_a_trusted_network_are_trusted() -> None:
    assert is_trusted("10.1.2.3", PROXIES)
    assert is_trusted("fd00::1", PROXIES)
    assert not is_trusted("192.0.2.1", PROXIES)
    assert not is_trusted("testclient", PROXIES)
    assert not is_trusted("10.1.2.3", ())


def test_a_peer_that_is_not_a_trusted_proxy_is_the_client_whatever_it_forwards() -> None:
    assert forwarded_client("192.0.2.1", "203.0.113.9", PROXIES) == "192.0.2.1"
    assert forwarded_scheme("192.0.2.1", "http", "https", PROXIES) == "http"


def test_behind_trusted_proxies_the_client_is_the_first_untrusted_hop_from_the_right() -> None:
    assert forwarded_client("10.0.0.2", "203.0.113.9", PROXIES) == "203.0.113.9"
    # The left-most entry was written by the client itself; only the proxies' appends are believed.
    assert forwarded_client("10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.7", PROXIES) == "203.0.113.9"
    assert forwarded_client("10.0.0.2", "", PROXIES) == "10.0.0.2"


def test_a_trusted_proxy_may_say_https_but_nothing_else() -> None:
    assert forwarded_scheme("10.0.0.2", "http", "https", PROXIES) == "https"
    assert forwarded_scheme("10.0.0.2", "http", "HTTPS, http", PROXIES) == "https"
    assert forwarded_scheme("10.0.0.2", "http", "gopher", PROXIES) == "http"


def _app_client(runtime: Runtime, *, peer: str = "testclient", **settings: Any) -> TestClient:
    runtime.settings = runtime.settings.model_copy(update=settings)
    return TestClient(create_app(runtime), client=(peer, 40000))


def _login(browser: TestClient, password: str, **headers: str) -> Any:
    browser.get("/login")
    form = {"username": "analyst", "password": password, "csrf_token": browser.cookies["truceline_csrf"]}
    return browser.post("/login", data=form, headers=headers, follow_redirects=False)


def test_the_throttle_counts_the_real_peer_when_no_proxy_is_trusted(
    client: TestClient, runtime: Runtime
) -> None:
    browser = _app_client(runtime, peer="192.0.2.1")
    for n in range(5):
        _login(browser, "wrong-password!", **{"X-Forwarded-For": f"203.0.113.{n}"})
    assert runtime.throttle.retry_after_s("analyst", "192.0.2.1") > 0
    refused = _login(browser, PASSWORD, **{"X-Forwarded-For": "203.0.113.99"})
    assert refused.status_code == 401 and "too many failed logins" in refused.text


def test_the_throttle_counts_the_forwarded_client_behind_a_trusted_proxy(
    client: TestClient, runtime: Runtime
) -> None:
    proxy = _app_client(runtime, peer="10.0.0.2", trusted_proxies=PROXIES)
    for _ in range(5):
        _login(proxy, "wrong-password!", **{"X-Forwarded-For": "203.0.113.5"})
    assert runtime.throttle.retry_after_s("analyst", "203.0.113.5") > 0
    assert runtime.throttle.retry_after_s("analyst", "10.0.0.2") == 0
    other_client = _login(proxy, PASSWORD, **{"X-Forwarded-For": "203.0.113.6"})
    assert other_client.status_code == 303


def test_a_repeated_forwarded_header_reads_as_one_list(client: TestClient, runtime: Runtime) -> None:
    proxy = _app_client(runtime, peer="10.0.0.2", trusted_proxies=PROXIES)
    proxy.get("/login")
    form = {
        "username": "analyst",
        "password": "wrong-password!",
        "csrf_token": proxy.cookies["truceline_csrf"],
    }
    headers = [("X-Forwarded-For", "198.51.100.1"), ("X-Forwarded-For", "203.0.113.7, 10.0.0.9")]
    proxy.post("/login", data=form, headers=headers)
    with runtime.sessions() as session:
        details = session.scalars(select(AuthEvent.detail).where(AuthEvent.username == "analyst")).all()
    assert details[-1].endswith("client 203.0.113.7"), details


def _session_cookie(response: Any) -> str:
    cookies = [
        value for value in response.headers.get_list("set-cookie") if value.startswith("truceline_session=")
    ]
    assert len(cookies) == 1, response.text[:300]
    return cookies[0].lower()


def test_an_untrusted_claim_of_https_does_not_make_the_cookie_secure(
    client: TestClient, runtime: Runtime
) -> None:
    browser = _app_client(runtime, peer="192.0.2.1", trusted_proxies=PROXIES)
    cookie = _session_cookie(_login(browser, PASSWORD, **{"X-Forwarded-Proto": "https"}))
    assert "secure" not in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_https_told_by_a_trusted_proxy_makes_the_cookie_secure(client: TestClient, runtime: Runtime) -> None:
    browser = _app_client(runtime, peer="10.0.0.2", trusted_proxies=PROXIES)
    assert "; secure" in _session_cookie(_login(browser, PASSWORD, **{"X-Forwarded-Proto": "https"}))


def test_secure_cookies_can_be_forced_for_plain_http(client: TestClient, runtime: Runtime) -> None:
    browser = _app_client(runtime, peer="192.0.2.1", force_secure_cookies=True)
    csrf_cookie = browser.get("/login").headers["set-cookie"]
    assert csrf_cookie.startswith("truceline_csrf=") and "; secure" in csrf_cookie.lower()
    token = csrf_cookie.split(";")[0].split("=", 1)[1]
    # The test client, like a browser, would not send a Secure cookie over http: send it by hand.
    browser.cookies.clear()
    response = browser.post(
        "/login",
        data={"username": "analyst", "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": f"truceline_csrf={token}"},
        follow_redirects=False,
    )
    assert "; secure" in _session_cookie(response)


def test_the_trusted_proxies_setting_reads_a_comma_separated_list(monkeypatch: Any) -> None:
    from truceline.config import Settings

    monkeypatch.setenv("TRUCELINE_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert Settings().trusted_proxies == (
        ip_network("127.0.0.1/32"),
        ip_network("10.0.0.0/8"),
        ip_network("::1"),
    )
    monkeypatch.setenv("TRUCELINE_TRUSTED_PROXIES", "")
    assert Settings().trusted_proxies == ()
