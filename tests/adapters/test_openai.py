"""The OpenAI adapter, driven by the real ``openai`` client over a mock transport (no network)."""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx
import openai
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from actionplane import AsyncPlane, Plane
from actionplane.adapters import openai as ap_openai
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import FAST_RETRIES, issues_created

# What a strict-mode model sends: every field present, null for the ones it leaves out.
STRICT_ISSUE = {
    "owner": "octocat",
    "repo": "hello-world",
    "title": "Checkout button is grey",
    "body": None,
    "labels": ["bug"],
    "assignees": None,
}


def completion(*calls: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-test",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": i, "type": "function", "function": {"name": n, "arguments": a}}
                        for i, n, a in calls
                    ],
                },
            }
        ],
    }


def client_answering(answers: list[dict[str, Any]], seen: list[dict[str, Any]]) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=answers.pop(0))

    return openai.AsyncOpenAI(
        api_key="test",
        base_url="http://openai.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
    )


def test_chat_tools_are_strict_function_tools(plane: AsyncPlane) -> None:
    tools = ap_openai.tools_for(plane, toolkits=["github"])
    assert {t["function"]["name"] for t in tools} >= {"GITHUB_CREATE_ISSUE", "GITHUB_GET_ISSUE"}
    assert all(t["type"] == "function" and t["function"]["strict"] for t in tools)
    responses = ap_openai.tools_for(plane, tools=["GITHUB_CREATE_ISSUE"], api="responses")
    assert responses[0]["name"] == "GITHUB_CREATE_ISSUE" and "function" not in responses[0]


async def test_chat_completion_tool_calls_run_once_per_call_id(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    answer = completion(
        ("call_1", "GITHUB_CREATE_ISSUE", json.dumps(STRICT_ISSUE)),
        ("call_2", "GITHUB_CREAT_ISSUE", "{}"),
        ("call_3", "GITHUB_GET_ISSUE", "{not json"),
    )
    seen: list[dict[str, Any]] = []
    client = client_answering([answer, completion()], seen)
    messages: list[Any] = [{"role": "user", "content": "File the grey button bug."}]
    tools = ap_openai.tools_for(plane, toolkits=["github"])
    response = await client.chat.completions.create(
        model="gpt-test", messages=messages, tools=tools
    )
    assert isinstance(response, ChatCompletion)
    assert seen[0]["tools"] == tools

    outputs = await ap_openai.handle_tool_calls(plane, response, user_id="alice")
    assert [m["tool_call_id"] for m in outputs] == ["call_1", "call_2", "call_3"]
    assert all(m["role"] == "tool" for m in outputs)
    created = json.loads(outputs[0]["content"])
    assert created["title"] == STRICT_ISSUE["title"] and created["number"]
    unknown = json.loads(outputs[1]["content"])
    assert unknown["error"] == "tool_not_found"
    assert "GITHUB_CREATE_ISSUE" in unknown["message"]
    assert json.loads(outputs[2]["content"])["error"] == "validation"

    # A framework retrying the same response: the same call id replays, nothing new upstream.
    again = await ap_openai.handle_tool_calls(plane, response, user_id="alice")
    assert again[0]["content"] == outputs[0]["content"]
    assert len(issues_created(sandbox)) == 1

    # The tool messages go back through the real client as the next request's messages.
    messages += [response.choices[0].message, *outputs]
    await client.chat.completions.create(model="gpt-test", messages=messages, tools=tools)
    assert [m["role"] for m in seen[1]["messages"]] == ["user", "assistant", "tool", "tool", "tool"]


async def test_responses_function_calls_become_function_call_outputs(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    response = Response.model_validate(
        {
            "id": "resp_1",
            "object": "response",
            "created_at": 1700000000,
            "model": "gpt-test",
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": ap_openai.tools_for(plane, tools=["GITHUB_CREATE_ISSUE"], api="responses"),
            "output": [
                {
                    "type": "function_call",
                    "id": "fc_1",
                    "call_id": "call_r1",
                    "name": "GITHUB_CREATE_ISSUE",
                    "arguments": json.dumps(STRICT_ISSUE),
                    "status": "completed",
                }
            ],
        }
    )
    outputs = await ap_openai.handle_tool_calls(plane, response, user_id="alice")
    assert outputs[0]["type"] == "function_call_output" and outputs[0]["call_id"] == "call_r1"
    assert json.loads(outputs[0]["output"])["labels"][0]["name"] == "bug"
    await ap_openai.handle_tool_calls(plane, response.output, user_id="alice")
    assert len(issues_created(sandbox)) == 1


def test_sync_plane(sandbox: RunningSandbox, database_url: str) -> None:
    with Plane(database_url=database_url, retry_policy=FAST_RETRIES) as plane:
        plane._run(lambda: sandbox.connect(plane._async, "alice", ["github"]))
        response = ChatCompletion.model_validate(
            completion(("call_s", "GITHUB_CREATE_ISSUE", json.dumps(STRICT_ISSUE)))
        )
        outputs = ap_openai.handle_tool_calls_sync(plane, response, user_id="alice")
    assert json.loads(outputs[0]["content"])["title"] == STRICT_ISSUE["title"]
