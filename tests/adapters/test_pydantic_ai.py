"""The Pydantic AI adapter, in a real ``Agent`` run driven by a scripted ``FunctionModel``."""

from __future__ import annotations

import json
from typing import Any

from pydantic_ai import Agent, FunctionToolset
from pydantic_ai.messages import (
    ModelMessage,
    ModelResponse,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from actionplane import AsyncPlane, Plane
from actionplane.adapters.pydantic_ai import tools_for
from actionplane.engine.result import ExecutionResult
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import FAST_RETRIES, ISSUE, issues_created
from tests.adapters.loops import default_event_loop


def scripted(*calls: tuple[str, dict[str, Any]], seen: list[AgentInfo] | None = None) -> Any:
    """A model that first calls GITHUB_CREATE_ISSUE once per ``(call id, args)``, then answers
    with the text of the tool returns it was sent."""

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if seen is not None:
            seen.append(info)
        if len(messages) == 1:
            return ModelResponse(
                parts=[
                    ToolCallPart(tool_name="GITHUB_CREATE_ISSUE", args=args, tool_call_id=call_id)
                    for call_id, args in calls
                ]
            )
        returns = [p for p in messages[-1].parts if isinstance(p, ToolReturnPart)]
        return ModelResponse(parts=[TextPart(" | ".join(str(p.content) for p in returns))])

    return FunctionModel(respond)


def tool_returns(messages: list[ModelMessage]) -> list[ToolReturnPart]:
    return [
        part for message in messages for part in message.parts if isinstance(part, ToolReturnPart)
    ]


def test_tools_carry_the_catalog_schema(plane: AsyncPlane) -> None:
    tools = tools_for(plane, "alice", toolkits=["github"])
    create = next(t for t in tools if t.name == "GITHUB_CREATE_ISSUE")
    spec = plane.tools.get("GITHUB_CREATE_ISSUE")
    assert create.tool_def.parameters_json_schema == spec.input_schema
    assert create.tool_def.description == spec.description


async def test_an_agent_run_executes_the_tool_and_a_repeated_call_id_replays(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    seen: list[AgentInfo] = []
    toolset = FunctionToolset(tools_for(plane, "alice", toolkits=["github"]))
    runs = []
    for _ in range(2):  # the second run repeats the call id, as a retried run would
        agent = Agent(scripted(("pa_1", ISSUE), seen=seen), toolsets=[toolset])
        runs.append(await agent.run("File the grey button bug."))

    offered = {t.name: t for t in seen[0].function_tools}
    assert offered["GITHUB_CREATE_ISSUE"].parameters_json_schema["required"] == [
        "owner",
        "repo",
        "title",
    ]
    first, again = (tool_returns(run.all_messages())[0] for run in runs)
    assert first.tool_call_id == again.tool_call_id == "pa_1"
    assert first.outcome == "success"
    assert isinstance(first.metadata, ExecutionResult) and not first.metadata.replayed
    assert isinstance(again.metadata, ExecutionResult) and again.metadata.replayed
    assert json.loads(runs[0].output)["title"] == ISSUE["title"]  # the model read the issue
    assert again.content == first.content
    assert len(issues_created(sandbox)) == 1
    records = await plane.executions.list(tool="GITHUB_CREATE_ISSUE")
    assert {r.tool_call_id for r in records} == {"pa_1"}


async def test_failures_are_failed_tool_returns_the_model_reads(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    agent = Agent(
        scripted(("pa_2", {"owner": "octocat"})),
        tools=tools_for(plane, "alice", tools=["GITHUB_CREATE_ISSUE"]),
    )
    result = await agent.run("File it.")
    (failed,) = tool_returns(result.all_messages())
    assert failed.outcome == "failed"
    assert json.loads(str(failed.content))["error"] == "validation"

    # Rate limited upstream: a result with when to try again, and the run still finishes.
    sandbox.set_limit("github", 0, 60)
    agent = Agent(scripted(("pa_3", ISSUE)), tools=tools_for(plane, "alice", toolkits=["github"]))
    result = await agent.run("File it.")
    (limited,) = tool_returns(result.all_messages())
    assert limited.outcome == "failed"
    error = json.loads(str(limited.content))
    assert error["error"] == "rate_limited" and error["retry_after_s"] > 0
    assert result.output == limited.content
    assert issues_created(sandbox) == []


async def test_a_user_without_a_connection_gets_an_actionable_result(plane: AsyncPlane) -> None:
    agent = Agent(scripted(("pa_9", ISSUE)), tools=tools_for(plane, "bob", toolkits=["github"]))
    result = await agent.run("File the grey button bug.")
    (refused,) = tool_returns(result.all_messages())
    assert refused.outcome == "failed"
    error = json.loads(str(refused.content))
    assert error["error"] == "auth_required" and error["details"]["toolkit"] == "github"
    assert result.output == refused.content  # the model read it and answered


def test_run_sync_on_a_plane(sandbox: RunningSandbox, database_url: str) -> None:
    with Plane(database_url=database_url, retry_policy=FAST_RETRIES) as plane:
        plane._run(lambda: sandbox.connect(plane._async, "alice", ["github"]))
        tools = tools_for(plane, "alice", tools=["GITHUB_CREATE_ISSUE"])
        with default_event_loop():
            result = Agent(scripted(("pa_s", ISSUE)), tools=tools).run_sync("File it.")
    assert json.loads(result.output)["title"] == ISSUE["title"]
