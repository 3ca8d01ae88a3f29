"""The ``actionplane`` command: a thin Typer app over the public API."""

from actionplane.cli.app import app, main

__all__ = ["app", "main"]
