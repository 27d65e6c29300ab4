"""`truceline alerts` as an operator runs it: in-process (CliRunner), and once for real for the error line."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.alerts.servers import smtp_receiver
from tests.alerts.world import add_incident
from tests.cli.conftest import RunCli
from truceline.alerts.models import AlertRule
from truceline.cli.main import cli
from truceline.errors import InvalidInput
from truceline.runtime import Runtime

DEADLY = [
    "--name",
    "Deadly",
    "--kind",
    "fatalities_at_least",
    "--channel",
    "email",
    "--target",
    "desk@example.org",
]


Invoke = Callable[..., Result]


@pytest.fixture
def invoke(database_url: str, tmp_path: Path) -> Invoke:
    runner = CliRunner()
    base = ["--database", database_url, "--home", str(tmp_path / "home")]

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(cli, [*base, *args], env=env, catch_exceptions=False)

    return run


def test_rules_are_added_run_listed_and_disabled(invoke: Invoke, runtime: Runtime) -> None:
    run = invoke
    added = run("alerts", "add", *DEADLY, "--threshold", "5", "--format", "json")
    assert added.exit_code == 0, added.output
    [rule] = json.loads(added.stdout)
    assert (rule["kind"], rule["threshold"], rule["created_by"]) == ("fatalities_at_least", 5, "cli:admin")
    with runtime.transaction() as session:
        add_incident(session, "inc-cli", killed=7, now=datetime.now(UTC))

    with smtp_receiver() as smtp:
        env = {"TRUCELINE_SMTP_PORT": str(smtp.port), "TRUCELINE_SMTP_FROM": "alerts@desk.example.org"}
        ran = run("alerts", "run", env=env)
        again = run("alerts", "run", env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.startswith(f"delivered\t{rule['id']}\tincident:inc-cli\temail\tdesk@example.org\t250 ")
    assert (again.exit_code, again.stdout, again.stderr.strip()) == (0, "", "nothing new to send")
    [mail] = smtp.mails
    assert mail.sender == "alerts@desk.example.org"
    assert mail.message["Subject"] == "[Truceline] 7 killed: Shelling near Torkham"

    listed = run("alerts", "deliveries")
    assert f"\tdelivered\t#1\t{rule['id']}\tincident:inc-cli\t" in listed.stdout
    assert run("alerts", "disable", rule["id"]).stdout == f"{rule['id']}\tdisabled\n"
    assert f"{rule['id']}\tdisabled\tfatalities_at_least>=5\temail" in run("alerts", "list").stdout


def test_a_run_whose_deliveries_fail_exits_0_and_says_so(invoke: Invoke, runtime: Runtime) -> None:
    run = invoke
    assert run("alerts", "add", *DEADLY, "--threshold", "1").exit_code == 0
    with runtime.transaction() as session:
        add_incident(session, "inc-cli", killed=3, now=datetime.now(UTC))
    with smtp_receiver() as smtp:
        port = smtp.port
    ran = run("alerts", "run", env={"TRUCELINE_SMTP_PORT": str(port)})  # nobody listens there any more
    assert ran.exit_code == 0
    assert ran.stdout.startswith("failed\t") and "ConnectionRefusedError" in ran.stdout
    assert ran.stderr.strip() == "1 of 1 deliveries failed; they are retried on the next run"


def test_bad_input_is_one_line_on_stderr_and_exit_1(run_cli_process: RunCli, runtime: Runtime) -> None:
    bad = run_cli_process("alerts", "add", *DEADLY)
    assert (bad.code, bad.out) == (1, "")
    assert bad.err.strip() == (
        "truceline: error: threshold: fatalities_at_least needs a threshold (the number killed), found none"
    )
    with runtime.sessions() as session:
        assert session.query(AlertRule).count() == 0


def test_run_every_period_repeats_and_a_bad_period_is_refused(invoke: Invoke, runtime: Runtime) -> None:
    run = invoke
    assert run("alerts", "add", *DEADLY, "--threshold", "1").exit_code == 0
    with smtp_receiver() as smtp:
        env = {"TRUCELINE_SMTP_PORT": str(smtp.port)}
        ran = run("alerts", "run", "--every", "1s", "--rounds", "2", env=env)
    assert ran.exit_code == 0
    assert ran.stderr.count("nothing new to send") == 2  # two runs, one second apart
    with pytest.raises(InvalidInput, match="--every: expected a period like 30s"):  # main() makes it exit 1
        run("alerts", "run", "--every", "soon")
    assert run("alerts", "run", "--rounds", "2").exit_code == 2
