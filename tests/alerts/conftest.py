"""The CLI tests here run the real command like tests/cli does: reuse its fixture."""

from tests.cli.conftest import run_cli

__all__ = ["run_cli"]
