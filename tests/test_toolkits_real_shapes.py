"""Facts about the Salesforce, Google Drive, Gmail, HubSpot, Notion and Linear toolkits.

Each tool's request is built from its own examples; the assertions pin what the real provider
needs (a decodable RFC 822 message for Gmail, the GraphQL envelope for Linear, ...) and how each
provider's error bodies are classified.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
from typing import Any

import httpx
import pytest

from actionplane.auth.credentials import Credentials, Placement, place, scheme_for
from actionplane.catalog.loader import load_builtin_toolkits
from actionplane.catalog.models import ArgumentMapping, Tool, Toolkit
from actionplane.catalog.validation import validate_arguments
from actionplane.engine.classify import classify_response
from actionplane.engine.outcome import OutcomeKind
from actionplane.engine.request import build_request

SLUGS = ("salesforce", "google_drive", "gmail", "hubspot", "notion", "linear")
TOOLKITS = {t.slug: t for t in load_builtin_toolkits() if t.slug in SLUGS}
TOOLS = [(toolkit, tool) for toolkit in TOOLKITS.values() for tool in toolkit.tools]
BEARER = Placement(headers={"Authorization": "Bearer token"})


def _tool(slug: str) -> tuple[Toolkit, Tool]:
    for toolkit, tool in TOOLS:
        if tool.slug == slug:
            return toolkit, tool
    raise LookupError(slug)


def _request(slug: str, arguments: dict[str, Any]) -> httpx.Request:
    toolkit, tool = _tool(slug)
    validate_arguments(tool, arguments)
    return build_request(toolkit, tool, arguments, BEARER)


def _body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def _decode_raw(raw: str) -> email.message.EmailMessage:
    data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_the_six_toolkits_are_there_with_enough_tools() -> None:
    assert set(TOOLKITS) == set(SLUGS)
    assert all(len(t.tools) >= 8 for t in TOOLKITS.values())
    assert sum(len(t.tools) for t in TOOLKITS.values()) >= 48


@pytest.mark.parametrize(("toolkit", "tool"), TOOLS, ids=[tool.slug for _, tool in TOOLS])
def test_every_example_validates_and_builds_a_complete_request(
    toolkit: Toolkit, tool: Tool
) -> None:
    schema = tool.input_schema
    assert schema.get("additionalProperties") is False
    assert all("description" in prop for prop in schema["properties"].values()), tool.slug
    for example in tool.examples:
        validate_arguments(tool, example.arguments)
        request = build_request(toolkit, tool, example.arguments, BEARER)
        assert str(request.url).startswith(toolkit.base_url)
        assert "{" not in request.url.path


def _references(mapping: ArgumentMapping) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str) and node.startswith("$input."):
            found.append(node.removeprefix("$input.").split(".")[0])
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(mapping.arguments)
    return found


@pytest.mark.parametrize(("toolkit", "tool"), TOOLS, ids=[tool.slug for _, tool in TOOLS])
def test_compensations_and_lookups_fill_their_targets(toolkit: Toolkit, tool: Tool) -> None:
    for mapping in (tool.compensation, tool.lookup):
        if mapping is None:
            continue
        _, target = _tool(mapping.tool)
        assert set(target.input_schema.get("required", [])) <= set(mapping.arguments), mapping
        assert set(mapping.arguments) <= set(target.input_schema["properties"]), mapping
        assert set(_references(mapping)) <= set(tool.input_schema["properties"]), mapping
    if tool.compensation is not None:
        assert not tool.behavior.read_only
        assert _tool(tool.compensation.tool)[1].behavior.idempotent


@pytest.mark.parametrize(
    ("create", "undo"),
    [
        ("SALESFORCE_CREATE_CONTACT", "SALESFORCE_DELETE_CONTACT"),
        ("GOOGLE_DRIVE_CREATE_FOLDER", "GOOGLE_DRIVE_DELETE_FILE"),
        ("GOOGLE_DRIVE_SHARE_FILE", "GOOGLE_DRIVE_DELETE_PERMISSION"),
        ("GMAIL_CREATE_DRAFT", "GMAIL_DELETE_DRAFT"),
        ("GMAIL_TRASH_MESSAGE", "GMAIL_UNTRASH_MESSAGE"),
        ("HUBSPOT_CREATE_CONTACT", "HUBSPOT_DELETE_CONTACT"),
        ("NOTION_CREATE_PAGE", "NOTION_ARCHIVE_PAGE"),
        ("LINEAR_CREATE_ISSUE", "LINEAR_DELETE_ISSUE"),
        ("LINEAR_CREATE_COMMENT", "LINEAR_DELETE_COMMENT"),
    ],
)
def test_writes_declare_their_undo(create: str, undo: str) -> None:
    compensation = _tool(create)[1].compensation
    assert compensation is not None
    assert compensation.tool == undo


def test_sending_an_email_has_no_undo_and_says_so() -> None:
    tool = _tool("GMAIL_SEND_EMAIL")[1]
    assert tool.compensation is None
    assert "cannot be undone" in tool.description


def test_gmail_send_carries_a_decodable_rfc822_message() -> None:
    request = _request(
        "GMAIL_SEND_EMAIL",
        {
            "to": ["ada@example.com", "grace@example.org"],
            "cc": ["bob@example.com"],
            "subject": "Board pack ready",
            "body": "It is in the shared folder.",
            "thread_id": "18c2f0a9b3d4e5f6",
        },
    )
    assert str(request.url) == "https://gmail.googleapis.com/gmail/v1/users/me/messages/send"
    body = _body(request)
    assert set(body) == {"raw", "threadId"}
    assert body["threadId"] == "18c2f0a9b3d4e5f6"
    message = _decode_raw(body["raw"])
    assert message["To"] == "ada@example.com, grace@example.org"
    assert message["Cc"] == "bob@example.com"
    assert message["Subject"] == "Board pack ready"
    assert message.get_content().strip() == "It is in the shared folder."


def test_gmail_draft_wraps_the_raw_message() -> None:
    request = _request(
        "GMAIL_CREATE_DRAFT", {"to": ["ada@example.com"], "subject": "Hi", "body": "Draft text"}
    )
    body = _body(request)
    assert list(body) == ["message"]
    assert list(body["message"]) == ["raw"]
    assert _decode_raw(body["message"]["raw"])["To"] == "ada@example.com"


def test_drive_folder_is_a_file_with_the_folder_mime_type() -> None:
    request = _request("GOOGLE_DRIVE_CREATE_FOLDER", {"name": "Invoices", "parents": ["abc123"]})
    assert request.method == "POST"
    assert request.url.path == "/drive/v3/files"
    assert request.url.params["supportsAllDrives"] == "true"
    assert "id" in request.url.params["fields"].split(",")
    assert _body(request) == {
        "name": "Invoices",
        "mimeType": "application/vnd.google-apps.folder",
        "parents": ["abc123"],
    }


def test_hubspot_properties_are_wrapped_and_absent_ones_dropped() -> None:
    request = _request("HUBSPOT_CREATE_CONTACT", {"email": "ada@example.com", "firstname": "Ada"})
    assert _body(request) == {"properties": {"email": "ada@example.com", "firstname": "Ada"}}


def test_notion_sends_its_version_header_and_a_title_property() -> None:
    request = _request("NOTION_CREATE_PAGE", {"parent_page_id": "b" * 32, "title": "Notes"})
    assert request.headers["Notion-Version"] == "2022-06-28"
    assert _body(request) == {
        "parent": {"page_id": "b" * 32},
        "properties": {"title": {"title": [{"type": "text", "text": {"content": "Notes"}}]}},
    }


def test_linear_tools_are_graphql_posts_with_variables() -> None:
    for toolkit, tool in TOOLS:
        if toolkit.slug == "linear":
            assert (tool.http.method, tool.http.path) == ("POST", "/graphql")
    request = _request(
        "LINEAR_CREATE_ISSUE",
        {"teamId": "9cfb482a-81e3-4154-b5b9-2c805e70a02d", "title": "Broken login"},
    )
    body = _body(request)
    assert body["query"].startswith("mutation IssueCreate($input: IssueCreateInput!)")
    assert body["variables"] == {
        "input": {"teamId": "9cfb482a-81e3-4154-b5b9-2c805e70a02d", "title": "Broken login"}
    }


def test_linear_personal_keys_have_no_bearer_prefix() -> None:
    scheme = scheme_for(TOOLKITS["linear"].auth, "api_key")
    placement = place(scheme, Credentials(auth_type="api_key", api_key="lin_api_123"))
    assert placement.headers == {"Authorization": "lin_api_123"}


@pytest.mark.parametrize(
    ("toolkit", "status", "body", "expected"),
    [
        (
            "salesforce",
            403,
            [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}],
            OutcomeKind.RATE_LIMITED,
        ),
        (
            "salesforce",
            401,
            [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}],
            OutcomeKind.AUTH_EXPIRED,
        ),
        (
            "salesforce",
            400,
            [{"errorCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing"}],
            OutcomeKind.PERMANENT,
        ),
        (
            "google_drive",
            403,
            {
                "error": {
                    "code": 403,
                    "message": "Rate",
                    "errors": [{"reason": "userRateLimitExceeded"}],
                }
            },
            OutcomeKind.RATE_LIMITED,
        ),
        (
            "google_drive",
            403,
            {
                "error": {
                    "code": 403,
                    "message": "No",
                    "errors": [{"reason": "insufficientFilePermissions"}],
                }
            },
            OutcomeKind.PERMANENT,
        ),
        (
            "gmail",
            429,
            {
                "error": {
                    "code": 429,
                    "message": "Too many",
                    "errors": [{"reason": "rateLimitExceeded"}],
                }
            },
            OutcomeKind.RATE_LIMITED,
        ),
        (
            "hubspot",
            429,
            {"status": "error", "message": "Ten secondly rolling limit", "category": "RATE_LIMITS"},
            OutcomeKind.RATE_LIMITED,
        ),
        (
            "notion",
            429,
            {"object": "error", "status": 429, "code": "rate_limited", "message": "Slow down"},
            OutcomeKind.RATE_LIMITED,
        ),
        (
            "notion",
            401,
            {"object": "error", "status": 401, "code": "unauthorized", "message": "Invalid token"},
            OutcomeKind.AUTH_REQUIRED,
        ),
        (
            "linear",
            400,
            {"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]},
            OutcomeKind.RATE_LIMITED,
        ),
        (
            "linear",
            200,
            {"data": None, "errors": [{"message": "Entity not found: Issue"}]},
            OutcomeKind.PERMANENT,
        ),
        (
            "linear",
            200,
            {"data": {"issueArchive": {"success": True}}},
            OutcomeKind.SUCCEEDED,
        ),
    ],
)
def test_provider_error_bodies_are_classified(
    toolkit: str, status: int, body: Any, expected: OutcomeKind
) -> None:
    response = httpx.Response(status, json=body)
    assert classify_response(TOOLKITS[toolkit], response).kind is expected
