"""A Click group that imports a subcommand's module only when it runs (Click's lazy-group pattern)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """Where a subcommand lives (`module:attribute`) and its one-line summary for the group's --help."""

    target: str
    summary: str


class LazyGroup(click.Group):
    """Subcommands named in a map and imported on first use; the group's --help lists them from the map.

    Click documents the pattern under "Advanced patterns: Lazily loading subcommands". The summaries are
    kept beside the targets so that `truceline --help` imports no command module; a test checks that each
    equals the command's own short help.
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The Commands section from the summaries, shortened by Click's own rule, importing nothing."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._stand_in(ctx, name).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _stand_in(self, ctx: click.Context, name: str) -> click.Command:
        lazy = self.lazy_commands.get(name)
        if lazy is None:
            return super().get_command(ctx, name) or click.Command(name)
        return click.Command(name, help=lazy.summary)

    def _load(self, name: str) -> click.Command:
        module_name, attribute = self.lazy_commands[name].target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"lazy command {name!r}: expected a click.Command at {module_name}:{attribute}")
        return command
