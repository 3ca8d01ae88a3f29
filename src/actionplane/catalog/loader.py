"""Loading toolkit YAML files: schema check, consistency checks, then typed models.

Errors name the file and the exact place in it, because the person reading them is editing it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from actionplane.catalog.models import Toolkit
from actionplane.errors import ConfigurationError

BUILTIN_TOOLKITS = resources.files("actionplane.catalog") / "toolkits"


@cache
def toolkit_schema() -> dict[str, Any]:
    """The JSON Schema every toolkit document must satisfy."""
    text = (resources.files("actionplane.catalog") / "toolkit.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _where(error: jsonschema.ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(top level)"


def parse_toolkit(document: Any, source: str) -> Toolkit:
    """Validate one toolkit document and return its model, or raise ``ConfigurationError``."""
    validator = jsonschema.Draft202012Validator(toolkit_schema())
    problems = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [f"  at {_where(e)}: {e.message}" for e in problems[:10]]
        raise ConfigurationError(f"{source} is not a valid toolkit:\n" + "\n".join(lines))
    slug = document["slug"]
    prefix = slug.upper() + "_"
    seen: set[str] = set()
    for index, tool in enumerate(document["tools"]):
        where = f"{source} tools/{index} ({tool['slug']})"
        if not tool["slug"].startswith(prefix):
            raise ConfigurationError(f"{where}: tool slugs in toolkit {slug!r} start with {prefix}")
        if tool["slug"] in seen:
            raise ConfigurationError(f"{where}: duplicate tool slug")
        seen.add(tool["slug"])
        _check_tool_schemas(tool, where)
        tool["toolkit"] = slug
        tool["version"] = document["version"]
    for tool in document["tools"]:
        for link in ("compensation", "lookup"):
            target = tool.get(link, {}).get("tool")
            if target and target not in seen:
                raise ConfigurationError(
                    f"{source} {tool['slug']}: {link} names {target}, which is not in this toolkit"
                )
    try:
        return Toolkit.model_validate({**document, "source": source})
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigurationError(f"{source} is not a valid toolkit: {exc}") from exc


def _check_tool_schemas(tool: dict[str, Any], where: str) -> None:
    for key in ("input_schema", "output_schema"):
        if key in tool:
            try:
                jsonschema.Draft202012Validator.check_schema(tool[key])
            except jsonschema.SchemaError as exc:
                raise ConfigurationError(
                    f"{where}: {key} is not a JSON Schema: {exc.message}"
                ) from exc
    validator = jsonschema.Draft202012Validator(tool["input_schema"])
    for number, example in enumerate(tool["examples"]):
        error = jsonschema.exceptions.best_match(validator.iter_errors(example["arguments"]))
        if error is not None:
            raise ConfigurationError(
                f"{where}: example {number} does not match input_schema at {_where(error)}: "
                f"{error.message}"
            )


# libyaml when PyYAML was built with it: 5-10x faster on big toolkits (imported OpenAPI ones).
_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Parsed toolkits by file identity. Toolkit models are frozen, so every plane in a process can
# share them; a changed file (mtime or size) is read again.
_parsed: dict[tuple[str, int, int], Toolkit] = {}


def load_toolkit_file(path: Path) -> Toolkit:
    """Read and validate one YAML (or JSON) toolkit file."""
    try:
        stat = path.stat()
        identity = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if identity in _parsed:
            return _parsed[identity]
        document = yaml.load(path.read_text(), Loader=_YamlLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read toolkit file {path}: {exc}") from exc
    toolkit = parse_toolkit(document, str(path))
    _parsed[identity] = toolkit
    return toolkit


def toolkit_files(location: Path) -> Iterator[Path]:
    """The toolkit files at ``location``: the file itself, or every YAML/JSON file in a folder."""
    if location.is_file():
        yield location
    elif location.is_dir():
        for suffix in ("*.yaml", "*.yml", "*.json"):
            yield from sorted(location.glob(suffix))
    else:
        raise ConfigurationError(f"toolkits path {location} does not exist")


def load_builtin_toolkits() -> list[Toolkit]:
    """Every toolkit shipped inside the package."""
    return [
        load_toolkit_file(Path(str(entry)))
        for entry in sorted(BUILTIN_TOOLKITS.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".yaml", ".yml"))
    ]


def load_user_toolkits(locations: Iterable[Path]) -> list[Toolkit]:
    """Toolkits from user files or folders (``ACTIONPLANE_TOOLKITS_PATH``)."""
    return [
        load_toolkit_file(path).model_copy(update={"source": str(path)})
        for location in locations
        for path in toolkit_files(location)
    ]
