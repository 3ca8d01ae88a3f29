"""The MCP server: in process, over stdio as ``actionplane mcp``, and to the MCP Inspector CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from actionplane import AsyncPlane
from actionplane.adapters.mcp_server import (
    EXECUTION_META_KEY,
    IDEMPOTENCY_META_KEY,
    ActionplaneMCPServer,
)
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import ISSUE, issues_created
from tests.peers import ensure_npm_package

INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def test_list_and_call_in_process(plane: AsyncPlane, sandbox: RunningSandbox) -> None:
    server = ActionplaneMCPServer(plane, "alice", toolkits=["github"])
    async with Client(server) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        create = listed["GITHUB_CREATE_ISSUE"]
        assert create.input_schema == plane.tools.get("GITHUB_CREATE_ISSUE").input_schema
        assert create.output_schema is not None and create.output_schema["type"] == "object"
        assert create.annotations is not None
        assert create.annotations.read_only_hint is False
        assert create.annotations.idempotent_hint is False
        assert listed["GITHUB_GET_ISSUE"].annotations.read_only_hint is True  # type: ignore[union-attr]
        assert listed["GITHUB_DELETE_REPOSITORY"].annotations.destructive_hint is True  # type: ignore[union-attr]

        meta = {"traceparent": TRACEPARENT, IDEMPOTENCY_META_KEY: "mcp-1"}
        result = await client.call_tool("GITHUB_CREATE_ISSUE", ISSUE, meta=meta)  # type: ignore[arg-type]
        assert not result.is_error
        assert result.structured_content is not None
        assert result.structured_content["title"] == ISSUE["title"]
        assert result.meta is not None
        execution = result.meta[EXECUTION_META_KEY]
        assert execution["trace_id"] == TRACE_ID and not execution["replayed"]

        again = await client.call_tool("GITHUB_CREATE_ISSUE", ISSUE, meta=meta)  # type: ignore[arg-type]
        assert again.meta is not None and again.meta[EXECUTION_META_KEY]["replayed"]
        assert len(issues_created(sandbox)) == 1

        invalid = await client.call_tool("GITHUB_CREATE_ISSUE", {"owner": "octocat"})
        assert invalid.is_error and invalid.structured_content is None
        assert json.loads(invalid.content[0].text)["error"] == "validation"  # type: ignore[union-attr]

        hidden = await client.call_tool("STRIPE_CREATE_CUSTOMER", {"email": "a@b.c"})
        assert hidden.is_error
        assert "Unknown tool" in hidden.content[0].text  # type: ignore[union-attr]


async def test_a_user_without_a_connection_gets_is_error(plane: AsyncPlane) -> None:
    server = ActionplaneMCPServer(plane, "bob", tools=["GITHUB_CREATE_ISSUE"])
    async with Client(server) as client:
        result = await client.call_tool("GITHUB_CREATE_ISSUE", ISSUE)
    assert result.is_error
    assert json.loads(result.content[0].text)["error"] == "auth_required"  # type: ignore[union-attr]


def _server_environment(sandbox: RunningSandbox, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        **sandbox.environ(),
        "ACTIONPLANE_DATABASE_URL": database_url,
    }


def _actionplane() -> str:
    return str(Path(sys.executable).with_name("actionplane"))


async def test_stdio_subprocess(
    plane: AsyncPlane, sandbox: RunningSandbox, database_url: str
) -> None:
    parameters = StdioServerParameters(
        command=_actionplane(),
        args=["mcp", "--user", "alice", "--toolkits", "github"],
        env=_server_environment(sandbox, database_url),
    )
    async with Client(parameters) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "GITHUB_CREATE_ISSUE" in names and not any(n.startswith("STRIPE") for n in names)
        result = await client.call_tool("GITHUB_CREATE_ISSUE", ISSUE)
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["title"] == ISSUE["title"]
    assert len(issues_created(sandbox)) == 1


async def test_mcp_inspector_cli(
    plane: AsyncPlane, sandbox: RunningSandbox, database_url: str, tmp_path: Path
) -> None:
    inspector = ensure_npm_package(INSPECTOR, "mcp-inspector")
    home = tmp_path / "home"
    home.mkdir()
    environment = {**_server_environment(sandbox, database_url), "HOME": str(home)}
    # The Inspector starts the server with a minimal environment plus what -e names.
    passed = [
        option
        for name, value in environment.items()
        if name.startswith("ACTIONPLANE_")
        for option in ("-e", f"{name}={value}")
    ]
    server = [*passed, _actionplane(), "mcp", "--user", "alice", "--toolkits", "github"]

    def inspect(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(inspector), "--cli", *server, *options],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        )

    listed = inspect("--method", "tools/list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    tools = {t["name"]: t for t in json.loads(listed.stdout)["result"]["tools"]}
    assert tools["GITHUB_GET_ISSUE"]["annotations"]["readOnlyHint"] is True

    called = inspect(
        "--method",
        "tools/call",
        "--tool-name",
        "GITHUB_CREATE_ISSUE",
        "--tool-args-json",
        json.dumps(ISSUE),
        "--format",
        "json",
    )
    assert called.returncode == 0, called.stderr
    assert json.loads(called.stdout)["result"]["structuredContent"]["title"] == ISSUE["title"]

    failed = inspect(
        "--method",
        "tools/call",
        "--tool-name",
        "GITHUB_CREATE_ISSUE",
        "--tool-args-json",
        json.dumps({"owner": "octocat"}),
    )
    assert failed.returncode == 5
    assert len(issues_created(sandbox)) == 1


async def test_meta_tools_reach_the_whole_catalog_through_two_tools(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    server = ActionplaneMCPServer(plane, "alice", meta_tools=True)
    async with Client(server) as client:
        listed = [t.name for t in (await client.list_tools()).tools]
        assert listed == ["search_tools", "execute_tool"]
        found = await client.call_tool("search_tools", {"query": "create a github issue"})
        assert found.structured_content is not None
        best = found.structured_content["tools"][0]
        assert (
            best["name"] == "GITHUB_CREATE_ISSUE" and "title" in best["inputSchema"]["properties"]
        )
        assert len(found.structured_content["tools"]) == 5
        done = await client.call_tool(
            "execute_tool", {"tool": "GITHUB_CREATE_ISSUE", "arguments": ISSUE}
        )
        assert not done.is_error
        assert done.structured_content is not None
        assert done.structured_content["title"] == ISSUE["title"]
        wrong = await client.call_tool("execute_tool", {"tool": "NOPE_TOOL", "arguments": {}})
        assert wrong.is_error
    assert len(issues_created(sandbox)) == 1
