"""Fetching one URL over HTTP(S) with hard limits, and turning what it returns into documents."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

import httpx

from truceline import __version__
from truceline.errors import FetchError, InvalidInput, TrucelineError
from truceline.intake.files import describe_size
from truceline.intake.formats import InputKind, documents_from_bytes, sniff_kind
from truceline.pipeline.document import SourceDocument

DEFAULT_USER_AGENT = f"Truceline/{__version__} (ceasefire monitoring; +https://github.com/truceline)"
ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MEDIA_KINDS = {
    "text/html": InputKind.HTML,
    "application/xhtml+xml": InputKind.HTML,
    "application/rss+xml": InputKind.FEED,
    "application/atom+xml": InputKind.FEED,
    "application/rdf+xml": InputKind.FEED,
    "application/pdf": InputKind.PDF,
    "text/plain": InputKind.TEXT,
    "application/json": InputKind.DOCUMENT_JSON,
}


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """What a server returned: `final_url` is where the redirects ended; `content_type` is the raw header."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-cased: "text/html; charset=utf-8" -> "text/html"."""
        return self.content_type.split(";", 1)[0].strip().lower()


def fetch_url(
    url: str,
    *,
    timeout_s: float = 10.0,
    max_bytes: int = 20_000_000,
    max_redirects: int = 5,
    user_agent: str = DEFAULT_USER_AGENT,
    total_timeout_s: float = 60.0,
) -> FetchedPage:
    """GET `url`, following at most `max_redirects` redirects, reading at most `max_bytes` of the body.

    `timeout_s` bounds each wait (connect, every read); `total_timeout_s` bounds the whole exchange, so a
    server that drips one byte at a time cannot hold a poller forever. Redirects are followed by hand so
    that every hop is checked: a redirect to file:// or ftp:// is refused like a file:// URL is.
    Raises InvalidInput for a URL that is not http(s), FetchError for everything the network does.
    """
    check_scheme(url, error=InvalidInput, source=url)
    deadline = time.monotonic() + total_timeout_s
    current = url
    headers = {
        "User-Agent": user_agent,
        "Accept": "text/html, application/rss+xml, application/atom+xml, */*",
    }
    try:
        with httpx.Client(
            timeout=httpx.Timeout(timeout_s), follow_redirects=False, headers=headers
        ) as client:
            for _ in range(max_redirects + 1):
                with client.stream("GET", current) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        current = urljoin(current, location)
                        check_scheme(current, error=FetchError, source=url)
                        continue
                    if not response.is_success:
                        reason = response.reason_phrase or "error"
                        raise FetchError(
                            f"{url}: expected a 2xx answer, found HTTP {response.status_code} {reason}"
                        )
                    body = read_capped_body(
                        response,
                        url=url,
                        max_bytes=max_bytes,
                        deadline=deadline,
                        total_timeout_s=total_timeout_s,
                    )
                    return FetchedPage(
                        url=url,
                        final_url=str(response.url),
                        status=response.status_code,
                        content_type=response.headers.get("content-type", ""),
                        body=body,
                    )
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: no answer within {timeout_s:g} s") from exc
    except httpx.InvalidURL as exc:
        raise InvalidInput(f"{url}: expected a valid URL, found one httpx cannot use ({exc})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    raise FetchError(f"{url}: more than {max_redirects} redirects")


def check_scheme(url: str, *, error: type[TrucelineError], source: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        target = "" if url == source else f" (redirected to {url})"
        raise error(f"{source}: expected an http or https URL, found scheme {scheme or 'none'!r}{target}")


def read_capped_body(
    response: httpx.Response, *, url: str, max_bytes: int, deadline: float, total_timeout_s: float
) -> bytes:
    """The body, stopping as soon as it passes `max_bytes` (the Content-Length header is not trusted)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url}: larger than {describe_size(max_bytes)}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url}: larger than {describe_size(max_bytes)}")
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: not complete within {total_timeout_s:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def document_from_url(
    url: str,
    *,
    published: date | None = None,
    timeout_s: float = 10.0,
    max_bytes: int = 20_000_000,
    max_redirects: int = 5,
    user_agent: str = DEFAULT_USER_AGENT,
) -> list[SourceDocument]:
    """The documents at `url`: a page gives one, a feed one per item, a PDF or text file one.

    The content type picks the reader; a missing or generic one (application/octet-stream, text/xml)
    falls back to sniffing the body, as `load_path` does for files.
    """
    page = fetch_url(
        url, timeout_s=timeout_s, max_bytes=max_bytes, max_redirects=max_redirects, user_agent=user_agent
    )
    kind = MEDIA_KINDS.get(page.media_type) or sniff_kind(
        page.body, source=url, suffix=url_suffix(page.final_url)
    )
    return documents_from_bytes(page.body, kind=kind, source=url, url=page.final_url, published=published)


def url_suffix(url: str) -> str:
    path = urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""
