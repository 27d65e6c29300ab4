"""One CLI test here runs the real console command, like tests/cli does: reuse its fixture."""

from tests.cli.conftest import run_cli_process

__all__ = ["run_cli_process"]
