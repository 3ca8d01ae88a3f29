"""The Prometheus ``/metrics`` endpoint over the plane's OpenTelemetry instruments."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from fastapi import Response
from opentelemetry import metrics
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine

from actionplane.store.tables import dead_letters

_lock = threading.Lock()
_installed = False


def install_prometheus_reader() -> None:
    """Give the global meter provider a Prometheus reader, once per process (unless the
    application installed its own provider)."""
    global _installed
    with _lock:
        if _installed:
            return
        if not isinstance(metrics.get_meter_provider(), MeterProvider):
            metrics.set_meter_provider(MeterProvider(metric_readers=[PrometheusMetricReader()]))
        _installed = True


_DLQ_DEPTH = Gauge(
    "actionplane_dlq_depth", "Dead-lettered calls waiting (pending), by project", ["project"]
)


async def refresh_dlq_depth(engine: AsyncEngine) -> None:
    """DLQ depth is a fact of the shared database, not of one process: read it at scrape time."""
    query = (
        sa.select(dead_letters.c.project_id, sa.func.count())
        .where(dead_letters.c.status == "pending")
        .group_by(dead_letters.c.project_id)
    )
    async with engine.connect() as db:
        rows = (await db.execute(query)).all()
    _DLQ_DEPTH.clear()
    for project, count in rows:
        _DLQ_DEPTH.labels(project=project).set(count)


def metrics_response() -> Response:
    install_prometheus_reader()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
