"""The `truceline` command line: one module per command group, thin over workflows and services."""
