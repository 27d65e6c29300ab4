"""`truceline cases open|transition|add-evidence|...`: verify complaints, from the case to the finding.

Every command acts as the user named by `--as`: the operator is a trusted local administrator, but
the access policy applies to that user exactly as in the web app. Each command is one transaction
(the records, their ledger entries and a new signed checkpoint) or, on any refusal, nothing.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from truceline.cases.blobs import check_upload_size
from truceline.cases.models import Finding
from truceline.cases.schemas import CaseCreate, FindingCreate
from truceline.cli.acting import AS_HELP, Format, acting_principal, emit
from truceline.cli.context import Context, pass_context
from truceline.db.versions import base_id, version_of
from truceline.errors import InvalidInput
from truceline.ledger.keystore import load_signer
from truceline.views import cases as case_views
from truceline.workflows import verification as flow


def _read_upload(path: Path, *, max_bytes: int) -> bytes:
    """The file's bytes, refused by its size on disk before reading when above settings.max_upload_bytes."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    check_upload_size(path.stat().st_size, max_bytes=max_bytes)
    return path.read_bytes()


@click.group()
def cases() -> None:
    """Verify complaints: open a case, gather evidence, propose, sign, adopt and publish a finding.

    \b
    Example (one case from start to finish):
      truceline cases open --as mediator-qatar --title "Spin Boldak shelling" --complaint cmp-1a2b \\
          --monitor monitor --deadline 14d
      truceline cases transition case-9f8e --status investigating --as mediator-qatar
      truceline cases add-evidence case-9f8e photo.jpg --as monitor
      truceline cases propose-finding case-9f8e --as monitor --verdict violation_confirmed \\
          --responsible-party PK --responsibility forces --clause C1 --confidence likely --rationale "..."
      truceline cases sign-finding fnd-77aa --as mediator-qatar --key mediator-qatar.key
      truceline cases sign-finding fnd-77aa --as mediator-turkiye --key mediator-turkiye.key
      truceline cases adopt fnd-77aa --as mediator-qatar
      truceline cases publish fnd-77aa --as mediator-qatar
    """


