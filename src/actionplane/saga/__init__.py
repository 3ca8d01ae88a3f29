"""Sagas: multi-step workflows whose completed steps are undone when a later one fails, and
whose runs survive the death of the process driving them.

Code::

    @workflow("onboard_lead")
    async def onboard(run: RunContext, lead: dict[str, Any]) -> dict[str, Any]:
        contact = await run.step("contact", "SALESFORCE_CREATE_CONTACT", {"LastName": ...})
        ...

    run = await plane.workflows.start(onboard, lead, user_id="alice")

or data (``load_workflow`` / ``plane.workflows.load``, see ``actionplane.saga.definition``).
"""

from actionplane.saga.definition import load_workflow
from actionplane.saga.model import Compensation, StepView, Workflow, WorkflowRun, workflow
from actionplane.saga.namespace import AsyncWorkflows
from actionplane.saga.policy import SagaPolicy
from actionplane.saga.runner import RunContext
from actionplane.saga.steps import StepFailed

__all__ = [
    "AsyncWorkflows",
    "Compensation",
    "RunContext",
    "SagaPolicy",
    "StepFailed",
    "StepView",
    "Workflow",
    "WorkflowRun",
    "load_workflow",
    "workflow",
]
