"""Alert rules and their deliveries, read-only (rule changes and runs are `workflows.alerts`)."""

from __future__ import annotations

from truceline.alerts.service import get_rule, list_deliveries, list_rules

__all__ = ["get_rule", "list_deliveries", "list_rules"]
