"""Property-based check of the HTTP API against its own OpenAPI: every operation, fed
schema-conforming inputs (and a real API key), never answers 5xx nor off its declared schema."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from actionplane import AsyncPlane
from actionplane.server.app import create_app
from actionplane.server.keys import KeyStore
from actionplane.testing import RunningSandbox

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def api_key(sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A key of project acme, whose user alice is connected to GitHub in the sandbox."""
    monkeypatch.setenv("ACTIONPLANE_DATABASE_URL", f"sqlite:///{tmp_path}/server.db")

    async def setup() -> str:
        async with AsyncPlane() as plane:
            keys = KeyStore((await plane._connection_store())._engine)
            await keys.create_project("acme")
            key = (await keys.create_key("acme"))[1]
            acme = await plane.for_project("acme")
            await sandbox.connect(acme, "alice", ["github"])
            return key

    return anyio.run(setup)


@pytest.fixture
def schema(api_key: str) -> Iterator[schemathesis.BaseSchema]:
    """The app's OpenAPI, served in-process; schemathesis runs the lifespan, stopped at teardown."""
    loaded = schemathesis.openapi.from_asgi("/openapi.json", create_app())
    try:
        yield loaded
    finally:
        asgi.shutdown_lifespans()


def test_no_operation_answers_5xx_or_off_schema(
    schema: schemathesis.BaseSchema, api_key: str
) -> None:
    headers = {"Authorization": f"Bearer {api_key}"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "the OpenAPI has operations schemathesis can't read"
    assert len(operations) > 10
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def explore(case: Case[Any]) -> None:
            response = case.call_and_validate(
                headers=headers,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
            )
            statuses[response.status_code] += 1

        try:
            explore()
        except Exception as error:  # one report for every operation, not just the first
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
    assert 401 not in statuses, "the key was refused"  # the run exercised the routes, not auth
    assert sum(n for status, n in statuses.items() if status < 300) > 0
    print(sorted(statuses.items()))
