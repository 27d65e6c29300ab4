"""Every model, gathered in one module so the metadata and the ledger know all record tables.

It sits above the domains it gathers (`db/` imports none of them): the migration environment, the schema check
and the ledger's database verifier import it.
"""

from __future__ import annotations

from truceline.alerts.models import AlertDelivery, AlertRule
from truceline.cases.models import (
    Case,
    CustodyEvent,
    Evidence,
    Finding,
    FindingSignature,
    Notification,
    Penalty,
)
from truceline.claims.models import Claim, ClaimReview
from truceline.complaints.models import Complaint, Response
from truceline.db.base import Base, Record
from truceline.documents.models import Document
from truceline.incidents.models import Incident
from truceline.ledger.models import CheckpointRow, CosignatureRow, LedgerEntryRow
from truceline.notices.models import Notice, NoticeReceipt
from truceline.sources.models import Source
from truceline.talks.models import TalksRound
from truceline.users.models import User, UserEvent
from truceline.users.token_models import ApiToken, ApiTokenRevocation, AuthEvent

RECORD_MODELS: tuple[type[Record], ...] = (
    Source,
    Document,
    Claim,
    ClaimReview,
    Incident,
    Complaint,
    Response,
    Case,
    Evidence,
    CustodyEvent,
    Finding,
    FindingSignature,
    Penalty,
    Notification,
    TalksRound,
    User,
    UserEvent,
    ApiToken,
    ApiTokenRevocation,
    AuthEvent,
    AlertRule,
    AlertDelivery,
    Notice,
    NoticeReceipt,
)
LEDGER_MODELS = (LedgerEntryRow, CheckpointRow, CosignatureRow)


def record_model(kind: str) -> type[Record]:
    """The model class whose table is `kind`; KeyError if there is none."""
    return {model.ledger_kind(): model for model in RECORD_MODELS}[kind]


__all__ = ["LEDGER_MODELS", "RECORD_MODELS", "Base", "record_model"]
