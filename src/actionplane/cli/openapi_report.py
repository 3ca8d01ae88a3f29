"""What ``actionplane import openapi`` shows: a progress bar, then the report for people or JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from actionplane.cli.output import console, errors, print_json
from actionplane.migrate.openapi import OpenApiImport

_SHOWN_NOTES = 20


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A callback that advances a bar on stderr (a terminal only: logs get no animation)."""
    if not enabled or not errors.is_terminal:
        yield None
        return
    columns = (
        TextColumn("importing operations"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=errors, transient=True) as bar:
        task = bar.add_task("operations", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def print_openapi_report(
    result: OpenApiImport, spec: Path, output: Path | None, as_json: bool
) -> None:
    """The report: JSON (with the toolkit when it went nowhere else), or text for a person.
    The text goes to stderr when the toolkit itself went to stdout."""
    if as_json:
        report = result.as_json()
        if output is None:
            report["document"] = result.toolkit
        else:
            report["output"] = str(output)
        print_json(report)
        return
    out = console if output is not None else Console(stderr=True)
    kind = "Swagger" if result.source_version.startswith("2") else "OpenAPI"
    out.print(
        f"{spec.name} ({kind} {result.source_version}, {result.operations} operations) -> "
        f"toolkit [bold]{result.toolkit['slug']}[/]: {len(result.tools)} tools, "
        f"{len(result.skipped)} skipped, {result.filtered_out} outside the filters, "
        f"in {result.seconds:.1f} s",
        highlight=False,
    )
    for warning in result.warnings:
        out.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if result.skipped:
        table = Table(title="skipped operations", title_justify="left")
        for column in ("method", "path", "operationId", "why"):
            table.add_column(column, overflow="fold")
        for skipped in result.skipped:
            table.add_row(skipped.method, skipped.path, skipped.operation_id or "", skipped.reason)
        out.print(table)
    noted = [tool for tool in result.tools if tool.notes]
    for tool in noted[:_SHOWN_NOTES]:
        out.print(f"{tool.slug}: {'; '.join(tool.notes)}", highlight=False)
    if len(noted) > _SHOWN_NOTES:
        out.print(f"... and {len(noted) - _SHOWN_NOTES} more tools with notes (--json lists all)")
    if output is not None:
        size = output.stat().st_size
        out.print(
            f"wrote {output} ({size / 1024:.0f} KiB); use it with "
            f"ACTIONPLANE_TOOLKITS_PATH={output}",
            highlight=False,
        )
