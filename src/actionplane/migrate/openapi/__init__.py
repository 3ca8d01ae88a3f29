"""OpenAPI 3.0 / 3.1 and Swagger 2.0 descriptions to toolkits the catalog loads as they are.

``import_openapi(path, ImportOptions(toolkit="acme"))`` reads the description, turns each
selected operation into a tool (slug from the ``operationId``, arguments flattened from its
parameters and body, output schema from its first 2xx JSON response, behaviour from its method)
and the security schemes into the toolkit's auth entries. The result holds the toolkit document
(``to_yaml()``) and a report of every operation: imported, skipped with the reason, or outside
the filters. The pipeline, one module per step:

``_refs`` reading and ``$ref`` -> ``_load`` / ``_swagger2`` operations in 3.x shapes -> ``_auth``
security -> ``_params`` arguments and HTTP mapping (``_schema`` conversion, ``_naming``,
``_text``) -> ``_examples`` -> ``_build`` tools and toolkit -> ``_report``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from actionplane.migrate.openapi._build import Progress, build_toolkit
from actionplane.migrate.openapi._load import load_spec
from actionplane.migrate.openapi._refs import SpecError, read_document
from actionplane.migrate.openapi._report import (
    ImportedTool,
    ImportOptions,
    OpenApiImport,
    SkippedOperation,
)

__all__ = [
    "ImportOptions",
    "ImportedTool",
    "OpenApiImport",
    "SkippedOperation",
    "SpecError",
    "import_openapi",
    "import_openapi_document",
]


def import_openapi_document(
    document: dict[str, Any],
    options: ImportOptions,
    base: Path | None = None,
    progress: Progress | None = None,
) -> OpenApiImport:
    """Import an already-parsed description; ``base`` is the folder its file references use."""
    started = time.perf_counter()
    result = build_toolkit(load_spec(document, base), options, progress)
    result.seconds = time.perf_counter() - started
    return result


def import_openapi(
    path: Path, options: ImportOptions, progress: Progress | None = None
) -> OpenApiImport:
    """Import the description in the JSON or YAML file ``path``; ``SpecError`` says what is
    wrong."""
    started = time.perf_counter()
    document = read_document(path)
    result = import_openapi_document(document, options, path.resolve().parent, progress)
    result.seconds = time.perf_counter() - started
    return result
