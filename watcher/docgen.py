"""Generates docs/configuration.md from the pydantic models of the config file.

Run `python -m watcher.docgen` to rewrite the file, `python -m watcher.docgen --check` to test it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from watcher.config import Config
from watcher.rules.spec import RuleBase

DOC = Path("docs") / "configuration.md"
REGENERATE = "python -m watcher.docgen"

_HEADER = f"""# Configuration reference

<!-- Generated from the pydantic models in watcher/config.py and watcher/rules/spec.py
     by `{REGENERATE}`; do not edit by hand (tests/test_docs.py checks it is current). -->

watcher reads one TOML file (`watcher run -c config.toml`). Unknown keys are errors, and every
error names the file, the key path and the problem. Values are taken as TOML types them, never
guessed: write numbers and `true`/`false` without quotes (`detect_fps = 5`, not `"5"`; `"yes"` is an
error); an integer is fine where a number is expected. Strings may use `${{NAME}}` or
`${{NAME:-default}}` to take secrets from the environment; relative paths resolve against the config
file's folder. A number or boolean key may be one too (`port = "${{MQTT_PORT}}"`): the variable's
text is read as the number or `true`/`false` it holds.
`watcher check-config --schema` prints the same information as JSON Schema for editor completion.
"""


def _unwrap(annotation: Any) -> Any:
    """The annotation without `Annotated[...]` metadata."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Config models a field's annotation holds directly, in a union, list or dict value."""
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, list):
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    if origin is dict:
        return _models_in(get_args(annotation)[1])
    return []


def type_name(annotation: Any) -> str:
    """A short, TOML-flavoured name of a field's type."""
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if annotation is type(None):
        return "none"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    if origin is Literal:
        return " \\| ".join(json.dumps(a) for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) > 1 and all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
            return "table"
        names = " or ".join(type_name(a) for a in args)
        return f"{names} (optional)" if len(args) < len(get_args(annotation)) else names
    if origin is list:
        inner = type_name(get_args(annotation)[0])
        return "array of tables" if inner == "table" else f"array of {inner}"
    if origin is tuple:
        return "[" + ", ".join(type_name(a) for a in get_args(annotation)) + "]"
    if origin is dict:
        return "tables by name"
    return {str: "string", int: "integer", float: "float", bool: "boolean"}.get(annotation, str(annotation))


def _plain(value: Any) -> Any:
    """A default as TOML/JSON-like data (models and tuples become tables and arrays)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def default_text(field: FieldInfo) -> str:
    """The default as the user would write it, or "required"."""
    if field.default is PydanticUndefined and field.default_factory is None:
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "its defaults"
    if value is None:
        return "unset"
    return f"`{json.dumps(_plain(value))}`"


def _constraints(field: FieldInfo) -> str:
    """Bounds and patterns from the field's metadata, e.g. "> 0, ≤ 1"."""
    signs = {
        "gt": ">",
        "ge": "≥",
        "lt": "<",
        "le": "≤",
        "multiple_of": "multiple of",
        "min_length": "min items",
    }
    out: list[str] = []
    for item in field.metadata:
        for attr, sign in signs.items():
            value = getattr(item, attr, None)
            if value is not None:
                out.append(f"{sign} {value}")
        pattern = getattr(item, "pattern", None)
        if pattern:
            out.append(f"matches `{pattern}`")
    return ", ".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _child(parent: str, name: str, field: FieldInfo) -> str:
    """Title of the section that documents a nested field, e.g. `cameras.motion`, `notify.<name>`."""
    title = f"{parent}.{name}" if parent else name
    return f"{title}.<name>" if get_origin(_unwrap(field.annotation)) is dict else title


def _tag(title: str, array: bool) -> str:
    return f"[[{title}]]" if array else f"[{title}]"


def _link(title: str, array: bool) -> str:
    """A Markdown link to a section heading (GitHub's anchor rules)."""
    tag = _tag(title, array)
    return f"[`{tag}`](#{re.sub(r'[^a-z0-9 _-]', '', tag.lower()).replace(' ', '-')})"


def _row(parent: str, name: str, field: FieldInfo) -> str:
    description = _cell(field.description or "")
    nested = _models_in(field.annotation)
    if nested and not description:
        description = (
            f"See {_link(_child(parent, name, field), get_origin(_unwrap(field.annotation)) is list)}."
        )
    rule = _constraints(field)
    if rule:
        description = f"{description} ({rule})" if description else f"({rule})"
    return f"| `{name}` | {type_name(field.annotation)} | {default_text(field)} | {description} |"


def _table(parent: str, fields: dict[str, FieldInfo]) -> list[str]:
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    return lines + [_row(parent, name, field) for name, field in fields.items()]


def _heading(title: str, model: type[BaseModel], array: bool) -> list[str]:
    tag = _tag(title, array)
    doc = (model.__doc__ or "").strip().splitlines()
    lines = [f"## `{tag}`" if title else "## Top-level keys", ""]
    if doc and model.__doc__ != BaseModel.__doc__:
        lines += [doc[0], ""]
    return lines


def _section(title: str, model: type[BaseModel], array: bool) -> list[str]:
    """The model's own table, then one section per nested model, in field order."""
    lines = [*_heading(title, model, array), *_table(title, dict(model.model_fields)), ""]
    for name, field in model.model_fields.items():
        nested = _models_in(field.annotation)
        child = _child(title, name, field)
        if len(nested) > 1:
            lines += _rules_section(child, nested)
        elif nested:
            lines += _section(child, nested[0], get_origin(_unwrap(field.annotation)) is list)
    return lines


def _kind_fields(kind: type[BaseModel]) -> dict[str, FieldInfo]:
    """Fields a rule kind adds to, or changes from, the common `RuleBase` keys."""
    base = RuleBase.model_fields
    out: dict[str, FieldInfo] = {}
    for name, field in kind.model_fields.items():
        if name == "kind":
            continue
        if name not in base or _row("rules", name, field) != _row("rules", name, base[name]):
            out[name] = field
    return out


def _rules_section(title: str, kinds: list[type[BaseModel]]) -> list[str]:
    """Common rule keys once, then each kind's own keys."""
    common = {name: f for name, f in RuleBase.model_fields.items() if name != "kind"}
    lines = [f"## `[[{title}]]`", "", "Keys common to every rule kind:", "", *_table(title, common), ""]
    nested: dict[str, tuple[type[BaseModel], bool]] = {}
    for kind in kinds:
        tag = get_args(kind.model_fields["kind"].annotation)[0]
        lines += [f'### `kind = "{tag}"`', ""]
        doc = (kind.__doc__ or "").strip()
        if doc:
            lines += [doc.splitlines()[0], ""]
        extra = _kind_fields(kind)
        lines += [*_table(title, extra), ""] if extra else ["No keys beyond the common ones.", ""]
        for name, field in kind.model_fields.items():
            for model in _models_in(field.annotation):
                nested[_child(title, name, field)] = (model, get_origin(_unwrap(field.annotation)) is list)
    for child, (model, array) in nested.items():
        lines += _section(child, model, array)
    return lines


def render() -> str:
    """The whole reference page as Markdown."""
    return "\n".join([_HEADER, *_section("", Config, False)]).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the configuration reference."""
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__)
    parser.add_argument("output", nargs="?", default=str(DOC), help=f"default: {DOC}")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not current")
    args = parser.parse_args(argv)
    path = Path(args.output)
    text = render()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is out of date; regenerate it with `{REGENERATE}`", file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
