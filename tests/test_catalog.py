"""The catalog as a user meets it: built-ins, their own toolkits, overrides, versions, search."""

from __future__ import annotations

import re
import textwrap
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from actionplane.catalog.loader import load_builtin_toolkits, toolkit_schema
from actionplane.catalog.models import Behavior, HttpMapping, Tool
from actionplane.catalog.registry import Catalog, ToolFilter
from actionplane.catalog.search import SearchIndex
from actionplane.errors import ConfigurationError, ToolNotFoundError
from actionplane.plane import build_catalog
from actionplane.settings import Settings

BUILTIN = load_builtin_toolkits()
TOOLKITS_DIR = Path(str(resources.files("actionplane.catalog") / "toolkits"))
REQUIRED_TOOLKITS = {
    "github",
    "slack",
    "jira",
    "stripe",
    "salesforce",
    "google_drive",
    "gmail",
    "hubspot",
    "notion",
    "linear",
}
UNDO_PAIRS = {
    "SALESFORCE_CREATE_CONTACT": "SALESFORCE_DELETE_CONTACT",
    "GOOGLE_DRIVE_CREATE_FOLDER": "GOOGLE_DRIVE_DELETE_FILE",
    "STRIPE_CREATE_SUBSCRIPTION": "STRIPE_CANCEL_SUBSCRIPTION",
    "JIRA_CREATE_ISSUE": "JIRA_DELETE_ISSUE",
    "SLACK_POST_MESSAGE": "SLACK_DELETE_MESSAGE",
    "GITHUB_CREATE_ISSUE": "GITHUB_UPDATE_ISSUE",
}


def test_builtin_toolkits_cover_ten_providers_and_eighty_tools() -> None:
    assert {t.slug for t in BUILTIN} >= REQUIRED_TOOLKITS
    assert sum(len(t.tools) for t in BUILTIN) >= 80


def test_builtin_yaml_files_are_checked_from_the_package() -> None:
    files = [
        f
        for f in (resources.files("actionplane.catalog") / "toolkits").iterdir()
        if f.name.endswith(".yaml")
    ]
    validator = jsonschema.Draft202012Validator(toolkit_schema())
    for entry in files:
        validator.validate(yaml.safe_load(entry.read_text()))
    assert len(files) >= 10


def test_slugs_are_valid_function_names_everywhere() -> None:
    for toolkit in BUILTIN:
        for tool in toolkit.tools:
            assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tool.slug)
            assert tool.slug.startswith(toolkit.slug.upper() + "_")


def test_writes_with_a_provider_undo_declare_it() -> None:
    catalog = Catalog(BUILTIN)
    for create, undo in UNDO_PAIRS.items():
        compensation = catalog.get(create).compensation
        assert compensation is not None and compensation.tool == undo, create


def test_filters_by_toolkit_tags_and_behaviour() -> None:
    catalog = Catalog(BUILTIN)
    github = catalog.list(ToolFilter(toolkit="github"))
    assert github and all(t.toolkit == "github" for t in github)
    reads = catalog.list(ToolFilter(read_only=True))
    assert reads and all(t.behavior.read_only for t in reads)
    destructive = catalog.list(ToolFilter(destructive=True))
    assert "GITHUB_DELETE_REPOSITORY" in {t.slug for t in destructive}


def test_search_ranks_the_obvious_tool_first() -> None:
    catalog = Catalog(BUILTIN)
    assert catalog.search("create github issue")[0].slug == "GITHUB_CREATE_ISSUE"
    assert catalog.search("send an email")[0].slug.startswith("GMAIL_SEND")
    assert catalog.search("post a message to a slack channel")[0].slug == "SLACK_POST_MESSAGE"
    assert catalog.search("refund a payment")[0].slug == "STRIPE_CREATE_REFUND"


def test_search_index_handles_ten_thousand_tools() -> None:
    base = Catalog(BUILTIN).get("GITHUB_CREATE_ISSUE")
    words = ["invoice", "ticket", "folder", "contact", "message", "deal", "page", "order"]
    tools = [
        base.model_copy(
            update={
                "slug": f"BULK_{i}_{words[i % 8].upper()}",
                "description": f"Manage {words[i % 8]} number {i} in system {i % 97}",
            }
        )
        for i in range(10_000)
    ]
    index = SearchIndex(tools)
    hits = index.search("ticket 4242")
    assert "number 4242 " in hits[0][0].description


