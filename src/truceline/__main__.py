"""`python -m truceline` runs the CLI."""

from truceline.cli.main import main

main()
