"""`truceline ledger verify|proof|export|checkpoint`."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click
from sqlalchemy.orm import Session

from truceline.cli.context import Context, pass_context
from truceline.errors import InvalidInput
from truceline.ledger import logcheck
from truceline.ledger.keystore import load_verifier
from truceline.ledger.service import prove_consistency, prove_inclusion
from truceline.runtime import Runtime
from truceline.views.export import iter_export_lines
from truceline.views.ledger import verify_read_only, witness_keys


@click.group()
def ledger() -> None:
    """Check and publish the append-only log.

    \b
    Example:
      truceline ledger verify
    """


@ledger.command()
@click.option("--file", "log_file", type=click.Path(path_type=Path), help="Verify an exported log offline.")
@click.option("--key", help="The log's public key (file or name+hash+key string); needed with --file.")
@click.option(
    "--witness-key",
    "witness_key",
    multiple=True,
    help="A witness's public key you trust (file or key string); repeat for each. With --file.",
)
@click.option(
    "--evidence/--no-evidence",
    default=True,
    show_default=True,
    help="Rehash every stored evidence file against its ledgered SHA-256.",
)
@pass_context
def verify(
    ctx: Context, log_file: Path | None, key: str | None, witness_key: tuple[str, ...], evidence: bool
) -> None:
    """Recompute every entry, record commitment, checkpoint and cosignature; exit 1 naming the first mismatch.

    On the database it only reads: it opens the database read-only, never creates a database or a key, and
    reports a damaged database instead of crashing. Offline (--file) every cosignature by a witness key you
    give (or one the export names) must verify; a forged one fails the run, unknown ones are listed.

    \b
    Examples:
      truceline ledger verify
      truceline ledger verify --file ledger.jsonl --key log.pub --witness-key af-witness.pub
    """
    if log_file is not None:
        if not key:
            raise click.UsageError("--file needs --key (the log's public key)")
        verifier = load_verifier(key)
        witnesses = [load_verifier(w).vkey() for w in witness_key]
        if not log_file.is_file():
            raise InvalidInput(f"{log_file}: no such file")
        with log_file.open(encoding="utf-8") as handle:
            summary = logcheck.verify_log_lines(handle, log_vkey=verifier.vkey(), witness_vkeys=witnesses)
        click.echo(
            f"ok: {summary.size} entries, {summary.checkpoints_verified} checkpoints and "
            f"{summary.cosignatures_verified} cosignatures verified offline"
        )
        for name in summary.unknown_cosigners:
            click.echo(
                f"note: cosignature by unknown key {name} not checked (give it with --witness-key)", err=True
            )
        return
    if witness_key:
        raise click.UsageError(
            "--witness-key goes with --file; the database's witnesses come from the scenario"
        )
    report = verify_read_only(ctx.settings, evidence=evidence)
    click.echo(
        f"ok: {report.entries} entries, {report.records} records, {report.checkpoints} checkpoints, "
        f"{report.cosignatures} cosignatures verified"
        + (f", {report.evidence_files} evidence files rehashed" if evidence else "")
    )
    if report.unsigned_entries:
        click.echo(f"note: {report.unsigned_entries} newest entries are not yet in a checkpoint", err=True)


@ledger.command()
@click.argument("seq", type=int, required=False)
@click.option("--size", type=int, help="Tree size to prove against (default: the latest checkpoint).")
@click.option("--consistency", "old_size", type=int, help="Prove consistency from this older tree size.")
@pass_context
def proof(ctx: Context, seq: int | None, size: int | None, old_size: int | None) -> None:
    """Print an inclusion proof for entry SEQ, or a consistency proof between two tree sizes, as JSON.

    \b
    Examples:
      truceline ledger proof 3
      truceline ledger proof --consistency 5 --size 9
    """
    with ctx.runtime.sessions() as session:
        if old_size is not None:
            c = prove_consistency(session, old_size=old_size, new_size=size)
            out = {
                "old_size": c.old_size,
                "new_size": c.new_size,
                "old_root": _b64(c.old_root),
                "new_root": _b64(c.new_root),
                "proof": [_b64(h) for h in c.path],
            }
        elif seq is not None:
            i = prove_inclusion(session, seq=seq, size=size)
            out = {
                "seq": i.seq,
                "size": i.size,
                "leaf_hash": _b64(i.leaf_hash),
                "root_hash": _b64(i.root),
                "proof": [_b64(h) for h in i.path],
            }
        else:
            raise click.UsageError("give an entry number SEQ, or --consistency OLD_SIZE")
    click.echo(json.dumps(out, indent=2))


@ledger.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@pass_context
def export(ctx: Context, output: Path | None) -> None:
    """Export the public log (entries and signed checkpoints, no record contents) as JSON lines.

    \b
    Example:
      truceline ledger export -o ledger.jsonl
      truceline ledger verify --file ledger.jsonl --key var/keys/log.pub
    """
    runtime = ctx.runtime
    with runtime.sessions() as session:
        if output is None:
            _write_lines(sys.stdout, _export_lines(runtime, session))
        else:
            with output.open("w", encoding="utf-8") as handle:
                _write_lines(handle, _export_lines(runtime, session))
            click.echo(f"wrote {output}", err=True)


def _export_lines(runtime: Runtime, session: Session) -> Iterator[str]:
    keys = [verifier.vkey() for verifier in witness_keys(session, runtime.scenario).values()]
    return iter_export_lines(session, origin=runtime.origin, signer=runtime.signer, witness_keys=keys)


@ledger.command()
@pass_context
def checkpoint(ctx: Context) -> None:
    """Sign the current tree head (a no-op when the log has not grown) and print the signed note.

    \b
    Example:
      truceline ledger checkpoint
    """
    row = ctx.runtime.sealer.seal()
    if row is None:
        raise click.ClickException("the ledger is empty: nothing to sign")
    click.echo(row.note, nl=False)


def _write_lines(handle: TextIO, lines: object) -> None:
    for line in lines:  # type: ignore[attr-defined]
        handle.write(line if line.endswith("\n") else line + "\n")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
