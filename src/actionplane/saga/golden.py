"""The golden workflow: new lead -> enrich -> upsert the Salesforce contact -> create a Google
Drive folder -> post to Slack. The README's demo and the saga tests run it against the sandbox.
"""

from __future__ import annotations

from typing import Any

from actionplane.saga.model import workflow
from actionplane.saga.runner import RunContext

CHANNEL = "C0123456789"


def enrich(lead: dict[str, Any]) -> dict[str, Any]:
    """Names and company from the lead (a pure function: replays give the same answer)."""
    email = str(lead["email"])
    domain = email.rsplit("@", 1)[-1]
    company = lead.get("company") or domain.split(".")[0].replace("-", " ").title()
    first, _, last = str(lead.get("name") or email.split("@")[0]).partition(" ")
    return {**lead, "company": company, "first_name": first, "last_name": last or first}


@workflow("golden_lead")
async def golden_lead(run: RunContext, lead: dict[str, Any]) -> dict[str, Any]:
    """Onboard a new lead: CRM contact, shared folder, and a note to the team."""
    person = enrich(lead)
    email = person["email"]
    found = await run.step(
        "find_contact",
        "SALESFORCE_QUERY",
        {"q": f"SELECT Id, Email FROM Contact WHERE Email = '{email}' LIMIT 1"},
    )
    records = found.get("records", []) if isinstance(found, dict) else []
    if records:
        contact_id = records[0]["Id"]
    else:
        contact = await run.step(
            "upsert_contact",
            "SALESFORCE_CREATE_CONTACT",
            {
                "FirstName": person["first_name"],
                "LastName": person["last_name"],
                "Email": email,
                "LeadSource": "Web",
            },
        )
        contact_id = contact.get("id") or contact.get("Id")
    folder = await run.step(
        "create_folder",
        "GOOGLE_DRIVE_CREATE_FOLDER",
        {"name": f"{person['company']} - {person['first_name']} {person['last_name']}"},
    )
    message = await run.step(
        "announce",
        "SLACK_POST_MESSAGE",
        {
            "channel": person.get("channel", CHANNEL),
            "text": f"New lead {person['first_name']} {person['last_name']} ({email}) "
            f"at {person['company']}: contact {contact_id}, folder {folder.get('id')}",
        },
    )
    return {"contact_id": contact_id, "folder_id": folder.get("id"), "message_ts": message["ts"]}


GOLDEN_YAML = """\
name: golden_lead_yaml
description: The golden workflow as data (no enrichment or upsert lookup).
steps:
  - name: upsert_contact
    tool: SALESFORCE_CREATE_CONTACT
    arguments: {FirstName: "${input.first_name}", LastName: "${input.last_name}",
                Email: "${input.email}"}
  - name: create_folder
    tool: GOOGLE_DRIVE_CREATE_FOLDER
    arguments: {name: "${input.company} - ${input.first_name} ${input.last_name}"}
  - name: announce
    tool: SLACK_POST_MESSAGE
    arguments:
      channel: "${input.channel}"
      text: "New lead ${input.email}: ${steps.upsert_contact.id}"
output: {contact_id: "${steps.upsert_contact.id}", folder_id: "${steps.create_folder.id}"}
"""
