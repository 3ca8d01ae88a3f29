"""``actionplane import n8n|make|zapier FILE``: an export to a Python saga workflow + a report.

``actionplane import openapi SPEC --toolkit NAME``: an API description to a toolkit YAML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from actionplane.cli.output import console, fail, print_json, print_table
from actionplane.migrate import import_file

import_app = typer.Typer(
    help=(
        "Turn n8n, Make and Zapier exports into Python workflows on the plane's tools, "
        "and OpenAPI descriptions into toolkits."
    ),
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


SpecArg = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, help="The OpenAPI 3.0 / 3.1 or Swagger 2.0 description."
    ),
]


@import_app.command("openapi")
def import_openapi_command(
    spec: SpecArg,
    toolkit: Annotated[
        str,
        typer.Option("--toolkit", help="The new toolkit's slug; its tools' slugs start with it."),
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the toolkit YAML here (else stdout)."),
    ] = None,
    tags: Annotated[
        list[str] | None, typer.Option("--tag", help="Only operations with this tag (repeatable).")
    ] = None,
    path_prefix: Annotated[
        str | None, typer.Option("--path-prefix", help="Only operations whose path starts so.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="The API's URL, if the description has none.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """An OpenAPI 3.0 / 3.1 or Swagger 2.0 description, as a toolkit YAML the catalog loads."""
    from actionplane.cli.openapi_report import print_openapi_report, progress_bar
    from actionplane.migrate.openapi import ImportOptions, SpecError, import_openapi

    options = ImportOptions(toolkit, tuple(tags or ()), path_prefix, base_url)
    try:
        with progress_bar(enabled=not as_json) as progress:
            result = import_openapi(spec, options, progress)
        if output is not None:
            output.write_text(result.to_yaml(), encoding="utf-8")
    except SpecError as error:
        fail(str(error))
    except OSError as error:
        fail(f"cannot write {output}: {error}")
    if output is None and not as_json:
        sys.stdout.write(result.to_yaml())
    print_openapi_report(result, spec, output, as_json)
