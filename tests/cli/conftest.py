"""Run `truceline` against the test database: in this process (fast), or as the real console command.

`run_cli` calls `truceline.cli.main.run` in this process under Click's `CliRunner.isolation` (its own stdin,
stdout, stderr and environment, in the test's directory), so a test sees what a person at a shell sees: the
output, the one-line errors, the exit code and the log lines. `run_cli_process` starts `python -m truceline`
for the few tests that are about the entry point itself (exit codes set by the interpreter, imports).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from truceline.cli.main import run as run_truceline


@dataclass
class Result:
    code: int
    out: str
    err: str


RunCli = Callable[..., Result]


def invoke_in_process(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path, input: str | None = None
) -> Result:
    """`truceline ARGS` in this process, as `main` runs it; `env` replaces inherited TRUCELINE_ variables."""
    cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("TRUCELINE_")}
    runner = CliRunner()
    with (
        contextlib.chdir(cwd),
        runner.isolation(input=input, env={**cleared, **env}) as (out, err, _),
        _log_to_stderr(),
    ):
        try:
            code = run_truceline(list(args), prog_name="truceline")
        except SystemExit as exc:  # what the interpreter would make of a bare sys.exit()
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    return Result(code, out.getvalue().decode(), err.getvalue().decode())


@contextlib.contextmanager
def _log_to_stderr() -> Iterator[None]:
    """What `main`'s logging.basicConfig does in a real run: log lines on (the captured) stderr."""
    root = logging.getLogger()
    level = logging.getLevelName(os.environ.get("TRUCELINE_LOG_LEVEL", "WARNING"))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.setLevel(level)
    before = root.level
    root.addHandler(handler)
    root.setLevel(min(before, level) if before else level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


def invoke_process(args: Sequence[str], *, env: Mapping[str, str], cwd: Path) -> Result:
    """`python -m truceline ARGS` in a new process, with only `env`'s TRUCELINE_ variables."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("TRUCELINE_")}
    proc = subprocess.run(
        [sys.executable, "-m", "truceline", *args],
        capture_output=True,
        text=True,
        env={**inherited, **env},
        cwd=cwd,
        timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"TRUCELINE_DATABASE_URL": database_url, "TRUCELINE_HOME": str(tmp_path / "home")}


@pytest.fixture
def run_cli(database_url: str, tmp_path: Path) -> RunCli:
    """`run_cli("ledger", "verify")`: the command in this process, on the test's database and home."""
    env = _env(database_url, tmp_path)

    def run(*args: str, extra_env: dict[str, str] | None = None, input: str | None = None) -> Result:
        return invoke_in_process(args, env={**env, **(extra_env or {})}, cwd=tmp_path, input=input)

    return run


@pytest.fixture
def run_cli_process(database_url: str, tmp_path: Path) -> RunCli:
    """Like `run_cli`, but the real `python -m truceline` in a subprocess (slow: keep it for a few tests)."""
    env = _env(database_url, tmp_path)

    def run(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        return invoke_process(args, env={**env, **(extra_env or {})}, cwd=tmp_path)

    return run
