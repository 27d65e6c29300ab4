"""Accounts, roles and API tokens; rules.py holds the access policy."""
