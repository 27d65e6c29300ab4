"""The per-invocation state every command receives, and the decorator that hands it over."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from truceline.config import Settings
    from truceline.runtime import Runtime


class Context:
    """Per-invocation state handed to every command: settings now, the runtime on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            from truceline.runtime import open_runtime  # the database layer loads for commands that use it

            self._runtime = open_runtime(self.settings)
        return self._runtime

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    def close(self) -> None:
        """Close the runtime if a command opened one."""
        if self._runtime is not None:
            self._runtime.close()


pass_context = click.make_pass_decorator(Context)
