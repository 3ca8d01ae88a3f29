"""OpenTelemetry metrics of the plane: calls, latency, retries, breaker states, DLQ, refreshes.

Instruments come from the global meter provider, so they cost nothing until an application (or
the server's Prometheus endpoint) installs one.
"""

from __future__ import annotations

from functools import cache

from opentelemetry import metrics


class Instruments:
    def __init__(self) -> None:
        meter = metrics.get_meter("actionplane")
        self.calls = meter.create_counter(
            "actionplane.tool.calls", description="Tool calls by tool, toolkit and outcome"
        )
        self.duration = meter.create_histogram(
            "actionplane.tool.duration", unit="ms", description="Duration of tool calls"
        )
        self.retries = meter.create_counter(
            "actionplane.tool.retries", description="Attempts beyond the first"
        )
        self.breaker_transitions = meter.create_counter(
            "actionplane.breaker.opened", description="Times a provider's breaker opened"
        )
        self.dead_letters = meter.create_counter(
            "actionplane.dlq.added", description="Calls dead-lettered, by reason"
        )
        self.refreshes = meter.create_counter(
            "actionplane.auth.refreshes", description="Token refreshes, by result"
        )


@cache
def instruments() -> Instruments:
    return Instruments()
