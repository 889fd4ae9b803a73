"""`python -m redline ...` is the `redline` command."""

from redline.frontends.cli import entry

entry()
