"""The Anthropic adapter, driven by the real ``anthropic`` client over a mock transport."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx2 as httpx
from anthropic.types import Message

from actionplane import AsyncPlane
from actionplane.adapters import anthropic as ap_anthropic
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import ISSUE, issues_created


def message(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 10},
        "content": [{"type": "text", "text": "Filing it."}, *blocks],
    }


async def test_tool_use_blocks_become_tool_results(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    seen: list[dict[str, Any]] = []
    answers = [
        message(
            {"type": "tool_use", "id": "toolu_1", "name": "GITHUB_CREATE_ISSUE", "input": ISSUE},
            {"type": "tool_use", "id": "toolu_2", "name": "GITHUB_CREATE_ISSUE", "input": {}},
        ),
        message(),
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=answers.pop(0))

    client = anthropic.AsyncAnthropic(
        api_key="test",
        base_url="http://anthropic.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
    )
    tools = ap_anthropic.tools_for(plane, toolkits=["github"])
    assert all(set(t) == {"name", "description", "input_schema"} for t in tools)
    messages: list[Any] = [{"role": "user", "content": "File the grey button bug."}]
    reply = await client.messages.create(
        model="claude-test",
        max_tokens=512,
        messages=messages,
        tools=tools,  # type: ignore[arg-type]
    )
    assert isinstance(reply, Message)
    assert seen[0]["tools"] == tools

    results = await ap_anthropic.handle_tool_use(plane, reply, user_id="alice")
    assert [r["tool_use_id"] for r in results] == ["toolu_1", "toolu_2"]
    assert json.loads(results[0]["content"])["title"] == ISSUE["title"]
    assert "is_error" not in results[0]
    assert results[1]["is_error"] is True
    invalid = json.loads(results[1]["content"])
    assert invalid["error"] == "validation" and "title" in invalid["message"]

    assert await ap_anthropic.handle_tool_use(plane, reply.content, user_id="alice") == results
    assert len(issues_created(sandbox)) == 1

    messages += [
        {"role": "assistant", "content": reply.content},
        {"role": "user", "content": results},
    ]
    await client.messages.create(
        model="claude-test",
        max_tokens=512,
        messages=messages,
        tools=tools,  # type: ignore[arg-type]
    )
    assert seen[1]["messages"][2]["content"][0]["type"] == "tool_result"


async def test_a_user_without_a_connection_gets_an_actionable_result(plane: AsyncPlane) -> None:
    block = {"type": "tool_use", "id": "toolu_9", "name": "GITHUB_CREATE_ISSUE", "input": ISSUE}
    results = await ap_anthropic.handle_tool_use(plane, [block], user_id="bob")
    assert results[0]["is_error"] is True
    assert json.loads(results[0]["content"])["error"] == "auth_required"
