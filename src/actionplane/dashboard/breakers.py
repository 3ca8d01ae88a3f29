"""Reading a breaker's state without touching it.

``BreakerState.acquire`` would take a half-open trial permit, so the overview reads the state
where it lives instead: the process's own machines, or the Redis hash the fleet shares. An open
breaker whose wait is over is reported ``half_open``: the next call will be a trial.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from actionplane.engine.attempts import breaker_scope
from actionplane.engine.breaker import MemoryBreakerState

if TYPE_CHECKING:
    from actionplane.plane import AsyncPlane


def _state(state: str, open_until: float, now: float) -> dict[str, Any]:
    if state == "open" and now >= open_until:
        return {"state": "half_open", "retry_in_s": 0.0}
    wait = max(0.0, open_until - now) if state == "open" else 0.0
    return {"state": state, "retry_in_s": round(wait, 3)}


async def _peek(store: Any, scope: str, now: float) -> dict[str, Any]:
    if isinstance(store, MemoryBreakerState):
        with store._lock:
            machine = store._machines.get(scope)
            if machine is None:
                return _state("closed", 0.0, now)
            return _state(machine.state, machine.open_until, now)
    redis = getattr(store, "_redis", None)
    if redis is None:  # a state store this module does not know how to read
        return {"state": "unknown", "retry_in_s": 0.0}
    fields = await redis.hmget(f"{store._prefix}breaker:{scope}", "state", "open_until")
    state = (fields[0] or b"closed").decode() if isinstance(fields[0], bytes) else fields[0]
    until = float(fields[1]) if fields[1] is not None else 0.0
    return _state(state or "closed", until, now)


async def breaker_states(plane: AsyncPlane, called: Iterable[str]) -> list[dict[str, Any]]:
    """The breaker of every toolkit in ``called``, and of any other whose breaker is not
    closed, sorted by toolkit."""
    guards = plane._guards
    store = guards.breakers._state
    now = time.time()
    wanted = set(called)
    found = []
    for toolkit in plane.catalog.toolkits():
        peeked = await _peek(store, breaker_scope(toolkit), now)
        if toolkit.slug in wanted or peeked["state"] != "closed":
            found.append({"provider": toolkit.slug, **peeked})
    return sorted(found, key=lambda b: b["provider"])
