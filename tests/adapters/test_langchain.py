"""The LangChain adapter: tools invoked directly and from an agent loop with a scripted model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from actionplane import AsyncPlane, Plane
from actionplane.adapters.langchain import tools_for
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import FAST_RETRIES, ISSUE, issues_created


def call(call_id: str, args: dict[str, Any], name: str = "GITHUB_CREATE_ISSUE") -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def test_tools_carry_the_catalog_schema(plane: AsyncPlane) -> None:
    tools = tools_for(plane, "alice", toolkits=["github"])
    create = next(t for t in tools if t.name == "GITHUB_CREATE_ISSUE")
    schema = convert_to_openai_tool(create)["function"]["parameters"]
    assert schema["required"] == plane.tools.get("GITHUB_CREATE_ISSUE").input_schema["required"]
    assert "owner" in create.args


async def test_a_tool_call_returns_a_tool_message_and_replays_by_id(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    (tool,) = tools_for(plane, "alice", tools=["GITHUB_CREATE_ISSUE"])
    first = await tool.ainvoke(call("call_1", ISSUE))
    assert isinstance(first, ToolMessage)
    assert first.status == "success" and first.tool_call_id == "call_1"
    assert json.loads(str(first.content))["title"] == ISSUE["title"]
    assert first.artifact["successful"] and not first.artifact["replayed"]

    again = await tool.ainvoke(call("call_1", ISSUE))
    assert again.artifact["replayed"] is True
    assert again.artifact["data"] == first.artifact["data"]
    assert len(issues_created(sandbox)) == 1

    failed = await tool.ainvoke(call("call_2", {"owner": "octocat"}))
    assert failed.status == "error"
    assert json.loads(str(failed.content))["error"] == "validation"

    text = await tool.ainvoke({**ISSUE, "title": "Plain invoke"})
    assert json.loads(text)["title"] == "Plain invoke"


async def test_agent_loop_with_a_scripted_chat_model(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    tools = {t.name: t for t in tools_for(plane, "alice", toolkits=["github"])}
    script = [
        AIMessage(content="", tool_calls=[call("call_7", ISSUE)]),
        # The framework retries the step: the same tool-call id comes back.
        AIMessage(content="", tool_calls=[call("call_7", ISSUE)]),
        AIMessage(content="Filed."),
    ]
    model = GenericFakeChatModel(messages=iter(script))
    messages: list[BaseMessage] = [HumanMessage("File the grey button bug.")]
    results: list[ToolMessage] = []
    for _ in range(5):
        ai = await model.ainvoke(messages)
        messages.append(ai)
        if not isinstance(ai, AIMessage) or not ai.tool_calls:
            break
        for tool_call in ai.tool_calls:
            result = await tools[tool_call["name"]].ainvoke(tool_call)
            results.append(result)
            messages.append(result)
    assert messages[-1].content == "Filed."
    assert [r.artifact["replayed"] for r in results] == [False, True]
    assert len(issues_created(sandbox)) == 1


async def test_sync_invoke_needs_a_sync_plane(plane: AsyncPlane) -> None:
    (tool,) = tools_for(plane, "alice", tools=["GITHUB_GET_AUTHENTICATED_USER"])
    with pytest.raises(TypeError, match="AsyncPlane"):
        tool.invoke({})


def test_sync_invoke_on_a_plane(sandbox: RunningSandbox, database_url: str) -> None:
    with Plane(database_url=database_url, retry_policy=FAST_RETRIES) as plane:
        plane._run(lambda: sandbox.connect(plane._async, "alice", ["github"]))
        (tool,) = tools_for(plane, "alice", tools=["GITHUB_CREATE_ISSUE"])
        message = tool.invoke(call("call_s", ISSUE))
    assert message.status == "success"
    assert json.loads(str(message.content))["title"] == ISSUE["title"]
