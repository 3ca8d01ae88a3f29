"""What the benchmarks share: a workload driver, planes on each backend, and a table printer."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from actionplane import AsyncPlane
from actionplane.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "ACTIONPLANE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ACTIONPLANE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Run:
    """What one workload did: wall time, each call's latency, and how many failed."""

    name: str
    concurrency: int
    elapsed_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def calls(self) -> int:
        return len(self.latencies_s)

    @property
    def rate(self) -> float:
        return self.calls / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def drive(
    name: str, call: Callable[[int], Awaitable[bool]], calls: int, concurrency: int
) -> Run:
    """Run ``call(i)`` for i in range(calls) on ``concurrency`` workers; True means success."""
    run = Run(name, concurrency)
    counter = iter(range(calls))

    async def worker() -> None:
        for i in counter:
            started = time.perf_counter()
            ok = await call(i)
            run.latencies_s.append(time.perf_counter() - started)
            run.failures += not ok

    started = time.perf_counter()
    async with anyio.create_task_group() as tasks:
        for _ in range(concurrency):
            tasks.start_soon(worker)
    run.elapsed_s = time.perf_counter() - started
    return run


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain Markdown table, so it pastes into docs/benchmarks.md as printed."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of this run's own, dropped after it."""
    import psycopg
    from psycopg import sql

    name = "ap_bench_" + secrets.token_hex(6)
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextlib.contextmanager
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of this run's own; its keys are deleted after it."""
    import redis

    prefix = f"apbench:{secrets.token_hex(6)}:"
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


def backend_available(backend: str) -> str | None:
    """None when ``backend`` can run here; else why not."""
    if backend != "postgres":
        return None
    import psycopg
    import redis

    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        return f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"Redis is not reachable at {REDIS_URL}: {error}"
    finally:
        client.close()
    return None


@contextlib.asynccontextmanager
async def open_plane(
    backend: str, upstream_url: str, users: Sequence[str], **settings: Any
) -> AsyncIterator[AsyncPlane]:
    """A plane on ``backend`` ("sqlite" or "postgres": PostgreSQL + Redis) whose github
    toolkit points at ``upstream_url``, with each user connected by a token."""
    os.environ["ACTIONPLANE_GITHUB_BASE_URL"] = upstream_url
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="apbench-")))
        options: dict[str, Any] = {"key_file": folder / "encryption.key", **settings}
        if backend == "sqlite":
            options["database_url"] = f"sqlite:///{folder / 'actionplane.db'}"
        elif backend == "postgres":
            options["database_url"] = stack.enter_context(postgres_database())
            options["redis_url"] = REDIS_URL
            options["redis_prefix"] = stack.enter_context(redis_prefix())
        else:
            raise ValueError(f"unknown backend {backend!r}")
        plane = AsyncPlane(settings=Settings(**options))
        try:
            for user in users:
                await plane.connections.add(user, "github", token=f"ghp_{user}")
            yield plane
        finally:
            await plane.aclose()
