"""`truceline alerts`: alert rules, and running them (webhook and email deliveries, each recorded)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
