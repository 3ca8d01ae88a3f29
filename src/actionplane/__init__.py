"""actionplane: the action plane for AI agents.

The public surface is exactly what ``__all__`` lists; everything else is private and may change.
"""

from actionplane.auth.connections import Connection, ConnectionStatus
from actionplane.catalog.models import Tool, Toolkit
from actionplane.engine.result import ExecutionError, ExecutionResult
from actionplane.errors import (
    ActionplaneError,
    CallerError,
    ConfigurationError,
    ConnectionError_,
    ConnectionNotFoundError,
    IdempotencyConflictError,
    IdempotencyMismatchError,
    PlaneError,
    ProviderError,
    ToolNotFoundError,
    ToolValidationError,
)
from actionplane.plane import AsyncPlane, Plane

__all__ = [
    "ActionplaneError",
    "AsyncPlane",
    "CallerError",
    "ConfigurationError",
    "Connection",
    "ConnectionError_",
    "ConnectionNotFoundError",
    "ConnectionStatus",
    "ExecutionError",
    "ExecutionResult",
    "IdempotencyConflictError",
    "IdempotencyMismatchError",
    "Plane",
    "PlaneError",
    "ProviderError",
    "Tool",
    "ToolNotFoundError",
    "ToolValidationError",
    "Toolkit",
]

__version__ = "0.1.0"
