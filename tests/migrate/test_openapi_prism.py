"""Imported tools call the real API contract: a description is imported through the CLI, loaded
through ``ACTIONPLANE_TOOLKITS_PATH``, and its tools executed by ``actionplane execute`` against
Prism mocking that same description. Prism answers 422 to any request the description forbids,
so a successful call means the importer mapped path, query, headers, body and auth correctly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import run_cli, run_json
from tests.peers import prism
from tests.requirements import SPECS, require_node, require_specs

pytestmark = pytest.mark.prism
DESCRIPTIONS = ("slack.json", "stripe.subset.json")


@pytest.fixture(scope="module")
def mocks() -> Iterator[dict[str, str]]:
    """Prism on each description, started side by side."""
    require_node()
    require_specs()
    with ExitStack() as stack, ThreadPoolExecutor(len(DESCRIPTIONS)) as pool:
        futures = {n: pool.submit(stack.enter_context, prism(SPECS / n)) for n in DESCRIPTIONS}
        yield {name: future.result() for name, future in futures.items()}


def connect(
    tmp_path: Path, description: str, toolkit: str, mock: str, *filters: str
) -> dict[str, str]:
    """Import ``description`` as ``toolkit``, point it at ``mock``, connect alice with a token.
    (Filtered: every ``actionplane`` command below loads the toolkit again.)"""
    output = tmp_path / f"{toolkit}.yaml"
    run_cli(
        "import", "openapi", str(SPECS / description), "--toolkit", toolkit, "-o", str(output),
        *filters, cwd=tmp_path,
    )  # fmt: skip
    env = {
        "ACTIONPLANE_TOOLKITS_PATH": str(output),
        f"ACTIONPLANE_{toolkit.upper()}_BASE_URL": mock,
    }
    run_cli(
        "connections", "add", "--user", "alice", "--toolkit", toolkit, "--token", "test-token",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    return env


def execute(tmp_path: Path, env: dict[str, str], slug: str, arguments: dict[str, Any]) -> Any:
    return run_json(
        "execute", slug, "--user", "alice", "--args", json.dumps(arguments), cwd=tmp_path, env=env
    )


def test_imported_slack_tools_satisfy_the_slack_contract(
    mocks: dict[str, str], tmp_path: Path
) -> None:
    env = connect(
        tmp_path,
        "slack.json",
        "slack_web",
        mocks["slack.json"],
        "--tag",
        "chat",
        "--tag",
        "conversations",
    )
    posted = execute(
        tmp_path, env, "SLACK_WEB_CHAT_POST_MESSAGE", {"channel": "C0123", "text": "Deployed."}
    )
    assert posted["successful"] is True, posted
    assert posted["data"]["ok"] is True
    listed = execute(tmp_path, env, "SLACK_WEB_CONVERSATIONS_LIST", {"limit": 20})
    assert listed["successful"] is True, listed
    assert isinstance(listed["data"]["channels"], list)


def test_imported_stripe_tools_satisfy_the_stripe_contract(
    mocks: dict[str, str], tmp_path: Path
) -> None:
    env = connect(
        tmp_path,
        "stripe.subset.json",
        "stripe_subset",
        mocks["stripe.subset.json"],
        "--path-prefix",
        "/v1/customers",
    )
    created = execute(
        tmp_path,
        env,
        "STRIPE_SUBSET_POST_CUSTOMERS",
        {"email": "ada@example.com", "metadata": {"plan": "pro"}, "address": {"city": "Paris"}},
    )
    assert created["successful"] is True, created
    assert created["data"]["object"] == "customer"
    listed = execute(
        tmp_path, env, "STRIPE_SUBSET_GET_CUSTOMERS", {"limit": 3, "created": {"gte": 1700000000}}
    )
    assert listed["successful"] is True, listed
    assert listed["data"]["object"] == "list"
    refused = run_cli(
        "execute", "STRIPE_SUBSET_POST_CUSTOMERS", "--user", "alice",
        "--args", json.dumps({"balance": "lots"}), "--json", cwd=tmp_path, env=env, check=False,
    )  # fmt: skip
    envelope = json.loads(refused.stdout)
    assert envelope["successful"] is False and envelope["attempts"] == 0  # refused before sending
    assert envelope["error"]["category"] == "validation"
