"""`truceline report`: the periodic compliance report as HTML or PDF."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
