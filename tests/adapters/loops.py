"""The thread's default event loop for frameworks whose ``run_sync`` uses it and leaves it open."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def default_event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh default loop for this thread, closed afterwards (else it leaks its sockets).

    The Agents SDK's ``Runner.run_sync`` and Pydantic AI's ``Agent.run_sync`` run on the
    thread's default loop, creating one if there is none, and never close it.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()
