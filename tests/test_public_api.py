"""The public surface is exactly what ``actionplane.__all__`` lists (changes are deliberate)."""

import actionplane

PUBLIC = [
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


def test_public_surface_is_pinned() -> None:
    assert sorted(actionplane.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(actionplane, name) is not None


def test_error_tree_splits_by_who_is_at_fault() -> None:
    assert issubclass(actionplane.ToolValidationError, actionplane.CallerError)
    assert issubclass(actionplane.IdempotencyMismatchError, actionplane.CallerError)
    assert issubclass(actionplane.ConnectionNotFoundError, actionplane.ConnectionError_)
    for error in (
        actionplane.CallerError,
        actionplane.ConnectionError_,
        actionplane.ProviderError,
        actionplane.PlaneError,
    ):
        assert issubclass(error, actionplane.ActionplaneError)


def test_sync_plane_runs_the_same_api(tmp_path) -> None:
    with actionplane.Plane(database_url=f"sqlite:///{tmp_path}/a.db") as plane:
        connection = plane.connections.add("alice", "github", token="ghp_x")
        assert [c.id for c in plane.connections.list()] == [connection.id]
        result = plane.tools.execute("GITHUB_CREATE_ISSUE", {"owner": "o"}, user_id="alice")
        assert result.error.category == "validation"
