"""Who the client is and which scheme it used: X-Forwarded-* is believed only from a trusted proxy.

Everything downstream (the login throttle's client address, the Secure flag on cookies, redirects)
reads `request.client` and `request.url.scheme`; this middleware is the one place that may change
them, and only when the connecting peer is in `settings.trusted_proxies`. A header sent by anyone
else is ignored, so a client cannot spoof its address past the throttle or claim https.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network

_SCHEMES = {"http", "https"}


def is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    """Whether `address` (an IP literal; anything else is never trusted) lies in one of the networks."""
    parsed: IPv4Address | IPv6Address
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed.version == network.version and parsed in network for network in trusted)


def forwarded_client(peer: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The client address: the peer itself unless it is a trusted proxy.

    Behind trusted proxies, X-Forwarded-For reads "client, proxy1, proxy2"; each proxy appends the
    address it received from, so the list is walked from the right past trusted proxies and the first
    address not trusted is the client (an earlier entry could have been written by the client itself).
    """
    if not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def forwarded_scheme(peer: str, scheme: str, forwarded_proto: str, trusted: Sequence[Network]) -> str:
    """The scheme the client used: X-Forwarded-Proto when a trusted proxy says http or https."""
    if not is_trusted(peer, trusted):
        return scheme
    # A chain of proxies appends; the left-most value is what the client-facing proxy saw.
    claimed = forwarded_proto.split(",")[0].strip().lower()
    return claimed if claimed in _SCHEMES else scheme


def _header(scope: Scope, name: bytes) -> str:
    """All lines of a header joined with commas, which is what repeating it means (RFC 9110 §5.3)."""
    return ",".join(value.decode("latin-1") for key, value in scope["headers"] if key.lower() == name)


class TrustedProxies:
    """ASGI middleware: rewrite the scope's client and scheme from X-Forwarded-* sent by trusted proxies."""

    def __init__(self, app: ASGIApp, *, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted and scope.get("client"):
            peer, port = scope["client"]
            client = forwarded_client(peer, _header(scope, b"x-forwarded-for"), self.trusted)
            scheme = forwarded_scheme(
                peer, scope["scheme"], _header(scope, b"x-forwarded-proto"), self.trusted
            )
            if client != peer or scheme != scope["scheme"]:
                scope = {**scope, "client": (client, 0 if client != peer else port), "scheme": scheme}
        await self.app(scope, receive, send)
