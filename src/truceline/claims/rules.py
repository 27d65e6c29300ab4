"""Pure rules about claims: review decisions and what a correction may change."""

from __future__ import annotations

from enum import StrEnum

from truceline.errors import InvalidInput


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CORRECTED = "corrected"


CORRECTABLE_FIELDS = frozenset(
    {
        "event_type",
        "sub_event_type",
        "process_type",
        "event_date",
        "time_precision",
        "actor1",
        "actor2",
        "alleged",
        "claimant",
        "location",
        "fatalities",
        "injuries",
    }
)


def parse_decision(value: str) -> Decision:
    try:
        return Decision(value)
    except ValueError:
        expected = ", ".join(d.value for d in Decision)
        raise InvalidInput(f"decision: expected one of {expected}, found {value!r}") from None


def check_correction(changes: dict[str, object]) -> None:
    """A correction changes at least one field, and only fields an analyst may correct."""
    if not changes:
        raise InvalidInput("correction: expected at least one changed field, found none")
    unknown = sorted(set(changes) - CORRECTABLE_FIELDS)
    if unknown:
        allowed = ", ".join(sorted(CORRECTABLE_FIELDS))
        raise InvalidInput(f"correction: expected fields among {allowed}, found {', '.join(unknown)}")


def correction_id(claim_id: str, n: int) -> str:
    """Corrections of claim X are X-r1, X-r2, ... so the original id stays recognisable."""
    return f"{claim_id}-r{n}"
