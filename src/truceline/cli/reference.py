"""Generates docs/cli.md from the commands' own --help, so the reference cannot drift from the code."""

from __future__ import annotations

import click

from truceline.cli.main import cli


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        with click.Context(command, info_name=" ".join(path)) as ctx:
            for name in command.list_commands(ctx):  # the lazy group imports each command here
                subcommand = command.get_command(ctx, name)
                if subcommand is not None:
                    found.extend(_walk(subcommand, [*path, name]))
    return found


def render_reference() -> str:
    """Markdown with one section per command holding its --help text."""
    parts = [
        "# CLI reference\n",
        "Generated from `--help` by `make docs` (`python -m truceline.cli.reference > docs/cli.md`); "
        "a test fails when it is out of date. Every example below runs in a test "
        "(tests/cli/test_examples.py) against `truceline init --demo` plus the records and files the "
        "examples name, so an example that stops working fails the build.\n",
    ]
    # The group's context settings, given explicitly: a bare Context would not apply them, and Click caches
    # each command's help option the first time it is built, so the text would depend on what ran before.
    help_names = list(cli.context_settings.get("help_option_names", ["--help"]))
    for path, command in _walk(cli, ["truceline"]):
        with click.Context(
            command, info_name=" ".join(path), max_content_width=100, help_option_names=help_names
        ) as ctx:
            help_text = command.get_help(ctx)
        parts.append(f"\n## `{' '.join(path)}`\n\n```\n{help_text}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    click.echo(render_reference(), nl=False)
