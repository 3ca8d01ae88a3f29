"""Issue 9's "done when": each real description in ../shared/specs imports through the CLI into
a toolkit the catalog loads, whose every tool renders in every LLM format; a few well-known
operations read as a person who knows the API expects.

The imports are run once per description (module scope): GitHub's 1,200 operations take a few
seconds to import and the catalog's checks of 1,200 tools some more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from actionplane.auth.credentials import Placement
from actionplane.catalog.models import OAuth2Scheme
from actionplane.engine.request import build_request
from tests.migrate.openapi_support import Imported, http, import_with_cli, render_problems
from tests.requirements import SPECS, require_specs

SHARED_SPECS = {
    "github.json": "gh",
    "jira.json": "jira_cloud",
    "slack.json": "slack_web",
    "stripe.subset.json": "stripe_subset",
    "stripe.full-collapsed.json": "stripe_full",
}
SMALL = {"slack.json", "stripe.subset.json"}
_cache: dict[str, Imported] = {}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``imported(name)``: the import of one shared description, made on first use."""
    folder = tmp_path_factory.mktemp("openapi")

    def get(name: str) -> Imported:
        require_specs()
        if name not in _cache:
            _cache[name] = import_with_cli(SPECS / name, SHARED_SPECS[name], folder)
        return _cache[name]

    return get


