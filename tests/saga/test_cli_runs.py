"""``actionplane workflows run`` and ``actionplane runs list|show|resume|compensate`` as a user
runs them: a YAML workflow rolled back, a completed run undone, a parked run resumed."""

from __future__ import annotations

import json
from pathlib import Path

from actionplane.saga.golden import CHANNEL, GOLDEN_YAML
from actionplane.testing import RunningSandbox
from tests.cli_runner import run_cli, run_json
from tests.saga.conftest import GOLDEN_KITS, effects

LEAD = {
    "email": "ada@analytical-engines.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "company": "Analytical Engines",
    "channel": CHANNEL,
}


def test_runs_are_started_listed_shown_resumed_and_compensated(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    env = sandbox.environ()
    kits = ",".join(GOLDEN_KITS)
    run_cli("sandbox", "connect", "--user", "alice", "--toolkits", kits, cwd=tmp_path, env=env)
    flow = tmp_path / "lead.yaml"
    flow.write_text(GOLDEN_YAML)
    start = ("workflows", "run", str(flow), "--user", "alice", "--input", json.dumps(LEAD))

    # A folder step that fails for good: the run exits 1 and the contact is deleted.
    sandbox.add_fault(tool="GOOGLE_DRIVE_CREATE_FOLDER", kind="status", status=400)
    failed = run_cli(*start, cwd=tmp_path, env=env, check=False)
    assert failed.returncode == 1
    assert "compensated" in failed.stdout and "failed at create_folder" in failed.stdout
    sandbox.clear_faults()
    [rolled_back] = run_json("runs", "list", cwd=tmp_path, env=env)
    assert rolled_back["status"] == "compensated"
    detail = run_json("runs", "show", rolled_back["id"], cwd=tmp_path, env=env)
    assert [(s["name"], s["status"]) for s in detail["steps"]] == [
        ("upsert_contact", "compensated"),
        ("create_folder", "failed"),
    ]

    # A clean run, then undone on request.
    done = run_json(*start, cwd=tmp_path, env=env)
    assert done["status"] == "completed"
    shown = run_cli("runs", "show", done["id"], cwd=tmp_path, env=env).stdout
    assert "completed" in shown and "SALESFORCE_DELETE_CONTACT" in shown
    undone = run_json("runs", "compensate", done["id"], cwd=tmp_path, env=env)
    assert undone["status"] == "compensated"
    assert all(s["status"] == "compensated" for s in undone["steps"])

    # A run left for a worker is resumed from the CLI.
    parked = run_json(*start, "--no-wait", cwd=tmp_path, env=env)
    assert parked["status"] == "running" and parked["steps"] == []
    resumed = run_json("runs", "resume", parked["id"], cwd=tmp_path, env=env)
    assert resumed["status"] == "completed"
    again = run_cli("runs", "resume", parked["id"], cwd=tmp_path, env=env, check=False)
    assert again.returncode == 1 and "nothing to resume" in again.stderr

    table = run_cli("runs", "list", "--status", "completed", cwd=tmp_path, env=env).stdout
    assert parked["id"] in table and done["id"] not in table
    listed = run_json("workflows", "list", cwd=tmp_path, env=env)
    by_name = {w["name"]: w for w in listed}
    assert by_name["golden_lead_yaml"]["runs"] == {"compensated": 2, "completed": 1}
    assert by_name["golden_lead"]["registered"] is True
    missing = run_cli("runs", "show", "run_nope", cwd=tmp_path, env=env, check=False)
    assert missing.returncode == 1

    creates = [str(rid) for kit, op, rid in effects(sandbox) if op == "Contact.create"]
    deletes = [str(rid) for kit, op, rid in effects(sandbox) if op == "Contact.delete"]
    assert len(creates) == 3 and sorted(deletes) == sorted(creates[:2])
