"""Alerts: rules that watch the record, and each delivery of what they found (webhook or e-mail)."""
