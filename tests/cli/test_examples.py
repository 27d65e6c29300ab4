"""Every example in docs/cli.md runs: parsed from the reference, run in this process against a copy of the
docs world (tests/cli/docs_world.py), each must exit 0. An example that cannot run here is listed in NOT_RUN
with the reason, and an entry that matches no example fails too, so neither list can go stale."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from tests.cli.docs_world import build_docs_world, run_truceline
from truceline.cli.main import cli

CLI_MD = Path(__file__).parents[2] / "docs" / "cli.md"

# Examples that need what a test may not use (the network, a server that runs until stopped, a shell), by a
# fragment of their text, with why.
NOT_RUN = {
    "truceline serve": "runs the web server until stopped",
    "--every 5m": "runs again every five minutes until stopped",
    "--every 15m": "polls every fifteen minutes until stopped",
    "https://example.org/report.html": "fetches a page from the network",
    "truceline watch https://": "polls a feed on the network",
    "--server https://truceline.example": "talks to a Truceline server on the network",
    "--dask tcp://10.0.0.5:8786": "needs a Dask scheduler (tests/intake/test_distributed.py starts one)",
    "$(sha256sum": "shell command substitution",
    "$(truceline users token": "shell command substitution",
}


@dataclass(frozen=True, slots=True)
class Example:
    command: str  # the section: "truceline cases adopt"
    text: str  # one example line, continuation lines joined


def examples() -> list[Example]:
    """The examples of each command's --help in docs/cli.md: lines after "Example(s):" starting `truceline`
    or `VAR=value truceline` (a crontab line is shown, not run)."""
    text = CLI_MD.read_text(encoding="utf-8")
    parts = re.split(r"\n## `(truceline[^`]*)`\n", text)
    found = []
    for command, body in zip(parts[1::2], parts[2::2], strict=True):
        block = re.search(r"\n  Examples?[^\n]*:\n((?:    .*\n)+)", body)
        if block is None:
            continue
        joined = re.sub(r"\\\n\s+", "", block.group(1))
        for line in joined.splitlines():
            line = line.strip()
            if re.match(r"([A-Z_]+=\S+\s+)*truceline\s", line) or "$(truceline" in line:
                found.append(Example(command, line))
    return found


def blocks() -> dict[str, list[Example]]:
    by_command: dict[str, list[Example]] = {}
    for example in examples():
        by_command.setdefault(example.command, []).append(example)
    return by_command


def _is_skipped(example: Example) -> bool:
    return any(fragment in example.text for fragment in NOT_RUN)


@pytest.fixture(scope="module")
def docs_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs-world") / "world"
    build_docs_world(root)
    return root


def run_example(line: str, root: Path) -> tuple[int, str]:
    """One example line as a shell would run it: `VAR=value` prefixes, `&&`, `> file`, `~`, `# comments`."""
    for command in line.split("&&"):
        words = shlex.split(command, comments=True)
        env = {}
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        target = None
        if ">" in words:
            at = words.index(">")
            target, words = words[at + 1], words[:at]
        home = root / "user-home"
        args = [os.path.join(home, w[2:]) if w.startswith("~/") else w for w in words[1:]]
        ran = run_truceline(args, root=root, env=env)
        if target is not None:
            (root / target).write_text(ran.out, encoding="utf-8")
        if ran.code != 0:
            return ran.code, f"{command.strip()}\n{ran.out}\n{ran.err}"
    return 0, ""


@pytest.mark.parametrize("command", sorted(blocks()))
def test_every_example_of_the_cli_reference_runs(command: str, docs_world: Path, tmp_path: Path) -> None:
    """The examples of one command run in order, in a fresh copy of the docs world."""
    root = tmp_path / "world"
    shutil.copytree(docs_world, root)
    for example in blocks()[command]:
        if _is_skipped(example):
            continue
        code, output = run_example(example.text, root)
        assert code == 0, f"`{example.text}` exited {code}:\n{output}"


def test_every_example_not_run_is_listed_with_a_reason_and_every_listed_one_exists() -> None:
    texts = [e.text for e in examples()]
    assert len(texts) > 50
    unused = [fragment for fragment in NOT_RUN if not any(fragment in t for t in texts)]
    assert unused == [], "NOT_RUN names examples docs/cli.md no longer has"


DOCS = [Path(__file__).parents[2] / "README.md", *sorted((Path(__file__).parents[2] / "docs").glob("*.md"))]


def commands_in_docs() -> list[tuple[str, str]]:
    """(file, command) for every `truceline ...` line of the README and docs outside the CLI reference."""
    found = []
    for path in DOCS:
        if path.name == "cli.md":
            continue
        text = re.sub(r"\\\n\s+", "", path.read_text(encoding="utf-8"))
        for line in text.splitlines():
            line = line.strip().removeprefix("$ ")
            if re.match(r"truceline [a-z]", line) and "`" not in line:
                found.append((path.name, line))
    return found


# Click 8 keeps a group's subcommand in `protected_args` (deprecated for Click 9, where `args` holds it).
@pytest.mark.filterwarnings("ignore:'protected_args' is deprecated:DeprecationWarning")
def test_every_truceline_command_elsewhere_in_the_docs_names_real_commands_and_options() -> None:
    """The README and the other docs show commands without the world they need; each must at least parse:
    its command exists and every option and argument it gives is one the command takes."""
    commands = commands_in_docs()
    assert len(commands) > 20
    for name, line in commands:
        for command in line.split("&&"):
            words = shlex.split(command.split(" > ")[0], comments=True)
            ctx = cli.make_context("truceline", words[1:])
            group: click.Command = cli
            while isinstance(group, click.Group) and ctx.protected_args + ctx.args:
                try:
                    sub_name, sub, rest = group.resolve_command(ctx, [*ctx.protected_args, *ctx.args])
                    assert sub is not None
                    ctx = sub.make_context(sub_name or "", rest, parent=ctx)
                except click.UsageError as exc:
                    pytest.fail(f"{name}: `{line}`: {exc.format_message()}")
                group = sub
