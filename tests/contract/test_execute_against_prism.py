"""Issue 2's end-to-end check, as a user runs it: the CLI executes GITHUB_CREATE_ISSUE against
Prism mocking GitHub's real OpenAPI description."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_runner import run_cli, run_json
from tests.peers import prism
from tests.requirements import require_node, require_specs


@pytest.fixture(scope="module")
def github_mock() -> Iterator[str]:
    require_node()
    with prism(require_specs() / "github.json") as url:
        yield url


def test_create_issue_through_the_cli_against_prism(github_mock: str, tmp_path: Path) -> None:
    env = {"ACTIONPLANE_GITHUB_BASE_URL": github_mock}
    run_cli(
        "connections",
        "add",
        "--user",
        "alice",
        "--toolkit",
        "github",
        "--token",
        "ghp_prism",
        cwd=tmp_path,
        env=env,
    )
    arguments = {"owner": "octocat", "repo": "hello-world", "title": "Found a bug"}
    envelope = run_json(
        "execute",
        "GITHUB_CREATE_ISSUE",
        "--user",
        "alice",
        "--args",
        json.dumps(arguments),
        cwd=tmp_path,
        env=env,
    )
    assert envelope["successful"] is True
    assert envelope["attempts"] == 1
    assert isinstance(envelope["data"]["number"], int)

    missing = run_cli(
        "execute",
        "GITHUB_CREATE_ISSUE",
        "--user",
        "alice",
        "--args",
        json.dumps({"owner": "octocat", "repo": "hello-world"}),
        "--json",
        cwd=tmp_path,
        env=env,
        check=False,
    )
    refused = json.loads(missing.stdout)
    assert refused["successful"] is False
    assert refused["attempts"] == 0  # nothing was sent
    assert refused["error"]["category"] == "validation"
    assert refused["error"]["details"]["problems"][0]["field"] == "title"
