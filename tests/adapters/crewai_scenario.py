"""What ``test_crewai`` runs inside the CrewAI environment: prints one JSON report on stdout.

Usage: ``python crewai_scenario.py DATABASE_URL`` with ``ACTIONPLANE_SANDBOX_URL`` and
``ACTIONPLANE_KEY_FILE`` set, alice connected to GitHub in that database and bob not. CrewAI
cannot be installed next to actionplane's own environment (it pins ``mcp`` 1.x), so this file
is never imported by the test suite, only run by the interpreter of that environment.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from crewai import Agent, Crew, Task  # type: ignore[import-not-found, unused-ignore]
from crewai.llms.base_llm import BaseLLM  # type: ignore[import-not-found, unused-ignore]

from actionplane import Plane
from actionplane.adapters.crewai import tools_for
from actionplane.engine.retry import RetryPolicy

ISSUE = {"owner": "octocat", "repo": "hello-world", "title": "Checkout button is grey"}


class ScriptedLLM(BaseLLM):  # type: ignore[misc, unused-ignore]
    """A model that answers from a script and keeps what CrewAI sent it."""

    script: list[Any]
    seen: list[dict[str, Any]] = []

    def call(self, messages: Any, tools: Any = None, *args: Any, **kwargs: Any) -> Any:
        self.seen.append({"messages": json.loads(json.dumps(messages)), "tools": tools})
        return self.script.pop(0)

    def supports_function_calling(self) -> bool:
        return True


def native_call(call_id: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-style tool call as a strict-mode model sends it (nulls for fields left out)."""
    strict = {"body": None, "labels": None, "assignees": None, **arguments}
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": "github_create_issue", "arguments": json.dumps(strict)},
    }


def crew_run(plane: Plane, user_id: str, call_id: str, title: str) -> dict[str, Any]:
    """One agent, one task, a scripted model: a tool call, then a final answer."""
    llm = ScriptedLLM(
        model="scripted", script=[[native_call(call_id, {**ISSUE, "title": title})], "Done."]
    )
    tools = tools_for(plane, user_id, toolkits=["github"])
    agent = Agent(role="Triager", goal="File bugs", backstory="Files bugs.", tools=tools, llm=llm)
    task = Task(description="File the grey button bug.", expected_output="A note", agent=agent)
    output: Any = Crew(agents=[agent], tasks=[task]).kickoff()  # not streamed: a CrewOutput
    offered = {t["function"]["name"]: t["function"] for t in llm.seen[0]["tools"]}
    tool_messages = [m for m in llm.seen[1]["messages"] if m.get("role") == "tool"]
    failures = output.tasks_output[0].tool_failures
    return {
        "final": output.raw,
        "offered": offered.get("github_create_issue"),
        "tool_message": tool_messages[0] if tool_messages else None,
        "failures": [{"tool": f.tool_name, "code": f.failure.code} for f in failures],
    }


def main(database_url: str) -> dict[str, Any]:
    report: dict[str, Any] = {}
    retries = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.05)
    with Plane(database_url=database_url, retry_policy=retries) as plane:
        (create,) = tools_for(plane, "alice", tools=["GITHUB_CREATE_ISSUE"])
        report["schema"] = create.args_schema.model_json_schema()
        report["run"] = [create.run(**ISSUE, tool_call_id="crew_1") for _ in range(2)]
        report["arun"] = asyncio.run(
            create.arun(**{**ISSUE, "title": "Async"}, tool_call_id="crew_async")
        )
        report["crew"] = crew_run(plane, "alice", "call_crew", "Filed by a crew")

        (refused,) = tools_for(plane, "bob", tools=["GITHUB_CREATE_ISSUE"])
        failure = refused.run(**ISSUE, tool_call_id="crew_bob")
        report["bob_run"] = {
            "type": type(failure).__name__,
            "text": failure.as_agent_message(),
            "code": failure.code,
            "execution_id": failure.details["execution_id"],
        }
        report["bob_crew"] = crew_run(plane, "bob", "call_bob", "Never filed")
        report["executions"] = [
            {"tool_call_id": e.tool_call_id, "replayed": e.replayed, "user_id": e.user_id}
            for e in plane.executions.list(tool="GITHUB_CREATE_ISSUE")
        ]
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), default=str))
