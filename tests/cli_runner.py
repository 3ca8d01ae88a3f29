"""Running the installed ``actionplane`` command as a user would, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ACTIONPLANE = str(Path(sys.executable).parent / "actionplane")


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [ACTIONPLANE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        check=False,
    )
    if check:
        assert done.returncode == 0, f"{args}: {done.stderr[-2000:]}"
    return done


def run_json(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    return json.loads(run_cli(*args, "--json", cwd=cwd, env=env).stdout)
