"""The API routes the dashboard reads and acts through, on the module's real server: the
overview numbers, a call's page data (redacted arguments, replays, its trace), bulk replay as
server-sent events, reconnecting an expired connection, the page's assets and headers, and one
project never seeing another's data."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest

from actionplane import AsyncPlane
from actionplane.dashboard.embedded import embedded_app, new_admin_token
from actionplane.dashboard.stats import percentile
from tests.dashboard.conftest import Served

pytestmark = pytest.mark.usefixtures("pointed_at_sandbox")

ISSUE = {"owner": "octocat", "repo": "hello-world"}
NONE = {"failed": 0, "skipped": 0}


def events(answer: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for frame in answer.text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([30.0, 10.0, 20.0], 0.5) == 20.0
    assert percentile([float(n) for n in range(1, 101)], 0.99) == 99.0
    assert percentile([5.0], 0.99) == 5.0


def test_the_overview_counts_calls_failures_retries_and_the_dlq(served: Served) -> None:
    before = served.api.get("/v1/stats/overview").json()
    assert served.execute("GITHUB_LIST_ISSUES", ISSUE)["successful"]
    served.sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=3)
    failed = served.execute("GITHUB_CREATE_ISSUE", {**ISSUE, "title": "Counted"})
    assert failed["dead_letter_id"]

    after = served.api.get("/v1/stats/overview", params={"minutes": 5}).json()
    assert after["minutes"] == 5 and len(after["per_minute"]) == 5
    assert after["calls"] - before["calls"] == 2
    assert after["failed"] - before["failed"] == 1
    assert after["retries"] - before["retries"] == 2  # three attempts: two were retries
    assert after["dlq_pending"] - before["dlq_pending"] == 1
    assert sum(m["calls"] for m in after["per_minute"]) == after["calls"]
    assert 0 < after["success_rate"] < 1
    assert after["latency_ms"]["p50"] <= after["latency_ms"]["p99"]
    assert {"provider": "github", "state": "closed", "retry_in_s": 0.0} in after["breakers"]

    # Another project's overview counts none of it.
    globex = httpx.get(
        f"{served.url}/v1/stats/overview",
        headers={"Authorization": f"Bearer {served.keys['globex']}"},
    ).json()
    assert (globex["project"], globex["calls"], globex["dlq_pending"]) == ("globex", 0, 0)
    assert served.api.get("/v1/stats/overview", params={"minutes": 0}).status_code == 422


def test_a_calls_page_data_has_redacted_arguments_its_key_and_its_trace(served: Served) -> None:
    served.sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=3)
    secret = "ghp_" + "a" * 36
    failed = served.execute("GITHUB_CREATE_ISSUE", {**ISSUE, "title": "T", "body": secret})
    detail = served.api.get(f"/v1/executions/{failed['execution_id']}/detail").json()
    record = detail["execution"]
    assert [a["status_code"] for a in record["attempt_log"]] == [503, 503, 503]
    assert record["attempt_log"][1]["delay_before_s"] > 0
    assert detail["arguments"] == {**ISSUE, "title": "T", "body": "[REDACTED]"}
    assert secret not in json.dumps(detail)
    assert detail["dead_letter"]["id"] == failed["dead_letter_id"]
    assert "arguments" not in detail["dead_letter"]
    assert [c["id"] for c in detail["trace"]] == [failed["execution_id"]]

    replayed = served.api.post(f"/v1/dlq/{failed['dead_letter_id']}/replay").json()
    assert replayed["successful"]
    again = served.api.get(f"/v1/executions/{failed['execution_id']}/detail").json()
    same_key = [e["id"] for e in again["same_key"]]
    assert same_key == [failed["execution_id"], replayed["execution_id"]]

    other = httpx.get(
        f"{served.url}/v1/executions/{failed['execution_id']}/detail",
        headers={"Authorization": f"Bearer {served.keys['globex']}"},
    )
    assert other.status_code == 400 and secret not in other.text


def test_bulk_replay_streams_progress_and_skips_what_it_cannot_replay(served: Served) -> None:
    served.sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=6)
    ids = [
        served.execute("GITHUB_CREATE_ISSUE", {**ISSUE, "title": f"Bulk {n}"})["dead_letter_id"]
        for n in range(2)
    ]
    served.sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=3)
    answer = served.api.post("/v1/dlq/replay", json={"ids": [*ids, "dlq_nope", ids[0]]})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    found = events(answer)
    assert found[0] == ("start", {"total": 3})
    progress = [data for name, data in found if name == "progress"]
    assert [(p["done"], p["entry_id"], p["outcome"]) for p in progress] == [
        (1, ids[0], "failed"),  # the fault answered 503 three more times
        (2, ids[1], "succeeded"),
        (3, "dlq_nope", "skipped"),
    ]
    assert found[-1] == ("end", {"total": 3, "succeeded": 1, "failed": 1, "skipped": 1})

    # Without ids: every pending entry of this project (with the one that failed again).
    pending = [e["id"] for e in served.api.get("/v1/dlq", params={"status": "pending"}).json()]
    assert ids[0] in pending
    rest = events(served.api.post("/v1/dlq/replay", json={}))
    assert [d["entry_id"] for n, d in rest if n == "progress"] == pending[::-1]  # oldest first
    assert rest[-1] == ("end", {"total": len(pending), "succeeded": len(pending), **NONE})
    assert served.api.get("/v1/dlq", params={"status": "pending"}).json() == []
    assert served.api.post("/v1/dlq/replay", json={"ids": "x"}).status_code == 422


def test_an_expired_oauth_connection_gets_a_reconnect_url(served: Served) -> None:
    connection = served.api.get("/v1/connections", params={"user_id": "alice"}).json()[0]
    body = {"redirect_url": f"{served.url}/ui/connected.html"}
    started = served.api.post(f"/v1/connections/{connection['id']}/reconnect", json=body)
    assert started.status_code == 200, started.text
    assert started.json()["connection_id"] == connection["id"]
    assert "/oauth/" in started.json()["authorize_url"]
    missing = served.api.post("/v1/connections/conn_nope/reconnect", json=body)
    assert missing.status_code == 404
    static = served.api.post(
        "/v1/connections", json={"user_id": "dora", "toolkit": "stripe", "api_key": "sk_test_x"}
    ).json()
    refused = served.api.post(f"/v1/connections/{static['id']}/reconnect", json=body)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"


def test_the_page_and_its_assets_ship_in_the_package_with_strict_headers(served: Served) -> None:
    page = httpx.get(served.url + "/")
    assert page.status_code == 200 and "/ui/js/main.js" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    for asset in ("/ui/app.css", "/ui/js/main.js", "/ui/js/pages/dlq.js", "/ui/connected.html"):
        answer = httpx.get(served.url + asset)
        assert answer.status_code == 200, asset
        assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "http" not in httpx.get(served.url + "/ui/js/main.js").text.replace("https://", "")
    assert httpx.get(served.url + "/ui/nope.js").status_code == 404
    schema = httpx.get(served.url + "/openapi.json").json()
    assert "/" not in schema["paths"]
    assert "/v1/stats/overview" in schema["paths"] and "/v1/dlq/replay" in schema["paths"]
    assert httpx.get(served.url + "/v1/toolkits").status_code == 401


def test_the_local_admin_token_acts_for_the_embedded_project(served: Served) -> None:
    token = new_admin_token()

    async def check() -> list[int]:
        async with AsyncPlane(project="acme") as plane:
            app = embedded_app(token, plane)
            transport = httpx.ASGITransport(app=app)
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(transport=transport, base_url="http://local") as client,
            ):
                answers = []
                for key in (token, token + "x", served.keys["globex"], ""):
                    answer = await client.get(
                        "/v1/stats/overview", headers={"Authorization": f"Bearer {key}"}
                    )
                    answers.append(answer.status_code)
                    if answer.status_code == 200:
                        answers.append(answer.json()["project"])
                return answers

    assert anyio.run(check) == [200, "acme", 401, 200, "globex", 401]
