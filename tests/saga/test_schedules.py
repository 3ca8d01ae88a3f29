"""Cron schedules: one run per fire time, however many processes run the scheduler."""

from __future__ import annotations

from pathlib import Path

import pytest

from actionplane import AsyncPlane
from actionplane.errors import ConfigurationError
from actionplane.saga import workflow
from actionplane.saga.model import WorkflowRun
from actionplane.saga.runner import RunContext
from actionplane.saga.schedules import Schedule, fire_due
from actionplane.testing import RunningSandbox


@workflow("nightly_report")
async def nightly_report(run: RunContext, report: dict[str, str]) -> object:
    return await run.step(
        "file",
        "GITHUB_CREATE_ISSUE",
        {"owner": "octocat", "repo": "hello-world", "title": report["title"]},
    )


NIGHTLY = Schedule(
    "nightly", "0 3 * * *", nightly_report, user_id="alice", input={"title": "Nightly report"}
)
T0 = 1_795_000_000.0  # 2026-11-19 10:26:40 UTC


def test_fire_times_follow_the_cron_line() -> None:
    times = NIGHTLY.fire_times(T0, T0 + 3 * 86400)
    assert len(times) == 3
    assert all(int(t) % 86400 == 3 * 3600 for t in times)
    with pytest.raises(ConfigurationError):
        Schedule("bad", "every night", nightly_report, user_id="alice")


async def test_each_fire_time_starts_one_run_across_processes(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'plane.db'}"
    async with AsyncPlane(database_url=url) as first, AsyncPlane(database_url=url) as second:
        await sandbox.connect(first, "alice", ["github"])
        started = await fire_due(first, NIGHTLY, T0, T0 + 2 * 86400)
        again = await fire_due(second, NIGHTLY, T0, T0 + 2 * 86400)  # another process
        runs: list[WorkflowRun] = [await first.workflows.get(r) for r in started]
    assert len(started) == 2 and again == started
    assert [r.status for r in runs] == ["completed", "completed"]
    created = [e for e in sandbox.ledger("github") if "create" in e["operation"]]
    assert len(created) == 2


async def test_the_scheduler_loop_fires_while_it_runs(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    import anyio

    from actionplane.saga.schedules import run_schedules

    every_second = Schedule(
        "tick", "* * * * * *", nightly_report, user_id="alice", input={"title": "tick"}
    )  # croniter's sixth field: seconds
    async with AsyncPlane(database_url=f"sqlite:///{tmp_path / 'plane.db'}") as plane:
        await sandbox.connect(plane, "alice", ["github"])
        with anyio.move_on_after(3.5):
            await run_schedules(plane, [every_second], tick_s=0.2, catch_up_s=0)
        runs = await plane.workflows.list()
    # the loop is cut off at an arbitrary moment, so the newest run may still be under way
    assert all(r.id.startswith("sched_tick_") for r in runs)
    assert len({r.id for r in runs}) == len(runs)
    assert len([r for r in runs if r.status == "completed"]) >= 2
