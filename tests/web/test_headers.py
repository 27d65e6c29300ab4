"""Security headers on every response, and pages that need no inline script so the CSP can forbid it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from truceline.web.headers import content_security_policy, tile_source

SRC = Path(__file__).parents[2] / "src" / "truceline"
# The web pages' templates, and the compliance report's (served as a page too).
TEMPLATES = [SRC / "web" / "templates", SRC / "reports" / "templates"]


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (directive.split() for directive in policy.split(";") if directive.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize(
    "path",
    ["/", "/login", "/map", "/api/incidents", "/api/no-such-thing", "/static/js/map.js", "/openapi.json"],
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    policy = _directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_an_error_page_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/findings/no-such-finding")
    assert response.status_code == 404
    assert response.headers["x-frame-options"] == "DENY"
    assert "'unsafe-inline'" not in _directives(response.headers["content-security-policy"])["script-src"]


def test_no_template_holds_inline_script_or_event_handlers() -> None:
    for template in (file for folder in TEMPLATES for file in folder.iterdir()):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            assert "src=" in tag, f"{template.name}: inline script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE), f"{template.name}: event handler"
        assert "javascript:" not in text.lower(), f"{template.name}: javascript: URL"


def test_the_api_docs_page_starts_swagger_from_a_static_script(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert re.findall(r"<script\b[^>]*>", response.text) == [
        '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js" defer>',
        '<script src="/static/js/api-docs.js" defer>',
    ]
    script_src = _directives(response.headers["content-security-policy"])["script-src"]
    assert script_src == ["'self'", "https://cdn.jsdelivr.net"]
    assert client.get("/static/js/api-docs.js").status_code == 200
    assert 'data-openapi-url="/openapi.json"' in response.text


def test_only_the_api_docs_page_may_load_the_swagger_cdn(client: TestClient) -> None:
    assert "cdn.jsdelivr.net" not in client.get("/").headers["content-security-policy"]


def test_an_online_tile_layer_is_allowed_as_an_image_source() -> None:
    policy = _directives(content_security_policy(tiles_url="https://{s}.tile.example.org/{z}/{x}/{y}.png"))
    assert policy["img-src"] == ["'self'", "data:", "https://*.tile.example.org"]
    assert "tile.example.org" not in policy["script-src"]


def test_a_tile_url_cannot_smuggle_directives_into_the_policy() -> None:
    assert tile_source("https://evil.example; script-src *") == ""
    assert tile_source("javascript:alert(1)") == ""
    assert tile_source("") == ""
    assert tile_source("https://tiles.example.org:8443/{z}/{x}/{y}.png") == "https://tiles.example.org:8443"
