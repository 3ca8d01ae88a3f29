"""``actionplane trace`` shows a retried call's attempts with their statuses."""

from __future__ import annotations

import json
from pathlib import Path

from actionplane.testing import RunningSandbox
from tests.cli_runner import run_cli, run_json


def test_trace_shows_each_attempt_of_a_retried_call(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    env = sandbox.environ()
    run_cli("sandbox", "connect", "--user", "alice", "--toolkits", "github", cwd=tmp_path, env=env)
    sandbox.add_fault(tool="GITHUB_LIST_ISSUES", kind="status", status=503, count=2)
    envelope = run_json(
        "execute",
        "GITHUB_LIST_ISSUES",
        "--user",
        "alice",
        "--args",
        json.dumps({"owner": "octocat", "repo": "hello-world"}),
        cwd=tmp_path,
        env=env,
    )
    assert envelope["successful"] and envelope["attempts"] == 3

    tree = run_cli("trace", envelope["trace_id"], cwd=tmp_path, env=env).stdout
    assert "GITHUB_LIST_ISSUES" in tree
    assert "attempt 1: HTTP 503 -> transient" in tree
    assert "attempt 2: HTTP 503 -> transient" in tree
    assert "attempt 3: HTTP 200 -> succeeded" in tree
    listed = run_json("executions", "list", "--tool", "GITHUB_LIST_ISSUES", cwd=tmp_path, env=env)
    assert [e["trace_id"] for e in listed] == [envelope["trace_id"]]
    assert [a["status_code"] for a in listed[0]["attempt_log"]] == [503, 503, 200]
    missing = run_cli("trace", "0" * 32, cwd=tmp_path, env=env, check=False)
    assert missing.returncode != 0 and "no executions" in missing.stderr
