"""n8n app nodes that map to built-in tools: (node, resource, operation) -> tool + arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actionplane.migrate.expr import Code
from actionplane.migrate.runtime import SLACK_ID

P = dict[str, Any]


@dataclass(frozen=True)
class Call:
    tool: str
    args: P
    differs: str = ""  # empty: mapped; otherwise what the approximation changes


def rl(value: Any) -> Any:
    """n8n "resource locator" values ({"__rl": true, "value": ...}) to their value."""
    return value.get("value") if isinstance(value, dict) and value.get("__rl") else value


def given(**args: Any) -> P:
    return {k: v for k, v in args.items() if v is not None and v != "" and v != {}}


def _slack_post(p: P) -> Call:
    channel = rl(p.get("channelId")) if "channelId" in p else p.get("channel")
    channel = rl(p.get("user")) if p.get("select") == "user" else slack_channel(channel)
    text = p.get("text", "")
    differs = ""
    attachments = p.get("attachments") or []
    if attachments:
        lines: list[Any] = [text] if text else []
        for a in attachments:
            lines += [a[k] for k in ("title", "text", "title_link") if a.get(k)]
        text = Code(" + '\\n' + ".join(_src(v) for v in lines)) if lines else ""
        differs = "attachments become lines of text (title, text, link); colours and images dropped"
    other = p.get("otherOptions") or {}
    return Call(
        "SLACK_POST_MESSAGE",
        given(
            channel=channel, text=text, mrkdwn=other.get("mrkdwn"), thread_ts=other.get("thread_ts")
        ),
        differs,
    )


def slack_channel(channel: Any) -> Any:
    """A channel typed by name becomes a lookup of its ID when the workflow runs."""
    if (
        isinstance(channel, str)
        and channel
        and not channel.startswith("=")
        and "{{" not in channel
        and not SLACK_ID.match(channel)
    ):
        return Code(f"await slack_channel(run, {channel!r})")
    return channel


def _src(value: Any) -> str:
    return value.src if isinstance(value, Code) else f"text({value!r})"


def _github_issue(p: P) -> Call:
    labels = [x.get("label") for x in p.get("labels") or [] if isinstance(x, dict)]
    assignees = [x.get("assignee") for x in p.get("assignees") or [] if isinstance(x, dict)]
    return Call(
        "GITHUB_CREATE_ISSUE",
        given(
            owner=rl(p.get("owner")),
            repo=rl(p.get("repository")),
            title=p.get("title"),
            body=p.get("body"),
            labels=labels or None,
            assignees=assignees or None,
        ),
    )


def _github(tool: str, **extra: str) -> Callable[[P], Call]:
    def build(p: P) -> Call:
        args = given(owner=rl(p.get("owner")), repo=rl(p.get("repository")))
        args.update(given(**{ours: p.get(theirs) for ours, theirs in extra.items()}))
        return Call(tool, args)

    return build


_HUBSPOT_FIELDS = {
    "firstName": "firstname",
    "lastName": "lastname",
    "phoneNumber": "phone",
    "companyName": "company",
    "websiteUrl": "website",
    "jobTitle": "jobtitle",
    "city": "city",
    "country": "country",
    "lifeCycleStage": "lifecyclestage",
    "mobilePhoneNumber": "mobilephone",
}


def _hubspot_upsert(p: P) -> Call:
    extra = p.get("additionalFields") or {}
    fields = {ours: extra.get(theirs) for theirs, ours in _HUBSPOT_FIELDS.items()}
    dropped = sorted(set(extra) - set(_HUBSPOT_FIELDS))
    differs = "upsert becomes create: an existing contact with this email fails (409)"
    if dropped:
        differs += f"; fields not carried over: {', '.join(dropped)}"
    return Call("HUBSPOT_CREATE_CONTACT", given(email=p.get("email"), **fields), differs)


def _hubspot_get(p: P) -> Call:
    props = (p.get("additionalFields") or {}).get("properties")
    return Call("HUBSPOT_GET_CONTACT", given(contact_id=p.get("contactId"), properties=props))


def _hubspot_list(p: P) -> Call:
    return Call(
        "HUBSPOT_SEARCH_CONTACTS",
        {"limit": 100 if p.get("returnAll") else p.get("limit", 100)},
        "getAll becomes one search page of up to 100 contacts (no paging)",
    )


def _stripe_customer(p: P) -> Call:
    extra = p.get("additionalFields") or {}
    address = (extra.get("address") or {}).get("details")
    meta = (extra.get("metadata") or {}).get("metadataProperties")
    metadata = {m.get("key"): m.get("value") for m in meta or []} or None
    return Call(
        "STRIPE_CREATE_CUSTOMER",
        given(
            name=p.get("name"),
            email=extra.get("email"),
            phone=extra.get("phone"),
            description=extra.get("description"),
            address=address,
            metadata=metadata,
        ),
    )


def _gmail_send(p: P) -> Call:
    options = p.get("options") or {}
    return Call(
        "GMAIL_SEND_EMAIL",
        given(
            to=p.get("sendTo"),
            subject=p.get("subject"),
            cc=options.get("ccList"),
            bcc=options.get("bccList"),
        )
        | {"body": p.get("message", "")},
        "" if "message" in p else "the node sends n8n's default (empty) message body",
    )


_NOTION_VALUE: dict[str, tuple[str, Callable[[Any], P]]] = {
    "rich_text": ("textContent", lambda v: {"rich_text": [{"text": {"content": v}}]}),
    "title": ("title", lambda v: {"title": [{"text": {"content": v}}]}),
    "number": ("numberValue", lambda v: {"number": v}),
    "select": ("selectValue", lambda v: {"select": {"name": v}}),
    "checkbox": ("checkboxValue", lambda v: {"checkbox": v}),
    "url": ("urlValue", lambda v: {"url": v}),
    "email": ("emailValue", lambda v: {"email": v}),
    "date": ("date", lambda v: {"date": {"start": v}}),
}


def _notion_properties(p: P) -> tuple[P, str]:
    props: P = {}
    skipped: list[str] = []
    if p.get("title"):
        props["Name"] = _NOTION_VALUE["title"][1](p["title"])
    for prop in (p.get("propertiesUi") or {}).get("propertyValues", []):
        name, _, kind = str(prop.get("key", "")).partition("|")
        if kind in _NOTION_VALUE:
            key, build = _NOTION_VALUE[kind]
            props[name] = build(prop.get(key))
        else:
            skipped.append(name)
    differs = "the page title goes to a property named 'Name'" if p.get("title") else ""
    if skipped:
        differs += ("; " if differs else "") + f"properties not carried over: {', '.join(skipped)}"
    return props, differs


def _notion_create(p: P) -> Call:
    props, differs = _notion_properties(p)
    return Call(
        "NOTION_CREATE_DATABASE_PAGE",
        {"parent_database_id": rl(p.get("databaseId")), "properties": props},
        differs,
    )


def _notion_update(p: P) -> Call:
    props, differs = _notion_properties(p)
    return Call(
        "NOTION_UPDATE_PAGE", {"page_id": rl(p.get("pageId")), "properties": props}, differs
    )


def _notion_query(p: P) -> Call:
    differs = "returns the first page of results (no paging)"
    args = given(database_id=rl(p.get("databaseId")))
    if p.get("filterType") == "json":
        args["filter"] = p.get("filterJson")
    elif p.get("filterType") == "manual":
        differs += "; the manual filter is not carried over (all rows are returned)"
    return Call("NOTION_QUERY_DATABASE", args, differs)


def _salesforce_query(p: P) -> Call:
    options = p.get("options") or {}
    fields = ", ".join(options.get("fields") or ["Id"])
    obj = rl(p.get("customObject")) or "Contact"
    differs = "getAll becomes one SOQL query"
    if options.get("conditionsUi"):
        differs += "; its conditions are not carried over (no WHERE clause)"
    return Call("SALESFORCE_QUERY", {"q": f"SELECT {fields} FROM {obj}"}, differs)


def _jira_issue(p: P) -> Call:
    extra = p.get("additionalFields") or {}
    return Call(
        "JIRA_CREATE_ISSUE",
        given(
            project_key=rl(p.get("project")),
            summary=p.get("summary"),
            issue_type=rl(p.get("issueType")),
            labels=extra.get("labels"),
        )
        | {"description": extra.get("description", "")},
        "n8n selects project and issue type by id; the tool takes a project key and a type name",
    )


# (node type without the n8n-nodes-base. prefix, resource, operation); None = the node default.
SERVICES: dict[tuple[str, str, str], tuple[str, Callable[[P], Call]]] = {
    ("slack", "message", "post"): ("slack", _slack_post),
    ("github", "issue", "create"): ("github", _github_issue),
    ("github", "issue", "get"): ("github", _github("GITHUB_GET_ISSUE", issue_number="issueNumber")),
    ("github", "issue", "createComment"): (
        "github",
        _github("GITHUB_CREATE_ISSUE_COMMENT", issue_number="issueNumber", body="body"),
    ),
    ("github", "repository", "get"): ("github", _github("GITHUB_GET_REPOSITORY")),
    ("hubspot", "contact", "upsert"): ("hubspot", _hubspot_upsert),
    ("hubspot", "contact", "get"): ("hubspot", _hubspot_get),
    ("hubspot", "contact", "getAll"): ("hubspot", _hubspot_list),
    ("stripe", "customer", "create"): ("stripe", _stripe_customer),
    ("gmail", "message", "send"): ("gmail", _gmail_send),
    ("notion", "databasePage", "create"): ("notion", _notion_create),
    ("notion", "databasePage", "update"): ("notion", _notion_update),
    ("notion", "databasePage", "getAll"): ("notion", _notion_query),
    ("notion", "page", "archive"): (
        "notion",
        lambda p: Call("NOTION_ARCHIVE_PAGE", {"page_id": rl(p.get("pageId"))}),
    ),
    ("notion", "block", "getAll"): (
        "notion",
        lambda p: Call("NOTION_GET_BLOCK_CHILDREN", {"block_id": rl(p.get("blockId"))}),
    ),
    ("salesforce", "customObject", "getAll"): ("salesforce", _salesforce_query),
    ("jira", "issue", "create"): ("jira", _jira_issue),
    ("jira", "issueComment", "add"): (
        "jira",
        lambda p: Call(
            "JIRA_ADD_COMMENT", given(issue_key=p.get("issueKey"), body=p.get("comment"))
        ),
    ),
}
# n8n's defaults when the export leaves resource / operation out (they are not saved).
DEFAULTS: dict[str, tuple[str, dict[str, str]]] = {
    "slack": ("message", {"message": "post"}),
    "github": ("issue", {"issue": "create"}),
    "hubspot": ("deal", {"contact": "upsert"}),
    "stripe": ("balance", {"customer": "create"}),
    "gmail": ("message", {"message": "send"}),
    "notion": ("page", {"databasePage": "create", "page": "create", "block": "append"}),
    "salesforce": ("lead", {}),
    "jira": ("issue", {"issue": "create", "issueComment": "add"}),
}