def test_pinned_versions_and_latest(tmp_path: Path) -> None:
    newer = yaml.safe_load((TOOLKITS_DIR / "github.yaml").read_text())
    newer["version"] = "1.1.0"
    newer["tools"][0]["description"] = "Version 1.1.0 of create issue, for an LLM to read."
    (tmp_path / "github-1.1.yaml").write_text(yaml.safe_dump(newer))
    catalog = build_catalog(Settings(toolkits_path=str(tmp_path)), environ={})
    assert catalog.versions("GITHUB_CREATE_ISSUE") == ["1.0.0", "1.1.0"]
    assert catalog.get("GITHUB_CREATE_ISSUE", "1.0.0").version == "1.0.0"
    assert catalog.get("GITHUB_CREATE_ISSUE", "latest").description.startswith("Version 1.1.0")
    with pytest.raises(ToolNotFoundError) as missing:
        catalog.get("GITHUB_CREATE_ISSUE", "9.9.9")
    assert "GITHUB_CREATE_ISSUE@1.0.0" in missing.value.suggestions


def test_user_toolkit_from_a_file_and_base_url_override(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(
        textwrap.dedent("""
        slug: acme
        name: Acme internal API
        version: 0.1.0
        description: Our own order service, connected with its own OAuth server.
        base_url: https://orders.acme.internal
        auth:
          - type: oauth2
            authorize_url: https://sso.acme.internal/authorize
            token_url: https://sso.acme.internal/token
            scopes: [orders]
        tools:
          - slug: ACME_GET_ORDER
            name: Get an order
            description: Fetch one order by its id, with its lines and status.
            behavior: {read_only: true, destructive: false, idempotent: true}
            input_schema:
              type: object
              properties: {order_id: {type: string, description: The order id}}
              required: [order_id]
            http: {method: GET, path: "/orders/{order_id}"}
            examples: [{arguments: {order_id: o_1}}]
    """)
    )
    env = {"ACTIONPLANE_GITHUB_BASE_URL": "http://127.0.0.1:4010/"}
    catalog = build_catalog(Settings(toolkits_path=str(tmp_path)), environ=env)
    assert catalog.get("ACME_GET_ORDER").toolkit == "acme"
    assert catalog.toolkit("github").base_url == "http://127.0.0.1:4010"


def test_a_broken_user_toolkit_names_the_file_and_the_place(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("slug: bad\nname: Bad\nversion: one\n")
    with pytest.raises(ConfigurationError) as error:
        build_catalog(Settings(toolkits_path=str(tmp_path)), environ={})
    assert "bad.yaml" in str(error.value) and "version" in str(error.value)


def test_tool_override_changes_description_field_and_examples(tmp_path: Path) -> None:
    overrides = {
        "GITHUB_CREATE_ISSUE": {
            "description": "File a bug in the tracker; always label it from-agent.",
            "properties": {"title": {"description": "One line, under 80 characters."}},
            "examples": [{"arguments": {"owner": "acme", "repo": "tracker", "title": "x"}}],
        }
    }
    file = tmp_path / "overrides.yaml"
    file.write_text(yaml.safe_dump(overrides))
    catalog = build_catalog(Settings(overrides_path=file), environ={})
    tool = catalog.get("GITHUB_CREATE_ISSUE")
    assert tool.description.startswith("File a bug")
    assert tool.input_schema["properties"]["title"]["description"].startswith("One line")
    assert tool.input_schema["properties"]["title"]["type"] == "string"
    assert tool.examples[0].arguments["repo"] == "tracker"
    with pytest.raises(ConfigurationError):
        build_catalog(Settings(), {"GITHUB_CREATE_ISSUE": {"properties": {"nope": {}}}}, {})


def test_unknown_tool_suggestions() -> None:
    catalog = Catalog(BUILTIN)
    with pytest.raises(ToolNotFoundError) as error:
        catalog.get("SLACK_SEND_MESSAGE")
    assert "SLACK_POST_MESSAGE" in error.value.suggestions


def test_models_are_frozen() -> None:
    tool = Catalog(BUILTIN).get("GITHUB_CREATE_ISSUE")
    with pytest.raises(ValueError, match="frozen"):
        tool.name = "changed"  # type: ignore[misc]
    assert isinstance(tool, Tool)
    assert isinstance(tool.behavior, Behavior)
    assert isinstance(tool.http, HttpMapping)
