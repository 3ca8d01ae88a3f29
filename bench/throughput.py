"""Throughput and latency of guarded calls against direct httpx calls, side by side in one run.

Every column runs the same workload against the same local upstream (``bench.upstream``, in its
own process) at the same concurrency: ``--calls`` creates of a GitHub issue, spread over
``--users`` end users.

- ``direct httpx``: ``httpx.AsyncClient.post`` with the user's token, then ``response.json()``.
- ``actionplane sqlite``: ``AsyncPlane.tools.execute("GITHUB_CREATE_ISSUE", ...)`` with every
  guard on: an explicit, unique idempotency key per call (each call claims and completes a key),
  argument validation, the connection lookup and credential decryption, a configured rate limit
  (high enough never to bind, so its check runs on every call), the circuit breaker, the bulkhead,
  classification and the execution log.
- ``actionplane postgres+redis``: the same, on PostgreSQL, with the limiter and breaker in Redis.

Each column is warmed up first (connections opened, pools filled, code paths compiled) and
measured after. ``--profile FILE`` profiles the SQLite column with pyinstrument (not a project
dependency: ``uv pip install pyinstrument`` first).

    python -m bench.throughput
    python -m bench.throughput --calls 3000 --concurrency 16,64 --backends sqlite,postgres
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import anyio
import httpx

from actionplane import AsyncPlane
from bench.common import Run, backend_available, drive, open_plane, print_table
from bench.upstream import start_upstream

HEADERS = ("column", "concurrency", "calls", "calls/s", "p50 ms", "p99 ms", "vs direct", "failed")
# High enough never to bind: the check still runs on every call.
UNBINDING_LIMITS = {
    "github": {
        "per_toolkit": {"per_second": 1_000_000, "burst": 100_000},
        "per_connection": {"per_second": 1_000_000, "burst": 100_000},
    }
}
LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=50)


def _issue(i: int) -> dict[str, Any]:
    return {"owner": "acme", "repo": "app", "title": f"Bench issue {i}", "body": "From bench."}


def direct_call(http: httpx.AsyncClient, url: str, users: Sequence[str]) -> Callable[[int], Any]:
    async def call(i: int) -> bool:
        arguments = _issue(i)
        response = await http.post(
            f"{url}/repos/{arguments.pop('owner')}/{arguments.pop('repo')}/issues",
            json=arguments,
            headers={
                "Authorization": f"Bearer ghp_{users[i % len(users)]}",
                "Accept": "application/json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
        )
        response.json()
        return response.status_code == 201

    return call


def guarded_call(plane: AsyncPlane, users: Sequence[str], run_id: str) -> Callable[[int], Any]:
    async def call(i: int) -> bool:
        result = await plane.tools.execute(
            "GITHUB_CREATE_ISSUE",
            _issue(i),
            user_id=users[i % len(users)],
            idempotency_key=f"{run_id}-{i}",
        )
        return result.successful

    return call


async def measure(
    name: str,
    call: Callable[[int], Awaitable[bool]],
    calls: int,
    warmup: int,
    concurrency: int,
    profile: Path | None = None,
) -> Run:
    """Warm up with distinct call numbers, then measure."""
    await drive(name, lambda i: call(calls + i), warmup, concurrency)
    if profile is None:
        return await drive(name, call, calls, concurrency)
    profiler: Any = importlib.import_module("pyinstrument").Profiler(
        interval=0.001, async_mode="disabled"
    )
    profiler.start()
    try:
        return await drive(name, call, calls, concurrency)
    finally:
        profiler.stop()
        await anyio.Path(profile).write_text(profiler.output_text(unicode=True))
        await anyio.Path(profile.with_suffix(".html")).write_text(profiler.output_html())


async def run(args: argparse.Namespace) -> list[Run]:
    users = [f"user{n}" for n in range(args.users)]
    runs: list[Run] = []
    with start_upstream() as upstream:
        async with httpx.AsyncClient(limits=LIMITS) as http:
            planes: list[tuple[str, AsyncPlane]] = []
            async with contextlib.AsyncExitStack() as stack:
                for backend in args.backends:
                    plane = await stack.enter_async_context(
                        open_plane(backend, upstream.url, users, rate_limits=UNBINDING_LIMITS)
                    )
                    label = "sqlite" if backend == "sqlite" else "postgres+redis"
                    planes.append((f"actionplane {label}", plane))
                for concurrency in args.concurrency:
                    runs.append(
                        await measure(
                            "direct httpx",
                            direct_call(http, upstream.url, users),
                            args.calls,
                            args.warmup,
                            concurrency,
                        )
                    )
                    for name, plane in planes:
                        profile = args.profile if name.endswith("sqlite") else None
                        if profile is not None:
                            profile = profile.with_name(f"{profile.stem}-c{concurrency}.txt")
                        runs.append(
                            await measure(
                                name,
                                guarded_call(plane, users, f"c{concurrency}"),
                                args.calls,
                                args.warmup,
                                concurrency,
                                profile,
                            )
                        )
        stats = upstream.stats()
    print_report(runs)
    print(f"\nupstream answered {stats['requests']} requests, {stats['ok']} of them 2xx")
    return runs


def print_report(runs: Sequence[Run]) -> None:
    direct = {r.concurrency: r.rate for r in runs if r.name == "direct httpx"}
    rows = []
    for r in runs:
        ratio = r.rate / direct[r.concurrency] if direct.get(r.concurrency) else 0.0
        rows.append(
            [
                r.name,
                str(r.concurrency),
                str(r.calls),
                f"{r.rate:.0f}",
                f"{r.percentile(0.50) * 1000:.2f}",
                f"{r.percentile(0.99) * 1000:.2f}",
                f"{ratio:.2f}",
                str(r.failures),
            ]
        )
    print_table(HEADERS, rows)


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def _backends(text: str) -> list[str]:
    chosen = [part for part in text.split(",") if part]
    for backend in chosen:
        if backend not in ("sqlite", "postgres"):
            raise argparse.ArgumentTypeError(f"unknown backend {backend!r}")
    return chosen


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.throughput",
        description="Guarded actionplane calls vs direct httpx, same upstream and concurrency.",
    )
    parser.add_argument("--calls", type=int, default=2000, help="measured calls per column")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured calls first")
    parser.add_argument(
        "--concurrency", type=_ints, default=[16, 64], help="comma-separated (default 16,64)"
    )
    parser.add_argument("--users", type=int, default=16, help="end users the calls spread over")
    parser.add_argument(
        "--backends",
        type=_backends,
        default=["sqlite", "postgres"],
        help="sqlite and/or postgres (PostgreSQL + Redis); default both",
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="pyinstrument profile of the sqlite column"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for backend in args.backends:
        reason = backend_available(backend)
        if reason is not None:
            print(f"cannot run the {backend} column: {reason}", file=sys.stderr)
            return 2
    anyio.run(run, args, backend="asyncio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
