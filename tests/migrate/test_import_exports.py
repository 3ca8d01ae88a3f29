"""Every shared n8n / Make / Zapier export imports: a report entry per node, and code that
compiles, passes ruff and mypy; an all-Slack n8n workflow runs against the sandbox."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from actionplane import AsyncPlane
from actionplane.migrate import import_file
from actionplane.testing import start_sandbox
from tests.requirements import REPO, SHARED, missing

WORKFLOWS = SHARED / "workflows"
EXPORTS = sorted(WORKFLOWS.glob("*/*.json")) if WORKFLOWS.is_dir() else []


def node_count(source: str, document: Any) -> int:
    if source == "n8n":
        return len(document["nodes"])
    if source == "zapier":
        return sum(len(zap["nodes"]) for zap in document["zaps"])

    def flat(flow: list[Any]) -> int:
        return sum(1 + sum(flat(r.get("flow", [])) for r in m.get("routes") or []) for m in flow)

    return flat(document["flow"])


@pytest.fixture
def workflows() -> Path:
    if not WORKFLOWS.is_dir():
        missing(f"{WORKFLOWS} is absent (the shared n8n / Make / Zapier exports)")
    return WORKFLOWS


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_export_imports_with_a_report_for_every_node(path: Path, tmp_path: Path) -> None:
    source = path.parent.name
    result = import_file(source, path)
    assert len(result.nodes) == node_count(source, json.loads(path.read_text()))
    assert all(n.status in ("mapped", "approximated", "unmapped") and n.note for n in result.nodes)
    compile(result.code, str(path), "exec")
    unmapped = [n for n in result.nodes if n.status == "unmapped"]
    assert result.code.count("TODO(actionplane import)") >= len(unmapped)
    out = tmp_path / "workflow.py"
    out.write_text(result.code)
    ruff = subprocess.run(
        [str(REPO / ".venv/bin/ruff"), "check", "--config", str(REPO / "pyproject.toml"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout


def test_test_collection_sees_the_exports(workflows: Path) -> None:
    assert {p.parent.name for p in EXPORTS} == {"n8n", "make", "zapier"}


def test_generated_code_type_checks(workflows: Path, tmp_path: Path) -> None:
    for source in ("n8n", "make", "zapier"):
        for path in sorted((workflows / source).glob("*.json")):
            name = f"{source}_{path.stem.split('.')[0].replace('-', '_')}.py"
            (tmp_path / name).write_text(import_file(source, path).code)
    mypy = subprocess.run(
        [str(REPO / ".venv/bin/mypy"), "--strict", "--no-incremental", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert mypy.returncode == 0, mypy.stdout


def test_cli_prints_the_json_report(workflows: Path, tmp_path: Path) -> None:
    path = workflows / "make" / "webhook-to-http.blueprint.json"
    out = tmp_path / "wf.py"
    done = subprocess.run(
        [
            str(REPO / ".venv/bin/actionplane"),
            "import",
            "make",
            str(path),
            "-o",
            str(out),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    assert [(r["name"], r["status"]) for r in report] == [("1", "mapped"), ("2", "unmapped")]
    assert "POST https://api.example.com/leads" in report[1]["note"]
    assert "TODO(actionplane import)" in out.read_text()


async def test_github_star_to_slack_runs_against_the_sandbox(
    workflows: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workflows / "n8n" / "11_0973_GitHub_Slack_Create_Triggered.json"
    result = import_file("n8n", path)
    assert {n.name: n.status for n in result.nodes}["IF"] == "mapped"
    assert result.connections == ["slack"]
    module_path = tmp_path / "star_to_slack.py"
    module_path.write_text(result.code)
    spec = importlib.util.spec_from_file_location("star_to_slack", module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["star_to_slack"] = module
    spec.loader.exec_module(module)
    flow = next(v for v in vars(module).values() if getattr(v, "name", "").startswith("imported_"))
    event = {
        "body": {
            "action": "created",
            "repository": {"stargazers_count": 42},
            "sender": {"login": "ada", "html_url": "https://github.com/ada"},
        }
    }
    with start_sandbox(seed=9) as sandbox:
        for name, value in sandbox.environ().items():
            monkeypatch.setenv(name, value)
        async with AsyncPlane(database_url=f"sqlite:///{tmp_path / 'p.db'}") as plane:
            await sandbox.connect(plane, "alice", ["slack"])
            run = await plane.workflows.start(flow, event, user_id="alice")
        ledger = [e for e in sandbox.ledger() if e["toolkit"] == "slack"]
    assert run.status == "completed", run.error
    assert [s.name for s in run.steps] == ["slack_add"]
    assert "Got new star from: ada" in run.output["Slack - Add"]["message"]["text"]
    assert len(ledger) == 1
