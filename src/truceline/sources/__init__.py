"""Outlets, feeds, parties, monitor teams and datasets that reports come from, with reliability grades."""
