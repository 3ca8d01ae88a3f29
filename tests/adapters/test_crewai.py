"""The CrewAI adapter, for real, in an environment of its own.

CrewAI pins ``mcp`` 1.x, ``openai`` 2.x and ``pydantic<2.13``, so it cannot share actionplane's
development environment. The first run builds a venv with ``uv`` holding ``crewai`` and
actionplane's runtime dependencies (at versions CrewAI allows), cached under
``~/.cache/actionplane-test`` and keyed by the CrewAI version and those dependencies; this
checkout's ``src`` is put on ``PYTHONPATH``, so the venv never goes stale as the code changes.
``crewai_scenario.py`` runs there against this test's sandbox and SQLite database.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from actionplane import Plane
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import FAST_RETRIES, ISSUE, issues_created
from tests.requirements import REPO, missing

CREWAI_VERSION = "1.15.30"
SCENARIO = Path(__file__).with_name("crewai_scenario.py")


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "actionplane-test"


def _requirements() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [f"crewai=={CREWAI_VERSION}", *project["dependencies"]]


def _uv() -> str:
    found = REPO / ".venv" / "bin" / "uv"
    uv = str(found) if found.exists() else shutil.which("uv")
    if uv is None:
        missing("uv is not installed (it builds the CrewAI environment)")
    return uv


def crewai_python() -> Path:
    """The interpreter of the cached CrewAI environment, built on first use under a file lock."""
    requirements = _requirements()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    key = hashlib.sha256("\n".join([python, *requirements]).encode()).hexdigest()[:12]
    root = _cache_root()
    venv = root / f"crewai-{CREWAI_VERSION}-py{python}-{key}"
    interpreter = venv / "bin" / "python"
    root.mkdir(parents=True, exist_ok=True)
    with (root / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / "ready").exists():
            return interpreter
        uv = _uv()
        shutil.rmtree(venv, ignore_errors=True)
        steps = [
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            [uv, "pip", "install", "--quiet", "--python", str(interpreter), *requirements],
        ]
        for step in steps:
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=600)
            except subprocess.TimeoutExpired:
                missing(f"building the CrewAI environment timed out: {' '.join(step[:3])}")
            if done.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                missing(f"could not build the CrewAI environment: {done.stderr[-800:]}")
        (venv / "ready").write_text(CREWAI_VERSION)
    return interpreter


@pytest.fixture(scope="module")
def report(
    running_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The scenario's report and the issues it created, from one run for the module (CrewAI
    takes seconds to import): alice connected to GitHub, bob not."""
    interpreter = crewai_python()
    work = tmp_path_factory.mktemp("crewai")
    database_url = f"sqlite:///{work / 'plane.db'}"
    home = work / "home"  # CrewAI keeps state under the home directory
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith("ACTIONPLANE_") and not name.startswith("ACTIONPLANE_TEST_"):
                env.delenv(name)
        env.setenv("ACTIONPLANE_KEY_FILE", str(work / "keys" / "encryption.key"))
        for name, value in running_sandbox.environ().items():
            env.setenv(name, value)
        running_sandbox.reset(auth=True)
        with Plane(database_url=database_url, retry_policy=FAST_RETRIES) as plane:
            plane._run(lambda: running_sandbox.connect(plane._async, "alice", ["github"]))
        done = subprocess.run(
            [str(interpreter), str(SCENARIO), database_url],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=work,
            env={
                **os.environ,
                "PYTHONPATH": str(REPO / "src"),
                "HOME": str(home),
                "XDG_DATA_HOME": str(home / "data"),
                "CREWAI_DISABLE_TELEMETRY": "true",
                "CREWAI_TRACING_ENABLED": "false",
                "OTEL_SDK_DISABLED": "true",
            },
        )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    found["created"] = issues_created(running_sandbox)
    return found


def test_crewai_tools_run_through_the_plane(report: dict[str, Any]) -> None:
    # CrewAI is shown the strict rendering: every field required, optional ones nullable.
    schema = report["schema"]
    assert set(schema["required"]) == {"owner", "repo", "title", "body", "labels", "assignees"}
    assert schema["properties"]["body"]["type"] == ["string", "null"]

    # A direct run with a tool-call id, repeated: the same issue, created once.
    first, again = report["run"]
    assert json.loads(first)["title"] == ISSUE["title"]
    assert again == first
    assert json.loads(report["arun"])["title"] == "Async"

    # A Crew with a scripted model: CrewAI's own loop calls the tool, the model reads the issue.
    crew = report["crew"]
    assert crew["final"] == "Done."
    assert crew["offered"]["parameters"]["properties"]["owner"]["type"] == "string"
    assert json.loads(crew["tool_message"]["content"])["title"] == "Filed by a crew"
    assert crew["failures"] == []

    assert len(report["created"]) == 3  # crew_1 (once), crew_async and the crew's call
    by_call = [(e["tool_call_id"], e["replayed"]) for e in report["executions"]]
    assert ("crew_1", True) in by_call and ("crew_1", False) in by_call


def test_a_user_without_a_connection_gets_an_actionable_result(report: dict[str, Any]) -> None:
    failure = report["bob_run"]
    assert failure["type"] == "ToolFailure" and failure["code"] == "auth_required"
    assert failure["execution_id"].startswith("exec_")
    text = failure["text"].removesuffix(" (code: auth_required)")
    assert json.loads(text)["error"] == "auth_required"

    # In a Crew the failure is a tool result the model reads, and a failure CrewAI records.
    crew = report["bob_crew"]
    assert crew["final"] == "Done."
    assert '"error": "auth_required"' in crew["tool_message"]["content"]
    assert crew["failures"] == [{"tool": "github_create_issue", "code": "auth_required"}]
