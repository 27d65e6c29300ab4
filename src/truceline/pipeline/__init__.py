"""Pure intake stages: text in, frozen values out; no database, no network."""
