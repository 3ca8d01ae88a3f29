"""The benchmarks stay runnable: each runs with tiny sizes and prints its table.

No timing is asserted here: speed is read from the benchmarks' own side-by-side tables.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.requirements import REPO, missing


def _run(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONPLANE_")}
    env["PYTHONPATH"] = str(REPO)
    for name in ("ACTIONPLANE_TEST_POSTGRES_URL", "ACTIONPLANE_TEST_REDIS_URL"):
        if name in os.environ:
            env[name] = os.environ[name]
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_throughput_on_sqlite_prints_its_table() -> None:
    out = _run(
        "bench.throughput", "--calls", "20", "--warmup", "5", "--concurrency", "4",
        "--backends", "sqlite",
    )  # fmt: skip
    for column in ("calls/s", "p50 ms", "p99 ms", "vs direct", "direct httpx", "actionplane"):
        assert column in out


def test_throughput_on_postgres_and_redis_prints_its_table() -> None:
    from bench.common import backend_available

    reason = backend_available("postgres")
    if reason is not None:
        missing(reason)
    out = _run(
        "bench.throughput", "--calls", "20", "--warmup", "5", "--concurrency", "4",
        "--backends", "postgres",
    )  # fmt: skip
    assert "actionplane postgres+redis" in out and "vs direct" in out


def test_ratelimit_prints_its_table() -> None:
    out = _run(
        "bench.ratelimit", "--limit", "20", "--duration", "0.5", "--concurrency", "2",
        "--scenarios", "naive,configured",
    )  # fmt: skip
    for column in ("in penalty", "requests", "achieved / L", "naive retry loop", "configured"):
        assert column in out
