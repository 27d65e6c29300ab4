"""Run the real `truceline` command in a subprocess against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(database_url: str, tmp_path: Path) -> RunCli:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUCELINE_")}
    env.update({"TRUCELINE_DATABASE_URL": database_url, "TRUCELINE_HOME": str(tmp_path / "home")})

    def run(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "truceline", *args],
            capture_output=True,
            text=True,
            env={**env, **(extra_env or {})},
            cwd=tmp_path,
            timeout=120,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run
