"""JSON API routers (OpenAPI at /docs and /openapi.json)."""
