"""The OpenAI Agents SDK adapter, in the SDK's real agent loop with a scripted ``Model``."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

from agents import Agent, FunctionTool, Model, ModelResponse, RunConfig, Runner, Usage
from agents.items import ToolCallOutputItem
from openai.types.responses import (
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

from actionplane import AsyncPlane, Plane
from actionplane.adapters._common import failure
from actionplane.adapters.openai_agents import ToolText, tools_for
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import FAST_RETRIES, ISSUE, issues_created
from tests.adapters.loops import default_event_loop

# What a strict-mode model sends: every field present, null for the ones it leaves out.
STRICT_ISSUE = {**ISSUE, "body": None, "labels": ["bug"], "assignees": None}
NO_TRACING = RunConfig(tracing_disabled=True)


def function_call(call_id: str, arguments: dict[str, Any] | str) -> ResponseFunctionToolCall:
    encoded = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return ResponseFunctionToolCall(
        type="function_call",
        id=f"fc_{call_id}",
        call_id=call_id,
        name="GITHUB_CREATE_ISSUE",
        arguments=encoded,
        status="completed",
    )


def message(text: str) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        type="message",
        id="msg_1",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[])],
    )


class ScriptedModel(Model):
    """Answers each turn from a script; keeps the tools and input items each turn received."""

    def __init__(self, *turns: list[Any]) -> None:
        self.turns = list(turns)
        self.seen: list[dict[str, Any]] = []

    async def get_response(
        self,
        system_instructions: str | None,
        input: Any,
        model_settings: Any,
        tools: list[Any],
        *args: Any,
        **kwargs: Any,
    ) -> ModelResponse:
        self.seen.append({"input": input, "tools": tools})
        return ModelResponse(output=self.turns.pop(0), usage=Usage(), response_id=None)

    def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        raise NotImplementedError("the tests do not stream")


def outputs(result: Any) -> list[ToolCallOutputItem]:
    return [item for item in result.new_items if isinstance(item, ToolCallOutputItem)]


def test_tools_are_strict_function_tools(plane: AsyncPlane) -> None:
    tools = tools_for(plane, "alice", toolkits=["github"])
    create = next(t for t in tools if t.name == "GITHUB_CREATE_ISSUE")
    assert isinstance(create, FunctionTool) and create.strict_json_schema
    schema = create.params_json_schema
    assert set(schema["required"]) == set(schema["properties"])  # strict: all present
    assert schema["properties"]["body"]["type"] == ["string", "null"]


async def test_the_agent_loop_runs_the_tool_and_a_repeated_call_id_replays(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    tools = tools_for(plane, "alice", toolkits=["github"])
    runs = []
    for _ in range(2):  # the second run repeats the first: same call id, as a resumed run would
        model = ScriptedModel([function_call("call_1", STRICT_ISSUE)], [message("Filed.")])
        agent = Agent(name="triager", instructions="File bugs.", tools=tools, model=model)
        result = await Runner.run(agent, "File the grey button bug.", run_config=NO_TRACING)
        assert result.final_output == "Filed."
        runs.append((model, outputs(result)[0]))

    (model, first), (_, again) = runs
    assert "GITHUB_CREATE_ISSUE" in {t.name for t in model.seen[0]["tools"]}
    sent = [i for i in model.seen[1]["input"] if i.get("type") == "function_call_output"]
    assert sent[0]["call_id"] == "call_1"
    created = json.loads(sent[0]["output"])
    assert created["title"] == ISSUE["title"] and created["labels"][0]["name"] == "bug"

    assert isinstance(first.output, ToolText) and first.output.result.successful
    assert first.custom_data and again.custom_data
    assert first.custom_data["actionplane"]["replayed"] is False
    assert again.custom_data["actionplane"]["replayed"] is True
    assert json.loads(again.output) == created
    assert len(issues_created(sandbox)) == 1
    records = await plane.executions.list(tool="GITHUB_CREATE_ISSUE")
    assert {r.tool_call_id for r in records} == {"call_1"}


async def test_bad_arguments_come_back_to_the_model(plane: AsyncPlane) -> None:
    tools = tools_for(plane, "alice", tools=["GITHUB_CREATE_ISSUE"])
    model = ScriptedModel(
        [function_call("call_2", "{not json"), function_call("call_3", {"owner": "octocat"})],
        [message("Sorry.")],
    )
    agent = Agent(name="triager", tools=tools, model=model)
    result = await Runner.run(agent, "File it.", run_config=NO_TRACING)
    errors = [json.loads(item.output)["error"] for item in outputs(result)]
    assert errors == ["validation", "validation"]


async def test_a_user_without_a_connection_gets_an_actionable_result(plane: AsyncPlane) -> None:
    model = ScriptedModel([function_call("call_9", STRICT_ISSUE)], [message("Please connect.")])
    agent = Agent(name="triager", tools=tools_for(plane, "bob", toolkits=["github"]), model=model)
    result = await Runner.run(agent, "File the grey button bug.", run_config=NO_TRACING)
    assert result.final_output == "Please connect."
    (item,) = outputs(result)
    error = json.loads(item.output)
    assert error["error"] == "auth_required" and error["details"]["toolkit"] == "github"
    assert item.custom_data and item.custom_data["actionplane"]["error"]["category"] == (
        "auth_required"
    )


def test_run_sync_on_a_plane(sandbox: RunningSandbox, database_url: str) -> None:
    with Plane(database_url=database_url, retry_policy=FAST_RETRIES) as plane:
        plane._run(lambda: sandbox.connect(plane._async, "alice", ["github"]))
        model = ScriptedModel([function_call("call_s", STRICT_ISSUE)], [message("Filed.")])
        tools = tools_for(plane, "alice", toolkits=["github"])
        agent = Agent(name="triager", tools=tools, model=model)
        with default_event_loop():
            result = Runner.run_sync(agent, "File it.", run_config=NO_TRACING)
    assert result.final_output == "Filed."
    assert json.loads(outputs(result)[0].output)["title"] == ISSUE["title"]


def test_tool_text_survives_a_copy() -> None:
    # The SDK may copy run items (run state, guardrails); the envelope goes along.
    text = ToolText(failure("GITHUB_CREATE_ISSUE", "validation", "The title is missing."))
    copied = copy.deepcopy(text)
    assert copied == text and isinstance(copied, ToolText)
    assert copied.result == text.result
