"""Each fault kind, observed as a client sees it, and reproducible from the seed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from actionplane.testing import RunningSandbox, start_sandbox


@pytest.fixture
def github(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    token = sandbox.credential("github", "alice")["token"]
    client = httpx.Client(
        base_url=sandbox.url + "/github", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    yield client
    client.close()


def create_issue(client: httpx.Client, **headers: str) -> httpx.Response:
    return client.post("/repos/octocat/hello-world/issues", json={"title": "t"}, headers=headers)


def test_status_fault_answers_then_runs_out(sandbox: RunningSandbox, github: httpx.Client) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=2)

    statuses = [create_issue(github).status_code for _ in range(3)]

    assert statuses == [503, 503, 201]
    assert len(sandbox.ledger("github")) == 1
    assert [r["fault"] for r in sandbox.requests("github")] == ["status", "status", None]
    assert sandbox.faults()[0]["remaining"] == 0


def test_rate_limit_fault_is_github_secondary_limit(
    sandbox: RunningSandbox, github: httpx.Client
) -> None:
    sandbox.add_fault(
        toolkit="github", method="POST", path="/repos/*/issues", status=403, retry_after=2, count=1
    )

    answer = create_issue(github)

    assert answer.status_code == 403
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert sandbox.ledger() == []


def test_latency_fault_delays_but_succeeds(sandbox: RunningSandbox, github: httpx.Client) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="latency", latency_ms=300, count=1)
    started = time.monotonic()
    answer = create_issue(github)
    assert answer.status_code == 201
    assert time.monotonic() - started >= 0.3


def test_hang_fault_never_answers(sandbox: RunningSandbox, github: httpx.Client) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="hang", count=1)
    with pytest.raises(httpx.ReadTimeout):
        github.post("/repos/octocat/hello-world/issues", json={"title": "t"}, timeout=0.5)
    assert sandbox.ledger() == []
    assert sandbox.requests()[-1]["status"] is None


def test_reset_fault_drops_the_connection(sandbox: RunningSandbox, github: httpx.Client) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="reset", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        create_issue(github)
    assert create_issue(github).status_code == 201


def test_applied_then_fail_applies_the_side_effect(
    sandbox: RunningSandbox, github: httpx.Client
) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="applied_then_fail", count=1)
    answer = create_issue(github)
    assert answer.status_code == 500
    assert [e["operation"] for e in sandbox.ledger()] == ["issues.create"]
    listed = github.get("/repos/octocat/hello-world/issues", params={"state": "all"}).json()
    assert "t" in [i["title"] for i in listed]


def test_applied_then_hang(sandbox: RunningSandbox, github: httpx.Client) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="applied_then_fail", then="hang", count=1)
    with pytest.raises(httpx.ReadTimeout):
        github.post("/repos/octocat/hello-world/issues", json={"title": "t"}, timeout=0.5)
    assert len(sandbox.ledger()) == 1


def _pattern(seed: int) -> list[int]:
    with start_sandbox(seed=seed) as sandbox:
        token = sandbox.credential("github", "alice")["token"]
        sandbox.add_fault(toolkit="github", kind="status", status=503, probability=0.5)
        with httpx.Client(base_url=sandbox.url + "/github") as client:
            return [
                client.get("/user", headers={"Authorization": f"Bearer {token}"}).status_code
                for _ in range(40)
            ]


def test_same_seed_same_faults() -> None:
    first, again, other = _pattern(11), _pattern(11), _pattern(12)
    assert first == again
    assert first != other
    assert 5 < first.count(503) < 35


def test_bad_rule_is_refused(sandbox: RunningSandbox) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        sandbox.add_fault(kind="latency")
