"""``actionplane import n8n|make|zapier FILE``: an export to a Python saga workflow + a report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.migrate import import_file

import_app = typer.Typer(
    help="Turn n8n, Make and Zapier exports into Python workflows on the plane's tools.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The export (JSON).")]
OutOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write the workflow here (else stdout).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as a JSON array.")]


def _run(source: str, file: Path, output: Path | None, as_json: bool) -> None:
    try:
        result = import_file(source, file)
    except (ValueError, KeyError, TypeError) as error:
        fail(f"{file} is not a {source} export this importer reads: {error}")
    if output is not None:
        output.write_text(result.code, encoding="utf-8")
    elif not as_json:
        sys.stdout.write(result.code)
    if as_json:
        print_json([node.as_json() for node in result.nodes])
        return
    counts = result.counts()
    out = console if output is not None else None
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    rows = [[n.name, n.type, n.status, n.note] for n in result.nodes]
    if out is None:  # the code went to stdout: the report goes to stderr
        from rich.console import Console

        err = Console(stderr=True)
        err.print(f"{len(rows)} nodes: {summary}")
        for row in rows:
            err.print(" | ".join(row), highlight=False)
        return
    print_table(
        f"{result.title}: {len(rows)} nodes, {summary}", ["node", "type", "status", "note"], rows
    )
    console.print(
        f"wrote {output}; connections required: {', '.join(result.connections) or 'none'}"
    )


@import_app.command("n8n")
def import_n8n(file: FileArg, output: OutOpt = None, as_json: JsonOpt = False) -> None:
    """An n8n workflow export."""
    _run("n8n", file, output, as_json)


@import_app.command("make")
def import_make(file: FileArg, output: OutOpt = None, as_json: JsonOpt = False) -> None:
    """A Make scenario blueprint."""
    _run("make", file, output, as_json)


@import_app.command("zapier")
def import_zapier(file: FileArg, output: OutOpt = None, as_json: JsonOpt = False) -> None:
    """A Zapier "Export Zaps" JSON file."""
    _run("zapier", file, output, as_json)
