"""The dashboard in Debian's Chromium, as an operator uses it: sign in, connect an account
through the provider's consent, run a tool from the catalog, watch a failing call land in the
DLQ and replay it (one side effect), resume a run that needs attention, and the same pages at
390 px. Each test saves a screenshot under test-artifacts/dashboard/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from actionplane.saga.golden import CHANNEL, GOLDEN_YAML
from tests.dashboard.conftest import Served, screenshot

pytestmark = pytest.mark.usefixtures("pointed_at_sandbox")

ISSUE = {"owner": "octocat", "repo": "hello-world"}
LEAD = {
    "email": "ada@analytical-engines.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "company": "Analytical Engines",
    "channel": CHANNEL,
}


def issues_created(served: Served) -> int:
    return sum(1 for e in served.sandbox.ledger("github") if e["operation"] == "issues.create")


def test_sign_in_with_a_project_key(browser: Any, served: Served) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(served.url + "/")
        key = page.get_by_label("Project API key or admin token")
        key.fill("apk_not-a-key")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("invalid or revoked API key")

        key.fill(served.keys["acme"])
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        expect(page.locator(".who .project")).to_have_text("project acme")
        expect(page.locator(".tile", has_text="DLQ depth")).to_be_visible()
        # The key stays in this tab's session storage, nowhere else.
        assert page.evaluate("sessionStorage.getItem('actionplane.key')") == served.keys["acme"]
        assert page.evaluate("localStorage.length") == 0
        screenshot(page, "sign-in-overview")

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('actionplane.key')") is None
    finally:
        context.close()


def test_connect_an_account_through_its_oauth_consent(desktop: Any, served: Served) -> None:
    desktop.goto(f"{served.url}/#/connections")
    form = desktop.locator("form.connect")
    form.get_by_label("End user").fill("carol")
    form.get_by_label("Toolkit").select_option("github")
    with desktop.context.expect_page() as opened:
        form.get_by_role("button", name="Connect").click()
    consent = opened.value
    # The sandbox's own consent page: who is logging in, then Allow.
    consent.get_by_label("Log in as").fill("carol")
    consent.get_by_role("button", name="Allow").click()
    expect(consent.get_by_role("heading", name="Connected")).to_be_visible()
    expect(consent.locator(".result")).to_contain_text("carol is connected to github")
    assert "code=" not in consent.url  # the single-use code leaves the address bar
    screenshot(consent, "connect-consent-done")

    expect(desktop.locator(".messages")).to_contain_text("carol is connected to github")
    row = desktop.locator("tr", has_text="carol")
    expect(row).to_contain_text("ACTIVE")
    screenshot(desktop, "connect-connections")
    listed = served.api.get("/v1/connections", params={"user_id": "carol"}).json()
    assert [(c["toolkit"], c["status"]) for c in listed] == [("github", "ACTIVE")]
    assert any(g["user"] == "carol" for g in served.sandbox.grants())


def test_run_a_tool_from_the_catalog(desktop: Any, served: Served) -> None:
    before = issues_created(served)
    desktop.goto(f"{served.url}/#/catalog")
    desktop.get_by_role("link", name=re.compile("^GitHub")).click()
    desktop.get_by_role("link", name="GITHUB_CREATE_ISSUE", exact=True).click()
    expect(desktop.locator(".notice.ok")).to_contain_text("Runs against the sandbox")
    form = desktop.locator("form.try-it")
    form.locator("[name=__user]").fill("alice")
    form.locator("[name=owner]").fill("octocat")
    form.locator("[name=repo]").fill("hello-world")
    form.locator("[name=title]").fill("Filed from the dashboard")
    form.locator("[name=labels]").fill('["dashboard"]')
    form.get_by_role("button", name="Run").click()
    result = desktop.locator(".try-result")
    expect(result).to_contain_text("Succeeded in 1 attempt")
    expect(result).to_contain_text("Filed from the dashboard")
    screenshot(desktop, "catalog-try-it")
    assert issues_created(served) == before + 1

    # The schema in another LLM API's format, one click away.
    desktop.get_by_role("tab", name="anthropic").click()
    expect(desktop.locator("pre").last).to_contain_text('"input_schema"')


def _dead_letter(served: Served, title: str) -> dict[str, Any]:
    result = served.execute("GITHUB_CREATE_ISSUE", {**ISSUE, "title": title})
    assert not result["successful"] and result["dead_letter_id"], result
    return dict(result)


def test_a_failing_call_lands_in_the_dlq_and_is_replayed_by_clicking(
    desktop: Any, served: Served
) -> None:
    desktop.goto(f"{served.url}/#/dlq")
    expect(desktop.get_by_role("heading", name="Dead-letter queue")).to_be_visible()
    served.sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=3)
    failed = _dead_letter(served, "Lost in the outage")
    row = desktop.locator(f"tr[data-id='{failed['dead_letter_id']}']")
    expect(row).to_contain_text("exhausted")  # it appears by itself: the page is live
    screenshot(desktop, "dlq-landed")
    row.get_by_role("link", name="Inspect").click()
    expect(desktop.get_by_role("heading", name="Span tree")).to_be_visible()
    expect(desktop.locator("pre").first).to_contain_text("Lost in the outage")
    screenshot(desktop, "dlq-inspect-execution")
    desktop.go_back()

    before = issues_created(served)
    row.get_by_role("button", name="Replay").click()
    expect(desktop.locator(".messages")).to_contain_text("succeeded")
    assert issues_created(served) == before + 1
    expect(desktop.locator(f"tr[data-id='{failed['dead_letter_id']}']")).to_have_count(0)

    # Two more, replayed in bulk with a progress bar.
    served.sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=6)
    for title in ("Bulk one", "Bulk two"):
        _dead_letter(served, title)
    expect(desktop.locator("tbody tr")).to_have_count(2)
    desktop.get_by_role("button", name="Replay all pending").click()
    desktop.locator("dialog").get_by_role("button", name="Replay").click()
    expect(desktop.locator(".progress-label")).to_have_text(
        "done: 2 succeeded, 0 failed, 0 skipped"
    )
    assert desktop.locator("progress").evaluate("p => [p.value, p.max]") == [2, 2]
    screenshot(desktop, "dlq-bulk-replayed")
    assert issues_created(served) == before + 3
    expect(desktop.locator(".empty")).to_contain_text("The queue is empty")


def test_resume_a_run_that_needs_attention(desktop: Any, served: Served) -> None:
    sandbox = served.sandbox
    drive = sandbox.add_fault(tool="GOOGLE_DRIVE_CREATE_FOLDER", kind="status", status=400)
    undo = sandbox.add_fault(tool="SALESFORCE_DELETE_CONTACT", kind="status", status=500)
    body = {"user_id": "alice", "definition": GOLDEN_YAML, "input": LEAD}
    run = served.api.post("/v1/workflows/runs", json=body).json()
    assert run["status"] == "needs_attention", run

    desktop.goto(f"{served.url}/#/runs")
    desktop.get_by_role("tab", name="needs attention").click()
    desktop.get_by_role("link", name=run["id"]).click()
    expect(desktop.locator("h1")).to_contain_text("needs attention")
    expect(desktop.locator("table").first).to_contain_text("NOT undone")
    screenshot(desktop, "run-needs-attention")

    sandbox.remove_fault(undo["id"])
    sandbox.remove_fault(drive["id"])
    deletes = [e for e in sandbox.ledger("salesforce") if e["operation"] == "Contact.delete"]
    desktop.get_by_role("button", name="Resume").click()
    expect(desktop.locator(".notice.ok")).to_contain_text("the run is now compensated")
    expect(desktop.locator("h1")).to_contain_text("compensated")
    screenshot(desktop, "run-resumed")
    after = [e for e in sandbox.ledger("salesforce") if e["operation"] == "Contact.delete"]
    assert len(after) == len(deletes) + 1
    assert served.api.get(f"/v1/workflows/runs/{run['id']}").json()["status"] == "compensated"


def test_every_page_fits_a_390_px_phone(browser: Any, served: Served) -> None:
    served.sandbox.add_fault(tool="GITHUB_CREATE_ISSUE", kind="status", status=503, count=3)
    failed = _dead_letter(served, "Seen on a phone")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{served.url}/#token={served.keys['acme']}")
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        nav = page.locator("#nav")
        expect(nav).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        nav.get_by_role("link", name="Dead letters").click()
        expect(page.get_by_role("heading", name="Dead-letter queue")).to_be_visible()
        expect(nav).to_be_hidden()
        expect(page.locator("thead").first).to_be_hidden()  # rows read as cards
        screenshot(page, "phone-dlq")
        pages = {
            "/": "Overview",
            "/executions": "Executions",
            "/connections": "Connections",
            "/runs": "Workflow runs",
            "/catalog": "Catalog",
            "/catalog/tool/GITHUB_CREATE_ISSUE": "Try it",
            f"/executions/{failed['execution_id']}": "Span tree",
        }
        for path, heading in pages.items():
            page.goto(f"{served.url}/#{path}")
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide"
        screenshot(page, "phone-execution")
    finally:
        context.close()
