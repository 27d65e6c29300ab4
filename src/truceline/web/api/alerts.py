"""Alert rules and their deliveries (JSON API)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/alerts", tags=["alerts"])
