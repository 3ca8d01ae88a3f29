"""The Prometheus ``/metrics`` endpoint over the plane's OpenTelemetry instruments."""

from __future__ import annotations

import threading

from fastapi import Response
from opentelemetry import metrics
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

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


def metrics_response() -> Response:
    install_prometheus_reader()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
