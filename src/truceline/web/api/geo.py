"""Map layers of the scenario as GeoJSON, served from package data (the map needs no internet).

The scenario's geography is public, like aggregate statistics.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from truceline.errors import NotFound
from truceline.scenarios.geography import get_geography
from truceline.users.rules import Action, Principal
from truceline.web.deps import RuntimeDep, allow

router = APIRouter(prefix="/geo", tags=["map"])
LAYERS = ("boundary", "admin1", "crossings", "buffer")


@router.get("/{layer}")
def geo_layer(
    layer: str, runtime: RuntimeDep, _: Annotated[Principal, allow(Action.READ_STATISTICS)]
) -> dict[str, Any]:
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
