"""Security headers on every response: the Content-Security-Policy, framing, referrer and sniffing rules.

No page runs inline script: scripts are files under /static, so `script-src 'self'` forbids
'unsafe-inline' and an injected <script> or onclick= does not run. Styles may be inline because the
compliance report is one self-contained document (its CSS travels with it into the PDF and the CLI's
HTML file); a style cannot run script. The API docs page loads Swagger UI from its CDN, so it alone
gets a policy naming that origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SWAGGER_CDN = "https://cdn.jsdelivr.net"
API_DOCS_PATH = "/docs"


def tile_source(tiles_url: str) -> str:
    """The CSP source of an online tile layer: its scheme and host, `{s}` subdomains as a wildcard."""
    if not tiles_url:
        return ""
    parts = urlsplit(tiles_url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not host or "{" in host or any(c in host for c in " ;,'"):
        return ""
    return f"{parts.scheme}://{host}"


def content_security_policy(*, tiles_url: str = "", api_docs: bool = False) -> str:
    """The CSP for pages (or, with `api_docs`, for the Swagger UI page)."""
    extra_images = f" {tile_source(tiles_url)}" if tile_source(tiles_url) else ""
    cdn = f" {SWAGGER_CDN}" if api_docs else ""
    directives = (
        "default-src 'self'",
        f"script-src 'self'{cdn}",
        f"style-src 'self' 'unsafe-inline'{cdn}",
        f"img-src 'self' data:{extra_images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
    return "; ".join(directives)


def security_headers(*, tiles_url: str = "", api_docs: bool = False) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(tiles_url=tiles_url, api_docs=api_docs),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


class SecurityHeaders:
    """ASGI middleware: add the security headers to every HTTP response (pages, API, static, errors)."""

    def __init__(self, app: ASGIApp, *, tiles_url: str = "") -> None:
        self.app = app
        self.page_headers = security_headers(tiles_url=tiles_url)
        self.docs_headers = security_headers(tiles_url=tiles_url, api_docs=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen: Mapping[str, str] = self.docs_headers if scope["path"] == API_DOCS_PATH else self.page_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in chosen.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