@pytest.mark.parametrize("name", list(SHARED_SPECS))
def test_description_imports_into_a_toolkit_the_catalog_loads(imported: Any, name: str) -> None:
    result: Imported = imported(name)
    report = result.report
    assert report["toolkit"] == SHARED_SPECS[name]
    assert report["operations"] == report["imported"] + report["skipped"] + report["filtered_out"]
    assert report["filtered_out"] == 0
    # Only what the toolkit format cannot express is left out, and always with the reason.
    assert report["skipped"] <= max(2, report["operations"] // 50), report["skipped_operations"]
    assert all(s["reason"] for s in report["skipped_operations"])
    assert len(result.toolkit.tools) == report["imported"]
    assert [t["slug"] for t in report["tools"]] == [t.slug for t in result.toolkit.tools]
    assert report["seconds"] > 0
    assert result.path.read_text().startswith("# Imported by `actionplane import openapi`")


@pytest.mark.parametrize("name", list(SHARED_SPECS))
def test_every_tool_renders_in_every_llm_format(imported: Any, name: str) -> None:
    result: Imported = imported(name)
    problems = [p for t in result.toolkit.tools for p in render_problems(t, name in SMALL)]
    assert problems[:20] == []


def test_github_create_issue(imported: Any) -> None:
    github: Imported = imported("github.json")
    tool = github.tool("GH_ISSUES_CREATE")
    assert tool.name == "Create an issue"
    assert tool.description.startswith("Create an issue. Any user with pull access")
    assert "](" not in tool.description and "**" not in tool.description
    assert (http(tool).method, http(tool).path) == ("POST", "/repos/{owner}/{repo}/issues")
    assert http(tool).body == "json" and http(tool).body_template is None
    schema = tool.input_schema
    assert schema["required"] == ["owner", "repo", "title"]
    assert {"owner", "repo", "title", "body", "labels", "assignees"} <= set(schema["properties"])
    assert schema["properties"]["assignee"]["type"] == ["string", "null"]  # 3.0 nullable
    assert tool.behavior.read_only is False and tool.behavior.idempotent is False
    assert tool.output_schema["properties"]["number"]["type"] == "integer"
    listing = github.tool("GH_ISSUES_LIST_FOR_REPO")
    assert listing.behavior.read_only and listing.behavior.idempotent
    assert {"state", "labels", "per_page"} <= set(http(listing).query)
    removal = github.tool("GH_REPOS_DELETE")
    assert removal.behavior.destructive and http(removal).body == "none"
    # GitHub's description declares no security scheme: connections send a bearer token.
    assert [s.type for s in github.toolkit.auth] == ["bearer"]
    assert github.toolkit.base_url == "https://api.github.com"


def test_stripe_bodies_are_form_encoded_with_brackets(imported: Any) -> None:
    stripe: Imported = imported("stripe.subset.json")
    create = stripe.tool("STRIPE_SUBSET_POST_CUSTOMERS")
    assert http(create).body == "form"
    assert {"email", "metadata", "address"} <= set(create.input_schema["properties"])
    request = build_request(
        stripe.toolkit,
        create,
        {"email": "a@example.com", "address": {"city": "Paris"}, "metadata": {"k": "v"}},
        Placement(),
    )
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    sent = request.content.decode()
    assert "address%5Bcity%5D=Paris" in sent and "metadata%5Bk%5D=v" in sent
    listing = stripe.tool("STRIPE_SUBSET_GET_CUSTOMERS")
    assert "created" not in http(listing).query  # deepObject: bracket-encoded by the catalog
    request = build_request(
        stripe.toolkit, listing, {"created": {"gte": 5}, "limit": 3}, Placement()
    )
    assert request.url.params["created[gte]"] == "5" and request.url.params["limit"] == "3"
    assert [s.type for s in stripe.toolkit.auth] == ["basic", "bearer"]
    assert stripe.toolkit.rate_limit_style == "retry_after"  # the descriptions declare 429


def test_slack_post_message_takes_its_token_from_the_connection(imported: Any) -> None:
    slack: Imported = imported("slack.json")
    tool = slack.tool("SLACK_WEB_CHAT_POST_MESSAGE")
    assert (http(tool).method, http(tool).path, http(tool).body) == (
        "POST",
        "/chat.postMessage",
        "form",
    )
    assert "token" not in tool.input_schema["properties"]
    assert tool.input_schema["required"] == ["channel"]
    oauth = slack.toolkit.auth[0]
    assert isinstance(oauth, OAuth2Scheme)
    assert oauth.authorize_url == "https://slack.com/oauth/authorize"
    assert oauth.headers == {"Authorization": "Bearer {token}", "token": "{token}"}
    assert "chat:write:bot" in oauth.scopes and "none" not in oauth.scopes
    entry = next(t for t in slack.report["tools"] if t["slug"] == tool.slug)
    assert entry["scopes"] == ["chat:write:user", "chat:write:bot"]
    assert slack.toolkit.base_url == "https://slack.com/api"


def test_jira_scopes_and_base_url(imported: Any) -> None:
    jira: Imported = imported("jira.json")
    oauth, basic = jira.toolkit.auth[0], jira.toolkit.auth[1]
    assert isinstance(oauth, OAuth2Scheme) and basic.type == "basic"
    assert oauth.token_url == "https://auth.atlassian.com/oauth/token"
    assert "read:jira-work" in oauth.scopes and "write:jira-work" in oauth.scopes
    create = jira.tool("JIRA_CLOUD_CREATE_ISSUE")
    assert http(create).path == "/rest/api/3/issue"
    assert "fields" in create.input_schema["properties"]
    assert jira.toolkit.base_url == "https://your-domain.atlassian.net"


def test_a_filtered_import_keeps_only_what_was_asked(tmp_path: Path) -> None:
    require_specs()
    result = import_with_cli(
        SPECS / "slack.json", "slack_chat", tmp_path, "--tag", "chat", "--path-prefix", "/chat.s"
    )
    slugs = [t.slug for t in result.toolkit.tools]
    assert slugs == ["SLACK_CHAT_CHAT_SCHEDULE_MESSAGE", "SLACK_CHAT_CHAT_SCHEDULED_MESSAGES_LIST"]
    assert result.report["filtered_out"] == result.report["operations"] - 2
    # Only the scopes of the imported operations are asked for.
    oauth = result.toolkit.auth[0]
    assert isinstance(oauth, OAuth2Scheme) and oauth.scopes == ("chat:write:user", "chat:write:bot")
