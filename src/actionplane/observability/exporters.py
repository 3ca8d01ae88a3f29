"""Installing exporters from the environment, for the embedded plane, the CLI and the server.

OTLP when the standard ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) is set;
``ACTIONPLANE_TRACE_FILE=path`` writes finished spans as JSON lines (development);
``ACTIONPLANE_TRACE_CONSOLE=1`` prints them. Nothing is installed when none is set, and an
application's own tracer provider is never replaced.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from typing import IO

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

_lock = threading.Lock()
_done = False


class JsonFileSpanExporter(SpanExporter):
    """Finished spans as JSON lines in a file."""

    def __init__(self, path: str) -> None:
        self._file: IO[str] = open(path, "a")  # noqa: SIM115 - closed in shutdown
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with self._lock:
            for span in spans:
                self._file.write(json.dumps(json.loads(span.to_json())) + "\n")
            self._file.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self._file.close()


def configure_tracing_from_env() -> bool:
    """Install a tracer provider with the configured exporters; False when none is configured
    or the application already installed its own."""
    global _done
    with _lock:
        if _done:
            return True
        exporters: list[tuple[SpanExporter, bool]] = []
        if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
        ):
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append((OTLPSpanExporter(), True))
        if os.environ.get("ACTIONPLANE_TRACE_FILE"):
            exporters.append((JsonFileSpanExporter(os.environ["ACTIONPLANE_TRACE_FILE"]), False))
        if os.environ.get("ACTIONPLANE_TRACE_CONSOLE") == "1":
            exporters.append((ConsoleSpanExporter(), False))
        if not exporters:
            return False
        if isinstance(trace.get_tracer_provider(), TracerProvider):
            return False
        service = os.environ.get("OTEL_SERVICE_NAME", "actionplane")
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        for exporter, batch in exporters:
            processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
            provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
        _done = True
        return True
