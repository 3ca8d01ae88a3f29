"""The OpenAPI importer on two small descriptions written for these tests (Swagger 2.0 and
OpenAPI 3.1, in ``openapi_fixtures/``), each shape checked where a user would see it: in the
toolkit YAML the catalog loads, and in the HTTP request a tool call builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from actionplane.auth.credentials import Placement
from actionplane.catalog.loader import parse_toolkit
from actionplane.catalog.models import ApiKeyScheme, OAuth2Scheme, Tool, Toolkit
from actionplane.cli.app import app
from actionplane.engine.request import build_request
from actionplane.migrate.openapi import ImportOptions, OpenApiImport, import_openapi
from tests.migrate.openapi_support import FIXTURES, http, render_problems

SWAGGER2 = FIXTURES / "petclinic.swagger2.yaml"
OPENAPI31 = FIXTURES / "tasks.openapi31.yaml"


def load(result: OpenApiImport) -> Toolkit:
    """The toolkit as the catalog loads it from the YAML the importer writes."""
    return parse_toolkit(yaml.safe_load(result.to_yaml()), "imported.yaml")


def tool(toolkit: Toolkit, slug: str) -> Tool:
    return next(t for t in toolkit.tools if t.slug == slug)


def request(toolkit: Toolkit, slug: str, arguments: dict[str, Any]) -> httpx.Request:
    return build_request(toolkit, tool(toolkit, slug), arguments, Placement())


@pytest.fixture(scope="module")
def petclinic() -> tuple[OpenApiImport, Toolkit]:
    result = import_openapi(SWAGGER2, ImportOptions(toolkit="clinic"))
    return result, load(result)


@pytest.fixture(scope="module")
def tasks() -> tuple[OpenApiImport, Toolkit]:
    result = import_openapi(OPENAPI31, ImportOptions(toolkit="tasks"))
    return result, load(result)


def test_swagger2_toolkit_facts(petclinic: tuple[OpenApiImport, Toolkit]) -> None:
    result, toolkit = petclinic
    assert result.source_version == "2.0"
    assert toolkit.base_url == "https://clinic.example.com/v2"  # https preferred to http
    assert toolkit.version == "2.1.0"
    assert "**" not in toolkit.description and "](" not in toolkit.description
    api_key, oauth, bearer = toolkit.auth
    assert isinstance(api_key, ApiKeyScheme) and isinstance(oauth, OAuth2Scheme)
    assert (api_key.type, api_key.location, api_key.name) == ("api_key", "header", "X-Clinic-Key")
    assert oauth.type == "oauth2" and oauth.token_url == "https://auth.example.com/token"
    assert oauth.scopes == ("pets:read", "pets:write", "visits:write")
    assert bearer.type == "bearer"
    assert any("legacy_implicit" in w and "implicit" in w for w in result.warnings)
    reasons = {s.operation_id: s.reason for s in result.skipped}
    assert reasons == {
        "petExists": "method HEAD is not supported",
        "uploadPhoto": "a multipart/form-data request body (JSON and form bodies are supported)",
    }
    assert [t.slug for t in toolkit.tools] == [
        "CLINIC_LIST_PETS", "CLINIC_ADD_PET", "CLINIC_GET_PET", "CLINIC_REPLACE_PET",
        "CLINIC_DELETE_PET", "CLINIC_BOOK_VISIT",
    ]  # fmt: skip


def test_swagger2_parameters_bodies_and_behaviour(petclinic: tuple[OpenApiImport, Toolkit]) -> None:
    _, toolkit = petclinic
    listing = tool(toolkit, "CLINIC_LIST_PETS")
    assert listing.behavior.read_only and listing.behavior.idempotent
    assert listing.input_schema["properties"]["species"]["type"] == "string"  # csv array
    sent = request(toolkit, "CLINIC_LIST_PETS", {"species": "cat,dog", "tag": ["old", "shy"]})
    assert sent.url.query == b"species=cat%2Cdog&tag=old&tag=shy"
    assert listing.output_schema["type"] == "array"
    add = tool(toolkit, "CLINIC_ADD_PET")
    assert "id" not in add.input_schema["properties"]  # readOnly in the definition
    assert add.input_schema["required"] == ["name", "species"]
    assert add.input_schema["properties"]["parent"]["type"] == "object"  # the cycle, cut
    assert "id" in add.output_schema["properties"]  # from the 201 response
    assert add.examples[0].arguments == {"name": "Rex", "species": "cat"}
    assert tool(toolkit, "CLINIC_REPLACE_PET").behavior.idempotent
    delete = tool(toolkit, "CLINIC_DELETE_PET")
    assert delete.behavior.destructive and http(delete).body == "none"
    visit = request(toolkit, "CLINIC_BOOK_VISIT", {"pet_id": 7, "when": "2024-01-15T09:30:00Z"})
    assert visit.headers["content-type"] == "application/x-www-form-urlencoded"
    assert visit.content == b"pet_id=7&when=2024-01-15T09%3A30%3A00Z"
    for each in toolkit.tools:
        assert "X-Clinic-Key" not in json.dumps(each.input_schema)  # the connection sends it


def test_openapi31_toolkit_facts(tasks: tuple[OpenApiImport, Toolkit]) -> None:
    result, toolkit = tasks
    assert result.source_version == "3.1.0"
    assert toolkit.base_url == "https://eu.tasks.example.com/api"  # server variable default
    assert toolkit.version == "1.0.0"  # "2024-05" is not semver
    oauth = toolkit.auth[0]
    assert isinstance(oauth, OAuth2Scheme)
    assert oauth.authorize_url == "https://eu.tasks.example.com/oauth/authorize"
    assert oauth.scopes == ("tasks:read", "tasks:write")
    assert toolkit.idempotency_header == "Idempotency-Key"
    assert toolkit.rate_limit_style == "retry_after"
    reasons = {s.operation_id: s.reason for s in result.skipped}
    assert reasons["exportEverything"] == "a required cookie parameter (session)"
    assert reasons["attachFile"].startswith("a application/octet-stream request body")
    assert "TASK_DONE" not in json.dumps([t.slug for t in toolkit.tools])  # webhooks are no tools


def test_colliding_names_are_renamed_and_sent_under_their_own(
    tasks: tuple[OpenApiImport, Toolkit],
) -> None:
    result, toolkit = tasks
    create = tool(toolkit, "TASKS_CREATE_TASK")
    properties = create.input_schema["properties"]
    assert {"path_id", "body_id", "id", "x_trace_id", "title"} <= set(properties)
    assert "Idempotency-Key" not in properties and "idempotency_key" not in properties
    notes = next(t.notes for t in result.tools if t.slug == "TASKS_CREATE_TASK")
    assert notes == ["path parameter id -> path_id", "body field id -> body_id"]
    sent = request(
        toolkit,
        "TASKS_CREATE_TASK",
        {"path_id": "L1", "id": "req-9", "body_id": "t-1", "title": "Buy milk", "x_trace_id": "tr"},
    )
    assert sent.url.path == "/api/lists/L1/tasks" and sent.url.params["id"] == "req-9"
    assert sent.headers["X-Trace-Id"] == "tr"
    assert json.loads(sent.content) == {"id": "t-1", "title": "Buy milk"}
    labels = request(toolkit, "TASKS_SET_LABELS", {"task_id": "T1", "body": ["home"]})
    assert labels.url.path == "/api/tasks/T1/labels" and json.loads(labels.content) == ["home"]
    listing = request(
        toolkit, "TASKS_LIST_TASKS", {"id": "L1", "filter": {"due_before": "2024-02-01"}}
    )
    assert listing.url.params["filter[due_before]"] == "2024-02-01"  # deepObject


def test_openapi31_schemas_become_json_schema(tasks: tuple[OpenApiImport, Toolkit]) -> None:
    _, toolkit = tasks
    create = tool(toolkit, "TASKS_CREATE_TASK")
    properties = create.input_schema["properties"]
    assert "created_at" not in properties and "secret_note" in properties  # readOnly / writeOnly
    assert "secret_note" not in create.output_schema["properties"]
    assert "created_at" in create.output_schema["properties"]
    assert properties["due"]["type"] == ["string", "null"]
    assert properties["priority"] == {"const": 1}
    assert properties["kind"]["enum"] == ["chore", "errand"]
    assert properties["kind"]["description"].startswith("What kind of task")  # $ref's sibling
    assert "x-enum-descriptions" not in json.dumps(properties)
    assert "anyOf" not in properties["location"]  # 13 alternatives: any value, and it says so
    assert "One of 13 shapes" in properties["location"]["description"]
    level = properties["deep"]
    for name in ("l1", "l2", "l3", "l4"):
        level = level["properties"][name]
    assert level == {"type": "object"}  # deeper objects keep their type, not their fields
    assert properties["subtasks"]["items"]["type"] == "object"  # a NewTask inside a NewTask
    assert create.description.startswith("Create a task. Adds a task to a list.")
    assert "<code>" not in create.description and "on and on" not in create.description
    patch = next(t for t in toolkit.tools if t.slug.startswith("TASKS_UPDATE_TASK_WITH"))
    assert len(patch.slug) <= 64 and not patch.slug.endswith("_")
    assert http(tool(toolkit, "TASKS_DELETE_TASKS_BY_TASK_ID")).path == "/tasks/{task_id}"


@pytest.mark.parametrize("fixture", ["petclinic", "tasks"])
def test_every_fixture_tool_renders_in_every_llm_format(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    _, toolkit = request.getfixturevalue(fixture)
    assert [p for t in toolkit.tools for p in render_problems(t, check_meta=True)] == []


def test_progress_is_reported_per_operation() -> None:
    seen: list[tuple[int, int]] = []
    import_openapi(SWAGGER2, ImportOptions(toolkit="clinic"), lambda d, t: seen.append((d, t)))
    assert seen == [(n, 7) for n in range(1, 8)]  # the HEAD operation is not one to build


def invoke(*arguments: str) -> Any:
    return CliRunner().invoke(app, ["import", "openapi", *arguments])


def test_cli_writes_yaml_to_stdout_and_the_report_to_stderr() -> None:
    done = invoke(str(SWAGGER2), "--toolkit", "clinic")
    assert done.exit_code == 0, done.output
    assert yaml.safe_load(done.stdout)["slug"] == "clinic"
    assert "6 tools, 2 skipped" in " ".join(done.stderr.split())


def test_cli_json_report_carries_the_toolkit_when_there_is_no_file() -> None:
    done = invoke(str(OPENAPI31), "--toolkit", "tasks", "--json")
    report = json.loads(done.stdout)
    assert report["imported"] == 5 and report["document"]["slug"] == "tasks"


def test_cli_writes_the_file_the_catalog_loads(tmp_path: Path) -> None:
    done = invoke(str(OPENAPI31), "--toolkit", "tasks", "-o", str(tmp_path / "t.yaml"))
    assert done.exit_code == 0 and "wrote" in done.stdout
    from actionplane.plane import build_catalog
    from actionplane.settings import Settings

    catalog = build_catalog(Settings(toolkits_path=str(tmp_path / "t.yaml")), environ={})
    assert catalog.get("TASKS_CREATE_TASK").toolkit == "tasks"


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        ('{"info": {}}', [], "not an OpenAPI 3.0 / 3.1 or Swagger 2.0 description"),
        ("a: [b", [], "is neither JSON nor YAML"),
        ('{"swagger": "2.0", "info": {}, "paths": {"/a": {"get": {}}}}', [], "pass --base-url"),
        (
            '{"openapi": "3.0.0", "paths": {"/a": {"get": {}}}}',
            ["--base-url", "ftp://x"],
            "--base-url 'ftp://x' is not an http(s) URL",
        ),
        (
            '{"openapi": "3.1.0", "paths": {}}',
            ["--base-url", "https://x.test"],
            "no operation became",
        ),
    ],
)
def test_cli_refuses_bad_input_with_a_readable_message(
    tmp_path: Path, content: str, arguments: list[str], message: str
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(content)
    done = invoke(str(spec), "--toolkit", "acme", *arguments)
    assert done.exit_code == 1
    assert message in " ".join(done.stderr.split())
    assert "Traceback" not in done.output


def test_cli_refuses_a_toolkit_name_the_catalog_would_refuse() -> None:
    done = invoke(str(SWAGGER2), "--toolkit", "Pet-Clinic")
    assert done.exit_code == 1 and "must be lower case" in done.stderr


def test_cli_base_url_replaces_the_description_s(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "paths": {"/ping": {"get": {}}}}))
    done = invoke(
        str(spec), "--toolkit", "acme", "--base-url", "https://api.acme.test/v1/", "--json"
    )
    document = json.loads(done.stdout)["document"]
    assert document["base_url"] == "https://api.acme.test/v1"
    assert document["tools"][0]["slug"] == "ACME_LIST_PING"
    assert document["auth"] == [{"type": "bearer"}]
