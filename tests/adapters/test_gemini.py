"""The Gemini adapter, driven by the real ``google-genai`` client over a mock transport."""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx
from google import genai
from google.genai import types

from actionplane import AsyncPlane, Plane
from actionplane.adapters import gemini as ap_gemini
from actionplane.testing import RunningSandbox
from tests.adapters.conftest import FAST_RETRIES, ISSUE, issues_created


def answer(*parts: dict[str, Any]) -> dict[str, Any]:
    """A ``generateContent`` response body from the model, in the API's own JSON."""
    return {
        "candidates": [{"content": {"role": "model", "parts": list(parts)}, "index": 0}],
        "modelVersion": "gemini-test",
    }


def call(call_id: str | None, name: str, args: dict[str, Any]) -> dict[str, Any]:
    function_call: dict[str, Any] = {"name": name, "args": args}
    if call_id is not None:
        function_call["id"] = call_id
    return {"functionCall": function_call}


def client_answering(answers: list[dict[str, Any]], seen: list[dict[str, Any]]) -> genai.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=answers.pop(0))

    return genai.Client(
        api_key="test",
        http_options=types.HttpOptions(
            base_url="http://gemini.test",
            httpx_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
        ),
    )


def test_tools_are_function_declarations_with_json_schema(plane: AsyncPlane) -> None:
    (tool,) = ap_gemini.tools_for(plane, toolkits=["github"])
    declarations = {d.name: d for d in tool.function_declarations or []}
    create = declarations["GITHUB_CREATE_ISSUE"]
    schema = plane.tools.get("GITHUB_CREATE_ISSUE").input_schema
    assert create.parameters_json_schema and create.response_json_schema
    assert create.parameters_json_schema["required"] == schema["required"]
    assert create.response_json_schema["type"] == "object"


async def test_function_calls_get_function_responses_and_replay_by_id(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    seen: list[dict[str, Any]] = []
    first = answer(
        {"text": "Filing it."},
        call("fc_1", "GITHUB_CREATE_ISSUE", ISSUE),
        call("fc_2", "GITHUB_CREAT_ISSUE", {}),
        call("fc_3", "GITHUB_CREATE_ISSUE", {"owner": "octocat"}),
    )
    client = client_answering([first, answer({"text": "Filed."})], seen)
    config = types.GenerateContentConfig(tools=ap_gemini.tools_for(plane, toolkits=["github"]))
    contents: list[Any] = [types.Content(role="user", parts=[types.Part(text="File the bug.")])]
    response = await client.aio.models.generate_content(
        model="gemini-test", contents=contents, config=config
    )
    declared = seen[0]["tools"][0]["functionDeclarations"]
    assert "GITHUB_CREATE_ISSUE" in {d["name"] for d in declared}

    reply = await ap_gemini.handle_function_calls(plane, response, user_id="alice")
    assert reply.role == "user"
    answers = [part.function_response for part in reply.parts or []]
    assert [(a.id, a.name) for a in answers if a] == [
        ("fc_1", "GITHUB_CREATE_ISSUE"),
        ("fc_2", "GITHUB_CREAT_ISSUE"),
        ("fc_3", "GITHUB_CREATE_ISSUE"),
    ]
    created, unknown, invalid = (a.response or {} for a in answers if a)
    assert created["title"] == ISSUE["title"] and created["number"]
    assert unknown["error"]["error"] == "tool_not_found"
    assert "GITHUB_CREATE_ISSUE" in unknown["error"]["message"]
    assert invalid["error"]["error"] == "validation"

    # Answering the same response again: the same call id replays, nothing new upstream.
    again = await ap_gemini.handle_function_calls(plane, response, user_id="alice")
    assert again.parts and again.parts[0].function_response
    assert again.parts[0].function_response.response == created
    assert len(issues_created(sandbox)) == 1
    records = await plane.executions.list(tool="GITHUB_CREATE_ISSUE", status="succeeded")
    assert sorted((r.tool_call_id, r.replayed) for r in records) == [
        ("fc_1", False),
        ("fc_1", True),
    ]

    # The function responses go back through the real client in the next request.
    assert response.candidates and response.candidates[0].content
    contents += [response.candidates[0].content, reply]
    await client.aio.models.generate_content(model="gemini-test", contents=contents, config=config)
    sent = seen[1]["contents"][2]
    assert sent["role"] == "user"
    assert sent["parts"][0]["functionResponse"]["id"] == "fc_1"
    assert sent["parts"][0]["functionResponse"]["response"]["title"] == ISSUE["title"]


async def test_a_user_without_a_connection_gets_an_actionable_result(plane: AsyncPlane) -> None:
    response = types.GenerateContentResponse.model_validate(
        answer(call("fc_9", "GITHUB_CREATE_ISSUE", ISSUE))
    )
    reply = await ap_gemini.handle_function_calls(plane, response, user_id="bob")
    assert reply.parts and reply.parts[0].function_response
    error = (reply.parts[0].function_response.response or {})["error"]
    assert error["error"] == "auth_required"
    assert error["details"]["toolkit"] == "github"


async def test_a_call_without_an_id_and_a_list_result(
    plane: AsyncPlane, sandbox: RunningSandbox
) -> None:
    # Vertex AI may leave the id out; a tool returning a list is wrapped under "output".
    parts = [call(None, "GITHUB_LIST_ISSUES", {"owner": "octocat", "repo": "hello-world"})]
    reply = await ap_gemini.handle_function_calls(plane, parts, user_id="alice")
    assert reply.parts and reply.parts[0].function_response
    answered = reply.parts[0].function_response
    assert answered.id is None
    assert isinstance((answered.response or {})["output"], list)


def test_sync_plane(sandbox: RunningSandbox, database_url: str) -> None:
    with Plane(database_url=database_url, retry_policy=FAST_RETRIES) as plane:
        plane._run(lambda: sandbox.connect(plane._async, "alice", ["github"]))
        content = types.Content(
            role="model",
            parts=[types.Part.from_function_call(name="GITHUB_CREATE_ISSUE", args=ISSUE)],
        )
        reply = ap_gemini.handle_function_calls_sync(plane, content, user_id="alice")
    assert reply.parts and reply.parts[0].function_response
    assert (reply.parts[0].function_response.response or {})["title"] == ISSUE["title"]
