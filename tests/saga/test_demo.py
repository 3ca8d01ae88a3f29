"""``actionplane demo`` end to end, as a user runs it: three runs, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.requirements import REPO


def test_the_demo_runs_its_three_runs_as_expected() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACTIONPLANE_")}
    env["COLUMNS"] = "200"
    done = subprocess.run(
        [sys.executable, "-c", "from actionplane.cli import main; main()", "demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = done.stdout
    assert done.returncode == 0, out[-4000:] + done.stderr[-4000:]
    assert "run 1 completed: as expected" in out
    assert "run 2 compensated with no orphaned record: as expected" in out
    assert "run 3 killed, resumed and completed, each record once: as expected" in out
    assert "killed with SIGKILL mid-run" in out
    assert "NOT as expected" not in out
