"""Entry point: the command group, shared options, and the one place that turns errors into exit codes."""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime

import click

from truceline import __version__
from truceline.config import Settings, load_settings
from truceline.errors import TrucelineError
from truceline.runtime import Runtime, open_runtime

log = logging.getLogger(__name__)


class Context:
    """Per-invocation state handed to every command: settings now, the runtime on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = open_runtime(self.settings)
        return self._runtime

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    ctx.obj = Context(load_settings(database_url=database_url, scenario=scenario, home=home))

    def _close() -> None:
        if ctx.obj._runtime is not None:
            ctx.obj._runtime.close()

    ctx.call_on_close(_close)


def _register() -> None:
    from truceline.cli import alerts, cases, export, incidents, ingest, ledger, report, setup, users, witness

    for module in (setup, ingest, incidents, ledger, export, report, users, cases, witness, alerts):
        for command in module.COMMANDS:
            cli.add_command(command)


def main() -> None:
    """Run the CLI: exit 0 on success, 1 on a failure the user can act on, 2 on a usage error."""
    logging.basicConfig(
        level=os.environ.get("TRUCELINE_LOG_LEVEL", "WARNING"), format="%(levelname)s %(message)s"
    )
    _register()
    try:
        code = cli.main(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("truceline: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TrucelineError as exc:
        click.echo(f"truceline: error: {exc.diagnostics()}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        click.echo(f"truceline: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
