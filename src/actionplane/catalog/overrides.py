"""Changes a deployment makes to built-in toolkits without copying them.

Base URLs come from the environment (``ACTIONPLANE_<TOOLKIT>_BASE_URL``). Tool overrides come
from a mapping (in code, or a YAML file named by ``ACTIONPLANE_OVERRIDES_PATH``)::

    GITHUB_CREATE_ISSUE:
      description: File a bug in our tracker. Always add the label "from-agent".
      properties:
        title: {description: "One line, under 80 characters."}
      examples:
        - arguments: {owner: acme, repo: tracker, title: Login fails}
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from actionplane.catalog.models import OAuth2Scheme, Tool, ToolExample, Toolkit
from actionplane.errors import ConfigurationError

_ALLOWED_KEYS = {"description", "properties", "required", "examples", "tags"}


def base_url_variable(toolkit_slug: str) -> str:
    """The environment variable that overrides a toolkit's base URL."""
    return f"ACTIONPLANE_{toolkit_slug.upper()}_BASE_URL"


def apply_base_url(toolkit: Toolkit, environ: Mapping[str, str]) -> Toolkit:
    """The toolkit with its base URL taken from the environment when set there."""
    url = environ.get(base_url_variable(toolkit.slug))
    if not url:
        return toolkit
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(f"{base_url_variable(toolkit.slug)} must be an http(s) URL")
    return toolkit.model_copy(update={"base_url": url.rstrip("/")})


SANDBOX_URL_VARIABLE = "ACTIONPLANE_SANDBOX_URL"


def apply_sandbox_url(toolkit: Toolkit, environ: Mapping[str, str]) -> Toolkit:
    """A built-in toolkit pointed at the sandbox named by ``ACTIONPLANE_SANDBOX_URL``.

    The base URL becomes ``<sandbox>/<toolkit>`` and the OAuth authorize, token and revoke URLs
    the sandbox's OAuth server for that toolkit. Call it for built-in toolkits only (the sandbox
    stands in for those); ``ACTIONPLANE_<TOOLKIT>_BASE_URL``, applied after this, still wins for
    the base URL.
    """
    url = environ.get(SANDBOX_URL_VARIABLE, "").rstrip("/")
    if not url:
        return toolkit
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(f"{SANDBOX_URL_VARIABLE} must be an http(s) URL")
    oauth = f"{url}/oauth/{toolkit.slug}"
    schemes = tuple(
        scheme.model_copy(
            update={
                "authorize_url": f"{oauth}/authorize",
                "token_url": f"{oauth}/token",
                "revoke_url": f"{oauth}/revoke",
            }
        )
        if isinstance(scheme, OAuth2Scheme)
        else scheme
        for scheme in toolkit.auth
    )
    return toolkit.model_copy(update={"base_url": f"{url}/{toolkit.slug}", "auth": schemes})


def load_overrides_file(path: Path) -> dict[str, dict[str, Any]]:
    """Read a YAML overrides file: tool slug -> override."""
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read overrides file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: overrides must map tool slugs to changes")
    return data


def apply_tool_override(tool: Tool, override: Mapping[str, Any]) -> Tool:
    """The tool with its description, schema fields, required list, tags or examples replaced."""
    unknown = set(override) - _ALLOWED_KEYS
    if unknown:
        raise ConfigurationError(
            f"override of {tool.slug}: unknown keys {sorted(unknown)}; "
            f"allowed: {sorted(_ALLOWED_KEYS)}"
        )
    update: dict[str, Any] = {}
    if "description" in override:
        update["description"] = str(override["description"])
    if "tags" in override:
        update["tags"] = tuple(override["tags"])
    schema = copy.deepcopy(tool.input_schema)
    for name, changes in (override.get("properties") or {}).items():
        if name not in schema.get("properties", {}):
            raise ConfigurationError(f"override of {tool.slug}: no argument named {name!r}")
        schema["properties"][name] = {**schema["properties"][name], **changes}
    if "required" in override:
        schema["required"] = list(override["required"])
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise ConfigurationError(
            f"override of {tool.slug} breaks its schema: {exc.message}"
        ) from exc
    update["input_schema"] = schema
    if "examples" in override:
        examples = tuple(ToolExample.model_validate(e) for e in override["examples"])
        validator = jsonschema.Draft202012Validator(schema)
        for example in examples:
            error = jsonschema.exceptions.best_match(validator.iter_errors(example.arguments))
            if error is not None:
                raise ConfigurationError(
                    f"override of {tool.slug}: example does not match the schema: {error.message}"
                )
        update["examples"] = examples
    return tool.model_copy(update=update)
