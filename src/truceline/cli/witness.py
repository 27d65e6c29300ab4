"""`truceline witness`: check the newest checkpoint against the last one this party cosigned, then cosign."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import httpx

from truceline.cli.context import Context, pass_context
from truceline.errors import FetchError, InvalidInput, VerificationError
from truceline.ledger.keystore import load_signer, load_verifier
from truceline.workflows.witness import SplitView, WitnessState, check_and_cosign, split_view_json

TIMEOUT_S = 30.0
MAX_RESPONSE_BYTES = 1024 * 1024


def _get_json(client: httpx.Client, url: str, params: dict[str, int] | None = None) -> dict[str, Any]:
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise FetchError(f"GET {url}: {exc}") from exc
    if response.status_code != 200:
        raise FetchError(f"GET {url}: HTTP {response.status_code}")
    if len(response.content) > MAX_RESPONSE_BYTES:
        raise FetchError(f"GET {url}: response larger than {MAX_RESPONSE_BYTES} bytes")
    try:
        data = response.json()
    except ValueError as exc:
        raise FetchError(f"GET {url}: not JSON") from exc
    if not isinstance(data, dict):
        raise FetchError(f"GET {url}: expected a JSON object")
    return data


def _load_state(path: Path) -> WitnessState | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: not a witness state file ({exc})") from exc
    return WitnessState.from_json(data)


def _save_state(path: Path, state: WitnessState) -> None:
    """Write the new state atomically: a crash leaves the old state or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state.to_json(), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@click.command()
@click.option(
    "--server", required=True, help="Base URL of the Truceline server, e.g. https://truceline.example."
)
@click.option(
    "--key", "key_file", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Witness key."
)
@click.option("--log-key", required=True, help="The log's public key: a .pub file or name+hash+key string.")
@click.option(
    "--state",
    "state_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where the last cosigned checkpoint is kept (default: HOME/witness-state.json).",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write a split-view report (default: next to the state file).",
)
@click.option("--token", envvar="TRUCELINE_WITNESS_TOKEN", help="API token of the party's witness account.")
@click.option(
    "--submit/--no-submit", default=True, show_default=True, help="POST the cosignature to the server."
)
@pass_context
def witness(
    ctx: Context,
    server: str,
    key_file: Path,
    log_key: str,
    state_file: Path | None,
    report_file: Path | None,
    token: str | None,
    submit: bool,
) -> None:
    """Witness the ledger: verify the newest checkpoint, prove it extends the last one cosigned, cosign.

    The first run trusts the checkpoint it sees; every later run asks the server for a consistency
    proof from the size it cosigned last. If the proof fails, the log has rewritten history: the
    witness refuses, writes a report holding both signed checkpoints, and exits 1.
    Run it from cron, e.g. every 15 minutes.

    \b
    Example:
      truceline keys generate witness-pk
      truceline witness --server https://truceline.example --key witness-pk.key --log-key log.pub
    """
    signer = load_signer(key_file)
    log_verifier = load_verifier(log_key)
    state_path = state_file or ctx.settings.home / "witness-state.json"
    prev = _load_state(state_path)
    base = server.rstrip("/")
    now = datetime.now(UTC)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, headers=headers) as client:
        checkpoint = _get_json(client, f"{base}/api/ledger/checkpoint")
        proof = None
        size = checkpoint.get("size")
        if prev is not None and isinstance(size, int) and size > prev.size:
            proof = _get_json(
                client, f"{base}/api/ledger/proof/consistency", params={"old": prev.size, "new": size}
            )
        try:
            cosigned = check_and_cosign(prev, checkpoint, proof, signer, log_verifier, now)
        except SplitView as exc:
            path = report_file or state_path.with_name(f"split-view-{now.strftime('%Y%m%dT%H%M%SZ')}.json")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(split_view_json(exc.report), encoding="utf-8")
            raise VerificationError(
                f"REFUSED to cosign: {exc}; both signed checkpoints are in {path}"
            ) from exc
        if submit:
            try:
                response = client.post(f"{base}/api/ledger/cosignatures", json={"line": cosigned.line})
            except httpx.HTTPError as exc:
                raise FetchError(f"POST {base}/api/ledger/cosignatures: {exc}") from exc
            if response.status_code not in (200, 201):
                raise FetchError(f"POST {base}/api/ledger/cosignatures: HTTP {response.status_code}")
    _save_state(state_path, cosigned.state)
    click.echo(cosigned.line, nl=False)
    click.echo(f"cosigned {cosigned.checkpoint.origin} at size {cosigned.checkpoint.size}", err=True)
