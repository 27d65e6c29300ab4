"""Verification cases: evidence, findings with quorum signatures, and penalties."""
