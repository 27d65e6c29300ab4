"""`truceline complaints file|respond|list`: a party files a complaint against the other, or replies.

Every command acts as the user named by `--as`: the operator is a trusted local administrator, but
the access policy applies to that user exactly as in the web app. Each command is one transaction
(the records, their ledger entries and a new signed checkpoint) or, on any refusal, nothing.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from truceline.cli.acting import AS_HELP, Format, acting_principal, emit
from truceline.cli.context import Context, pass_context
from truceline.complaints.rules import FilingKind, sign_filing
from truceline.complaints.schemas import ComplaintCreate, ResponseCreate, SignatureIn
from truceline.ledger.keystore import load_signer
from truceline.views import complaints as complaint_views
from truceline.workflows import verification as flow


def _signature(
    key_file: Path | None, kind: FilingKind, content: dict[str, Any], now: datetime
) -> SignatureIn | None:
    if key_file is None:
        return None
    signed = sign_filing(load_signer(key_file), kind, content, now=now)
    return SignatureIn(nonce=signed.nonce, signed_at=signed.signed_at, signature=signed.signature)


@click.group()
def complaints() -> None:
    """File complaints against the other party and reply to complaints against yours.

    \b
    Examples:
      truceline complaints file --as liaison-af --against PK --incident inc-12 --clause C1 \\
          --summary "Shelling of Spin Boldak on 25 October" --sign-key liaison-af.key
      truceline complaints respond cmp-1a2b3c --as liaison-pk --text "We returned fire." --sign-key pk.key
    """


@complaints.command("file")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@click.option("--against", "accused", required=True, help="The accused party (e.g. PK).")
@click.option("--incident", "incident_id", help="The incident complained of.")
@click.option("--claim", "claim_ids", multiple=True, help="A claim complained of (repeatable).")
@click.option("--clause", "clause_ids", multiple=True, required=True, help="A clause breached (repeatable).")
@click.option("--summary", required=True, help="The allegation in a few sentences.")
@click.option(
    "--sign-key", type=click.Path(path_type=Path, dir_okay=False), help="Sign with this party key file."
)
@click.option("--format", "fmt", type=Format, default="text", show_default=True)
@pass_context
def file_complaint(
    ctx: Context,
    acting_as: str,
    accused: str,
    incident_id: str | None,
    claim_ids: tuple[str, ...],
    clause_ids: tuple[str, ...],
    summary: str,
    sign_key: Path | None,
    fmt: str,
) -> None:
    """File a complaint; prints its id, and the notice for the accused party on stderr."""
    runtime, now = ctx.runtime, ctx.now()
    complaint_in = ComplaintCreate(
        accused_party=accused,
        incident_id=incident_id,
        claim_ids=list(claim_ids),
        clause_ids=list(clause_ids),
        summary=summary,
    )
    with runtime.transaction() as session:
        principal = acting_principal(session, acting_as)
        content = complaint_views.complaint_to_sign(principal.party or "", complaint_in)
        signature = _signature(sign_key, FilingKind.COMPLAINT, content, now)
        filed = flow.file_complaint(
            session,
            principal=principal,
            scenario=runtime.scenario,
            complaint_in=complaint_in.model_copy(update={"signature": signature}),
            now=now,
        )
    complaint = filed.complaint
    for notice in filed.notices:
        click.echo(f"notice {notice.id} to {notice.party}: {notice.subject}", err=True)
    data = {
        "id": complaint.id,
        "accused_party": complaint.accused_party,
        "is_signed": bool(complaint.signature),
    }
    emit(fmt, data, complaint.id)


@complaints.command("respond")
@click.argument("complaint_id")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@click.option("--text", required=True, help="The reply.")
@click.option("--corrects", help="The id of your earlier response that this one corrects.")
@click.option(
    "--sign-key", type=click.Path(path_type=Path, dir_okay=False), help="Sign with this party key file."
)
@click.option("--format", "fmt", type=Format, default="text", show_default=True)
@pass_context
def respond(
    ctx: Context,
    complaint_id: str,
    acting_as: str,
    text: str,
    corrects: str | None,
    sign_key: Path | None,
    fmt: str,
) -> None:
    """Reply to a complaint against your party, within the scenario's reply window.

    \b
    Example:
      truceline complaints respond cmp-1a2b3c --as liaison-pk --text "No Pakistani unit fired."
    """
    runtime, now = ctx.runtime, ctx.now()
    response_in = ResponseCreate(complaint_id=complaint_id, text=text, corrects=corrects)
    with runtime.transaction() as session:
        principal = acting_principal(session, acting_as)
        content = complaint_views.response_to_sign(session, response_in)
        signature = _signature(sign_key, FilingKind.RESPONSE, content, now)
        response = flow.respond_to_complaint(
            session,
            principal=principal,
            scenario=runtime.scenario,
            response_in=response_in.model_copy(update={"signature": signature}),
            now=now,
        )
    emit(
        fmt,
        {"id": response.id, "complaint_id": complaint_id, "supersedes_id": response.supersedes_id},
        response.id,
    )


@complaints.command("list")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@click.option("--format", "fmt", type=Format, default="text", show_default=True)
@pass_context
def list_complaints_command(ctx: Context, acting_as: str, fmt: str) -> None:
    """List the complaints you may read (a party sees those filed by or against it)."""
    with ctx.runtime.sessions() as session:
        rows = [
            {"id": c.id, "complainant": c.complainant_party, "accused": c.accused_party, "summary": c.summary}
            for c in complaint_views.list_complaints(session, principal=acting_principal(session, acting_as))
        ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    for row in rows if fmt == "text" else []:
        click.echo(f"{row['id']}\t{row['complainant']} -> {row['accused']}\t{row['summary'][:60]}")


# --- cases -------------------------------------------------------------------------------------------
