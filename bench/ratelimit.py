"""Against an upstream limited to L requests a second: who keeps out of the penalty windows?

The upstream (``bench.upstream`` in its own process) admits L requests per wall-clock second and
answers the next one ``429`` with ``Retry-After``; every request that arrives before the time a
``429`` named is counted as *in penalty* (see ``bench/upstream.py``). Each column runs
``--concurrency`` workers creating issues as fast as they are let, for ``--duration`` seconds:

- ``naive retry loop``: httpx; on 429 it sleeps a fixed ``--naive-sleep`` (0.1 s) and tries again,
  up to 10 attempts, ignoring ``Retry-After``, as a typical hand-written agent tool does.
- ``actionplane, headers only``: ``AsyncPlane`` (SQLite) that learns the limit only from the
  ``429``'s ``Retry-After``.
- ``actionplane, quota headers``: the same, but the upstream also sends ``x-ratelimit-remaining``
  and ``x-ratelimit-reset`` on successes, so the plane sees the quota run out (GitHub does this).
- ``actionplane, configured``: the limit is also configured,
  ``rate_limits={"github": {"per_toolkit": {"per_second": L, "burst": 1}}}``.

Each column starts on a whole second and runs ``--duration`` seconds. *Achieved rate* is the
number of 2xx answers the upstream gave inside those seconds, divided by the duration and by L.
Calls still running at the deadline finish, and their requests are counted in the other columns
(so a request sent in a penalty window after the deadline still counts against its client).

    python -m bench.ratelimit
    python -m bench.ratelimit --limit 50 --duration 20 --concurrency 8
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from bench.common import open_plane, print_table
from bench.upstream import UpstreamProcess, start_upstream

SCENARIOS = ("naive", "headers", "quota-headers", "configured")
NAMES = {
    "naive": "naive retry loop",
    "headers": "actionplane, Retry-After only",
    "quota-headers": "actionplane, + x-ratelimit-*",
    "configured": "actionplane, limit configured",
}
HEADERS = (
    "column",
    "in penalty",
    "requests",
    "429s",
    "calls ok",
    "calls failed",
    "achieved / L",
)
NAIVE_ATTEMPTS = 10


@dataclass
class Outcome:
    name: str
    stats: dict[str, int]
    ok_in_run: int
    succeeded: int
    failed: Counter[str]
    duration_s: float
    limit: int

    @property
    def achieved(self) -> float:
        return self.ok_in_run / self.duration_s / self.limit


async def _workers(
    call: Callable[[int], Awaitable[str | None]],
    concurrency: int,
    duration_s: float,
    upstream: UpstreamProcess,
) -> tuple[int, int, Counter[str]]:
    """Call for ``duration_s`` from the next whole second; returns (2xx answered in those
    seconds, calls succeeded, why the others failed). ``call`` returns None or why it failed."""
    await anyio.sleep(1.0 - time.time() % 1.0)
    started = time.time()
    deadline = time.monotonic() + duration_s
    counter = iter(range(10**9))
    succeeded, failed = 0, Counter[str]()

    async def worker() -> None:
        nonlocal succeeded
        for i in counter:
            if time.monotonic() >= deadline:
                return
            reason = await call(i)
            if reason is None:
                succeeded += 1
            else:
                failed[reason] += 1

    async with anyio.create_task_group() as tasks:
        for _ in range(concurrency):
            tasks.start_soon(worker)
    stats = await anyio.to_thread.run_sync(upstream.stats, started, started + duration_s)
    return stats["ok_between"], succeeded, failed


def _arguments(i: int) -> dict[str, str]:
    return {"owner": "acme", "repo": "app", "title": f"Rate-limited issue {i}"}


async def naive(
    args: argparse.Namespace, upstream: UpstreamProcess
) -> tuple[int, int, Counter[str]]:
    async with httpx.AsyncClient(base_url=upstream.url) as http:

        async def call(i: int) -> str | None:
            for _ in range(NAIVE_ATTEMPTS):
                response = await http.post(
                    "/repos/acme/app/issues",
                    json={"title": f"Rate-limited issue {i}"},
                    headers={"Authorization": "Bearer ghp_alice"},
                )
                if response.status_code != 429:
                    return None if response.is_success else f"HTTP {response.status_code}"
                await anyio.sleep(args.naive_sleep)
            return f"still 429 after {NAIVE_ATTEMPTS} attempts"

        return await _workers(call, args.concurrency, args.duration, upstream)


async def guarded(
    args: argparse.Namespace, upstream: UpstreamProcess, configured: bool
) -> tuple[int, int, Counter[str]]:
    limits = {"github": {"per_toolkit": {"per_second": args.limit, "burst": 1}}}
    settings: dict[str, Any] = {"rate_limits": limits} if configured else {}
    async with open_plane("sqlite", upstream.url, ["alice"], **settings) as plane:

        async def call(i: int) -> str | None:
            result = await plane.tools.execute(
                "GITHUB_CREATE_ISSUE", _arguments(i), user_id="alice", idempotency_key=f"rl-{i}"
            )
            if result.error is None:
                return None
            return f"{result.error.category}: {result.error.message}"

        return await _workers(call, args.concurrency, args.duration, upstream)


async def run(args: argparse.Namespace) -> list[Outcome]:
    outcomes = []
    with start_upstream() as upstream:
        for scenario in args.scenarios:
            # A fresh quota and no penalty: each column starts from the same state.
            upstream.reset(args.limit, quota_headers=scenario == "quota-headers")
            started = time.monotonic()
            if scenario == "naive":
                ok, succeeded, failed = await naive(args, upstream)
            else:
                ok, succeeded, failed = await guarded(args, upstream, scenario == "configured")
            outcomes.append(
                Outcome(
                    NAMES[scenario],
                    upstream.stats(),
                    ok,
                    succeeded,
                    failed,
                    args.duration,
                    args.limit,
                )
            )
            print(f"{NAMES[scenario]}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(
        f"L = {args.limit}/s for {args.duration:.0f} s per column, "
        f"{args.concurrency} concurrent callers"
    )
    print_table(
        HEADERS,
        [
            [
                o.name,
                str(o.stats["in_penalty"]),
                str(o.stats["requests"]),
                str(o.stats["limited"]),
                str(o.succeeded),
                str(o.failed.total()),
                f"{o.achieved:.2f}",
            ]
            for o in outcomes
        ],
    )
    for o in outcomes:
        for reason, count in o.failed.most_common():
            print(f"{o.name}: {count} failed: {reason}")
    return outcomes


def _scenarios(text: str) -> list[str]:
    chosen = [part for part in text.split(",") if part]
    for scenario in chosen:
        if scenario not in SCENARIOS:
            raise argparse.ArgumentTypeError(f"unknown scenario {scenario!r}")
    return chosen


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ratelimit",
        description="Requests sent in penalty windows, and the rate achieved, against an "
        "upstream limited to L requests a second: a naive retry loop vs actionplane.",
    )
    parser.add_argument("--limit", type=int, default=50, help="L, requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per column")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent callers")
    parser.add_argument(
        "--naive-sleep", type=float, default=0.1, help="the naive loop's fixed pause on 429"
    )
    parser.add_argument(
        "--scenarios",
        type=_scenarios,
        default=list(SCENARIOS),
        help=f"comma-separated subset of {','.join(SCENARIOS)}",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    anyio.run(run, parse_args(argv), backend="asyncio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
