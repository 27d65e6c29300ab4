"""Entry point: the command group, shared options, and the one place that turns errors into exit codes.

Each subcommand's module is imported only when that subcommand runs (see `truceline.cli.lazy`), so
`truceline --help` and `truceline extract` load only what they use.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

import click

from truceline import __version__
from truceline.cli.lazy import LazyCommand, LazyGroup
from truceline.errors import TrucelineError

log = logging.getLogger(__name__)

# name -> where the command lives, and its summary for `truceline --help` (a test keeps it equal to the
# command's own first sentence).
COMMANDS = {
    "alerts": LazyCommand(
        "truceline.cli.alerts:alerts",
        "Alert rules: who hears about confirmed violations, deadly incidents, rising escalation and overdue "
        "replies, by webhook or e-mail.",
    ),
    "cases": LazyCommand(
        "truceline.cli.cases:cases",
        "Verify complaints: open a case, gather evidence, propose, sign, adopt and publish a finding.",
    ),
    "cluster": LazyCommand(
        "truceline.cli.incidents:cluster",
        "Extract claims from documents and print the incidents they form, without touching the database.",
    ),
    "complaints": LazyCommand(
        "truceline.cli.complaints:complaints",
        "File complaints against the other party and reply to complaints against yours.",
    ),
    "export": LazyCommand("truceline.cli.export:export", "Print stored records, one JSON object per line."),
    "extract": LazyCommand(
        "truceline.cli.ingest:extract", "Print the claims of one document without touching the database."
    ),
    "import": LazyCommand(
        "truceline.cli.incidents:import_",
        "Import an ACLED or UCDP GED CSV as claims of that dataset, then re-cluster the incidents.",
    ),
    "incidents": LazyCommand(
        "truceline.cli.incidents:incidents",
        "Print the current incidents (no superseded versions); merge, split or link them with the "
        "subcommands.",
    ),
    "ingest": LazyCommand(
        "truceline.cli.ingest:ingest",
        "Store reports and the claims extracted from them; the same content twice is stored once.",
    ),
    "init": LazyCommand(
        "truceline.cli.setup:init",
        "Create the database, the log key and the scenario's records; safe to run again.",
    ),
    "keys": LazyCommand(
        "truceline.cli.users:keys",
        "Ed25519 signing keys in the C2SP note format (for parties, mediators and witnesses).",
    ),
    "ledger": LazyCommand("truceline.cli.ledger:ledger", "Check and publish the append-only log."),
    "reextract": LazyCommand(
        "truceline.cli.ingest:reextract",
        "Run the current extractor again over stored documents; new claims supersede the old ones.",
    ),
    "report": LazyCommand(
        "truceline.cli.report:report",
        "Write the compliance report for a period (default: the last complete week with incidents).",
    ),
    "serve": LazyCommand("truceline.cli.setup:serve", "Run the web app."),
    "users": LazyCommand(
        "truceline.cli.users:users", "Create, list and disable accounts; issue and revoke their API tokens."
    ),
    "watch": LazyCommand(
        "truceline.cli.ingest:watch",
        "Poll RSS/Atom feeds and ingest new items; a feed that fails is reported and retried next round.",
    ),
    "witness": LazyCommand(
        "truceline.cli.witness:witness",
        "Witness the ledger: verify the newest checkpoint, prove it extends the last one cosigned, cosign.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="truceline")
@click.option("--database", "database_url", envvar="TRUCELINE_DATABASE_URL", default="", help="Database URL.")
@click.option("--scenario", envvar="TRUCELINE_SCENARIO", default="af-pk-2025", show_default=True)
@click.option("--home", envvar="TRUCELINE_HOME", default="var", show_default=True, help="Data directory.")
@click.pass_context
def cli(ctx: click.Context, database_url: str, scenario: str, home: str) -> None:
    """Truceline: ceasefire monitoring and verification with a witnessed, append-only record.

    \b
    Example:
      truceline init --demo && truceline serve
    """
    # Imported here: settings (pydantic) and the runtime are not needed to print help.
    from truceline.cli.context import Context
    from truceline.config import load_settings

    ctx.obj = Context(load_settings(database_url=database_url, scenario=scenario, home=home))
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Run the CLI: exit 0 on success, 1 on a failure the user can act on, 2 on a usage error."""
    logging.basicConfig(
        level=os.environ.get("TRUCELINE_LOG_LEVEL", "WARNING"), format="%(levelname)s %(message)s"
    )
    sys.exit(run())


def run(args: Sequence[str] | None = None, *, prog_name: str | None = None) -> int:
    """Run the CLI on `args` (default: the command line) and return its exit code, as `main` exits with it.

    The tests call this in their own process (with Click's `CliRunner.isolation`), so what they check is
    the command's whole behaviour, error lines and exit codes included, without starting Python again.
    """
    try:
        code = cli.main(args, prog_name=prog_name, standalone_mode=False)
        return code if isinstance(code, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("truceline: aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except TrucelineError as exc:
        click.echo(f"truceline: error: {exc.diagnostics()}", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        click.echo(f"truceline: internal error: {type(exc).__name__}: {exc}", err=True)
        return 1
