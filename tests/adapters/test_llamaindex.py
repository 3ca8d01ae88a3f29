"""The LlamaIndex adapter: tools with the catalog's schema, called through the plane."""

from __future__ import annotations

import json

from llama_index.core.tools import ToolOutput

from actionplane import AsyncPlane
from actionplane.adapters.llamaindex import tools_for
from actionplane.engine.result import ExecutionResult
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import ISSUE, issues_created


def test_metadata_is_the_catalog_schema(plane: AsyncPlane) -> None:
    (tool,) = tools_for(plane, "alice", tools=["GITHUB_CREATE_ISSUE"])
    spec = plane.tools.get("GITHUB_CREATE_ISSUE")
    assert tool.metadata.name == spec.slug
    assert tool.metadata.get_parameters_dict() == spec.input_schema
    assert tool.metadata.to_openai_tool()["function"]["parameters"] == spec.input_schema


async def test_acall_runs_through_the_plane(plane: AsyncPlane, sandbox: RunningSandbox) -> None:
    (tool,) = tools_for(plane, "alice", tools=["GITHUB_CREATE_ISSUE"])
    output = await tool.acall(**ISSUE, tool_call_id="li_1")
    assert isinstance(output, ToolOutput) and not output.is_error
    assert json.loads(output.content)["title"] == ISSUE["title"]
    assert isinstance(output.raw_output, ExecutionResult)
    assert output.raw_input == ISSUE

    again = await tool.acall(**ISSUE, tool_call_id="li_1")
    assert again.raw_output.replayed
    assert len(issues_created(sandbox)) == 1

    failed = await tool.acall(owner="octocat")
    assert failed.is_error
    assert json.loads(failed.content)["error"] == "validation"
