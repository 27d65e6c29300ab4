"""The one error hierarchy: every failure a user can cause or see is a TrucelineError."""

from __future__ import annotations


class TrucelineError(Exception):
    """Base of every error Truceline raises on purpose; its message is one human line."""

    def diagnostics(self) -> str:
        return str(self)


class InvalidInput(TrucelineError):
    """Input (a file, a field, a request) is not what was expected; nothing was written."""


class ScenarioError(InvalidInput):
    """A scenario file is missing or does not validate."""


class NotFound(TrucelineError):
    """A record that was asked for does not exist (or the caller may not know it exists)."""

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"{kind} {record_id!r} not found")
        self.kind = kind
        self.record_id = record_id


class Conflict(TrucelineError):
    """The request is well formed but clashes with the current state (e.g. an illegal transition)."""


class PermissionDenied(TrucelineError):
    """The caller's role may not do this to this record."""


class FetchError(TrucelineError):
    """A URL or feed could not be fetched (timeout, too large, too many redirects, bad status)."""


class VerificationError(TrucelineError):
    """A signature, proof, checkpoint or ledger entry does not verify; the message names what and where."""

    def __init__(self, message: str, *, seq: int | None = None) -> None:
        super().__init__(message)
        self.seq = seq
