"""Periodic compliance reports as HTML and PDF."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