def parse_deadline(raw: str, *, now: datetime) -> datetime:
    """`--deadline`: "14d" (days from now), "2026-01-20" or "2026-01-20T18:00" (UTC); InvalidInput else."""
    text = raw.strip()
    if text.endswith("d") and text[:-1].isdigit():
        return now + timedelta(days=int(text[:-1]))
    for layout in ("%Y-%m-%d", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(text, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise InvalidInput(
        f"deadline: expected days from now (14d) or YYYY-MM-DD[THH:MM] in UTC, found {text[:40]!r}"
    )


@cases.command("open")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@click.option("--title", required=True)
@click.option("--complaint", "complaint_ids", multiple=True, help="A complaint to verify (repeatable).")
@click.option("--incident", "incident_ids", multiple=True, help="An incident to verify (repeatable).")
@click.option("--monitor", "monitors", multiple=True, help="Username of an assigned monitor (repeatable).")
@click.option("--deadline", help="Days from now (14d), or a UTC date (and time): 2026-01-20[T18:00].")
@click.option("--format", "fmt", type=Format, default="text", show_default=True)
@pass_context
def open_case(
    ctx: Context,
    acting_as: str,
    title: str,
    complaint_ids: tuple[str, ...],
    incident_ids: tuple[str, ...],
    monitors: tuple[str, ...],
    deadline: str | None,
    fmt: str,
) -> None:
    """Open a case (mediators); prints the case id.

    \b
    Example:
      truceline cases open --as mediator-qatar --title "Barmal drone strike" --complaint cmp-1a2b \\
          --deadline 14d
    """
    runtime, now = ctx.runtime, ctx.now()
    case_in = CaseCreate(
        title=title,
        complaint_ids=list(complaint_ids),
        incident_ids=list(incident_ids),
        monitors=list(monitors),
        deadline=parse_deadline(deadline, now=now) if deadline is not None else None,
    )
    with runtime.transaction() as session:
        case = flow.open_case(
            session, principal=acting_principal(session, acting_as), case_in=case_in, now=now
        )
    emit(fmt, {"id": case.id, "status": case.status}, case.id)


@cases.command("transition")
@click.argument("case_id")
@click.option(
    "--status",
    required=True,
    type=click.Choice(["open", "investigating", "finding_proposed", "finding_adopted", "closed"]),
)
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@pass_context
def transition(ctx: Context, case_id: str, status: str, acting_as: str) -> None:
    """Move a case on: open -> investigating -> finding_proposed -> finding_adopted -> closed.

    \b
    Example:
      truceline cases transition case-9f8e --status investigating --as mediator-qatar
    """
    runtime, now = ctx.runtime, ctx.now()
    with runtime.transaction() as session:
        case = flow.transition_case(
            session, principal=acting_principal(session, acting_as), case_id=case_id, status=status, now=now
        )
    click.echo(f"{case.id}\t{case.status}")


@cases.command("add-evidence")
@click.argument("case_id")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--url", help="Record a URL reference instead of a file.")
@click.option("--sealed-sha256", help="Commit to a sealed item by its SHA-256; disclose the file later.")
@click.option("--description", default="", help="What the item shows.")
@click.option("--media-type", default="", help="e.g. image/jpeg.")
@click.option(
    "--confidential", is_flag=True, help="Only those entitled to confidential evidence may read it."
)
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@click.option("--format", "fmt", type=Format, default="text", show_default=True)
@pass_context
def add_evidence(
    ctx: Context,
    case_id: str,
    file: Path | None,
    url: str | None,
    sealed_sha256: str | None,
    description: str,
    media_type: str,
    confidential: bool,
    acting_as: str,
    fmt: str,
) -> None:
    """Attach a file, a URL, or a sealed commitment to a case; prints the evidence id.

    \b
    Examples:
      truceline cases add-evidence case-9f8e photo.jpg --as monitor --media-type image/jpeg
      truceline cases add-evidence case-9f8e --url https://example.org/video --as liaison-af
      truceline cases add-evidence case-9f8e --sealed-sha256 "$(sha256sum w.pdf | cut -c1-64)" --as liaison-af
    """
    if sum(x is not None for x in (file, url, sealed_sha256)) != 1:
        raise click.UsageError("give exactly one of FILE, --url or --sealed-sha256")
    runtime, now = ctx.runtime, ctx.now()
    data = _read_upload(file, max_bytes=runtime.settings.max_upload_bytes) if file is not None else b""
    store = flow.evidence_store(runtime.settings)
    with runtime.transaction() as session:
        principal = acting_principal(session, acting_as)
        evidence = flow.add_evidence(
            session,
            principal=principal,
            store=store,
            case_id=case_id,
            now=now,
            file=(file.name, data) if file is not None else None,
            url=url,
            sealed_sha256=sealed_sha256,
            media_type=media_type,
            description=description,
            is_confidential=confidential,
        )
    data_out = {
        "id": evidence.id,
        "sha256": evidence.sha256,
        "is_sealed": evidence.is_sealed,
        **evidence.metadata_,
    }
    emit(fmt, data_out, evidence.id)


@cases.command("disclose-evidence")
@click.argument("evidence_id")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@pass_context
def disclose_evidence(ctx: Context, evidence_id: str, file: Path, acting_as: str) -> None:
    """Disclose a sealed item: refused unless FILE hashes to the SHA-256 committed when it was sealed.

    \b
    Example:
      truceline cases disclose-evidence ev-0a1b2c3d4e5f6a7b witness.pdf --as liaison-af
    """
    runtime, now = ctx.runtime, ctx.now()
    data = _read_upload(file, max_bytes=runtime.settings.max_upload_bytes)
    with runtime.transaction() as session:
        evidence = flow.disclose_evidence(
            session,
            principal=acting_principal(session, acting_as),
            store=flow.evidence_store(runtime.settings),
            evidence_id=evidence_id,
            data=data,
            filename=file.name,
            now=now,
        )
    click.echo(f"{evidence.id}\tdisclosed\t{evidence.sha256}")


@cases.command("propose-finding")
@click.argument("case_id")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@click.option(
    "--verdict", required=True, type=click.Choice(["violation_confirmed", "not_confirmed", "inconclusive"])
)
@click.option("--responsible-party", help="The party responsible (e.g. PK).")
@click.option(
    "--responsibility",
    type=click.Choice(["forces", "host"]),
    help="forces: its own forces; host: as host of an armed group it failed to act against.",
)
@click.option("--clause", "clause_ids", multiple=True, help="A clause breached (repeatable).")
@click.option(
    "--confidence", required=True, type=click.Choice(["almost_certain", "likely", "roughly_even", "unlikely"])
)
@click.option("--rationale", required=True, help="Why: sources, evidence, reasoning.")
@click.option("--format", "fmt", type=Format, default="text", show_default=True)
@pass_context
def propose_finding(
    ctx: Context,
    case_id: str,
    acting_as: str,
    verdict: str,
    responsible_party: str | None,
    responsibility: str | None,
    clause_ids: tuple[str, ...],
    confidence: str,
    rationale: str,
    fmt: str,
) -> None:
    """Propose a finding on a case under investigation (its monitors or a mediator); prints the finding id."""
    runtime, now = ctx.runtime, ctx.now()
    finding_in = FindingCreate(
        verdict=verdict,
        responsible_party=responsible_party,
        responsibility=responsibility,
        clause_ids=list(clause_ids),
        confidence=confidence,
        rationale=rationale,
    )
    with runtime.transaction() as session:
        finding = flow.propose_finding(
            session,
            principal=acting_principal(session, acting_as),
            scenario=runtime.scenario,
            case_id=case_id,
            finding_in=finding_in,
            now=now,
        )
    emit(fmt, {"id": finding.id, "status": finding.status}, finding.id)


@cases.command("sign-finding")
@click.argument("finding_id")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Your signing key file; its public half must be the one registered for your account.",
)
@click.option("--signature", help="A base64 signature made elsewhere, instead of --key.")
@click.option("--print-message", is_flag=True, help="Print the exact bytes to sign (base64) and stop.")
@pass_context
def sign_finding(
    ctx: Context,
    finding_id: str,
    acting_as: str,
    key_file: Path | None,
    signature: str | None,
    print_message: bool,
) -> None:
    """Sign a proposed finding (mediators): Ed25519 over the canonical JSON of its substance.

    \b
    Examples:
      truceline cases sign-finding fnd-77aa --as mediator-qatar --key mediator-qatar.key
      truceline cases sign-finding fnd-77aa --as mediator-qatar --print-message > to-sign.b64
    """
    runtime, now = ctx.runtime, ctx.now()
    if print_message:
        with runtime.sessions() as session:
            click.echo(base64.b64encode(case_views.finding_signing_message(session, finding_id)).decode())
        return
    if (key_file is None) == (signature is None):
        raise click.UsageError("give exactly one of --key or --signature")
    with runtime.transaction() as session:
        if key_file is not None:
            message = case_views.finding_signing_message(session, finding_id)
            signature = base64.b64encode(load_signer(key_file).sign(message)).decode()
        row = flow.sign_finding(
            session,
            principal=acting_principal(session, acting_as),
            finding_id=finding_id,
            signature=signature or "",
            now=now,
        )
    click.echo(f"{base_id(row.finding_id)}\tsigned by {row.signer}")


@cases.command("adopt")
@click.argument("finding_id")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@pass_context
def adopt(ctx: Context, finding_id: str, acting_as: str) -> None:
    """Adopt a finding once the quorum of mediators has signed it; applies the penalty it calls for.

    \b
    Example:
      truceline cases adopt fnd-88bb --as mediator-qatar
    """
    runtime, now = ctx.runtime, ctx.now()
    with runtime.transaction() as session:
        adoption = flow.adopt_finding(
            session,
            principal=acting_principal(session, acting_as),
            scenario=runtime.scenario,
            finding_id=finding_id,
            now=now,
        )
    click.echo(_finding_line(adoption.finding))
    if adoption.penalty is not None:
        p = adoption.penalty
        click.echo(f"penalty {p.id}: {p.party} level {p.level} ({p.name})")


@cases.command("publish")
@click.argument("finding_id")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@pass_context
def publish(ctx: Context, finding_id: str, acting_as: str) -> None:
    """Publish an adopted finding (mediators); it becomes readable by everyone.

    \b
    Example:
      truceline cases publish fnd-99cc --as mediator-qatar
    """
    runtime, now = ctx.runtime, ctx.now()
    with runtime.transaction() as session:
        finding = flow.publish_finding(
            session, principal=acting_principal(session, acting_as), finding_id=finding_id, now=now
        )
    click.echo(_finding_line(finding))


def _finding_line(finding: Finding) -> str:
    """ "fnd-77aa\tpublished\tversion 3": a finding's one id, then the version this act made."""
    return f"{base_id(finding.id)}\t{finding.status}\tversion {version_of(finding.id)}"


@cases.command("show")
@click.argument("case_id")
@click.option("--as", "acting_as", required=True, help=AS_HELP)
@pass_context
def show(ctx: Context, case_id: str, acting_as: str) -> None:
    """Print a case as JSON: status, evidence, findings, signers and penalty, as the user may see it.

    \b
    Example:
      truceline cases show case-9f8e --as mediator-qatar
    """
    with ctx.runtime.sessions() as session:
        summary = case_views.case_summary(
            session, principal=acting_principal(session, acting_as), case_id=case_id
        )
    click.echo(json.dumps(summary, indent=2, default=str))
