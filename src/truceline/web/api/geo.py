"""Map layers of the scenario as GeoJSON, served from package data (the map needs no internet)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from truceline.errors import NotFound
from truceline.scenarios.geography import get_geography
from truceline.web.deps import RuntimeDep

router = APIRouter(prefix="/geo", tags=["map"])
LAYERS = ("boundary", "admin1", "crossings", "buffer")


@router.get("/{layer}")
def geo_layer(layer: str, runtime: RuntimeDep) -> dict[str, Any]:
    if layer not in LAYERS:
        raise NotFound("map layer", layer)
    geography = get_geography(runtime.scenario)
    builders = {
        "boundary": geography.boundary_geojson,
        "admin1": geography.admin1_geojson,
        "crossings": geography.crossings_geojson,
        "buffer": geography.buffer_geojson,
    }
    layer_json: dict[str, Any] = builders[layer]()
    return layer_json
