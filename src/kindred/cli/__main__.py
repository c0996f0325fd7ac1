"""`python -m kindred.cli`: the same as the `kindred` command."""

from kindred.cli import main

main()
