"""Truceline: ceasefire monitoring and verification with a witnessed, append-only record."""

__version__ = "0.1.0"
