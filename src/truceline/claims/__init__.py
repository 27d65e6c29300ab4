"""Structured assertions about one happening each, with provenance (document, evidence span, extractor)."""
