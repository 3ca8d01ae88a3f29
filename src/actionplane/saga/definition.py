"""Workflows as data (YAML): the same steps as in code, with ``${...}`` templates.

::

    name: onboard_lead
    steps:
      - name: contact
        tool: SALESFORCE_CREATE_CONTACT
        arguments: {LastName: "${input.last_name}", Email: "${input.email}"}
      - name: folder
        tool: GOOGLE_DRIVE_CREATE_FOLDER
        arguments: {name: "${input.company} - ${input.last_name}"}
        compensation: {tool: GOOGLE_DRIVE_TRASH_FILE, arguments: {file_id: $result.id}}
      - name: announce
        tool: SLACK_POST_MESSAGE
        arguments: {channel: C0123456789, text: "New lead at ${input.company}"}
        pivot: true
    output: {contact_id: "${steps.contact.id}"}

A string that is exactly one ``${path}`` keeps the value's type; otherwise values are
interpolated as text. Paths start at ``input`` or ``steps.<name>``. ``compensation: false``
declares a step without undo; without the key the catalog's declared undo is used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from actionplane.errors import CallerError
from actionplane.saga.model import Compensation, Workflow

if TYPE_CHECKING:
    from actionplane.saga.runner import RunContext

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


class CompensationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    compensation: CompensationSpec | bool | None = None
    pivot: bool = False
    retry_until_done: bool = False


class WorkflowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")
    description: str = ""
    steps: list[StepSpec] = Field(min_length=1)
    output: Any = None


def _read(path: str, scope: Mapping[str, Any]) -> Any:
    value: Any = scope
    for part in path.strip().split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def render(template: Any, scope: Mapping[str, Any]) -> Any:
    """``template`` with every ``${path}`` replaced from ``scope`` (absent values dropped)."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            return _read(whole[1], scope)
        return _PLACEHOLDER.sub(lambda m: str(_read(m[1], scope) or ""), template)
    if isinstance(template, Mapping):
        rendered = {k: render(v, scope) for k, v in template.items()}
        return {k: v for k, v in rendered.items() if v is not None}
    if isinstance(template, list):
        return [render(v, scope) for v in template]
    return template


def workflow_from_spec(spec: WorkflowSpec) -> Workflow:
    """A ``Workflow`` interpreting ``spec``; the spec travels with each of its runs."""

    async def interpret(run: RunContext, input: Any) -> Any:
        scope: dict[str, Any] = {"input": input, "steps": {}}
        for step in spec.steps:
            compensation: Compensation | bool | None = (
                Compensation(step.compensation.tool, step.compensation.arguments)
                if isinstance(step.compensation, CompensationSpec)
                else step.compensation
            )
            if compensation is True:
                compensation = None
            scope["steps"][step.name] = await run.step(
                step.name,
                step.tool,
                render(step.arguments, scope),
                compensation=compensation,
                pivot=step.pivot,
                retry_until_done=step.retry_until_done,
            )
        return render(spec.output, scope) if spec.output is not None else scope["steps"]

    return Workflow(spec.name, interpret, spec.model_dump(mode="json"), spec.description)


def load_workflow(source: str | Path | Mapping[str, Any]) -> Workflow:
    """A workflow from a YAML file, YAML text, or an already parsed mapping."""
    if isinstance(source, Mapping):
        data: Any = source
    elif isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        data = yaml.safe_load(Path(source).read_text())
    else:
        data = yaml.safe_load(source)
    try:
        spec = WorkflowSpec.model_validate(data)
    except ValueError as error:
        raise CallerError(f"invalid workflow definition: {error}") from error
    return workflow_from_spec(spec)
