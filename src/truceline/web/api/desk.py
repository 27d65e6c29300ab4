"""The mediator's desk as JSON: status, escalation, map data, timeline."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["desk"])
