"""The ``actionplane`` command, driven as a user drives it."""

from __future__ import annotations

from pathlib import Path

from tests.cli_runner import run_cli, run_json


def test_tools_list_prints_a_table_and_json(tmp_path: Path) -> None:
    table = run_cli("tools", "list", cwd=tmp_path).stdout
    assert "GITHUB_CREATE_ISSUE" in table and "slug" in table
    tools = run_json("tools", "list", "--toolkit", "stripe", cwd=tmp_path)
    assert tools and all(t["toolkit"] == "stripe" for t in tools)
    found = run_json("tools", "list", "--search", "create a jira issue", cwd=tmp_path)
    assert found[0]["slug"] == "JIRA_CREATE_ISSUE"


def test_tools_show_renders_each_format(tmp_path: Path) -> None:
    import json

    openai = json.loads(
        run_cli("tools", "show", "GITHUB_CREATE_ISSUE", "--format", "openai", cwd=tmp_path).stdout
    )
    assert openai["function"]["strict"] is True
    mcp = json.loads(
        run_cli("tools", "show", "GITHUB_LIST_ISSUES", "--format", "mcp", cwd=tmp_path).stdout
    )
    assert mcp["annotations"]["readOnlyHint"] is True
    bad = run_cli(
        "tools", "show", "GITHUB_CREATE_ISSUE", "--format", "xml", cwd=tmp_path, check=False
    )
    assert bad.returncode != 0 and "unknown format" in bad.stderr
    unknown = run_cli("tools", "show", "GITHUB_CREATE_ISSUES", cwd=tmp_path, check=False)
    assert unknown.returncode != 0 and "GITHUB_CREATE_ISSUE" in unknown.stderr


def test_connections_add_list_remove(tmp_path: Path) -> None:
    added = run_json(
        "connections",
        "add",
        "--user",
        "alice",
        "--toolkit",
        "github",
        "--token",
        "ghp_cli_secret",
        cwd=tmp_path,
    )
    assert added["status"] == "ACTIVE"
    listed = run_json("connections", "list", cwd=tmp_path)
    assert [c["id"] for c in listed] == [added["id"]]
    assert "ghp_cli_secret" not in run_cli("connections", "list", cwd=tmp_path).stdout
    run_cli("connections", "remove", added["id"], cwd=tmp_path)
    assert run_json("connections", "list", cwd=tmp_path) == []
    gone = run_cli("connections", "remove", added["id"], cwd=tmp_path, check=False)
    assert gone.returncode != 0 and "no connection" in gone.stderr


def test_execute_reports_validation_errors_without_sending(tmp_path: Path) -> None:
    run_cli(
        "connections", "add", "--user", "alice", "--toolkit", "github", "--token", "t", cwd=tmp_path
    )
    done = run_cli(
        "execute",
        "GITHUB_CREATE_ISSUE",
        "--user",
        "alice",
        "--args",
        '{"owner": "o", "repo": "r"}',
        "--json",
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1
    import json

    envelope = json.loads(done.stdout)
    assert envelope["successful"] is False
    assert envelope["error"]["category"] == "validation"
    assert envelope["error"]["details"]["problems"][0]["field"] == "title"
    bad = run_cli(
        "execute",
        "GITHUB_CREATE_ISSUE",
        "--user",
        "alice",
        "--args",
        "{oops",
        cwd=tmp_path,
        check=False,
    )
    assert bad.returncode != 0 and "not valid JSON" in bad.stderr
