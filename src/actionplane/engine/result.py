"""The envelope every tool call returns, whatever happened."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ExecutionError(BaseModel):
    """Why a call did not succeed, in terms an agent can act on. Never contains a secret."""

    model_config = ConfigDict(frozen=True)

    category: str
    message: str
    retryable: bool = False
    retry_after_s: float | None = None
    status_code: int | None = None
    details: dict[str, Any] | None = None


class ExecutionResult(BaseModel):
    """``{successful, data, error, execution_id, trace_id, attempts, replayed}``."""

    model_config = ConfigDict(frozen=True)

    successful: bool
    data: Any = None
    error: ExecutionError | None = None
    execution_id: str
    trace_id: str
    attempts: int
    replayed: bool = False
    tool: str
    tool_version: str | None = None
    outcome: str = "succeeded"
    dead_letter_id: str | None = None
