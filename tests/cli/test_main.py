import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tests.cli.conftest import invoke_in_process, invoke_process
from truceline.cli.main import COMMANDS as COMMANDS_BY_NAME
from truceline.cli.main import cli

COMMANDS = [
    ["init"],
    ["serve"],
    ["ingest"],
    ["export"],
    ["ledger"],
    ["ledger", "verify"],
    ["ledger", "proof"],
    ["ledger", "export"],
    ["ledger", "checkpoint"],
    ["extract"],
    ["watch"],
    ["users", "token"],
    ["users", "revoke-token"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: list[str], tmp_path: Path) -> None:
    result = invoke_in_process([*command, "--help"], env={}, cwd=tmp_path)
    assert result.code == 0, result.err
    assert "Example" in result.out
    assert result.out.strip().startswith("Usage: truceline ")


def test_the_console_command_prints_help_and_exits_0(tmp_path: Path) -> None:
    result = invoke_process(["ledger", "verify", "--help"], env={}, cwd=tmp_path)
    assert result.code == 0, result.err
    assert "Example" in result.out
    assert result.out.strip().startswith("Usage: ")


def test_an_unknown_command_is_a_usage_error_with_exit_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "truceline", "frobnicate"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "No such command" in proc.stderr


def test_the_group_help_gives_each_command_its_own_summary() -> None:
    group_ctx = click.Context(cli, info_name="truceline")
    for name, lazy in COMMANDS_BY_NAME.items():
        command = cli.get_command(group_ctx, name)
        assert command is not None, name
        assert command.get_short_help_str(10_000) == lazy.summary, (
            f"update the summary of {name!r} in cli/main.py"
        )


def _imported_modules(*args: str, cwd: Path) -> set[str]:
    """The modules `truceline ARGS` imports, read from `python -X importtime`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUCELINE_")}
    env["TRUCELINE_HOME"] = str(cwd / "home")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "truceline", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=env,
    )
    lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[-1].strip() for line in lines}


def test_help_imports_no_command_module_and_no_database_code(tmp_path: Path) -> None:
    modules = _imported_modules("--help", cwd=tmp_path)
    assert not {m for m in modules if m.startswith(("truceline.cli.", "sqlalchemy"))} - {
        "truceline.cli.main",
        "truceline.cli.lazy",
    }
    assert not {m for m in modules if m.split(".")[0] in {"dask", "distributed"}}


def test_extract_imports_neither_fastapi_nor_weasyprint(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(
        "Pakistani and Afghan forces exchanged fire near Torkham on Saturday.\n", encoding="utf-8"
    )
    modules = _imported_modules("extract", str(article), "--published", "2025-10-27", cwd=tmp_path)
    assert "truceline.pipeline.extract" in modules  # the command did run
    assert not {m for m in modules if m.split(".")[0] in {"fastapi", "starlette", "weasyprint"}}
    assert not {m for m in modules if m.split(".")[0] in {"dask", "distributed"}}  # only --dask loads Dask
