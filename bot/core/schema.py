"""Shared schema machinery for knowledge files: base models and error reporting with lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
EntryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
AsOf = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
"""A word list's, a term's or a risk kind's name: snake_case."""

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    ja: NonEmpty
    en: NonEmpty

    def get(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.entry:
            parts.append(f"entry '{self.entry}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join([", ".join(parts), self.message])


class KnowledgeError(Exception):
    """Raised with every problem found, so one run of check-knowledge reports them all."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (5x faster on the FAQ file), else the pure one."""


def _parse(text: str) -> tuple[yaml.Node | None, object]:
    """Compose once and build the data from that node: safe tags only, lines kept."""
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


class Document:
    """A parsed YAML file that can point back at the line of any value."""

    def __init__(self, path: Path, display: str):
        self.display = display
        try:
            self.text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = Problem(display, None, None, None, f"cannot read: {exc}")
            raise KnowledgeError([problem]) from exc
        try:
            self.node, self.data = _parse(self.text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            message = f"YAML syntax error: {getattr(exc, 'problem', None) or exc}"
            raise KnowledgeError([Problem(display, line, None, None, message)]) from exc

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        node = self.node
        line = node.start_mark.line + 1 if node is not None else None
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                match = next((v for k, v in node.value if k.value == key), None)
                if match is None:
                    return line
                node = match
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    return line
                node = node.value[key]
            else:
                return line
            line = node.start_mark.line + 1
        return line

    def entry_id(self, loc: Sequence[str | int]) -> str | None:
        """The `id` of the list item a location falls in (an FAQ entry, a step, a rule)."""
        if len(loc) < 2 or not isinstance(loc[1], int) or not isinstance(self.data, dict):
            return None
        items = self.data.get(loc[0])
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            value = items[loc[1]].get("id")
            return str(value) if value is not None else f"#{loc[1] + 1}"
        return None

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        field = ".".join(str(part) for part in loc[2:]) or None
        if self.entry_id(loc) is None:
            field = ".".join(str(part) for part in loc) or None
        return Problem(self.display, self.line_of(loc), self.entry_id(loc), field, message)

    def validate(self, model: type[M]) -> M:
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            problems = [self.problem(err["loc"], _describe(err)) for err in exc.errors()]
            raise KnowledgeError(problems) from None


PLAIN_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check the spelling)",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    "model_type": "must be a set of fields (name: value), not {given}",
    "dict_type": "must be a set of fields (name: value), not {given}",
    "list_type": "must be a list ([a, b] or lines starting with '- '), not {given}",
    "string_type": "must be text, not {given}",
    "int_type": "must be a whole number, not {given}",
    "int_parsing": "must be a whole number, not {given}",
    "float_type": "must be a number, not {given}",
    "float_parsing": "must be a number, not {given}",
    "bool_type": "must be true or false, not {given}",
    "bool_parsing": "must be true or false, not {given}",
}
"""Pydantic's wording (which names its own classes) in the words of someone editing YAML."""

YAML_KINDS: dict[type[Any], str] = {dict: "a set of fields", list: "a list"}


def _describe(error: ErrorDetails) -> str:
    template = PLAIN_MESSAGES.get(error["type"])
    if template is None:
        return str(error["msg"])
    value = error.get("input")
    given = YAML_KINDS.get(type(value)) or repr(value)
    return template.format(given=given)


def duplicate_ids(doc: Document, section: str, ids: Sequence[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, item_id in enumerate(ids):
        if item_id in seen:
            problems.append(doc.problem((section, index, "id"), f"duplicate id '{item_id}'"))
        seen.add(item_id)
    return problems
