"""The only code that combines several domains; each call is one transaction owned by the caller."""
