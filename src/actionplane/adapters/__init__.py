"""Framework adapters: the catalog as each agent framework's tools, executed through the plane.

Each adapter is its own module and imports its framework only when used, so installing
actionplane never installs a framework; ``pip install "actionplane[langchain]"`` (or
``openai``, ``anthropic``, ``llamaindex``, ``mcp``, ``gemini``, ``openai-agents``,
``pydantic-ai``) adds the one you use. CrewAI is no extra (it pins ``mcp`` 1.x): install it
next to actionplane in an environment of its own.

- ``actionplane.adapters.openai``: Chat Completions and Responses tools, ``handle_tool_calls``.
- ``actionplane.adapters.anthropic``: Messages API tools, ``handle_tool_use``.
- ``actionplane.adapters.langchain``: ``BaseTool`` objects (``ToolMessage`` with the envelope).
- ``actionplane.adapters.llamaindex``: ``AsyncBaseTool`` objects (``ToolOutput``).
- ``actionplane.adapters.gemini``: ``google-genai`` function declarations,
  ``handle_function_calls`` (``function_response`` parts).
- ``actionplane.adapters.openai_agents``: Agents SDK ``FunctionTool`` objects.
- ``actionplane.adapters.pydantic_ai``: Pydantic AI ``Tool`` objects (``ToolReturn``).
- ``actionplane.adapters.crewai``: CrewAI ``BaseTool`` objects (``ToolFailure`` on failure).
- ``actionplane.server.mcp``: the catalog as an MCP server (``actionplane mcp``).

Every adapter passes the framework's tool-call id as ``tool_call_id``, so a framework that
retries a call with the same id gets the stored result (``replayed``) instead of a second side
effect. What the model reads is ``result_text``: the data as JSON on success, or the error
(category, message, retry facts, details such as a connect link) on failure; the full
``ExecutionResult`` envelope stays available to the program where the framework has a place
for it.
"""

from actionplane.adapters._common import result_text, select_tools

__all__ = ["result_text", "select_tools"]
