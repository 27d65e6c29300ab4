"""CSV and GeoJSON downloads of every list, and the Atom feed of published findings."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
