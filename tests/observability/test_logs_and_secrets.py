"""One redacted JSON log line per call; and no token or secret anywhere a run leaves traces."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from actionplane import AsyncPlane
from actionplane.observability.logs import LOGGER_NAME
from actionplane.store.tables import connections
from actionplane.testing import RunningSandbox

ISSUE = {"owner": "octocat", "repo": "hello-world", "title": "Logged"}


def database_bytes(folder: Path) -> str:
    """The SQLite file and its WAL, as text a grep would see."""
    return b"".join(p.read_bytes() for p in folder.glob("plane.db*")).decode("latin-1")


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


async def test_one_json_line_per_call_with_the_fields_that_explain_it(
    plane: AsyncPlane, sandbox: RunningSandbox, log_lines: io.StringIO
) -> None:
    sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=1)
    result = await plane.tools.execute(
        "GITHUB_CREATE_ISSUE", ISSUE, user_id="alice", tool_call_id="call_9", agent_id="support-bot"
    )
    [line] = log_lines.getvalue().splitlines()
    record = json.loads(line)
    assert record["event"] == "tool_call" and record["level"] == "info"
    assert record["trace_id"] == result.trace_id
    assert record["execution_id"] == result.execution_id
    assert (record["project"], record["user_id"], record["agent_id"]) == (
        "default",
        "alice",
        "support-bot",
    )
    assert (record["tool_name"], record["tool_version"]) == ("GITHUB_CREATE_ISSUE", "1.0.0")
    assert record["tool_call_id"] == "call_9" and record["idempotency_key"] == "call_9"
    assert record["status"] == "succeeded" and record["replayed"] is False
    assert [a["status_code"] for a in record["attempts"]] == [503, 201]
    assert record["attempts"][1]["delay_before_s"] >= 0
    assert record["circuit_breaker_status"] == "closed"
    assert record["original_request"]["arguments"] == ISSUE
    assert record["upstream_response"]["status"] == 201
    assert record["duration_ms"] > 0 and record["timestamp"].endswith("Z")
    assert record["error_category"] is None and record["compensating_actions"] == []


async def test_log_file_from_the_environment(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_file = tmp_path / "calls.jsonl"
    monkeypatch.setenv("ACTIONPLANE_LOG_FILE", str(log_file))
    async with AsyncPlane(database_url=f"sqlite:///{tmp_path}/p.db") as plane:
        await sandbox.connect(plane, "alice", ["github"])
        await plane.tools.execute(
            "GITHUB_LIST_ISSUES", {"owner": "o", "repo": "r"}, user_id="alice"
        )
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, logging.FileHandler) and handler.baseFilename == str(log_file):
            handler.close()
            logger.removeHandler(handler)
    lines = log_file.read_text().splitlines()
    assert json.loads(lines[-1])["tool_name"] == "GITHUB_LIST_ISSUES"


async def test_no_token_or_secret_anywhere_after_a_full_run(
    sandbox: RunningSandbox,
    tmp_path: Path,
    log_lines: io.StringIO,
    spans: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTIONPLANE_CAPTURE_CONTENT", "1")  # even with content on spans
    database = tmp_path / "plane.db"
    async with AsyncPlane(database_url=f"sqlite:///{database}") as plane:
        await sandbox.connect(plane, "alice", ["github", "slack", "stripe"])
        store = await plane._connection_store()
        secrets: list[str] = []
        async with store._engine.connect() as db:  # the vault's view: every sealed secret
            rows = (await db.execute(sa.select(connections.c.id, connections.c.secret))).all()
        for row in rows:
            opened = store._vault.open(row.secret, bound_to=row.id)
            secrets += [
                str(v)
                for k, v in opened.items()
                if k in ("token", "refresh_token", "api_key", "password") and v
            ]
        assert len(secrets) >= 3
        sandbox.add_fault(tool="SLACK_POST_MESSAGE", kind="status", status=503, count=1)
        sandbox.add_fault(tool="STRIPE_CREATE_CUSTOMER", kind="applied_then_fail", count=1)
        calls: list[tuple[str, Mapping[str, Any]]] = [
            ("GITHUB_CREATE_ISSUE", ISSUE),
            ("SLACK_POST_MESSAGE", {"channel": "C0123456789", "text": "hello"}),
            ("STRIPE_CREATE_CUSTOMER", {"email": "a@example.com"}),
            ("GITHUB_GET_ISSUE", {"owner": "octocat", "repo": "hello-world", "issue_number": 1}),
        ]
        results = [await plane.tools.execute(slug, args, user_id="alice") for slug, args in calls]
        sandbox.revoke_grants(toolkit="github")
        results.append(
            await plane.tools.execute(
                "GITHUB_LIST_ISSUES", {"owner": "o", "repo": "r"}, user_id="alice"
            )
        )
    everywhere = "\n".join(
        [
            log_lines.getvalue(),
            "\n".join(span.to_json() for span in spans.get_finished_spans()),
            "\n".join(r.model_dump_json() for r in results),
            database_bytes(tmp_path),
        ]
    )
    assert log_lines.getvalue().count("tool_call") >= len(calls)
    for secret in secrets:
        assert secret not in everywhere
