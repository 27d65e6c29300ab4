import subprocess
import sys

import pytest

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
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "truceline", *command, "--help"], capture_output=True, text=True, check=True
    )
    assert "Example" in proc.stdout
    assert proc.stdout.strip().startswith("Usage: ")


def test_an_unknown_command_is_a_usage_error_with_exit_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "truceline", "frobnicate"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "No such command" in proc.stderr
