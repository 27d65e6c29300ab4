"""Ingested reports: stored once by content hash, never edited."""
