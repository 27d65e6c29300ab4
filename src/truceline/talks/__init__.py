"""Negotiation rounds between the parties, loaded from the scenario."""
